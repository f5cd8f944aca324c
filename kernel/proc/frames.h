/*
 * Frames objects: physical pages that any holder of a capability can map
 * into its own address space, the way processes share memory.  The
 * pages are charged to the creator's Memory pool for as long as the
 * object lives; every mapping keeps it alive, so a page is never freed
 * while some address space still maps it.
 */
#ifndef PROC_FRAMES_H
#define PROC_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "cap/object.h"

struct mempool;


struct frames {
	struct kobject obj;		/* KOBJ_FRAMES */
	size_t npages;
	uint64_t *pa;			/* npages physical addresses */
	struct mempool *pool;		/* charged npages + 1; referenced */
};

/* Charged to pool (capability lock held): -E_NOMEM, -E_INVAL, -E_RANGE. */
int frames_create(struct mempool *pool, size_t pages, struct frames **out);

#endif
