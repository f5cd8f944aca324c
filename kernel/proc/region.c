#include "proc/region.h"

#include "mm/vm_flags.h"
#include "themelios/errno.h"

int
region_find(const struct user_region *r, size_t n, uintptr_t va, size_t pages)
{
	for (size_t i = 0; i < n; i++) {
		size_t first;

		if (va < r[i].va)
			continue;
		first = (va - r[i].va) / PAGE_SIZE_4K;
		if (first >= r[i].pages)
			continue;
		/* Regions are disjoint: a range starting here and running
		 * past the end cannot lie in any single region. */
		return pages <= r[i].pages - first ? (int)i : -E_NOENT;
	}
	return -E_NOENT;
}

int
region_isolate(struct user_region *r, size_t *n, size_t max, size_t i, uintptr_t va, size_t pages,
	       size_t *added)
{
	struct user_region whole = r[i];
	size_t before = (va - whole.va) / PAGE_SIZE_4K;
	size_t after = whole.pages - before - pages;
	size_t pieces = (before > 0) + (after > 0);

	*added = 0;
	if (*n + pieces > max)
		return -E_RANGE;
	if (before) {
		r[*n] = whole;
		r[*n].pages = before;
		(*n)++;
	}
	if (after) {
		r[*n] = whole;
		r[*n].va = va + pages * PAGE_SIZE_4K;
		r[*n].pages = after;
		(*n)++;
	}
	r[i].va = va;
	r[i].pages = pages;
	*added = pieces;
	return (int)i;
}

void
region_remove(struct user_region *r, size_t *n, size_t i)
{
	r[i] = r[*n - 1];
	(*n)--;
}

static int
same_kind(const struct user_region *a, const struct user_region *b)
{
	return a->flags == b->flags && a->max_flags == b->max_flags && a->shared == b->shared;
}

int
region_merge(struct user_region *r, size_t *n, size_t i, size_t *merged)
{
	size_t j = 0;

	*merged = 0;
	while (j < *n) {
		uintptr_t end_i = r[i].va + r[i].pages * PAGE_SIZE_4K;
		uintptr_t end_j = r[j].va + r[j].pages * PAGE_SIZE_4K;

		if (j == i || !same_kind(&r[i], &r[j]) || (end_j != r[i].va && end_i != r[j].va)) {
			j++;
			continue;
		}
		if (end_j == r[i].va)
			r[i].va = r[j].va;
		r[i].pages += r[j].pages;
		if (i == *n - 1) /* region_remove moves the last into j */
			i = j;
		region_remove(r, n, j);
		(*merged)++;
		j = 0; /* the grown region may now touch another */
	}
	return (int)i;
}
