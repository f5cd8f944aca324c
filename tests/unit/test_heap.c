/*
 * The slab heap over a fake page backend: random allocation sequences
 * checked for overlap and content, alignment, pages returned, bad frees,
 * red zones, poison, exhaustion.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/heap.h"
#include "themelios/errno.h"
#include "unit.h"

#define ARENA_PAGES 4096

static uint8_t *arena;
static void *meta[ARENA_PAGES];
static unsigned char page_used[ARENA_PAGES];
static long pages_out;
static long page_budget = -1; /* -1: unlimited */

static void *
be_alloc(void *ctx, size_t n)
{
	(void)ctx;
	if (page_budget >= 0 && (long)n > page_budget)
		return NULL;
	for (size_t i = 0; i + n <= ARENA_PAGES; i++) {
		size_t k = 0;
		while (k < n && !page_used[i + k])
			k++;
		if (k == n) {
			memset(page_used + i, 1, n);
			pages_out += (long)n;
			if (page_budget >= 0)
				page_budget -= (long)n;
			return arena + i * 4096;
		}
		i += k;
	}
	return NULL;
}

static void
be_free(void *ctx, void *p, size_t n)
{
	size_t i = (size_t)((uint8_t *)p - arena) / 4096;

	(void)ctx;
	for (size_t k = 0; k < n; k++) {
		if (!page_used[i + k])
			abort();
		page_used[i + k] = 0;
	}
	pages_out -= (long)n;
	if (page_budget >= 0)
		page_budget += (long)n;
}

static void **
be_meta(void *ctx, const void *page)
{
	(void)ctx;
	if ((const uint8_t *)page < arena || (const uint8_t *)page >= arena + ARENA_PAGES * 4096)
		return NULL;
	return &meta[((const uint8_t *)page - arena) / 4096];
}

static const struct heap_backend be = { be_alloc, be_free, be_meta, NULL };
static struct heap h;

static void
fresh(void)
{
	if (!arena)
		arena = aligned_alloc(4096, (size_t)ARENA_PAGES * 4096);
	memset(meta, 0, sizeof(meta));
	memset(page_used, 0, sizeof(page_used));
	pages_out = 0;
	page_budget = -1;
	heap_init(&h, &be);
}

UNIT_TEST(natural_alignment_every_class)
{
	fresh();
	for (size_t size = 1; size <= 4096; size <<= 1) {
		for (int i = 0; i < 5; i++) {
			void *p = heap_alloc(&h, size);
			CHECK(p != NULL);
			CHECK((uintptr_t)p % (size < 16 ? 16 : size) == 0);
		}
	}
	for (size_t size = 1; size < 9000; size += 37) {
		void *p = heap_alloc(&h, size);
		CHECK((uintptr_t)p % 16 == 0);
		if (size > 4096)
			CHECK((uintptr_t)p % 4096 == 0);
	}
}

UNIT_TEST(zero_and_overflow)
{
	fresh();
	CHECK(heap_alloc(&h, 0) == NULL);
	CHECK(heap_calloc(&h, SIZE_MAX / 2, 4) == NULL);
	CHECK(heap_alloc(&h, SIZE_MAX) == NULL);
	CHECK(heap_alloc(&h, SIZE_MAX - 100) == NULL);
	CHECK_EQ(h.stats.live, 0);
	uint8_t *z = heap_calloc(&h, 10, 100);
	CHECK(z != NULL);
	for (int i = 0; i < 1000; i++)
		CHECK(z[i] == 0);
	CHECK_EQ(heap_free(&h, z), 0);
}

UNIT_TEST(bad_frees_detected)
{
	int local;
	uint8_t *p, *big;

	fresh();
	p = heap_alloc(&h, 40);
	big = heap_alloc(&h, 10000);
	CHECK_EQ(heap_free(&h, &local), -E_INVAL);	 /* not ours */
	CHECK_EQ(heap_free(&h, p + 8), -E_INVAL);	 /* inside an object */
	CHECK_EQ(heap_free(&h, big + 4096), -E_INVAL);	 /* inside a large one */
	CHECK_EQ(heap_free(&h, h.free_descs), -E_INVAL); /* heap metadata */
	CHECK_EQ(heap_free(&h, p), 0);
	CHECK_EQ(heap_free(&h, big), 0);
	void *keep = heap_alloc(&h, 40); /* keeps the slab alive */
	void *q = heap_alloc(&h, 40);
	CHECK_EQ(heap_free(&h, q), 0);
	CHECK_EQ(heap_free(&h, q), -E_NOENT);	/* double free */
	CHECK_EQ(heap_free(&h, big), -E_INVAL); /* pages went back */
	CHECK_EQ(h.stats.live, 1);
	CHECK_EQ(heap_free(&h, keep), 0);
	CHECK(h.stats.bad_frees >= 6);
	CHECK_EQ(heap_free(&h, NULL), 0);
}

