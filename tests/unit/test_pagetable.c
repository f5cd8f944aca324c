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
static int fail_allocs;	      /* fail the next allocation when set */
static int allow_allocs = -1; /* allocations that work before the rest fail; -1: all */

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
	if (allow_allocs == 0)
		return -E_NOMEM;
	if (allow_allocs > 0)
		allow_allocs--;
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
		abort(); /* double free of a table page */
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
	allow_allocs = -1;
	if (alloc_table(NULL, &pa))
		abort();
	return pa;
}

UNIT_TEST(map_translate_unmap)
{
	uint64_t root = new_root(), pa, sz;
	unsigned int flags;
	size_t size;

	CHECK_EQ(pt_map(&env, root, 0x400000, 0x123000, PAGE_SIZE_4K, VM_READ | VM_WRITE | VM_USER),
		 0);
	CHECK_EQ(pt_translate(&env, root, 0x400abc, &pa, &flags), 0);
	CHECK_EQ(pa, 0x123abc);
	CHECK(flags & VM_WRITE);
	CHECK(flags & VM_USER);
	CHECK(!(flags & VM_EXEC));
	CHECK_EQ(tables_live, 4); /* root + 3 levels */
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

/* The entry mapping a 4 KiB page at va, as the CPU reads it. */
static pte_t
raw_leaf(uint64_t root, uint64_t va)
{
	pte_t *table = p2v(NULL, root);

	for (int l = PT_LEVELS - 1; l > 0; l--)
		table = p2v(NULL, pte_table_addr(table[pt_index(va, l)]));
	return table[pt_index(va, 0)];
}

/* A guard leaf (VM_GUARD) keeps its frame for the walker but is not
 * present for the CPU, in user mode or in the kernel; protected back,
 * it is the same page again. */
UNIT_TEST(guard_leaves)
{
	uint64_t root = new_root(), pa, at;
	unsigned int flags;

	CHECK_EQ(pt_map(&env, root, 0x400000, 0x123000, PAGE_SIZE_4K, VM_READ | VM_WRITE | VM_USER),
		 0);
	CHECK_EQ(pt_protect(&env, root, 0x400000, VM_GUARD), 0);
	CHECK(!(raw_leaf(root, 0x400000) & X86_PTE_P));
	CHECK_EQ(pt_translate(&env, root, 0x400abc, &pa, &flags), 0);
	CHECK_EQ(pa, 0x123abc);
	CHECK_EQ(flags, VM_GUARD);
	CHECK_EQ(pt_next_leaf(&env, root, 0x1000, 1ull << 47, &at, &pa, &flags), 0);
	CHECK_EQ(at, 0x400000);
	CHECK_EQ(flags, VM_GUARD);
	CHECK_EQ(pt_map(&env, root, 0x400000, 0x999000, PAGE_SIZE_4K, VM_READ), -E_EXIST);
	/* Its table is in use: a prune keeps it. */
	CHECK_EQ(pt_prune(&env, root, 0, 1ull << 47), (size_t)0);
	CHECK_EQ(pt_protect(&env, root, 0x400000, VM_READ | VM_USER), 0);
	CHECK(raw_leaf(root, 0x400000) & X86_PTE_P);
	CHECK_EQ(pt_translate(&env, root, 0x400000, &pa, &flags), 0);
	CHECK_EQ(pa, 0x123000);
	CHECK(flags & VM_USER);
	CHECK(!(flags & (VM_WRITE | VM_GUARD)));
	/* Made a guard when mapped, and unmapped as one. */
	CHECK_EQ(pt_map(&env, root, 0x401000, 0x124000, PAGE_SIZE_4K, VM_GUARD), 0);
	CHECK_EQ(raw_leaf(root, 0x401000) & X86_PTE_P, 0);
	CHECK_EQ(pt_unmap(&env, root, 0x401000, &pa, NULL), 0);
	CHECK_EQ(pa, 0x124000);
	CHECK_EQ(raw_leaf(root, 0x401000), 0);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), 4);
	CHECK_EQ(tables_live, 0);
}

