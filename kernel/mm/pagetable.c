/*
 * Invariants: an entry is either empty, a table (levels above 0 only) or
 * a leaf page; a leaf above level 0 is a large page.  Intermediate
 * entries grant everything the leaves below might need, so permissions
 * are decided by the leaf alone.
 */
#include "mm/pagetable.h"

#include <stdbool.h>

#include "asm/pte.h"
#include "mm/vm_flags.h"
#include "themelios/errno.h"

#define VA_BITS (12 + 9 * PT_LEVELS)
#define VA_MASK ((1ull << VA_BITS) - 1)

static pte_t *
table_of(const struct pt_env *env, uint64_t pa)
{
	return env->phys_to_virt(env->ctx, pa);
}

static uint64_t
level_span(int level)
{
	return 1ull << (12 + 9 * level);
}

/* Empties each entry (the deepest first) and frees the table it held. */
static void
unmake_tables(const struct pt_env *env, pte_t **made, int n)
{
	while (n-- > 0) {
		uint64_t pa = pte_table_addr(*made[n]);

		*made[n] = 0;
		env->free_table(env->ctx, pa);
	}
}

/*
 * Finds the entry for va at level target, creating tables on the way
 * when alloc.  Stops early at a leaf above target (a large page covering
 * va).  On success *level is where it stopped.  A table that cannot be
 * had takes back the ones this walk made above it: a failed map leaves
 * the tree as it found it.
 */
static int
walk(const struct pt_env *env, uint64_t root, uint64_t va, int target, bool alloc,
     unsigned int flags, pte_t **out, int *level)
{
	pte_t *table = table_of(env, root);
	pte_t *made[PT_LEVELS];
	int nmade = 0;

	for (int l = PT_LEVELS - 1;; l--) {
		pte_t *e = &table[pt_index(va, l)];

		if (l == target || (pte_present(*e) && pte_is_leaf(*e, l))) {
			*out = e;
			*level = l;
			return 0;
		}
		if (!pte_present(*e)) {
			uint64_t pa;

			if (!alloc)
				return -E_NOENT;
			if (env->alloc_table(env->ctx, &pa) != 0) {
				unmake_tables(env, made, nmade);
				return -E_NOMEM;
			}
			*e = pte_make_table(pa, flags);
			made[nmade++] = e;
		} else if (alloc) {
			*e = pte_table_add_user(*e, flags);
		}
		table = table_of(env, pte_table_addr(*e));
	}
}

static int
size_to_level(size_t size)
{
	for (int l = 0; l < PT_LEVELS; l++)
		if (level_span(l) == size && pt_level_allows_leaf(l))
			return l;
	return -1;
}

int
pt_map(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t pa, size_t page_size,
       unsigned int flags)
{
	int target = size_to_level(page_size);
	pte_t *e;
	int level, err;

	if (target < 0 || (va | pa) & (page_size - 1) || !pt_va_valid(va))
		return -E_INVAL;
	err = walk(env, root, va, target, true, flags, &e, &level);
	if (err)
		return err;
	if (level != target || pte_present(*e))
		return -E_EXIST;
	*e = pte_make_leaf(pa, flags, target);
	return 0;
}

int
pt_prepare(const struct pt_env *env, uint64_t root, uint64_t va, int level)
{
	pte_t *e;
	int at, err;

	if (level < 0 || level >= PT_LEVELS || !pt_va_valid(va))
		return -E_INVAL;
	err = walk(env, root, va, level, true, 0, &e, &at);
	if (err)
		return err;
	return at == level ? 0 : -E_EXIST;
}

/* The present leaf mapping va, or -E_NOENT. */
static int
find_leaf(const struct pt_env *env, uint64_t root, uint64_t va, pte_t **e, int *level)
{
	int err;

	if (!pt_va_valid(va))
		return -E_INVAL;
	err = walk(env, root, va, 0, false, 0, e, level);
	if (err)
		return err;
	return pte_present(**e) ? 0 : -E_NOENT;
}

int
pt_unmap(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t *pa, size_t *size)
{
	pte_t *e;
	int level, err = find_leaf(env, root, va, &e, &level);

	if (err)
		return err;
	if (pa)
		*pa = pte_leaf_addr(*e, level);
	if (size)
		*size = level_span(level);
	*e = 0;
	return 0;
}

int
pt_protect(const struct pt_env *env, uint64_t root, uint64_t va, unsigned int flags)
{
	pte_t *e;
	int level, err = find_leaf(env, root, va, &e, &level);

	if (err)
		return err;
	*e = pte_make_leaf(pte_leaf_addr(*e, level), flags, level);
	return 0;
}

