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
};

/* Charged to pool, its pages zeroed with the capability lock NOT held
 * (the caller keeps pool alive): -E_NOMEM, -E_INVAL, -E_RANGE. */
int frames_create(struct mempool *pool, size_t pages, struct frames **out);

/*
 * Device registers at [phys, phys + pages pages) as Frames, claimed in
 * core/resource for as long as the object lives (capability lock held).
 * -E_INVAL (unaligned, no pages, RAM or firmware memory), -E_RANGE (too
 * many pages, beyond DEVICE_PHYS_LIMIT), -E_BUSY (a kernel driver or
 * another claim has some of it), -E_NOMEM.
 */
int frames_create_device(struct mempool *pool, uint64_t phys, uint64_t pages, struct frames **out);

#endif
