/* lib/string.c: the word-at-a-time copies against a byte loop, at every
 * alignment and length, with guard bytes around the destination. */
#include "lib/string.h"
#include "unit.h"

#define MAXLEN 160 /* two turns of the 64-byte loops and a tail */
#define GUARD  16

static unsigned char src[MAXLEN + 32], dst[GUARD + MAXLEN + 32 + GUARD], ref[sizeof(dst)];

static void
fill(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + 3);
}

UNIT_TEST(memcpy_every_alignment_and_length)
{
	for (size_t so = 0; so < 16; so++)
		for (size_t d_o = 0; d_o < 16; d_o++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill(src, sizeof(src), (unsigned int)(so + n));
				fill(dst, sizeof(dst), 99);
				fill(ref, sizeof(ref), 99);
				for (size_t i = 0; i < n; i++)
					ref[GUARD + d_o + i] = src[so + i];
				CHECK(memcpy(dst + GUARD + d_o, src + so, n) == dst + GUARD + d_o);
				for (size_t i = 0; i < sizeof(dst); i++)
					if (dst[i] != ref[i]) {
						CHECK(dst[i] == ref[i]);
						return;
					}
			}
}

UNIT_TEST(memset_every_alignment_and_length)
{
	for (size_t d_o = 0; d_o < 16; d_o++)
		for (size_t n = 0; n <= MAXLEN; n++)
			for (int c = 0; c < 256; c += 85) {
				fill(dst, sizeof(dst), 7);
				fill(ref, sizeof(ref), 7);
				for (size_t i = 0; i < n; i++)
					ref[GUARD + d_o + i] = (unsigned char)c;
				CHECK(memset(dst + GUARD + d_o, c | 0x100, n) == dst + GUARD + d_o);
				for (size_t i = 0; i < sizeof(dst); i++)
					if (dst[i] != ref[i]) {
						CHECK(dst[i] == ref[i]);
						return;
					}
			}
}

UNIT_TEST(memmove_overlaps_and_compares)
{
	unsigned char b[32];

	for (int i = 0; i < 32; i++)
		b[i] = (unsigned char)i;
	memmove(b + 4, b, 20);
	CHECK(b[4] == 0 && b[23] == 19);
	memmove(b, b + 4, 20);
	CHECK(b[0] == 0 && b[19] == 19);
	CHECK(memcmp("abc", "abd", 3) < 0);
	CHECK(memcmp("abc", "abc", 3) == 0);
	CHECK(strlen("hello") == 5);
	CHECK(strnlen("hello", 3) == 3);
	CHECK(strcmp("a", "b") < 0 && strncmp("abx", "aby", 2) == 0);
	CHECK(strchr("hello", 'l') != NULL && strchr("hello", 'z') == NULL);
}

UNIT_MAIN();
