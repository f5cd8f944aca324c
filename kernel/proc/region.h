/*
 * The table of a process's mapped regions, as pure bookkeeping: find
 * the region holding a range, cut a range out of a region so it can be
 * unmapped or protected alone, drop a region.  No page tables here (the
 * caller changes those), so the host tests run it against a model.
 *
 * Regions never overlap and every page of a region is mapped.  The
 * table is unordered; a split appends the pieces at the end.
 */
#ifndef PROC_REGION_H
#define PROC_REGION_H

#include <stddef.h>
#include <stdint.h>

struct frames;

struct user_region {
	uintptr_t va;
	size_t pages;
	unsigned int flags;	/* VM_READ, VM_WRITE, VM_EXEC as mapped now */
	unsigned int max_flags; /* the most vm_protect may give it */
	struct frames *shared;	/* a Frames mapping (referenced), or NULL: our own pages */
};

/*
 * The index of the one region holding all of [va, va + pages pages);
 * -E_NOENT when part of the range is unmapped or in another region.
 * va is page-aligned and pages > 0.
 */
int region_find(const struct user_region *r, size_t n, uintptr_t va, size_t pages);

/*
 * Makes [va, va + pages pages) of region i a region of its own: the
 * parts before and after it become new regions with the same
 * attributes.  Returns the index of the region that now covers exactly
 * the range, or -E_RANGE when the table (room for max) cannot take the
 * pieces, and then nothing changed.  *added says how many pieces were
 * added: a Frames mapping needs a reference for each.
 */
int region_isolate(struct user_region *r, size_t *n, size_t max, size_t i, uintptr_t va,
		   size_t pages, size_t *added);

/* Forgets region i (the last region takes its place). */
void region_remove(struct user_region *r, size_t *n, size_t i);

/*
 * Joins region i with the regions that touch it and have the same
 * flags, limit and pages' owner (a protect that undoes an earlier one
 * gives the split's entries back).  Returns the joined region's index;
 * *merged says how many entries went: a Frames mapping drops a reference
 * for each.  Touching pieces of one Frames object are always from one
 * mapping (mappings never touch), so its pages stay in order.
 */
int region_merge(struct user_region *r, size_t *n, size_t i, size_t *merged);

#endif
