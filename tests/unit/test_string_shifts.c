/* lib/string.c's memcpy as aarch64 builds it (STRING_COPY_BY_SHIFTS): a
 * misaligned source read as the aligned words it straddles and shifted
 * together, against a byte loop at every alignment and length, with
 * guard bytes around the destination (and the source inside a larger
 * array, so that the aligned reads stay in it under ASan). */
#include "lib/string.h"
#include "unit.h"

#define MAXLEN 100
#define GUARD  16

static unsigned char src[8 + MAXLEN + 16 + 8] __attribute__((aligned(8)));
static unsigned char dst[GUARD + MAXLEN + 16 + GUARD], ref[sizeof(dst)];

UNIT_TEST(memcpy_by_shifts_every_alignment_and_length)
{
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 13 + 1);
	for (size_t so = 8; so < 16; so++)
		for (size_t d_o = 0; d_o < 16; d_o++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				for (size_t i = 0; i < sizeof(dst); i++)
					dst[i] = ref[i] = (unsigned char)(0xa5 ^ i);
				for (size_t i = 0; i < n; i++)
					ref[GUARD + d_o + i] = src[so + i];
				CHECK(memcpy(dst + GUARD + d_o, src + so, n) == dst + GUARD + d_o);
				for (size_t i = 0; i < sizeof(dst); i++)
					if (dst[i] != ref[i]) {
						printf("  so %zu do %zu n %zu: byte %zu\n", so, d_o,
						       n, i);
						CHECK(0);
						return;
					}
			}
}

UNIT_MAIN();
