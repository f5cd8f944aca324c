/*
 * A slab heap over a page backend, pure logic: the kernel's kmalloc
 * (mm/kmalloc.c) is one instance, the host tests make their own.
 *
 * Small sizes come from size classes of 16..4096 bytes, each served by
 * one-page slabs whose descriptors live outside the slab, so an object
 * whose size is a power of two is aligned to that size.  Larger sizes
 * get whole pages.  A slab that empties goes back to the backend (one
 * empty slab per class is kept to avoid thrashing).  The backend keeps
 * one pointer of metadata per page (page_meta), which is how a free
 * finds its slab in O(1) and how pointers the heap does not own are
 * recognised without touching their memory.
 *
 * With HEAP_DEBUG: freed objects are poisoned (and checked when handed
 * out again), the bytes between the requested size and the class size
 * are a red zone checked on free, and live allocations are counted.
 *
 * Not thread-safe: the caller serializes (kmalloc takes a lock).
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_PAGE_SIZE 4096
#define HEAP_MIN_CLASS 16
#define HEAP_NCLASSES  9 /* 16, 32, ... 4096 */

struct heap_backend {
	void *(*alloc_pages)(void *ctx, size_t npages); /* page-aligned or NULL */
	void (*free_pages)(void *ctx, void *p, size_t npages);
	/* The metadata slot of a page the backend handed out; NULL otherwise. */
	void **(*page_meta)(void *ctx, const void *page);
	void *ctx;
};

struct heap_stats {
	uint64_t live;	     /* allocations not yet freed */
	uint64_t live_bytes; /* their requested sizes */
	uint64_t pages;	     /* pages held from the backend */
	uint64_t desc_pages; /* of which descriptor pool (kept for reuse) */
	uint64_t slabs;
	uint64_t large;	      /* live page-backed allocations */
	uint64_t corruptions; /* red zone or poison damage found */
	uint64_t bad_frees;   /* foreign pointers and double frees */
};

struct slab;
union heap_desc;

struct heap {
	const struct heap_backend *be;
	struct slab *partial[HEAP_NCLASSES]; /* slabs with free objects */
	struct slab *empty[HEAP_NCLASSES];   /* at most one cached empty slab */
	union heap_desc *free_descs;
	struct heap_stats stats;
};

void heap_init(struct heap *h, const struct heap_backend *be);
/* NULL for size 0 or when the backend is out of pages. */
void *heap_alloc(struct heap *h, size_t size);
void *heap_calloc(struct heap *h, size_t n, size_t size);
void *heap_realloc(struct heap *h, void *p, size_t size);
/*
 * 0; -E_INVAL for a pointer that is not the start of an allocation from
 * this heap; -E_NOENT for a double free; -E_CORRUPT when the red zone was
 * overwritten (the object is freed all the same).
 */
int heap_free(struct heap *h, void *p);
/* The usable size of an allocation (its class size), 0 if not ours. */
size_t heap_usable_size(struct heap *h, const void *p);

#endif
