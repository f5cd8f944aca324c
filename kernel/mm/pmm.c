/*
 * The frame allocator's kernel side: sizes the bitmap from the memory
 * map, finds room for it, reserves everything that is already in use
 * (first MiB, kernel image, boot modules, boot information, the bitmap
 * itself) and serializes access with a spinlock.
 */
#include "mm/pmm.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "core/panic.h"
#include "core/printk.h"
#include "mm/frame_bitmap.h"
#include "mm/phys.h"
#include "mm/vm_flags.h"
#include "sched/spinlock.h"
#include "themelios/errno.h"

#define LOW_RESERVE (1ull << 20) /* BIOS data, real-mode IVT, EBDA */

static struct frame_bitmap bitmap;
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static uint64_t highest_pa;

struct extent {
	uint64_t start, end;
};

static uint64_t
page_up(uint64_t a)
{
	return (a + PAGE_SIZE_4K - 1) & ~(uint64_t)(PAGE_SIZE_4K - 1);
}

static uint64_t
page_down(uint64_t a)
{
	return a & ~(uint64_t)(PAGE_SIZE_4K - 1);
}

/* What must never be handed out, known before the bitmap exists. */
static size_t
busy_extents(const struct boot_info *bi, struct extent *out)
{
	size_t n = 0;

	out[n++] = (struct extent){ 0, LOW_RESERVE };
	arch_kernel_phys_extent(&out[n].start, &out[n].end);
	n++;
	out[n++] = (struct extent){ bi->info_start, bi->info_end };
	for (size_t i = 0; i < bi->nmodules; i++)
		out[n++] = (struct extent){ bi->modules[i].start, bi->modules[i].end };
	return n;
}

static bool
overlaps(const struct extent *busy, size_t n, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < n; i++)
		if (start < page_up(busy[i].end) && page_down(busy[i].start) < end)
			return true;
	return false;
}

/* A usable, page-aligned spot of size bytes below 4 GiB (reachable through
 * the boot mapping) that touches nothing busy. */
static uint64_t
find_storage(const struct boot_info *bi, const struct extent *busy, size_t nbusy, uint64_t size)
{
	for (size_t i = 0; i < bi->nmem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		uint64_t end = r->base + r->length;

		if (r->type != BOOT_MEM_USABLE)
			continue;
		for (uint64_t at = page_up(r->base); at + size <= end && at + size <= (4ull << 30);
		     at += PAGE_SIZE_4K)
			if (!overlaps(busy, nbusy, at, at + size))
				return at;
	}
	return 0;
}

int
pmm_init(const struct boot_info *bi)
{
	struct extent busy[4 + BOOT_MAX_MODULES];
	size_t nbusy = busy_extents(bi, busy);
	uint64_t nframes, words, storage;

	for (size_t i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE &&
		    bi->mem[i].base + bi->mem[i].length > highest_pa)
			highest_pa = page_down(bi->mem[i].base + bi->mem[i].length);
	if (!highest_pa)
		return -E_NOMEM;
	nframes = highest_pa / PAGE_SIZE_4K;
	words = frame_bitmap_storage_words(nframes);
	storage = find_storage(bi, busy, nbusy, page_up(words * sizeof(uint64_t)));
	if (!storage)
		return -E_NOMEM;

	frame_bitmap_init(&bitmap, phys_to_virt(storage), nframes);
	for (size_t i = 0; i < bi->nmem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		uint64_t first = page_up(r->base), last = page_down(r->base + r->length);

		if (r->type == BOOT_MEM_USABLE && last > first)
			frame_bitmap_add_usable(&bitmap, first / PAGE_SIZE_4K,
						(last - first) / PAGE_SIZE_4K);
	}
	/* A reserved range inside usable RAM (device-tree /memreserve/) wins. */
	for (size_t i = 0; i < bi->nmem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		uint64_t first = page_down(r->base), last = page_up(r->base + r->length);

		if (r->type != BOOT_MEM_USABLE && last > first)
			frame_bitmap_reserve(&bitmap, first / PAGE_SIZE_4K,
					     (last - first) / PAGE_SIZE_4K);
	}
	for (size_t i = 0; i < nbusy; i++) {
		uint64_t first = page_down(busy[i].start), last = page_up(busy[i].end);
		if (last > first)
			frame_bitmap_reserve(&bitmap, first / PAGE_SIZE_4K,
					     (last - first) / PAGE_SIZE_4K);
	}
	frame_bitmap_reserve(&bitmap, storage / PAGE_SIZE_4K,
			     page_up(words * sizeof(uint64_t)) / PAGE_SIZE_4K);
	pmm_print_stats();
	return 0;
}

/* Frees cached pages when the allocator runs dry (the page cache). */
static size_t (*reclaim)(size_t frames);

void
pmm_set_reclaim(size_t (*fn)(size_t frames))
{
	reclaim = fn;
}

static int
alloc_once(uint64_t *pa)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);
	uint64_t pfn;
	int err = frame_bitmap_alloc(&bitmap, &pfn);

	spin_unlock_irqrestore(&pmm_lock, flags);
	if (!err)
		*pa = pfn * PAGE_SIZE_4K;
	return err;
}

int
pmm_alloc_frame(uint64_t *pa)
{
	int err = alloc_once(pa);

	/* Cached pages are memory on loan: take some back, once. */
	if (err && reclaim && reclaim(16))
		err = alloc_once(pa);
	return err;
}

int
pmm_try_alloc_frames(size_t count, size_t align_frames, uint64_t *pa)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);
	uint64_t pfn;
	int err = frame_bitmap_alloc_run(&bitmap, count, align_frames, &pfn);

	spin_unlock_irqrestore(&pmm_lock, flags);
	if (!err)
		*pa = pfn * PAGE_SIZE_4K;
	return err;
}

int
pmm_alloc_frames(size_t count, size_t align_frames, uint64_t *pa)
{
	int err = pmm_try_alloc_frames(count, align_frames, pa);

	if (err && reclaim && reclaim(count + 16))
		err = pmm_try_alloc_frames(count, align_frames, pa);
	return err;
}

int
pmm_free_frames(uint64_t pa, size_t count)
{
	unsigned long flags;
	uint64_t bad;
	int err;

	if (pa % PAGE_SIZE_4K) {
		pr_err("pmm: free of unaligned address %#lx refused\n", pa);
		return -E_INVAL;
	}
	flags = spin_lock_irqsave(&pmm_lock);
	err = frame_bitmap_free(&bitmap, pa / PAGE_SIZE_4K, count, &bad);
	spin_unlock_irqrestore(&pmm_lock, flags);
	if (err == -E_NOENT)
		pr_err("pmm: double free of frame %#lx refused\n", bad * PAGE_SIZE_4K);
	else if (err)
		pr_err("pmm: free of frame %#lx refused: not allocatable RAM\n",
		       bad * PAGE_SIZE_4K);
	return err ? -E_INVAL : 0;
}

void
pmm_get_stats(struct pmm_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);

	st->total = bitmap.total;
	st->free = bitmap.free;
	st->used = bitmap.allocated;
	st->reserved = bitmap.nreserved;
	st->highest_pa = highest_pa;
	spin_unlock_irqrestore(&pmm_lock, flags);
}

void
pmm_print_stats(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	printk("frames: total %lu = free %lu + used %lu + reserved %lu (%lu KiB free)\n", st.total,
	       st.free, st.used, st.reserved, st.free * 4);
}