int
pt_translate(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t *pa,
	     unsigned int *flags)
{
	pte_t *e;
	int level, err = find_leaf(env, root, va, &e, &level);

	if (err)
		return err;
	if (pa)
		*pa = pte_leaf_addr(*e, level) | (va & (level_span(level) - 1));
	if (flags)
		*flags = pte_flags(*e);
	return 0;
}

int
pt_next_leaf(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t end, uint64_t *at,
	     uint64_t *pa, unsigned int *flags)
{
	/* Each pass either finds a leaf or skips the span of an empty entry,
	 * so a sparse range costs a walk per empty table, not per page. */
	while (va < end && pt_va_valid(va)) {
		pte_t *table = table_of(env, root);
		int l;

		for (l = PT_LEVELS - 1;; l--) {
			pte_t e = table[pt_index(va, l)];

			if (!pte_present(e)) {
				uint64_t span = level_span(l), next = (va & ~(span - 1)) + span;

				if (next <= va)
					return -E_NOENT; /* the top of the address space */
				va = next;
				break;
			}
			if (pte_is_leaf(e, l)) {
				*at = va & ~(level_span(l) - 1);
				if (pa)
					*pa = pte_leaf_addr(e, l);
				if (flags)
					*flags = pte_flags(e);
				return 0;
			}
			table = table_of(env, pte_table_addr(e));
		}
	}
	return -E_NOENT;
}

/*
 * The level-0 table holding va's entry (the entry's address), or NULL
 * with *skip the end of the hole when no table holds it (alloc false).
 */
static int
leaf_entry(const struct pt_env *env, uint64_t root, uint64_t va, bool alloc, pte_t **e,
	   uint64_t *skip)
{
	int level, err = walk(env, root, va, 0, alloc, VM_USER, e, &level);

	if (err == -E_NOENT) {
		/* Find the level of the hole, to skip all of it. */
		pte_t *table = table_of(env, root);

		for (int l = PT_LEVELS - 1; l > 0; l--) {
			pte_t t = table[pt_index(va, l)];

			if (!pte_present(t)) {
				*skip = (va & ~(level_span(l) - 1)) + level_span(l);
				break;
			}
			table = table_of(env, pte_table_addr(t));
		}
		*e = NULL;
		return 0;
	}
	if (err)
		return err;
	return level == 0 ? 0 : -E_NOTSUP; /* a large page: never in user spaces */
}

int
pt_copy_leaves(const struct pt_env *src, uint64_t src_root, uint64_t start, uint64_t end,
	       const struct pt_env *dst, uint64_t dst_root, uint64_t dst_start,
	       const struct pt_copy_ops *ops, struct pt_copy_result *res)
{
	uint64_t va = start & ~(uint64_t)(PAGE_SIZE_4K - 1);
	pte_t *next = NULL; /* dst's entry for va, when known */

	res->copied = 0;
	res->src_changed = false;
	while (va < end) {
		uint64_t skip = 0, stop;
		pte_t *se;
		int err;

		if (!pt_va_valid(va) || !pt_va_valid(va - start + dst_start))
			return -E_INVAL;
		err = leaf_entry(src, src_root, va, false, &se, &skip);
		if (err)
			return err;
		if (!se) {
			if (skip <= va)
				return 0; /* the top of the address space */
			va = skip;
			next = NULL;
			continue;
		}
		/* This table's entries in the range, one after the other. */
		stop = (va & ~(level_span(1) - 1)) + level_span(1);
		if (stop > end || stop < va)
			stop = end;
		for (; va < stop; va += PAGE_SIZE_4K, se++) {
			uint64_t dva = va - start + dst_start;
			bool last = pt_index(dva, 0) == PT_ENTRIES - 1;
			pte_t *de = next;

			next = NULL;
			if (!pte_present(*se)) {
				if (de && !last)
					next = de + 1;
				continue;
			}
			/* dst's table is made before the page is offered: a
			 * page offered is a page copied. */
			if (!de) {
				err = leaf_entry(dst, dst_root, dva, true, &de, &skip);
				if (err)
					return err;
			}
			if (pte_present(*de))
				return -E_EXIST;
			err = ops->leaf(ops->ctx, va, pte_leaf_addr(*se, 0),
					pte_leaf_writable(*se));
			if (err < 0)
				return err;
			if (err == PT_COPY_READ_ONLY && pte_leaf_writable(*se)) {
				*se = pte_leaf_read_only(*se);
				res->src_changed = true;
			}
			/* The entry as it is: permissions, attributes, frame. */
			*de = *se;
			res->copied++;
			if (!last)
				next = de + 1;
		}
	}
	return 0;
}

