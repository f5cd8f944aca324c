/*
 * The physical memory manager: the kernel's frame allocator, built from
 * the boot memory map over a bitmap (mm/frame_bitmap.c).  Addresses are
 * physical; frames are 4 KiB.  Safe to call with interrupts off.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"

struct pmm_stats {
	uint64_t total; /* usable frames in the memory map */
	uint64_t free;
	uint64_t used;	     /* handed out since boot and not freed */
	uint64_t reserved;   /* kernel image, boot data, first MiB, bitmap */
	uint64_t highest_pa; /* end of the highest usable frame */
};

int pmm_init(const struct boot_info *bi);
int pmm_alloc_frame(uint64_t *pa);
/* count contiguous frames, the first aligned to align_frames frames. */
int pmm_alloc_frames(size_t count, size_t align_frames, uint64_t *pa);
/* Frees count frames at pa; a double free or a frame outside RAM is
 * reported with its address and refused (-E_INVAL). */
int pmm_free_frames(uint64_t pa, size_t count);
/* fn frees up to frames cached frames and says how many; the allocators
 * call it once when they find none free, then try again. */
void pmm_set_reclaim(size_t (*fn)(size_t frames));
/* pmm_alloc_frames without the reclaim: for callers that have a plan B. */
int pmm_try_alloc_frames(size_t count, size_t align_frames, uint64_t *pa);
void pmm_get_stats(struct pmm_stats *st);
void pmm_print_stats(void);

static inline int
pmm_free_frame(uint64_t pa)
{
	return pmm_free_frames(pa, 1);
}

#endif
