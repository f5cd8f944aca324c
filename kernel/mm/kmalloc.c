/*
 * The kernel's heap instance.  Pages come from the frame allocator and
 * are used through the direct map; each frame's heap metadata slot lives
 * in an array indexed by frame number, made at kmalloc_init.
 */
#include "mm/kmalloc.h"

#include <stdint.h>

#include "core/panic.h"
#include "core/printk.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "sched/spinlock.h"
#include "themelios/errno.h"

static struct heap kheap;
static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static void **page_meta_table;
static uint64_t page_meta_frames;

static void *
kpages_alloc(void *ctx, size_t n)
{
	uint64_t pa;

	(void)ctx;
	if (pmm_alloc_frames(n, 1, &pa) != 0)
		return NULL;
	return phys_to_virt(pa);
}

static void
kpages_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	pmm_free_frames(virt_to_phys(p), n);
}

static void **
kpage_meta(void *ctx, const void *page)
{
	uintptr_t va = (uintptr_t)page;
	uint64_t pfn;

	(void)ctx;
	if (va < DIRECT_MAP_BASE)
		return NULL;
	pfn = (va - DIRECT_MAP_BASE) / PAGE_SIZE_4K;
	return pfn < page_meta_frames ? &page_meta_table[pfn] : NULL;
}

static const struct heap_backend kernel_backend = { kpages_alloc, kpages_free, kpage_meta, NULL };

void
kmalloc_init(void)
{
	struct pmm_stats st;
	uint64_t pa, bytes, pages;

	pmm_get_stats(&st);
	page_meta_frames = st.highest_pa / PAGE_SIZE_4K;
	bytes = page_meta_frames * sizeof(void *);
	pages = (bytes + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	if (pmm_alloc_frames(pages, 1, &pa) != 0)
		panic("kmalloc: no memory for %lu pages of heap metadata", pages);
	page_meta_table = phys_to_virt(pa);
	memset(page_meta_table, 0, pages * PAGE_SIZE_4K);
	heap_init(&kheap, &kernel_backend);
}

void *
kmalloc(size_t size)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	void *p = heap_alloc(&kheap, size);

	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *
kcalloc(size_t n, size_t size)
{
	unsigned long flags;
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	flags = spin_lock_irqsave(&heap_lock);
	p = heap_alloc(&kheap, n * size);
	spin_unlock_irqrestore(&heap_lock, flags);
	/* Zeroed with interrupts on: nobody else has the block yet. */
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *
krealloc(void *p, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	void *q = heap_realloc(&kheap, p, size);

	spin_unlock_irqrestore(&heap_lock, flags);
	return q;
}

void
kfree(void *p)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	int err = heap_free(&kheap, p);

	spin_unlock_irqrestore(&heap_lock, flags);
	if (err == -E_INVAL)
		pr_err("kfree: %p is not a heap allocation; ignored\n", p);
	else if (err == -E_NOENT)
		pr_err("kfree: double free of %p; ignored\n", p);
	else if (err == -E_CORRUPT)
		pr_err("kfree: %p was written past its end (red zone damaged)\n", p);
}

uint64_t
kmalloc_live(void)
{
	return kheap.stats.live;
}

void
kmalloc_stats(struct heap_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);

	*st = kheap.stats;
	spin_unlock_irqrestore(&heap_lock, flags);
}

void
kmalloc_print_stats(void)
{
	struct heap_stats st;

	kmalloc_stats(&st);
	printk("heap: %lu live allocations (%lu bytes), %lu pages (%lu slabs, %lu large, "
	       "%lu descriptor), %lu corruptions, %lu bad frees\n",
	       st.live, st.live_bytes, st.pages, st.slabs, st.large, st.desc_pages, st.corruptions,
	       st.bad_frees);
}
