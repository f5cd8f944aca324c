/*
 * Small and obviously correct.  memcpy and memset move eight bytes at a
 * time (memset when the pointer allows it, memcpy whatever the source's
 * alignment): IPC messages and page clearing were measured spending most
 * of their time in byte loops (docs/ipc.md), and so were file reads
 * into user buffers at odd offsets (busybox tar's, docs/linux.md).
 */
#include "lib/string.h"

#include <stdint.h>

/* A word that may alias anything (the copies see only bytes), and one
 * that may also lie anywhere: plain loads on x86_64, byte loads where
 * the compiler must keep accesses aligned (aarch64's -mstrict-align). */
typedef uint64_t __attribute__((may_alias)) word_t;
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;

/*
 * On aarch64, where the kernel is built -mstrict-align (GCC says nothing
 * of it to the preprocessor), a word of an unaligned source is put
 * together from the two aligned words it straddles: two shifts and an
 * or, not eight byte loads.  Each aligned word read holds a byte of the
 * source, so no read leaves its pages.
 */
#if defined(__aarch64__) || defined(STRING_COPY_BY_SHIFTS) /* the host test's */
#define COPY_BY_SHIFTS 1
#endif

/*
 * The destination is aligned first; then eight words at a time when the
 * source is aligned too, else a word at a time from wherever it lies.
 * Copies to and from user buffers at any offset (a read into buf + 4)
 * go by words as well.
 */
void *
memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n >= 2 * sizeof(word_t)) {
		for (; (uintptr_t)d & (sizeof(word_t) - 1); n--)
			*d++ = *s++;
		if (((uintptr_t)s & (sizeof(word_t) - 1)) == 0) {
			for (; n >= 8 * sizeof(word_t); n -= 8 * sizeof(word_t)) {
				const word_t *from = (const word_t *)(const void *)s;
				word_t *to = (word_t *)(void *)d;
				word_t a = from[0], b = from[1], c = from[2], e = from[3];
				word_t f = from[4], g = from[5], h = from[6], i = from[7];

				to[0] = a;
				to[1] = b;
				to[2] = c;
				to[3] = e;
				to[4] = f;
				to[5] = g;
				to[6] = h;
				to[7] = i;
				d += 8 * sizeof(word_t);
				s += 8 * sizeof(word_t);
			}
		}
#ifdef COPY_BY_SHIFTS
		else {
			/* Little-endian: the low bytes come from the lower word. */
			unsigned int right = ((uintptr_t)s & (sizeof(word_t) - 1)) * 8;
			unsigned int left = 64 - right;
			const word_t *from =
				(const word_t *)(const void *)((uintptr_t)s & ~(uintptr_t)7);
			word_t lo = from[0];

			for (; n >= 2 * sizeof(word_t); n -= 2 * sizeof(word_t)) {
				word_t mid = from[1], hi = from[2];

				((word_t *)(void *)d)[0] = lo >> right | mid << left;
				((word_t *)(void *)d)[1] = mid >> right | hi << left;
				lo = hi;
				from += 2;
				d += 2 * sizeof(word_t);
				s += 2 * sizeof(word_t);
			}
		}
#endif
		for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
			*(word_t *)(void *)d = *(const uword_t *)(const void *)s;
			d += sizeof(word_t);
			s += sizeof(word_t);
		}
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if ((uintptr_t)d < (uintptr_t)s) {
		while (n--)
			*d++ = *s++;
	} else {
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (((uintptr_t)d & (sizeof(word_t) - 1)) == 0) {
		word_t w = (unsigned char)c * (word_t)0x0101010101010101ull;

		/* Eight words a turn: a page cleared (a fault, a page table)
		 * costs a third of the instructions of a word a turn. */
		for (; n >= 8 * sizeof(word_t); n -= 8 * sizeof(word_t)) {
			word_t *q = (word_t *)(void *)d;

			q[0] = w;
			q[1] = w;
			q[2] = w;
			q[3] = w;
			q[4] = w;
			q[5] = w;
			q[6] = w;
			q[7] = w;
			d += 8 * sizeof(word_t);
		}
		for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
			*(word_t *)(void *)d = w;
			d += sizeof(word_t);
		}
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t
strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
