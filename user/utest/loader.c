/*
 * The program loader: the initial stack's auxiliary vector, a static PIE
 * placed at a random base (user/pie), and bad ELF images.
 */
#include "themelios.h"
#include "utest/utest.h"

void _start(void);

static const uint64_t *
auxv_of(char **argv)
{
	char **p = argv + prog_argc + 1; /* the environment */

	while (*p)
		p++;
	return (const uint64_t *)(p + 1);
}

static int
aux_get(const uint64_t *v, uint64_t type, uint64_t *out)
{
	for (; v[0] != AT_NULL; v += 2)
		if (v[0] == type) {
			*out = v[1];
			return 1;
		}
	return 0;
}

void
initial_stack(void)
{
	static const uint64_t ids[] = { AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_BASE };
	const uint64_t *v = auxv_of(prog_argv);
	uint64_t x = 0, phdr = 0, phnum = 0, nonzero = 0;
	int text_found = 0;

	CHECK(prog_argv[prog_argc] == NULL, 1);
	CHECK(aux_get(v, AT_PAGESZ, &x) && x == 4096, 1);
	CHECK(aux_get(v, AT_ENTRY, &x) && x == (uint64_t)(uintptr_t)&_start, 1);
	CHECK(aux_get(v, AT_PHENT, &x) && x == 56, 1);
	CHECK(aux_get(v, AT_PHNUM, &phnum) && phnum > 0 && phnum < 64, 1);
	CHECK(aux_get(v, AT_PHDR, &phdr) && phdr != 0, 1);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = (const uint8_t *)(uintptr_t)(phdr + 56 * i);
		uint32_t type, flags;
		uint64_t vaddr;

		memcpy(&type, ph, 4);
		memcpy(&flags, ph + 4, 4);
		memcpy(&vaddr, ph + 16, 8);
		if (type == 1 && vaddr == UT_TEXT_BASE && flags == 5)
			text_found = 1;
	}
	CHECK(text_found, 1); /* our own text segment, R+X */
	for (unsigned int i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		CHECK(aux_get(v, ids[i], &x) && x == 0, 1);
	CHECK(aux_get(v, AT_HWCAP, &x), 1);
	CHECK(aux_get(v, AT_HWCAP2, &x), 1);
	CHECK(aux_get(v, AT_EXECFN, &x) && strcmp((const char *)(uintptr_t)x, "utest") == 0, 1);
	CHECK(aux_get(v, AT_RANDOM, &x) && x > (uint64_t)(uintptr_t)v, 1);
	for (int i = 0; i < 16; i++)
		nonzero |= ((const uint8_t *)(uintptr_t)x)[i];
	CHECK(nonzero != 0, 1);
	CHECK((uint64_t)(uintptr_t)v < USER_STACK_TOP, 1);
}

/* The same PIE twice: two bases, each above 1 TiB; it checks its own
 * auxiliary vector and exits with its entry address. */
static void
two_bases(const char *how)
{
	struct ipc_msg m;
	long base[2];

	CHECK(sys_endpoint_create(3), 0);
	for (int i = 0; i < 2; i++) {
		CHECK(spawn("pie", 0, UT_IDLE_QUOTA, 3, 0, NULL, 0) > 0, 1);
		CHECK(await_report(3, &m), 0);
		CHECK(m.label, PROCESS_EVENT_EXIT);
		base[i] = (long)m.words[1];
		CHECK(base[i] >= (1l << 40), 1);
	}
	CHECK(base[0] != base[1], 1);
	printf("utest: pie %s at %lx and %lx\n", how, base[0], base[1]);
}

void
pie_bases(void)
{
	two_bases("from the boot archive");
}

/* The same from the verified image's bin/ (slot 2: the root), through
 * spawn_args.image_file; a bad file is refused there too. */
void
pie_from_file(void)
{
	slot_t console = 1;

	spawn_program_dir = 2;
	two_bases("from a File");
	CHECK(spawn("bad-wx", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_PERM);
	CHECK(spawn("bad-interp", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_NOENT); /* not there */
	spawn_program_dir = 0;
}