UNIT_TEST(red_zone_and_poison)
{
	fresh();
	uint8_t *p = heap_alloc(&h, 20); /* class 32: 12 bytes of red zone */
	p[20] = 'x';
	CHECK_EQ(heap_free(&h, p), -E_CORRUPT);
	CHECK_EQ(h.stats.corruptions, 1);
	CHECK_EQ(h.stats.live, 0);

	uint8_t *big = heap_alloc(&h, 5000);
	big[5000] = 1;
	CHECK_EQ(heap_free(&h, big), -E_CORRUPT);

	/* Use after free: the next allocation of that object notices. */
	void *keep = heap_alloc(&h, 64);
	uint8_t *a = heap_alloc(&h, 64);
	CHECK_EQ(heap_free(&h, a), 0);
	a[3] = 0;
	uint64_t before = h.stats.corruptions;
	uint8_t *b = heap_alloc(&h, 64);
	CHECK(b == a);
	CHECK_EQ(h.stats.corruptions, before + 1);
	heap_free(&h, b);
	heap_free(&h, keep);
}

UNIT_TEST(realloc_keeps_content)
{
	fresh();
	uint8_t *p = heap_realloc(&h, NULL, 10);
	for (int i = 0; i < 10; i++)
		p[i] = (uint8_t)i;
	p = heap_realloc(&h, p, 7000);
	for (int i = 0; i < 10; i++)
		CHECK(p[i] == i);
	p = heap_realloc(&h, p, 3);
	CHECK(p[2] == 2);
	CHECK(heap_realloc(&h, p, 0) == NULL);
	CHECK_EQ(h.stats.live, 0);
	int local;
	CHECK(heap_realloc(&h, &local, 10) == NULL);
}

UNIT_TEST(exhaustion_and_recovery)
{
	void *ptrs[20000];
	int n = 0;

	fresh();
	page_budget = 64;
	while (n < 20000 && (ptrs[n] = heap_alloc(&h, 100)))
		n++;
	CHECK(n > 100);
	CHECK(n < 20000);
	CHECK(heap_alloc(&h, 9000) == NULL);
	for (int i = 0; i < n; i++)
		CHECK_EQ(heap_free(&h, ptrs[i]), 0);
	CHECK_EQ(h.stats.live, 0);
	/* Everything but the descriptor pool and one cached slab went back. */
	CHECK_EQ(pages_out, (long)h.stats.desc_pages + 1);
	n = 0;
	while (n < 20000 && (ptrs[n] = heap_alloc(&h, 100)))
		n++;
	CHECK(n > 100);
	for (int i = 0; i < n; i++)
		heap_free(&h, ptrs[i]);
}

struct live {
	uint8_t *p;
	size_t size;
	uint8_t fill;
};

UNIT_TEST(random_sequences_against_model)
{
	static struct live live[3000];
	size_t nlive = 0;
	int bad = 0;
	long baseline;

	unit_srand(5);
	fresh();
	for (int step = 0; step < 100000 && bad < 5; step++) {
		if (nlive < 3000 && (nlive == 0 || unit_rand() % 2)) {
			size_t size =
				unit_rand() % 8 ? 1 + unit_rand() % 600 : 1 + unit_rand() % 20000;
			uint8_t *p = heap_alloc(&h, size);
			if (!p) {
				bad++;
				continue;
			}
			live[nlive] = (struct live){ p, size, (uint8_t)unit_rand() };
			memset(p, live[nlive].fill, size);
			nlive++;
		} else {
			size_t k = unit_rand() % nlive;
			for (size_t i = 0; i < live[k].size; i++)
				if (live[k].p[i] != live[k].fill) {
					bad++; /* overlap with another object */
					break;
				}
			bad += heap_free(&h, live[k].p) != 0;
			live[k] = live[--nlive];
		}
		bad += h.stats.live != nlive;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(h.stats.corruptions, 0);
	while (nlive)
		heap_free(&h, live[--nlive].p);
	CHECK_EQ(h.stats.live, 0);
	CHECK_EQ(h.stats.live_bytes, 0);
	baseline = pages_out;
	/* Only the descriptor pool and at most one empty slab per class remain. */
	CHECK(baseline - (long)h.stats.desc_pages <= HEAP_NCLASSES);
	CHECK_EQ(baseline, (long)h.stats.pages);
}

UNIT_MAIN()
