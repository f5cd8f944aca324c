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
