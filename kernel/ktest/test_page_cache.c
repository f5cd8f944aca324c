/*
 * The page cache with an owner of its own (no disk): hits and misses,
 * the read-ahead window on sequential misses and none on random ones,
 * a failing fill that is not remembered, pages held across reclaim,
 * and the frame allocator taking cached pages back when it runs dry.
 */
#include "core/printk.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "mm/page_cache.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "themelios/errno.h"

#define PAGES	 256
#define BAD_PAGE 100

static unsigned fills, filled;
static bool bad_fails = true;

static long
fake_fill(struct pcache_owner *o, uint64_t first, size_t count, void *const *pages)
{
	(void)o;
	fills++;
	for (size_t i = 0; i < count; i++) {
		if (first + i == BAD_PAGE && bad_fails)
			return i ? (long)i : -E_IO;
		memset(pages[i], 0, PCACHE_PAGE_SIZE);
		memcpy(pages[i], &(uint64_t){ first + i }, 8);
		filled++;
	}
	return (long)count;
}

static const struct pcache_owner_ops fake_ops = { .fill = fake_fill };

static bool
holds(struct pcache_page *p, uint64_t index)
{
	uint64_t v;

	memcpy(&v, p->data, 8);
	return v == index;
}

KTEST(page_cache_hits_readahead_errors_reclaim)
{
	static struct pcache_owner o;
	struct pcache_stats before, after;
	struct pcache_page *p, *held;
	unsigned f;

	pcache_owner_init(&o, &fake_ops, "ktest", PAGES);
	pcache_get_stats(&before);
	fills = filled = 0;
	bad_fails = true;

	/* Sequential: windows of 4, 8, 16, 32 pages, one fill each. */
	for (uint64_t i = 0; i < 60; i++) {
		KTEST_CHECK_EQ(pcache_get(&o, i, &p), 0);
		KTEST_CHECK(holds(p, i));
		pcache_put(p);
	}
	KTEST_CHECK_EQ(fills, 4);
	KTEST_CHECK_EQ(filled, 60);
	/* Warm: no fill at all. */
	for (uint64_t i = 0; i < 60; i++) {
		KTEST_CHECK_EQ(pcache_get(&o, i, &p), 0);
		pcache_put(p);
	}
	KTEST_CHECK_EQ(fills, 4);
	/* Random: one page per miss. */
	f = fills;
	KTEST_CHECK_EQ(pcache_get(&o, 200, &p), 0);
	pcache_put(p);
	KTEST_CHECK_EQ(pcache_get(&o, 150, &p), 0);
	pcache_put(p);
	KTEST_CHECK_EQ(fills, f + 2);
	KTEST_CHECK_EQ(filled, 62);
	KTEST_CHECK_EQ(pcache_get(&o, PAGES, &p), -E_RANGE);

	/* A failing page is -E_IO each time, and not cached; the pages
	 * before it in the same window are. */
	KTEST_CHECK_EQ(pcache_get(&o, BAD_PAGE, &p), -E_IO);
	KTEST_CHECK_EQ(pcache_get(&o, BAD_PAGE, &p), -E_IO);
	KTEST_CHECK(pcache_peek(&o, BAD_PAGE) == NULL);
	bad_fails = false;
	KTEST_CHECK_EQ(pcache_get(&o, BAD_PAGE, &p), 0);
	KTEST_CHECK(holds(p, BAD_PAGE));
	pcache_put(p);

	/* Reclaim takes what nobody holds; a held page stays put. */
	KTEST_CHECK_EQ(pcache_get(&o, 7, &held), 0);
	pcache_reclaim(~(size_t)0);
	KTEST_CHECK(pcache_peek(&o, 8) == NULL);
	p = pcache_peek(&o, 7);
	KTEST_CHECK(p == held);
	if (p)
		pcache_put(p);
	KTEST_CHECK(holds(held, 7));
	pcache_put(held);
	pcache_drop_owner(&o);
	KTEST_CHECK_EQ(o.pages, 0);
	pcache_get_stats(&after);
	KTEST_CHECK(after.hits >= before.hits + 60);
	printk("ktest: page cache: %u fills for %u pages, %lu read ahead\n", fills, filled,
	       (unsigned long)(after.readahead - before.readahead));
}

/* With every frame taken, an allocation still succeeds by taking a
 * cached page back. */
KTEST(page_cache_gives_frames_back_when_memory_runs_out)
{
	static struct pcache_owner o;
	struct pcache_stats before, after;
	struct pcache_page *p;
	uint64_t pa, list = 0, n = 0;

	bad_fails = false;
	pcache_owner_init(&o, &fake_ops, "ktest dry", PAGES);
	for (uint64_t i = 0; i < 64; i++) {
		KTEST_CHECK_EQ(pcache_get(&o, i, &p), 0);
		pcache_put(p);
	}
	KTEST_CHECK(o.pages >= 64);
	pcache_get_stats(&before);
	/* Take every free frame, each linked to the last through its own
	 * first word (any amount of memory, no array). */
	pmm_set_reclaim(NULL);
	while (pmm_alloc_frame(&pa) == 0) {
		*(uint64_t *)phys_to_virt(pa) = list;
		list = pa;
		n++;
	}
	pcache_hook_allocator();
	KTEST_CHECK(n > 0);
	KTEST_CHECK_EQ(pmm_alloc_frame(&pa), 0);
	pcache_get_stats(&after);
	KTEST_CHECK(after.evictions > before.evictions); /* the oldest pages, anyone's */
	pmm_free_frame(pa);
	while (list) {
		pa = list;
		list = *(uint64_t *)phys_to_virt(pa);
		pmm_free_frame(pa);
	}
	pcache_drop_owner(&o);
}
