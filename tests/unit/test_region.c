/* The region table: find, isolate, remove, against a page-by-page model. */
#include <stdbool.h>
#include <string.h>

#include "mm/vm_flags.h"
#include "proc/region.h"
#include "themelios/errno.h"
#include "unit.h"

#define BASE  0x10000000ul
#define PAGES 128 /* the model's window */
#define MAX   12  /* table entries */

static uintptr_t
va_of(size_t page)
{
	return BASE + page * PAGE_SIZE_4K;
}

/* Each model page: 0 unmapped, else the flags it is mapped with + 1. */
static unsigned int model[PAGES];

/* The table says exactly what the model says, with no overlaps. */
static void
check_against_model(const struct user_region *r, size_t n)
{
	unsigned int seen[PAGES];

	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < n; i++) {
		CHECK(r[i].pages > 0);
		CHECK(r[i].va >= BASE && (r[i].va - BASE) % PAGE_SIZE_4K == 0);
		for (size_t j = 0; j < r[i].pages; j++) {
			size_t p = (r[i].va - BASE) / PAGE_SIZE_4K + j;

			CHECK(p < PAGES);
			if (p >= PAGES)
				return;
			CHECK(seen[p] == 0); /* no overlap */
			seen[p] = r[i].flags + 1;
		}
	}
	for (size_t p = 0; p < PAGES; p++)
		CHECK_EQ(seen[p], model[p]);
}

UNIT_TEST(find_needs_one_region)
{
	struct user_region r[MAX] = {
		{ .va = va_of(0), .pages = 4, .flags = VM_READ },
		{ .va = va_of(4), .pages = 2, .flags = VM_READ },  /* adjacent */
		{ .va = va_of(10), .pages = 3, .flags = VM_READ }, /* after a hole */
	};

	CHECK_EQ(region_find(r, 3, va_of(0), 4), 0);
	CHECK_EQ(region_find(r, 3, va_of(1), 2), 0);
	CHECK_EQ(region_find(r, 3, va_of(5), 1), 1);
	CHECK_EQ(region_find(r, 3, va_of(12), 1), 2);
	CHECK_EQ(region_find(r, 3, va_of(3), 2), -E_NOENT);  /* spans two */
	CHECK_EQ(region_find(r, 3, va_of(5), 2), -E_NOENT);  /* runs into the hole */
	CHECK_EQ(region_find(r, 3, va_of(7), 1), -E_NOENT);  /* in the hole */
	CHECK_EQ(region_find(r, 3, va_of(12), 2), -E_NOENT); /* past the end */
	CHECK_EQ(region_find(r, 3, BASE - PAGE_SIZE_4K, 1), -E_NOENT);
	CHECK_EQ(region_find(r, 3, va_of(0), (size_t)-1), -E_NOENT); /* huge */
	CHECK_EQ(region_find(r, 0, va_of(0), 1), -E_NOENT);
}

UNIT_TEST(isolate_splits_into_three)
{
	struct user_region r[MAX] = {
		{ .va = va_of(0), .pages = 10, .flags = VM_READ | VM_WRITE, .max_flags = 7 },
	};
	size_t n = 1, added;

	CHECK_EQ(region_isolate(r, &n, MAX, 0, va_of(3), 4, &added), 0);
	CHECK_EQ(added, 2);
	CHECK_EQ(n, 3);
	CHECK(r[0].va == va_of(3) && r[0].pages == 4);
	CHECK(r[1].va == va_of(0) && r[1].pages == 3);
	CHECK(r[2].va == va_of(7) && r[2].pages == 3);
	for (size_t i = 0; i < n; i++)
		CHECK(r[i].flags == (VM_READ | VM_WRITE) && r[i].max_flags == 7);
	/* The whole region, its start, its end: fewer pieces. */
	CHECK_EQ(region_isolate(r, &n, MAX, 0, va_of(3), 4, &added), 0);
	CHECK_EQ(added, 0);
	CHECK_EQ(region_isolate(r, &n, MAX, 1, va_of(0), 1, &added), 1);
	CHECK_EQ(added, 1);
	CHECK_EQ(region_isolate(r, &n, MAX, 2, va_of(9), 1, &added), 2);
	CHECK_EQ(added, 1);
	CHECK_EQ(n, 5);
}

UNIT_TEST(isolate_full_table_changes_nothing)
{
	struct user_region r[2] = {
		{ .va = va_of(0), .pages = 10, .flags = VM_READ },
		{ .va = va_of(20), .pages = 10, .flags = VM_READ },
	};
	struct user_region copy[2];
	size_t n = 2, added = 99;

	memcpy(copy, r, sizeof(r));
	CHECK_EQ(region_isolate(r, &n, 2, 0, va_of(1), 1, &added), -E_RANGE);
	CHECK_EQ(added, 0);
	CHECK_EQ(n, 2);
	CHECK(memcmp(copy, r, sizeof(r)) == 0);
	/* One piece fits in a table with one free entry, two do not. */
	n = 1;
	CHECK_EQ(region_isolate(r, &n, 2, 0, va_of(5), 2, &added), -E_RANGE);
	CHECK_EQ(region_isolate(r, &n, 2, 0, va_of(5), 5, &added), 0);
	CHECK_EQ(n, 2);
}

