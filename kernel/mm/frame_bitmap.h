/*
 * A bitmap allocator of physical frames 0..nframes-1, pure logic (the
 * kernel glue is mm/pmm.c; host tests drive it directly).  Three bits per
 * frame: present (usable RAM), used (allocated or reserved) and reserved
 * (kept from the start: kernel image, boot data).  Invariant:
 * total == free + allocated + reserved, where total counts present frames.
 */
#ifndef MM_FRAME_BITMAP_H
#define MM_FRAME_BITMAP_H

#include <stddef.h>
#include <stdint.h>

struct frame_bitmap {
	uint64_t *present;
	uint64_t *used;
	uint64_t *reserved;
	size_t nframes;
	size_t nwords;
	size_t hint;	       /* word where the next single-frame search starts */
	uint64_t first_usable; /* runs are searched from here: RAM may start high */
	uint64_t total, free, allocated, nreserved;
};

/* How many uint64_t of storage frame_bitmap_init needs for nframes. */
size_t frame_bitmap_storage_words(size_t nframes);

/* All frames start absent. */
void frame_bitmap_init(struct frame_bitmap *bm, uint64_t *storage, size_t nframes);

/* Marks [first, first+count) as usable RAM (clipped to nframes). */
void frame_bitmap_add_usable(struct frame_bitmap *bm, uint64_t first, uint64_t count);

/* Keeps usable, free frames of [first, first+count) out of use for good;
 * absent or already used frames are skipped. */
void frame_bitmap_reserve(struct frame_bitmap *bm, uint64_t first, uint64_t count);

/* One frame; -E_NOMEM when none is free. */
int frame_bitmap_alloc(struct frame_bitmap *bm, uint64_t *pfn);

/* count contiguous frames starting at a multiple of align (a power of
 * two); -E_INVAL for count 0 or a bad align, -E_NOMEM when no run fits. */
int frame_bitmap_alloc_run(struct frame_bitmap *bm, size_t count, size_t align, uint64_t *pfn);

/*
 * Frees count frames at pfn.  Nothing changes on error: -E_INVAL when a
 * frame is not usable RAM or is reserved, -E_NOENT when a frame is not
 * allocated (a double free); *bad gets the first offending frame.
 */
int frame_bitmap_free(struct frame_bitmap *bm, uint64_t pfn, size_t count, uint64_t *bad);

#endif
