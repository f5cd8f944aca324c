/* Path strings of Linux calls (linux/path.h). */
#include "linux/path.h"

#include "lib/string.h"
#include "linux/errno.h"

long
lx_path_join(char *dst, size_t size, const char *base, const char *path, size_t len)
{
	size_t blen = 0, at = 0;

	if (len && path[0] == '/') {
		if (len + 1 > size)
			return -LX_ENAMETOOLONG;
		memcpy(dst, path, len);
		dst[len] = '\0';
		return (long)len;
	}
	blen = strlen(base);
	if (blen + 1 + len + 1 > size)
		return -LX_ENAMETOOLONG;
	memcpy(dst, base, blen);
	at = blen;
	if (at == 0 || dst[at - 1] != '/')
		dst[at++] = '/';
	memcpy(dst + at, path, len);
	at += len;
	dst[at] = '\0';
	return (long)at;
}

void
lx_path_normalize(char *path)
{
	size_t in = 0, out = 0;

	/* out: the canonical prefix written so far, always starting "/". */
	path[out++] = '/';
	while (path[in]) {
		size_t start, n;

		while (path[in] == '/')
			in++;
		start = in;
		while (path[in] && path[in] != '/')
			in++;
		n = in - start;
		if (n == 0 || (n == 1 && path[start] == '.'))
			continue;
		if (n == 2 && path[start] == '.' && path[start + 1] == '.') {
			while (out > 1 && path[out - 1] != '/')
				out--;
			if (out > 1)
				out--; /* the slash before the removed name */
			continue;
		}
		if (out > 1)
			path[out++] = '/';
		memmove(path + out, path + start, n);
		out += n;
	}
	path[out] = '\0';
}

/* The length of "/proc/self/LINK" or "/proc/PID/LINK" at the start of
 * path, when a "/" follows it; 0 otherwise. */
static size_t
proc_link_prefix(const char *path, size_t len, uint64_t pid, const char *link)
{
	size_t n = 0, at, ln = strlen(link);
	char digits[24];

	if (len > 11 + ln && !strncmp(path, "/proc/self/", 11) && !strncmp(path + 11, link, ln) &&
	    path[11 + ln] == '/')
		return 11 + ln;
	do {
		digits[n++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid);
	if (len < 6 + n + 2 + ln || strncmp(path, "/proc/", 6))
		return 0;
	for (at = 0; at < n; at++)
		if (path[6 + at] != digits[n - 1 - at])
			return 0;
	at = 6 + n;
	if (path[at] != '/' || strncmp(path + at + 1, link, ln) || path[at + 1 + ln] != '/')
		return 0;
	return at + 1 + ln;
}

static size_t
proc_root_prefix(const char *path, size_t len, uint64_t pid)
{
	return proc_link_prefix(path, len, pid, "root");
}

size_t
lx_path_proc_cwd(const char *path, size_t len, uint64_t pid)
{
	size_t n = proc_link_prefix(path, len, pid, "cwd");

	while (n && path[n] == '/')
		n++;
	return n;
}

size_t
lx_path_strip_proc_root(char *path, size_t len, uint64_t pid)
{
	size_t n;

	while ((n = proc_root_prefix(path, len, pid))) {
		memmove(path, path + n, len - n + 1);
		len -= n;
	}
	return len;
}