UNIT_TEST(remove_keeps_the_rest)
{
	struct user_region r[MAX] = {
		{ .va = va_of(0), .pages = 1 },
		{ .va = va_of(2), .pages = 1 },
		{ .va = va_of(4), .pages = 1 },
	};
	size_t n = 3;

	region_remove(r, &n, 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(region_find(r, n, va_of(0), 1), -E_NOENT);
	CHECK(region_find(r, n, va_of(2), 1) >= 0);
	CHECK(region_find(r, n, va_of(4), 1) >= 0);
	region_remove(r, &n, 1);
	region_remove(r, &n, 0);
	CHECK_EQ(n, 0);
}

UNIT_TEST(merge_undoes_a_split)
{
	struct frames *f = (struct frames *)0x1000; /* only compared */
	struct user_region r[MAX] = {
		{ .va = va_of(0), .pages = 10, .flags = VM_READ | VM_WRITE, .max_flags = 3 },
		{ .va = va_of(20), .pages = 4, .flags = VM_READ, .max_flags = 3, .shared = f },
	};
	size_t n = 2, added, merged;
	int j;

	/* Protect pages 3-6 read-only, then back: one region again. */
	j = region_isolate(r, &n, MAX, 0, va_of(3), 4, &added);
	CHECK_EQ(n, 4);
	r[j].flags = VM_READ;
	CHECK_EQ(region_merge(r, &n, (size_t)j, &merged), j); /* nothing alike touches */
	CHECK_EQ(merged, 0);
	r[j].flags = VM_READ | VM_WRITE;
	j = region_merge(r, &n, (size_t)j, &merged);
	CHECK_EQ(merged, 2);
	CHECK_EQ(n, 2);
	CHECK(r[j].va == va_of(0) && r[j].pages == 10);
	/* Touching but different: another limit, or another owner of the pages. */
	r[n++] = (struct user_region){ .va = va_of(10),
				       .pages = 2,
				       .flags = VM_READ | VM_WRITE,
				       .max_flags = 1 };
	CHECK_EQ(region_merge(r, &n, (size_t)j, &merged), j);
	CHECK_EQ(merged, 0);
	r[n - 1].max_flags = 3;
	r[n - 1].shared = f;
	CHECK_EQ(region_merge(r, &n, n - 1, &merged), (int)n - 1);
	CHECK_EQ(merged, 0);
	/* A Frames mapping split in two joins up. */
	j = region_isolate(r, &n, MAX, 1, va_of(21), 1, &added);
	r[j].flags = VM_READ | VM_WRITE;
	r[j].flags = VM_READ;
	j = region_merge(r, &n, (size_t)j, &merged);
	CHECK_EQ(merged, 2);
	CHECK(r[j].va == va_of(20) && r[j].pages == 4 && r[j].shared == f);
}

/* Maps, unmaps and protects random ranges the way user_memory.c does,
 * checking the table against the model after every step. */
UNIT_TEST(random_against_model)
{
	struct user_region r[MAX];
	size_t n = 0;

	unit_srand(12345);
	memset(model, 0, sizeof(model));
	for (int step = 0; step < 20000; step++) {
		size_t start = unit_rand() % PAGES, pages = 1 + unit_rand() % 16;
		unsigned int flags = unit_rand() % 3 == 0 ? VM_READ : VM_READ | VM_WRITE;
		int op = (int)(unit_rand() % 3), i;
		size_t added;
		bool in_one = false;

		if (start + pages > PAGES)
			pages = PAGES - start;
		/* What the model says: is the range mapped, all of it, and
		 * inside one region?  The table must agree. */
		i = region_find(r, n, va_of(start), pages);
		if (i >= 0) {
			in_one = true;
			for (size_t p = start; p < start + pages; p++)
				in_one = in_one && model[p] != 0;
		} else {
			for (size_t k = 0; k < n; k++) {
				uintptr_t lo = r[k].va, hi = lo + r[k].pages * PAGE_SIZE_4K;
				CHECK(!(va_of(start) >= lo && va_of(start + pages) <= hi));
			}
		}
		CHECK(i < 0 || in_one);
		if (op == 0) {
			/* Map into a hole, as a fresh region. */
			bool room = n < MAX;

			for (size_t p = start; p < start + pages && room; p++)
				room = model[p] == 0;
			if (!room)
				continue;
			r[n++] = (struct user_region){ .va = va_of(start),
						       .pages = pages,
						       .flags = flags,
						       .max_flags = 7 };
			for (size_t p = start; p < start + pages; p++)
				model[p] = flags + 1;
		} else if (i >= 0) {
			int j = region_isolate(r, &n, MAX, (size_t)i, va_of(start), pages, &added);

			if (j < 0) {
				CHECK_EQ(j, -E_RANGE);
				check_against_model(r, n);
				continue;
			}
			CHECK(r[j].va == va_of(start) && r[j].pages == pages);
			if (op == 1) {
				region_remove(r, &n, (size_t)j);
				for (size_t p = start; p < start + pages; p++)
					model[p] = 0;
			} else {
				size_t merged;

				r[j].flags = flags;
				for (size_t p = start; p < start + pages; p++)
					model[p] = flags + 1;
				j = region_merge(r, &n, (size_t)j, &merged);
				CHECK(j >= 0 && (size_t)j < n && r[j].flags == flags);
				/* Nothing of the same kind touches it any more. */
				for (size_t k = 0; k < n; k++)
					CHECK(k == (size_t)j || r[k].flags != flags ||
					      (r[k].va + r[k].pages * PAGE_SIZE_4K != r[j].va &&
					       r[j].va + r[j].pages * PAGE_SIZE_4K != r[k].va));
			}
		}
		check_against_model(r, n);
	}
}

UNIT_MAIN()