size_t
pt_clear_leaves(const struct pt_env *env, uint64_t root, uint64_t start, uint64_t end,
		void (*leaf)(void *ctx, uint64_t va, uint64_t pa), void *ctx)
{
	uint64_t va = start & ~(uint64_t)(PAGE_SIZE_4K - 1);
	size_t cleared = 0;

	while (va < end && pt_va_valid(va)) {
		uint64_t skip = 0, stop;
		pte_t *e;

		if (leaf_entry(env, root, va, false, &e, &skip))
			return cleared; /* a large page: never in user spaces */
		if (!e) {
			if (skip <= va)
				break; /* the top of the address space */
			va = skip;
			continue;
		}
		stop = (va & ~(level_span(1) - 1)) + level_span(1);
		if (stop > end || stop < va)
			stop = end;
		for (; va < stop; va += PAGE_SIZE_4K, e++) {
			uint64_t pa;

			if (!pte_present(*e))
				continue;
			pa = pte_leaf_addr(*e, 0);
			*e = 0;
			cleared++;
			leaf(ctx, va, pa);
		}
	}
	return cleared;
}

/* The entries of a table at base (each span wide) that overlap [start,
 * end), end > base: [*first, *stop).  A small range looks at a few
 * entries, not all 512 of every table on its way. */
static void
entries_in(uint64_t base, uint64_t span, uint64_t start, uint64_t end, unsigned int *first,
	   unsigned int *stop)
{
	uint64_t last = (end - 1 - base) / span;

	*first = start > base ? (unsigned int)((start - base) / span) : 0;
	*stop = last >= PT_ENTRIES ? PT_ENTRIES : (unsigned int)last + 1;
}

/* Frees the tables below the table at level covering [start, end) (48-bit). */
static size_t
destroy_level(const struct pt_env *env, pte_t *table, int level, uint64_t base, uint64_t start,
	      uint64_t end)
{
	uint64_t span = level_span(level);
	size_t freed = 0;
	unsigned int first, stop;

	entries_in(base, span, start, end, &first, &stop);
	for (unsigned int i = first; i < stop; i++) {
		uint64_t lo = base + i * span, hi = lo + span;
		pte_t *e = &table[i];

		if (hi <= start || lo >= end || !pte_present(*e) || pte_is_leaf(*e, level))
			continue;
		/* A last-level table holds only leaves: nothing below it to
		 * free, and its 512 entries are not worth a look. */
		if (level > 1)
			freed += destroy_level(env, table_of(env, pte_table_addr(*e)), level - 1,
					       lo, start, end);
		if (lo >= start && hi <= end) {
			env->free_table(env->ctx, pte_table_addr(*e));
			*e = 0;
			freed++;
		}
	}
	return freed;
}

/* [start, end) as offsets into the tree (end 0: to the top). */
static void
tree_range(uint64_t start, uint64_t end, uint64_t *s, uint64_t *e)
{
	*s = start & VA_MASK;
	*e = end == 0 || (end & VA_MASK) == 0 ? VA_MASK + 1 : end & VA_MASK;
}

size_t
pt_destroy(const struct pt_env *env, uint64_t root, uint64_t start, uint64_t end, int free_root)
{
	size_t freed;
	uint64_t s, e;

	tree_range(start, end, &s, &e);
	freed = destroy_level(env, table_of(env, root), PT_LEVELS - 1, 0, s, e);
	if (free_root) {
		env->free_table(env->ctx, root);
		freed++;
	}
	return freed;
}

static bool
table_empty(const pte_t *table)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (pte_present(table[i]))
			return false;
	return true;
}

/*
 * Frees the tables below table (at level) that cover part of [start,
 * end) and map nothing.  Each entry is emptied before its table is
 * freed, so the free hook may flush the TLB knowing nothing points there.
 */
static size_t
prune_level(const struct pt_env *env, pte_t *table, int level, uint64_t base, uint64_t start,
	    uint64_t end)
{
	uint64_t span = level_span(level);
	size_t freed = 0;
	unsigned int first, stop;

	entries_in(base, span, start, end, &first, &stop);
	for (unsigned int i = first; i < stop; i++) {
		uint64_t lo = base + i * span, hi = lo + span, pa;
		pte_t *e = &table[i];
		pte_t *below;

		if (hi <= start || lo >= end || !pte_present(*e) || pte_is_leaf(*e, level))
			continue;
		pa = pte_table_addr(*e);
		below = table_of(env, pa);
		if (level > 1) /* a page table holds leaves alone */
			freed += prune_level(env, below, level - 1, lo, start, end);
		if (table_empty(below)) {
			*e = 0;
			env->free_table(env->ctx, pa);
			freed++;
		}
	}
	return freed;
}

size_t
pt_prune(const struct pt_env *env, uint64_t root, uint64_t start, uint64_t end)
{
	uint64_t s, e;

	tree_range(start, end, &s, &e);
	return prune_level(env, table_of(env, root), PT_LEVELS - 1, 0, s, e);
}
