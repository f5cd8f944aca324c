/*
 * The kernel heap: kmalloc and friends over the slab heap (mm/heap.c),
 * backed by the frame allocator through the direct map.  Out of memory
 * returns NULL; callers handle it.  Allocations of a power-of-two size
 * up to 4 KiB are aligned to their size, all others to 16 bytes.
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include <stddef.h>
#include <stdint.h>

void kmalloc_init(void);
void *kmalloc(size_t size);
void *kcalloc(size_t n, size_t size);
void *krealloc(void *p, size_t size);
/* A pointer kmalloc did not return, or a double free, is reported and ignored. */
void kfree(void *p);

struct heap_stats;

/* Live allocations (debug builds count them; leaks show in tests). */
uint64_t kmalloc_live(void);
void kmalloc_stats(struct heap_stats *st);
void kmalloc_print_stats(void);

#endif
