/*
 * Memory objects: a budget of pages (what a Memory capability names).
 * Every page the kernel allocates for a process (its structures, pages,
 * page tables, threads, endpoints, notifications) is charged to the
 * pool the process was given; a pool is carved out of another
 * (memory_split), charged to it in full and returned when the new pool
 * dies.  Running out fails the request with -E_NOMEM, never the kernel
 * or a neighbour with its own pool.  The root pool is init's: most of
 * memory, less a kernel reserve.
 */
#ifndef OBJECT_MEMORY_H
#define OBJECT_MEMORY_H

#include <stdint.h>

#include "object/object.h"
#include "lib/list.h"

struct mempool {
	struct kobject obj; /* KOBJ_MEMORY */
	uint64_t limit;	    /* pages */
	uint64_t used;
	struct mempool *parent;	   /* charged for limit; referenced */
	struct list_node all_link; /* every pool, for the audit */
};

/* A pool of pages pages out of parent (NULL: the root).  -E_NOMEM,
 * -E_INVAL for 0 pages.  Capability lock held. */
int mempool_create(struct mempool *parent, uint64_t pages, struct mempool **out);

/* 0, or -E_NOMEM when the pool cannot cover pages more.  Need no lock
 * held (the counts have their own). */
int mempool_charge(struct mempool *mp, uint64_t pages);
void mempool_uncharge(struct mempool *mp, uint64_t pages);

/* Calls fn on every pool (capability lock held; fn must not free one). */
void mempool_for_each(void (*fn)(struct mempool *mp, void *ctx), void *ctx);

#endif
