/* The Linux-style initial stack: read back the way a C library does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/initstack.h"
#include "themelios/errno.h"
#include "unit.h"

#define TOP 0x80000000ull

static uint8_t buf[8192];

static const char *
str(uint64_t va)
{
	CHECK(va < TOP && va >= TOP - sizeof(buf));
	return (const char *)buf + sizeof(buf) - (TOP - va);
}

static const uint64_t *
word(uint64_t va)
{
	return (const uint64_t *)(const void *)str(va);
}

static uint64_t
aux(uint64_t sp, uint64_t type, int *found)
{
	const uint64_t *w = word(sp);
	size_t i = 1 + w[0] + 1;

	while (w[i])
		i++; /* envp */
	for (i++; w[i] != AT_NULL; i += 2)
		if (w[i] == type) {
			*found = 1;
			return w[i + 1];
		}
	*found = 0;
	return 0;
}

static uint64_t
must_aux(uint64_t sp, uint64_t type)
{
	int found;
	uint64_t v = aux(sp, type, &found);

	CHECK(found);
	return v;
}

static struct initstack_in
sample(void)
{
	static const char *const argv[] = { "prog", "alpha", "", "gamma" };
	static const char *const envp[] = { "HOME=/", "TERM=vt100" };
	static uint8_t phdrs[3 * 56];
	struct initstack_in in = {
		.argv = argv,
		.argc = 4,
		.envp = envp,
		.envc = 2,
		.execfn = "/bin/prog",
		.phdrs = phdrs,
		.phdr = 0x400040,
		.phent = 56,
		.phnum = 3,
		.entry = 0x401000,
		.base = 0,
		.hwcap = 0x1234,
		.hwcap2 = 0x56,
	};

	for (int i = 0; i < 16; i++)
		in.random[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(phdrs); i++)
		phdrs[i] = (uint8_t)i;
	return in;
}

UNIT_TEST(layout_reads_back)
{
	struct initstack_in in = sample();
	uint64_t sp;
	const uint64_t *w;

	CHECK_EQ(initstack_build(buf, sizeof(buf), TOP, &in, &sp), 0);
	CHECK_EQ(sp % 16, 0);
	w = word(sp);
	CHECK_EQ(w[0], 4);
	CHECK(strcmp(str(w[1]), "prog") == 0);
	CHECK(strcmp(str(w[2]), "alpha") == 0);
	CHECK(strcmp(str(w[3]), "") == 0);
	CHECK(strcmp(str(w[4]), "gamma") == 0);
	CHECK_EQ(w[5], 0);
	CHECK(strcmp(str(w[6]), "HOME=/") == 0);
	CHECK(strcmp(str(w[7]), "TERM=vt100") == 0);
	CHECK_EQ(w[8], 0);
	CHECK_EQ(must_aux(sp, AT_PHDR), 0x400040);
	CHECK_EQ(must_aux(sp, AT_PHENT), 56);
	CHECK_EQ(must_aux(sp, AT_PHNUM), 3);
	CHECK_EQ(must_aux(sp, AT_PAGESZ), 4096);
	CHECK_EQ(must_aux(sp, AT_BASE), 0);
	CHECK_EQ(must_aux(sp, AT_ENTRY), 0x401000);
	CHECK_EQ(must_aux(sp, AT_HWCAP), 0x1234);
	CHECK_EQ(must_aux(sp, AT_HWCAP2), 0x56);
	CHECK_EQ(must_aux(sp, AT_CLKTCK), 100);
	CHECK_EQ(must_aux(sp, AT_SECURE), 0);
	CHECK_EQ(must_aux(sp, AT_UID), 0);
	CHECK_EQ(must_aux(sp, AT_EUID), 0);
	CHECK_EQ(must_aux(sp, AT_GID), 0);
	CHECK_EQ(must_aux(sp, AT_EGID), 0);
	CHECK(memcmp(str(must_aux(sp, AT_RANDOM)), in.random, 16) == 0);
	CHECK_EQ(must_aux(sp, AT_RANDOM) % 16, 0);
	CHECK(strcmp(str(must_aux(sp, AT_EXECFN)), "/bin/prog") == 0);
	/* Everything lies between sp and the top. */
	CHECK(must_aux(sp, AT_EXECFN) > sp && must_aux(sp, AT_RANDOM) > sp);
}

UNIT_TEST(headers_copied_when_not_loaded)
{
	struct initstack_in in = sample();
	uint64_t sp, phdr;

	in.phdr = 0;
	CHECK_EQ(initstack_build(buf, sizeof(buf), TOP, &in, &sp), 0);
	phdr = must_aux(sp, AT_PHDR);
	CHECK(phdr > sp && phdr % 8 == 0);
	CHECK(memcmp(str(phdr), in.phdrs, 3 * 56) == 0);
}

UNIT_TEST(no_arguments_no_environment)
{
	static const char *const argv[] = { "x" };
	struct initstack_in in = sample();
	const uint64_t *w;
	uint64_t sp;

	in.argv = argv;
	in.argc = 1;
	in.envc = 0;
	CHECK_EQ(initstack_build(buf, sizeof(buf), TOP, &in, &sp), 0);
	w = word(sp);
	CHECK_EQ(w[0], 1);
	CHECK_EQ(w[2], 0);
	CHECK_EQ(w[3], 0);
	CHECK_EQ(w[4], AT_PHDR);
}

UNIT_TEST(every_short_buffer_is_refused)
{
	struct initstack_in in = sample();
	uint64_t sp, need;

	in.phdr = 0;
	CHECK_EQ(initstack_build(buf, sizeof(buf), TOP, &in, &sp), 0);
	need = TOP - sp;
	for (size_t n = 0; n < need; n++) {
		/* Exactly n bytes: ASan sees any write outside them. */
		uint8_t *p = malloc(n ? n : 1);

		CHECK_EQ(initstack_build(p, n, TOP, &in, &sp), -E_RANGE);
		free(p);
	}
	uint8_t *exact = malloc(need);

	CHECK_EQ(initstack_build(exact, need, TOP, &in, &sp), 0);
	free(exact);
	CHECK_EQ(TOP - sp, need);
	CHECK_EQ(initstack_build(buf, sizeof(buf), TOP - 8, &in, &sp), -E_RANGE); /* misaligned */
	in.argc = SPAWN_ARGC_MAX + 2;
	CHECK_EQ(initstack_build(buf, sizeof(buf), TOP, &in, &sp), -E_RANGE);
}

UNIT_MAIN()
