/*
 * The regions of an address space, as pure bookkeeping: an AVL tree of
 * disjoint [start, end) ranges ordered by address, with lookups, the
 * neighbour after an address, and a first-fit search for a free range
 * with guard gaps.  No page tables and no allocation here (the caller
 * makes and frees the nodes, and changes the mappings), so the host
 * test runs it against a model.
 *
 * Invariants: regions never overlap, start < end, both page-aligned;
 * each node's height is 1 + the larger of its children's, and the two
 * differ by at most one, so every operation is O(log n) but the free
 * range search, which walks the regions in order (O(n log n) at worst).
 */
#ifndef PROC_REGION_H
#define PROC_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frames;
struct vm_file;

struct vm_region {
	uintptr_t start, end;
	unsigned int flags;	/* VM_READ, VM_WRITE, VM_EXEC as mapped now */
	unsigned int max_flags; /* the most vm_protect may give it */
	/* A Frames mapping (referenced, its pages mapped for as long as the
	 * region lives), or NULL: anonymous memory of the address space's
	 * own, each page made on first touch (or at once when committed). */
	struct frames *shared;
	/* Or a file mapping (mm/vm_file.h; the region holds a reference to
	 * its vnode): page i of the region is page file_page + i of the
	 * file.  Shared: the cached pages themselves, writes reach the file.
	 * Private: cached pages mapped read-only until written, then a copy
	 * of one's own (anonymous memory from then on). */
	struct vm_file *file;
	uint64_t file_page;
	bool file_shared;
	struct vm_region *left, *right; /* the tree's */
	int height;
};

struct region_tree {
	struct vm_region *root;
	size_t count;
};

/* The region holding va, or NULL. */
struct vm_region *region_lookup(const struct region_tree *t, uintptr_t va);

/* The first region that ends after va (the one holding va, or the next
 * one above it), or NULL: iterate with region_next(t, r->end). */
struct vm_region *region_next(const struct region_tree *t, uintptr_t va);

/* True when no region meets [start, end). */
bool region_range_free(const struct region_tree *t, uintptr_t start, uintptr_t end);

/* Links r in; the caller has checked that it overlaps nothing. */
void region_insert(struct region_tree *t, struct vm_region *r);

/* Unlinks r (which is in the tree); the caller frees it. */
void region_erase(struct region_tree *t, struct vm_region *r);

/*
 * The lowest address a in [lo, hi) such that [a, a + len) is free and
 * at least guard bytes lie between it and any region on either side:
 * 0 and *out set, or -E_NOMEM when no such range exists.  len > 0 and
 * everything page-aligned.
 */
int region_find_free(const struct region_tree *t, uintptr_t lo, uintptr_t hi, size_t len,
		     size_t guard, uintptr_t *out);

#endif