UNIT_TEST(large_pages)
{
	uint64_t root = new_root(), pa;
	unsigned int flags;

	CHECK_EQ(pt_map(&env, root, 0xffff800000200000ull, 0x200000, PAGE_SIZE_2M,
			VM_READ | VM_GLOBAL),
		 0);
	CHECK_EQ(pt_translate(&env, root, 0xffff8000003fffffull, &pa, &flags), 0);
	CHECK_EQ(pa, 0x3fffff);
	CHECK(flags & VM_GLOBAL);
	/* A 4 KiB page inside an existing 2 MiB page, and the reverse. */
	CHECK_EQ(pt_map(&env, root, 0xffff800000201000ull, 0x5000, PAGE_SIZE_4K, VM_READ),
		 -E_EXIST);
	CHECK_EQ(pt_map(&env, root, 0x600000, 0x5000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(pt_map(&env, root, 0x600000 & ~0x1fffffull, 0x400000, PAGE_SIZE_2M, VM_READ),
		 -E_EXIST);
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
	CHECK_EQ(pt_map(&env, root, 0x0000800000000000ull, 0x1000, PAGE_SIZE_4K, VM_READ),
		 -E_INVAL);
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

/* A map that runs out of table pages after k of the three it needs
 * takes them back: nothing half-made, nothing leaked. */
UNIT_TEST(out_of_tables_midway)
{
	for (int k = 0; k < 3; k++) {
		uint64_t root = new_root();

		allow_allocs = k;
		CHECK_EQ(pt_map(&env, root, 0x7000, 0x1000, PAGE_SIZE_4K, VM_READ), -E_NOMEM);
		CHECK_EQ(tables_live, 1);
		CHECK_EQ(pt_translate(&env, root, 0x7000, NULL, NULL), -E_NOENT);
		CHECK_EQ(pt_unmap(&env, root, 0x7000, NULL, NULL), -E_NOENT);
		allow_allocs = -1;
		CHECK_EQ(pt_map(&env, root, 0x7000, 0x1000, PAGE_SIZE_4K, VM_READ), 0);
		CHECK_EQ(tables_live, 4);
		CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), (size_t)4);
		CHECK_EQ(tables_live, 0);
	}
}

/* The same below tables that exist already: those stay, with what they map. */
UNIT_TEST(out_of_tables_under_existing_ones)
{
	uint64_t root = new_root(), pa;

	CHECK_EQ(pt_map(&env, root, 0x1000, 0x5000, PAGE_SIZE_4K, VM_READ | VM_USER), 0);
	CHECK_EQ(tables_live, 4);
	/* Another GiB: a page directory and a page table to make. */
	allow_allocs = 1;
	CHECK_EQ(pt_map(&env, root, 0x40000000, 0x6000, PAGE_SIZE_4K, VM_READ), -E_NOMEM);
	CHECK_EQ(tables_live, 4);
	/* Another 512 GiB: three to make. */
	for (int k = 0; k < 3; k++) {
		allow_allocs = k;
		CHECK_EQ(pt_map(&env, root, 0x7f0000000000ull, 0x6000, PAGE_SIZE_4K, VM_READ),
			 -E_NOMEM);
		CHECK_EQ(tables_live, 4);
	}
	allow_allocs = -1;
	CHECK_EQ(pt_translate(&env, root, 0x1000, &pa, NULL), 0);
	CHECK_EQ(pa, 0x5000);
	CHECK_EQ(pt_translate(&env, root, 0x40000000, NULL, NULL), -E_NOENT);
	/* Nothing empty was left behind for a prune to find. */
	CHECK_EQ(pt_prune(&env, root, 0, 0x0000800000000000ull), (size_t)0);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), (size_t)4);
	CHECK_EQ(tables_live, 0);
}

