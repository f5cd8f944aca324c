/* The region tree: lookups, neighbours, free-range search and balance,
 * against a page-by-page model under random inserts and erases. */
#include <stdbool.h>
#include <string.h>

#include "mm/vm_flags.h"
#include "proc/region.h"
#include "themelios/errno.h"
#include "unit.h"

#define BASE  0x10000000ul
#define PAGES 512 /* the model's window */
#define GUARD PAGE_SIZE_4K

static uintptr_t
va_of(size_t page)
{
	return BASE + page * PAGE_SIZE_4K;
}

/* Each model page: the region holding it, or NULL. */
static struct vm_region *model[PAGES];
static struct vm_region nodes[PAGES];
static bool used[PAGES];

/* Checks order, balance and heights; returns the height. */
static int
check_subtree(const struct vm_region *r, uintptr_t lo, uintptr_t hi, size_t *n)
{
	int l, h;

	if (!r)
		return 0;
	CHECK(r->start >= lo && r->end <= hi && r->start < r->end);
	l = check_subtree(r->left, lo, r->start, n);
	h = check_subtree(r->right, r->end, hi, n);
	CHECK(l - h <= 1 && h - l <= 1);
	CHECK_EQ(r->height, 1 + (l > h ? l : h));
	(*n)++;
	return r->height;
}

static void
check_against_model(const struct region_tree *t)
{
	size_t n = 0;

	check_subtree(t->root, 0, UINTPTR_MAX, &n);
	CHECK_EQ(n, t->count);
	for (size_t p = 0; p < PAGES; p++)
		CHECK(region_lookup(t, va_of(p)) == model[p]);
	/* region_next from every page: the model's next region. */
	for (size_t p = 0; p < PAGES; p++) {
		struct vm_region *want = NULL;

		for (size_t q = p; q < PAGES && !want; q++)
			want = model[q];
		CHECK(region_next(t, va_of(p)) == want);
	}
}

/* The model's first fit: lowest page a >= lo with [a, a + len) free and
 * a guard page free on both sides (within the window). */
static long
model_find_free(size_t lo, size_t len)
{
	for (size_t a = lo; a + len <= PAGES; a++) {
		bool ok = true;

		for (size_t q = a ? a - 1 : 0; q < a + len + 1 && q < PAGES && ok; q++)
			ok = model[q] == NULL;
		if (ok)
			return (long)a;
	}
	return -1;
}

static void
insert(struct region_tree *t, size_t first, size_t len)
{
	size_t i = 0;

	while (used[i])
		i++;
	used[i] = true;
	nodes[i] = (struct vm_region){ .start = va_of(first), .end = va_of(first + len) };
	region_insert(t, &nodes[i]);
	for (size_t p = first; p < first + len; p++)
		model[p] = &nodes[i];
}

static void
erase(struct region_tree *t, struct vm_region *r)
{
	for (size_t p = 0; p < PAGES; p++)
		if (model[p] == r)
			model[p] = NULL;
	region_erase(t, r);
	used[r - nodes] = false;
}

static void
reset(void)
{
	memset(model, 0, sizeof(model));
	memset(used, 0, sizeof(used));
}

UNIT_TEST(lookup_and_next)
{
	struct region_tree t = { 0 };

	reset();
	insert(&t, 10, 4);
	insert(&t, 14, 2); /* adjacent */
	insert(&t, 20, 1);
	check_against_model(&t);
	CHECK(region_lookup(&t, va_of(9)) == NULL);
	CHECK(region_lookup(&t, va_of(13))->start == va_of(10));
	CHECK(region_lookup(&t, va_of(14))->start == va_of(14));
	CHECK(region_next(&t, va_of(16))->start == va_of(20));
	CHECK(region_next(&t, va_of(21)) == NULL);
	CHECK(region_range_free(&t, va_of(16), va_of(20)));
	CHECK(!region_range_free(&t, va_of(16), va_of(21)));
	CHECK(!region_range_free(&t, va_of(0), va_of(11)));
}

UNIT_TEST(find_free_keeps_guards)
{
	struct region_tree t = { 0 };
	uintptr_t a;

	reset();
	CHECK_EQ(region_find_free(&t, va_of(0), va_of(PAGES), 4 * PAGE_SIZE_4K, GUARD, &a), 0);
	CHECK_EQ(a, va_of(0)); /* nothing below: no gap needed */
	insert(&t, 0, 4);
	CHECK_EQ(region_find_free(&t, va_of(0), va_of(PAGES), PAGE_SIZE_4K, GUARD, &a), 0);
	CHECK_EQ(a, va_of(5));
	insert(&t, 5, 1);
	insert(&t, 8, 1);
	/* Page 7 has room for one page but not for a gap on both sides. */
	CHECK_EQ(region_find_free(&t, va_of(0), va_of(PAGES), PAGE_SIZE_4K, GUARD, &a), 0);
	CHECK_EQ(a, va_of(10));
	/* lo just above a region: its gap still counts. */
	CHECK_EQ(region_find_free(&t, va_of(9), va_of(PAGES), PAGE_SIZE_4K, GUARD, &a), 0);
	CHECK_EQ(a, va_of(10));
	/* lo inside a region followed by an adjacent one: past both. */
	insert(&t, 12, 3);
	insert(&t, 15, 1);
	CHECK_EQ(region_find_free(&t, va_of(13), va_of(PAGES), PAGE_SIZE_4K, GUARD, &a), 0);
	CHECK_EQ(a, va_of(17));
	/* Freed ranges are reused. */
	erase(&t, region_lookup(&t, va_of(5)));
	CHECK_EQ(region_find_free(&t, va_of(0), va_of(PAGES), PAGE_SIZE_4K, GUARD, &a), 0);
	CHECK_EQ(a, va_of(5));
	/* No room: -E_NOMEM, also for lengths that would wrap. */
	CHECK_EQ(region_find_free(&t, va_of(0), va_of(12), 4 * PAGE_SIZE_4K, GUARD, &a), -E_NOMEM);
	CHECK_EQ(region_find_free(&t, va_of(0), va_of(PAGES), ~(size_t)0 & ~(PAGE_SIZE_4K - 1),
				  GUARD, &a),
		 -E_NOMEM);
	check_against_model(&t);
}

UNIT_TEST(random_against_model)
{
	struct region_tree t = { 0 };

	reset();
	unit_rand_state = 12;
	for (int step = 0; step < 6000; step++) {
		size_t p = unit_rand() % PAGES, len = 1 + unit_rand() % 8;
		bool free_here = p + len <= PAGES;
		uintptr_t a;
		long want;
		int err;

		switch (unit_rand() % 3) {
		case 0: /* insert at p when the model has room */
			for (size_t q = p; q < p + len && free_here; q++)
				free_here = !model[q];
			if (p + len <= PAGES)
				CHECK_EQ(region_range_free(&t, va_of(p), va_of(p + len)),
					 free_here);
			if (free_here)
				insert(&t, p, len);
			break;
		case 1: /* erase what holds p */
			if (model[p])
				erase(&t, model[p]);
			break;
		default: /* first fit from p */
			want = model_find_free(p, len);
			err = region_find_free(&t, va_of(p), va_of(PAGES), len * PAGE_SIZE_4K,
					       GUARD, &a);
			if (want < 0) {
				CHECK_EQ(err, -E_NOMEM);
			} else {
				CHECK_EQ(err, 0);
				CHECK_EQ(a, va_of((size_t)want));
			}
			break;
		}
		if (step % 64 == 0)
			check_against_model(&t);
	}
	check_against_model(&t);
}

UNIT_MAIN();
