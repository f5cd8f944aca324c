/*
 * The generic page-table walker: map, unmap, protect, translate, prune
 * and destroy over a radix tree of PT_LEVELS levels of PT_ENTRIES entries,
 * with the entry format supplied by the arch (asm/pte.h).  It touches
 * memory only through struct pt_env, so the host tests run it over a
 * fake physical memory.  TLB maintenance is the caller's job.
 */
#ifndef MM_PAGETABLE_H
#define MM_PAGETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pt_env {
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	/* A zeroed page for a table; 0 or -E_NOMEM.  Every table page comes
	 * and goes through these two, so an owner can count and charge them
	 * (vm_space does). */
	int (*alloc_table)(void *ctx, uint64_t *pa);
	void (*free_table)(void *ctx, uint64_t pa);
	void *ctx;
};

/* page_size is PAGE_SIZE_4K or PAGE_SIZE_2M; va and pa aligned to it.
 * -E_INVAL (misaligned, non-canonical, bad size), -E_EXIST (something is
 * mapped there already), -E_NOMEM (no page for a table: the tables this
 * call made are freed again, so a failure changes nothing). */
int pt_map(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t pa, size_t page_size,
	   unsigned int flags);

/* Removes the page mapped at va (any size); its physical address and
 * size go to *pa and *size when not NULL.  -E_NOENT when nothing is. */
int pt_unmap(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t *pa, size_t *size);

/* Changes the permissions of the page mapped at va. */
int pt_protect(const struct pt_env *env, uint64_t root, uint64_t va, unsigned int flags);

/* Physical address for va and the page's flags; -E_NOENT if unmapped. */
int pt_translate(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t *pa,
		 unsigned int *flags);

/* Makes sure the tables down to level exist for va (so a top-level
 * entry can be shared before anything is mapped below it). */
/* The first present leaf at or above va and below end: its address
 * (*at, aligned to the leaf), frame and flags; -E_NOENT when none. */
int pt_next_leaf(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t end, uint64_t *at,
		 uint64_t *pa, unsigned int *flags);
int pt_prepare(const struct pt_env *env, uint64_t root, uint64_t va, int level);

/*
 * What pt_copy_leaves does with each page: leaf gets a present 4 KiB
 * page of src (its address in src, its frame, whether it is writable)
 * and answers PT_COPY_ALIKE (dst maps it as src does), PT_COPY_READ_ONLY
 * (both map it read-only from now on: copy-on-write) or a negative
 * error, which ends the copy.
 */
#define PT_COPY_ALIKE	  0
#define PT_COPY_READ_ONLY 1

struct pt_copy_ops {
	int (*leaf)(void *ctx, uint64_t va, uint64_t pa, bool writable);
	void *ctx;
};

struct pt_copy_result {
	size_t copied;	  /* pages now mapped in dst */
	bool src_changed; /* an entry of src was rewritten: flush its TLB */
};

/*
 * Maps every page of src's [start, end) into dst at the same offset from
 * dst_start, its entry copied as it is (bar the write permission) (dst may be src, for a range that does not overlap), walking
 * src a page table at a time: a hole costs a walk per empty table, a full
 * table one walk and a pass over its entries.  dst's tables are made as
 * they are needed (env->alloc_table, so paid for), each before any page
 * of it is offered to ops->leaf.  Errors: -E_NOMEM (a table), -E_EXIST
 * (dst maps something there), -E_NOTSUP (a large page), -E_INVAL
 * (non-canonical), or the leaf's; the pages copied before stay copied
 * (res says how many), and the caller undoes them.
 */
int pt_copy_leaves(const struct pt_env *src, uint64_t src_root, uint64_t start, uint64_t end,
		   const struct pt_env *dst, uint64_t dst_root, uint64_t dst_start,
		   const struct pt_copy_ops *ops, struct pt_copy_result *res);

/*
 * Empties every 4 KiB leaf of [start, end), a page table at a time, and
 * hands each page to leaf(ctx, va, pa) once its entry is empty.  The
 * tables stay (pt_prune or pt_destroy free them).  No TLB upkeep: for
 * a tree nobody runs in (a space being freed).  Returns the pages.
 */
size_t pt_clear_leaves(const struct pt_env *env, uint64_t root, uint64_t start, uint64_t end,
		       void (*leaf)(void *ctx, uint64_t va, uint64_t pa), void *ctx);

/* Frees every table page below root whose entries cover [start, end),
 * then root itself when free_root.  Leaf pages are not freed: they
 * belong to whoever mapped them.  Returns how many pages were freed. */
size_t pt_destroy(const struct pt_env *env, uint64_t root, uint64_t start, uint64_t end,
		  int free_root);

/* Frees every table below root that covers part of [start, end) and
 * maps nothing any more, from the bottom up (an emptied table empties
 * its parent).  Tables that still map something, those outside the
 * range and root itself stay.  Returns how many pages were freed. */
size_t pt_prune(const struct pt_env *env, uint64_t root, uint64_t start, uint64_t end);

#endif
