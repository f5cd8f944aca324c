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

/* The length of "/proc/self/root" or "/proc/PID/root" at the start of
 * path, when a "/" follows it; 0 otherwise. */
static size_t
proc_root_prefix(const char *path, size_t len, uint64_t pid)
{
	char digits[24];
	size_t n = 0, at;

	if (len >= 16 && !strncmp(path, "/proc/self/root/", 16))
		return 15;
	do {
		digits[n++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid);
	if (len < 6 + n + 6 || strncmp(path, "/proc/", 6))
		return 0;
	for (at = 0; at < n; at++)
		if (path[6 + at] != digits[n - 1 - at])
			return 0;
	at = 6 + n;
	return !strncmp(path + at, "/root/", 6) ? at + 5 : 0;
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
