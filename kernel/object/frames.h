/*
 * Frames objects: physical pages that any holder of a capability can map
 * into its own address space, the way processes share memory.  The
 * pages are charged to the creator's Memory pool for as long as the
 * object lives; every mapping keeps it alive, so a page is never freed
 * while some address space still maps it.
 */
#ifndef OBJECT_FRAMES_H
#define OBJECT_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "object/object.h"

struct mempool;

struct frames {
	struct kobject obj; /* KOBJ_FRAMES */
	size_t npages;
	uint64_t *pa;	      /* npages physical addresses */
	struct mempool *pool; /* charged npages + 1 (device: 1); referenced */
	bool device;	      /* device registers: mapped uncached, not RAM */
	/* Linux's shared anonymous memory: each page made on its first
	 * touch (pa[i] 0 until then) by whichever mapping touches it, and
	 * charged then; never given out as a capability. */
	bool lazy;
	size_t made;  /* lazy: pages made so far (capability lock) */
	size_t table; /* lazy: pages charged for pa[] and the object */
};

/* Charged to pool, its pages zeroed with the capability lock NOT held
 * (the caller keeps pool alive): -E_NOMEM, -E_INVAL, -E_RANGE. */
int frames_create(struct mempool *pool, size_t pages, struct frames **out);

/* Lazy Frames of pages pages (none made yet), charged for its page
 * array now: -E_NOMEM, -E_INVAL (no pages), -E_RANGE (more than
 * FRAMES_LAZY_MAX_PAGES). */
#define FRAMES_LAZY_MAX_PAGES (1ul << 20) /* 4 GiB: an 8 MiB page array */
int frames_create_lazy(struct mempool *pool, size_t pages, struct frames **out);

/* Page i of lazy f, made, zeroed and charged to f's pool if it was not
 * yet (no lock held: two first touches at once make it once).
 * -E_FAULT past the end, -E_NOMEM. */
int frames_page(struct frames *f, size_t i, uint64_t *pa);

/*
 * Device registers at [phys, phys + pages pages) as Frames, claimed in
 * core/resource for as long as the object lives (capability lock held).
 * -E_INVAL (unaligned, no pages, RAM or firmware memory), -E_RANGE (too
 * many pages, beyond DEVICE_PHYS_LIMIT), -E_BUSY (a kernel driver or
 * another claim has some of it), -E_NOMEM.
 */
int frames_create_device(struct mempool *pool, uint64_t phys, uint64_t pages, struct frames **out);

#endif
