/*
 * The page-table walker (x86_64 entry format) over a fake physical
 * memory: directed cases, errors, and a long random sequence checked
 * against a model of what is mapped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asm/pte.h"
#include "mm/pagetable.h"
#include "mm/vm_flags.h"
#include "themelios/errno.h"
#include "unit.h"

#define NFRAMES 4096

static uint8_t *arena;
static int used[NFRAMES];
static int tables_live;
static int fail_allocs;	/* fail the next allocation when set */

static void *
p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa % 4096 || pa / 4096 >= NFRAMES)
		abort();
	return arena + pa;
}

static int
alloc_table(void *ctx, uint64_t *pa)
{
	(void)ctx;
	if (fail_allocs) {
		fail_allocs--;
		return -E_NOMEM;
	}
	for (int i = 1; i < NFRAMES; i++) {
		if (!used[i]) {
			used[i] = 1;
			memset(arena + (size_t)i * 4096, 0, 4096);
			*pa = (uint64_t)i * 4096;
			tables_live++;
			return 0;
		}
	}
	return -E_NOMEM;
}

static void
free_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (!used[pa / 4096])
		abort();	/* double free of a table page */
	used[pa / 4096] = 0;
	tables_live--;
}

static const struct pt_env env = { p2v, alloc_table, free_table, NULL };

static uint64_t
new_root(void)
{
	uint64_t pa;

	if (!arena)
		arena = aligned_alloc(4096, (size_t)NFRAMES * 4096);
	memset(used, 0, sizeof(used));
	tables_live = 0;
	if (alloc_table(NULL, &pa))
		abort();
	return pa;
}

UNIT_TEST(map_translate_unmap)
{
	uint64_t root = new_root(), pa, sz;
	unsigned int flags;
	size_t size;

	CHECK_EQ(pt_map(&env, root, 0x400000, 0x123000, PAGE_SIZE_4K, VM_READ | VM_WRITE | VM_USER), 0);
	CHECK_EQ(pt_translate(&env, root, 0x400abc, &pa, &flags), 0);
	CHECK_EQ(pa, 0x123abc);
	CHECK(flags & VM_WRITE);
	CHECK(flags & VM_USER);
	CHECK(!(flags & VM_EXEC));
	CHECK_EQ(tables_live, 4);	/* root + 3 levels */
	CHECK_EQ(pt_map(&env, root, 0x400000, 0x999000, PAGE_SIZE_4K, VM_READ), -E_EXIST);
	CHECK_EQ(pt_unmap(&env, root, 0x400000, &pa, &size), 0);
	sz = size;
	CHECK_EQ(pa, 0x123000);
	CHECK_EQ(sz, 4096);
	CHECK_EQ(pt_translate(&env, root, 0x400000, &pa, &flags), -E_NOENT);
	CHECK_EQ(pt_unmap(&env, root, 0x400000, NULL, NULL), -E_NOENT);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), 4);
	CHECK_EQ(tables_live, 0);
}