UNIT_TEST(prune_frees_what_maps_nothing)
{
	uint64_t root = new_root();

	CHECK_EQ(pt_map(&env, root, 0x200000, 0x1000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(pt_map(&env, root, 0x201000, 0x2000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(pt_map(&env, root, 0x400000, 0x3000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(tables_live, 5); /* root, PDPT, PD, two PTs */
	/* A page table that still maps a page stays. */
	CHECK_EQ(pt_unmap(&env, root, 0x200000, NULL, NULL), 0);
	CHECK_EQ(pt_prune(&env, root, 0x200000, 0x201000), (size_t)0);
	CHECK_EQ(pt_translate(&env, root, 0x201000, NULL, NULL), 0);
	/* An empty one goes, its parents stay while they hold another. */
	CHECK_EQ(pt_unmap(&env, root, 0x201000, NULL, NULL), 0);
	CHECK_EQ(pt_prune(&env, root, 0x201000, 0x202000), (size_t)1);
	CHECK_EQ(tables_live, 4);
	CHECK_EQ(pt_translate(&env, root, 0x400000, NULL, NULL), 0);
	/* The last page: every table but the root. */
	CHECK_EQ(pt_unmap(&env, root, 0x400000, NULL, NULL), 0);
	CHECK_EQ(pt_prune(&env, root, 0x400000, 0x401000), (size_t)3);
	CHECK_EQ(tables_live, 1);
	/* And the walker builds them again as before. */
	CHECK_EQ(pt_map(&env, root, 0x400000, 0x3000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(tables_live, 4);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), (size_t)4);
	CHECK_EQ(tables_live, 0);
}

/* A user address space prunes its own half: the kernel half's tables
 * (shared into every space) stay, even empty ones made ahead of time. */
UNIT_TEST(prune_keeps_the_kernel_half)
{
	uint64_t root = new_root();

	CHECK_EQ(pt_prepare(&env, root, 0xffffff0000000000ull, PT_LEVELS - 2), 0);
	CHECK_EQ(pt_map(&env, root, 0xffffffff80000000ull, 0x2000, PAGE_SIZE_4K, VM_READ), 0);
	CHECK_EQ(pt_map(&env, root, 0x1000, 0x1000, PAGE_SIZE_4K, VM_READ | VM_USER), 0);
	CHECK_EQ(tables_live, 8);
	CHECK_EQ(pt_unmap(&env, root, 0x1000, NULL, NULL), 0);
	CHECK_EQ(pt_prune(&env, root, 0, 0x0000800000000000ull), (size_t)3);
	CHECK_EQ(tables_live, 5);
	CHECK_EQ(pt_translate(&env, root, 0xffffffff80000000ull, NULL, NULL), 0);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), (size_t)5);
	CHECK_EQ(tables_live, 0);
}

#define SLOTS  512
#define GROUPS 128 /* a GiB each, 16 to a PDPT: four slots in each */

static uint64_t
slot_va(int i)
{
	int g = i % GROUPS;

	return 0x100000000000ull + (uint64_t)(g / 16) * (1ull << 39) +
	       (uint64_t)(g % 16) * (1ull << 30) + (uint64_t)(i / GROUPS) * 4096;
}

/* The tables the model's mappings need: the root, a PDPT for each 512 GiB
 * with a page, and a page directory and a page table for each GiB. */
static int
model_tables(const uint64_t *model_pa)
{
	int n = 1;

	for (int top = 0; top < GROUPS / 16; top++) {
		int gs = 0;

		for (int g = top * 16; g < (top + 1) * 16; g++)
			for (int i = g; i < SLOTS; i += GROUPS)
				if (model_pa[i]) {
					gs++;
					break;
				}
		n += (gs ? 1 : 0) + 2 * gs;
	}
	return n;
}

/*
 * Model: slot i is a 4 KiB page in GiB i % GROUPS.  Maps sometimes run
 * short of table pages; every unmap prunes, so the tables alive are
 * exactly those the model's mappings need, at every step.
 */
UNIT_TEST(random_against_model)
{
	static uint64_t model_pa[SLOTS];
	static unsigned int model_flags[SLOTS];
	uint64_t root = new_root();
	int mismatches = 0, nomem = 0;

	unit_srand(42);
	memset(model_pa, 0, sizeof(model_pa));
	for (int step = 0; step < 50000 && mismatches < 5; step++) {
		int i = (int)(unit_rand() % SLOTS);
		uint64_t va = slot_va(i);
		uint64_t pa;
		unsigned int fl;
		int op = (int)(unit_rand() % 4), r;

		switch (op) {
		case 0: {
			uint64_t want = (1 + unit_rand() % 100000) * 4096;
			unsigned int f = VM_READ | (unsigned int)(unit_rand() % 16) << 1;
			int need = 0, allow = -1;

			if (!model_pa[i]) { /* the tables this page would add */
				need = -model_tables(model_pa);
				model_pa[i] = want;
				need += model_tables(model_pa);
				model_pa[i] = 0;
			}
			if (unit_rand() % 2 == 0)
				allow = (int)(unit_rand() % 3);
			allow_allocs = allow;
			f &= VM_READ | VM_WRITE | VM_EXEC | VM_USER | VM_GLOBAL;
			r = pt_map(&env, root, va, want, PAGE_SIZE_4K, f);
			allow_allocs = -1;
			if (model_pa[i]) {
				mismatches += r != -E_EXIST;
			} else if (allow >= 0 && allow < need) {
				mismatches += r != -E_NOMEM;
				nomem++;
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
			pt_prune(&env, root, va, va + 4096);
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
				mismatches +=
					r != 0 || pa != model_pa[i] + 0x10 || fl != model_flags[i];
			else
				mismatches += r != -E_NOENT;
			break;
		}
		mismatches += tables_live != model_tables(model_pa);
	}
	CHECK_EQ(mismatches, 0);
	CHECK(nomem > 20);
	CHECK_EQ(pt_destroy(&env, root, 0, 0, 1), (size_t)model_tables(model_pa));
	CHECK_EQ(tables_live, 0);
}

/* pt_copy_leaves: what the leaf was offered, and what it answers. */
#define COPY_BASE  0x40000000ull /* 1 GiB: 8 MiB of pages from here, 4 tables */
#define COPY_PAGES 2048
#define COPY_FAR   0x7f0000000000ull /* another PDPT: a walk per hole */

static uint64_t offered_va[COPY_PAGES + 8];
static int offered, fail_at = -1;

static int
copy_leaf(void *ctx, uint64_t va, uint64_t pa, bool writable)
{
	(void)ctx;
	(void)writable;
	if (offered == fail_at)
		return -E_PERM;
	if (offered < COPY_PAGES + 8)
		offered_va[offered] = va;
	offered++;
	/* Even frames are shared copy-on-write, odd ones mapped alike. */
	return (pa / 4096) % 2 ? PT_COPY_ALIKE : PT_COPY_READ_ONLY;
}

static const struct pt_copy_ops copy_ops = { copy_leaf, NULL };

/* Pages mapped below root in [start, end). */
static size_t
count_pages(uint64_t root, uint64_t start, uint64_t end)
{
	uint64_t at, va = start;
	size_t n = 0;

	while (va < end && pt_next_leaf(&env, root, va, end, &at, NULL, NULL) == 0) {
		n++;
		va = at + 4096;
	}
	return n;
}

UNIT_TEST(copy_leaves_against_model)
{
	static uint64_t model_pa[COPY_PAGES];
	static unsigned int model_fl[COPY_PAGES];
	uint64_t root = new_root(), droot, pa, start, end, dst;
	struct pt_copy_result res;
	unsigned int fl;
	size_t want = 0, k;
	bool changed = false;

	CHECK_EQ(alloc_table(NULL, &droot), 0);
	unit_srand(7);
	for (int i = 0; i < COPY_PAGES; i++) {
		model_pa[i] = 0;
		if (unit_rand() % 3 == 0 || (i >= 512 && i < 1024))
			continue; /* holes, and a whole empty table */
		model_pa[i] = (100 + (uint64_t)i * 3) * 4096;
		model_fl[i] = VM_READ | VM_USER | (unit_rand() % 2 ? VM_WRITE : 0);
		CHECK_EQ(pt_map(&env, root, COPY_BASE + (uint64_t)i * 4096, model_pa[i],
				PAGE_SIZE_4K, model_fl[i]),
			 0);
	}
	CHECK_EQ(pt_map(&env, root, COPY_FAR, 0x5000, PAGE_SIZE_4K, VM_READ | VM_USER), 0);
	/* All but the first pages, to a place 3 pages off a table's start;
	 * the far page too, past holes of whole tables. */
	start = COPY_BASE + 5 * 4096;
	end = COPY_FAR + 4096;
	dst = 0x80000000ull + 3 * 4096;
	offered = 0;
	CHECK_EQ(pt_copy_leaves(&env, root, start, end, &env, droot, dst, &copy_ops, &res), 0);
	k = 0;
	for (int i = 5; i < COPY_PAGES; i++) {
		uint64_t va = COPY_BASE + (uint64_t)i * 4096;
		unsigned int expect = model_fl[i];
		int r = pt_translate(&env, droot, va - start + dst, &pa, &fl);

		if (!model_pa[i]) {
			CHECK_EQ(r, -E_NOENT);
			continue;
		}
		want++;
		CHECK(k < (size_t)offered && offered_va[k++] == va); /* in order, once */
		if ((model_pa[i] / 4096) % 2 == 0) {
			changed |= (expect & VM_WRITE) != 0;
			expect &= ~VM_WRITE;
		}
		CHECK_EQ(r, 0);
		CHECK_EQ(pa, model_pa[i]);
		CHECK_EQ(fl, expect);
		CHECK_EQ(pt_translate(&env, root, va, &pa, &fl), 0);
		CHECK_EQ(fl, expect); /* src lost the write permission too */
	}
	CHECK_EQ(pt_translate(&env, droot, COPY_FAR - start + dst, &pa, &fl), 0);
	CHECK_EQ(pa, (uint64_t)0x5000);
	CHECK(k < (size_t)offered && offered_va[k++] == COPY_FAR);
	want++;
	CHECK_EQ(res.copied, want);
	CHECK_EQ((size_t)offered, want);
	CHECK(res.src_changed == changed);
	CHECK(changed);
	CHECK_EQ(count_pages(droot, 0, 1ull << 47), want);
	/* Outside the range src is as it was. */
	CHECK_EQ(pt_translate(&env, root, COPY_BASE, &pa, &fl), model_pa[0] ? 0 : -E_NOENT);
	if (model_pa[0])
		CHECK_EQ(fl, model_fl[0]);
	/* Again: dst maps the first page already. */
	offered = 0;
	CHECK_EQ(pt_copy_leaves(&env, root, start, end, &env, droot, dst, &copy_ops, &res),
		 -E_EXIST);
	CHECK_EQ(res.copied, (size_t)0);
	CHECK_EQ(offered, 0);
	/* A leaf that refuses ends the copy: what it took stays copied. */
	pt_destroy(&env, droot, 0, 1ull << 47, 0);
	offered = 0;
	fail_at = 9;
	CHECK_EQ(pt_copy_leaves(&env, root, start, end, &env, droot, dst, &copy_ops, &res),
		 -E_PERM);
	fail_at = -1;
	CHECK_EQ(res.copied, (size_t)9);
	CHECK_EQ(count_pages(droot, 0, 1ull << 47), (size_t)9);
	/* Short of tables at every point: every page offered is copied. */
	for (int allow = 0;; allow++) {
		int before, r;

		pt_destroy(&env, droot, 0, 1ull << 47, 0);
		before = tables_live;
		offered = 0;
		allow_allocs = allow;
		r = pt_copy_leaves(&env, root, start, end, &env, droot, dst, &copy_ops, &res);
		allow_allocs = -1;
		CHECK_EQ(res.copied, (size_t)offered);
		CHECK_EQ(count_pages(droot, 0, 1ull << 47), res.copied);
		CHECK(tables_live - before <= allow);
		if (r == 0) {
			CHECK_EQ(res.copied, want);
			CHECK(allow >= 6); /* 2 + 5 page tables below 2 GiB, 3 for the far page */
			break;
		}
		CHECK_EQ(r, -E_NOMEM);
	}
	/* Within one tree, to a range that does not overlap the source. */
	offered = 0;
	CHECK_EQ(pt_copy_leaves(&env, root, COPY_BASE, COPY_BASE + COPY_PAGES * 4096ull, &env, root,
				COPY_BASE + (1ull << 39) + 0x5000, &copy_ops, &res),
		 0);
	CHECK_EQ(res.copied, (size_t)offered);
	CHECK_EQ(count_pages(root, COPY_BASE + (1ull << 39), COPY_FAR), res.copied);
	CHECK_EQ(pt_translate(&env, root, COPY_BASE + (1ull << 39) + 0x5000 + 7 * 4096, &pa, NULL),
		 model_pa[7] ? 0 : -E_NOENT);
	if (model_pa[7])
		CHECK_EQ(pa, model_pa[7]);
	pt_destroy(&env, droot, 0, 0, 1);
	pt_destroy(&env, root, 0, 0, 1);
	CHECK_EQ(tables_live, 0);
}

static uint64_t cleared_va[COPY_PAGES], cleared_pa[COPY_PAGES];
static size_t ncleared;

static void
clear_leaf(void *ctx, uint64_t va, uint64_t pa)
{
	(void)ctx;
	if (ncleared < COPY_PAGES) {
		cleared_va[ncleared] = va;
		cleared_pa[ncleared] = pa;
	}
	ncleared++;
}

/* pt_clear_leaves: every present page of the range handed over once, in
 * order, its entry empty; the rest and the tables stay. */
UNIT_TEST(clear_leaves)
{
	uint64_t root = new_root(), pa, start = COPY_BASE + 3 * 4096, end;
	size_t want = 0, k = 0, total;
	int tables;

	end = COPY_BASE + (COPY_PAGES - 2) * 4096ull;
	unit_srand(11);
	for (int i = 0; i < COPY_PAGES; i++) {
		uint64_t va = COPY_BASE + (uint64_t)i * 4096;

		if (unit_rand() % 2 || (i >= 512 && i < 1024))
			continue;
		CHECK_EQ(pt_map(&env, root, va, (10 + (uint64_t)i) * 4096, PAGE_SIZE_4K,
				VM_READ | VM_USER),
			 0);
		want += va >= start && va < end;
	}
	CHECK_EQ(pt_map(&env, root, COPY_FAR, 0x5000, PAGE_SIZE_4K, VM_READ | VM_USER), 0);
	tables = tables_live;
	total = count_pages(root, 0, 1ull << 47);
	ncleared = 0;
	CHECK_EQ(pt_clear_leaves(&env, root, start, end, clear_leaf, NULL), want);
	CHECK_EQ(ncleared, want);
	for (int i = 0; i < COPY_PAGES; i++) {
		uint64_t va = COPY_BASE + (uint64_t)i * 4096;
		int r = pt_translate(&env, root, va, &pa, NULL);

		if (va < start || va >= end)
			continue;
		CHECK_EQ(r, -E_NOENT);
	}
	for (k = 0; k < want && k < COPY_PAGES; k++) {
		CHECK(cleared_va[k] >= start && cleared_va[k] < end);
		CHECK(k == 0 || cleared_va[k] > cleared_va[k - 1]);
		CHECK_EQ(cleared_pa[k], (10 + (cleared_va[k] - COPY_BASE) / 4096) * 4096);
	}
	CHECK_EQ(tables_live, tables);				  /* the tables stay */
	CHECK_EQ(count_pages(root, 0, 1ull << 47), total - want); /* the rest is there */
	/* To the top of the address space: the far page goes too. */
	ncleared = 0;
	want = count_pages(root, 0, 1ull << 47);
	CHECK(want >= 2);
	CHECK_EQ(pt_clear_leaves(&env, root, 0, 1ull << 47, clear_leaf, NULL), want);
	CHECK_EQ(count_pages(root, 0, 1ull << 47), (size_t)0);
	pt_destroy(&env, root, 0, 0, 1);
	CHECK_EQ(tables_live, 0);
}

UNIT_MAIN()
