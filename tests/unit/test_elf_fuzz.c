/*
 * A bounded run of the ELF fuzz target (tests/fuzz/fuzz_elf.c) under
 * ASan and UBSan: random bytes behind a valid ELF header, and random
 * damage to a small valid program with an interpreter, TLS and a stack
 * header (the target aborts when an accepted image breaks a rule).
 */
#include <string.h>
#include <time.h>

#include "proc/elf.h"
#include "unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
put(uint8_t *p, uint64_t v, int n)
{
	memcpy(p, &v, n);
}

static void
phdr(uint8_t *b, int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t va, uint64_t fs,
     uint64_t ms)
{
	uint8_t *p = b + 64 + 56 * i;

	put(p, type, 4);
	put(p + 4, flags, 4);
	put(p + 8, off, 8);
	put(p + 16, va, 8);
	put(p + 32, fs, 8);
	put(p + 40, ms, 8);
	put(p + 48, 0x1000, 8);
}

/* A PIE (or, with exec, a fixed program) of 0x2100 bytes. */
static size_t
seed(uint8_t *b, int exec)
{
	uint64_t at = exec ? 0x400000 : 0;

	memset(b, 0, 0x2100);
	memcpy(b,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	put(b + 16, exec ? 2 : 3, 2);
	put(b + 18, ELF_MACHINE_X86_64, 2);
	put(b + 20, 1, 4);
	put(b + 24, at + 0x100, 8);
	put(b + 32, 64, 8);
	put(b + 52, 64, 2);
	put(b + 54, 56, 2);
	put(b + 56, 5, 2);
	phdr(b, 0, 1, 5, 0, at, 0x1000, 0x1000);
	phdr(b, 1, 1, 6, 0x1000, at + 0x1000, 0x1100, 0x3000);
	phdr(b, 2, 3, 4, 0x400, 0, 11, 11);
	phdr(b, 3, 7, 4, 0x1010, at + 0x1010, 0x10, 0x40);
	phdr(b, 4, 0x6474e551, 6, 0, 0, 0, 0);
	memcpy(b + 0x400, "/lib/ld.so", 11);
	return 0x2100;
}

UNIT_TEST(random_headers)
{
	uint8_t in[1024];
	time_t deadline = time(NULL) + 10;
	int runs = 0;

	unit_srand(91);
	for (; runs < 200000 && time(NULL) < deadline; runs++) {
		size_t n = unit_rand() % sizeof(in);

		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)unit_rand();
		if (n >= 64 && unit_rand() % 2) {
			memcpy(in,
			       "\x7f"
			       "ELF\x02\x01\x01",
			       7);
			put(in + 20, 1, 4);
			put(in + 52, 64, 2);
			put(in + 54, 56, 2);
			put(in + 32, 64, 8);
			put(in + 56, unit_rand() % 8, 2);
		}
		CHECK_EQ(LLVMFuzzerTestOneInput(in, n), 0);
	}
	CHECK(runs >= 1000);
}

UNIT_TEST(mutated_programs)
{
	uint8_t good[0x2100], in[0x2100];
	time_t deadline = time(NULL) + 10;
	int runs = 0;

	unit_srand(92);
	for (; runs < 200000 && time(NULL) < deadline; runs++) {
		size_t n = seed(good, runs % 2);

		if (runs < 2) { /* the seeds themselves are good */
			struct elf_image e;

			CHECK_EQ(elf_parse(good, n, ELF_MACHINE_X86_64, 1ull << 47, &e), 0);
			CHECK_EQ(e.interp_len, 10);
			CHECK_EQ(e.tls_memsz, 0x40);
		}
		memcpy(in, good, n);
		for (int k = 1 + unit_rand() % 4; k > 0; k--) {
			size_t at = unit_rand() % 400;

			switch (unit_rand() % 3) {
			case 0:
				in[at] = (uint8_t)unit_rand();
				break;
			case 1: /* a field a little off */
				in[at] += (uint8_t)(unit_rand() % 3) - 1;
				break;
			default: /* a field far off */
				in[at | 7] = (uint8_t)unit_rand();
			}
		}
		if (unit_rand() % 8 == 0)
			n = unit_rand() % n;
		CHECK_EQ(LLVMFuzzerTestOneInput(in, n), 0);
	}
	CHECK(runs >= 1000);
}

UNIT_MAIN()