UNIT_TEST(large_pages)
{
	uint64_t root = new_root(), pa;
	unsigned int flags;

	CHECK_EQ(pt_map(&env, root, 0xffff800000200000ull, 0x200000, PAGE_SIZE_2M, VM_READ | VM_GLOBAL), 0);
	CHECK_EQ(pt_translate(&env, root, 0xffff8000003fffffull, &pa, &flags), 0);
	CHECK_EQ(pa, 0x3fffff);
	CHECK(flags & VM_GLOBAL);
	/* A 4 KiB page inside an existing 2 MiB page, and the reverse. */
	CHECK_EQ(pt_map(&env, root, 0xffff800000201000ull, 0x5000, PAGE_SIZE_4K, VM_READ), -E_EXIST);
	CHECK_EQ(pt_map(&env, root, 0x600000, 0x5000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(pt_map(&env, root, 0x600000 & ~0x1fffffull, 0x400000, PAGE_SIZE_2M, VM_READ), -E_EXIST);
	CHECK_EQ(pt_protect(&env, root, 0xffff800000300000ull, VM_READ | VM_WRITE), 0);
	CHECK_EQ(pt_translate(&env, root, 0xffff800000200000ull, &pa, &flags), 0);
	CHECK(flags & VM_WRITE);
	CHECK_EQ(pt_unmap(&env, root, 0xffff800000345000ull, &pa, NULL), 0);
	CHECK_EQ(pa, 0x200000);
}

UNIT_TEST(bad_arguments)
{
	uint64_t root = new_root();

	CHECK_EQ(pt_map(&env, root, 0x1001, 0x1000, PAGE_SIZE_4K, VM_READ), -E_INVAL);
	CHECK_EQ(pt_map(&env, root, 0x1000, 0x1001, PAGE_SIZE_4K, VM_READ), -E_INVAL);
	CHECK_EQ(pt_map(&env, root, 0x201000, 0x200000, PAGE_SIZE_2M, VM_READ), -E_INVAL);
	CHECK_EQ(pt_map(&env, root, 0x1000, 0x1000, 8192, VM_READ), -E_INVAL);
	CHECK_EQ(pt_map(&env, root, 1ull << 30, 0, 1ull << 30, VM_READ), -E_INVAL);
	CHECK_EQ(pt_map(&env, root, 0x0000800000000000ull, 0x1000, PAGE_SIZE_4K, VM_READ), -E_INVAL);
	CHECK_EQ(pt_translate(&env, root, 0x1234567800000000ull, NULL, NULL), -E_INVAL);
	CHECK_EQ(pt_protect(&env, root, 0x5000, VM_READ), -E_NOENT);
}

UNIT_TEST(out_of_table_memory)
{
	uint64_t root = new_root();

	fail_allocs = 1;
	CHECK_EQ(pt_map(&env, root, 0x7000, 0x1000, PAGE_SIZE_4K, VM_READ), -E_NOMEM);
	fail_allocs = 0;
	CHECK_EQ(pt_map(&env, root, 0x7000, 0x1000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), (size_t)4);
	CHECK_EQ(tables_live, 0);
}

UNIT_TEST(destroy_only_the_range)
{
	uint64_t root = new_root();

	CHECK_EQ(pt_map(&env, root, 0x1000, 0x1000, PAGE_SIZE_4K, VM_READ | VM_USER), 0);
	CHECK_EQ(pt_map(&env, root, 0xffffffff80000000ull, 0x2000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(tables_live, 7);
	/* The user half only: the kernel half's tables stay. */
	CHECK_EQ(pt_destroy(&env, root, 0, 0x0000800000000000ull, 0), 3);
	CHECK_EQ(pt_translate(&env, root, 0xffffffff80000000ull, NULL, NULL), 0);
	CHECK_EQ(pt_translate(&env, root, 0x1000, NULL, NULL), -E_NOENT);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), 4);
	CHECK_EQ(tables_live, 0);
}

static uint64_t seed = 42;

static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

#define SLOTS 512

/* Model: slot i is virtual page base + i * 4K, spread over a few tables. */
UNIT_TEST(random_against_model)
{
	static uint64_t model_pa[SLOTS];
	static unsigned int model_flags[SLOTS];
	uint64_t root = new_root();
	int mismatches = 0;

	memset(model_pa, 0, sizeof(model_pa));
	for (int step = 0; step < 50000 && mismatches < 5; step++) {
		int i = (int)(rnd() % SLOTS);
		uint64_t va = 0x7f0000000000ull + (uint64_t)(i % 8) * (1ull << 30) +
			      (uint64_t)(i / 8) * 4096;
		uint64_t pa;
		unsigned int fl;
		int op = (int)(rnd() % 4), r;

		switch (op) {
		case 0: {
			uint64_t want = (1 + rnd() % 100000) * 4096;
			unsigned int f = VM_READ | (unsigned int)(rnd() % 16) << 1;
			f &= VM_READ | VM_WRITE | VM_EXEC | VM_USER | VM_GLOBAL;
			r = pt_map(&env, root, va, want, PAGE_SIZE_4K, f);
			if (model_pa[i]) {
				mismatches += r != -E_EXIST;
			} else {
				mismatches += r != 0;
				model_pa[i] = want;
				model_flags[i] = f;
			}
			break;
		}
		case 1:
			r = pt_unmap(&env, root, va, &pa, NULL);
			if (model_pa[i]) {
				mismatches += r != 0 || pa != model_pa[i];
				model_pa[i] = 0;
			} else {
				mismatches += r != -E_NOENT;
			}
			break;
		case 2: {
			unsigned int f = VM_READ | VM_WRITE;
			r = pt_protect(&env, root, va, f);
			if (model_pa[i]) {
				mismatches += r != 0;
				model_flags[i] = f;
			} else {
				mismatches += r != -E_NOENT;
			}
			break;
		}
		default:
			r = pt_translate(&env, root, va + 0x10, &pa, &fl);
			if (model_pa[i])
				mismatches += r != 0 || pa != model_pa[i] + 0x10 ||
					      fl != model_flags[i];
			else
				mismatches += r != -E_NOENT;
			break;
		}
	}
	CHECK_EQ(mismatches, 0);
	pt_destroy(&env, root, 0, 0, 1);
	CHECK_EQ(tables_live, 0);
}

UNIT_MAIN()
