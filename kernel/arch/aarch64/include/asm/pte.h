/*
 * aarch64 translation table descriptors (4 KiB granule, 4 levels), in
 * the vocabulary of the generic walker (kernel/mm/pagetable.c): level 0
 * is the last level (4 KiB pages), level 1 holds 2 MiB blocks, level 3
 * is the root.  MAIR index 0 is device memory, 1 normal write-back.
 */
#ifndef ASM_PTE_H
#define ASM_PTE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/vm_flags.h"

typedef uint64_t pte_t;

#define PT_LEVELS	4
#define PT_ENTRIES	512

#define A64_VALID	(1ull << 0)
#define A64_TABLE	(1ull << 1) /* table (upper levels) or page (level 0) */
#define A64_ATTR_DEVICE (0ull << 2)
#define A64_ATTR_NORMAL (1ull << 2)
#define A64_AP_EL0	(1ull << 6)
#define A64_AP_RO	(1ull << 7)
#define A64_SH_INNER	(3ull << 8)
#define A64_AF		(1ull << 10)
#define A64_NG		(1ull << 11)
#define A64_PXN		(1ull << 53)
#define A64_UXN		(1ull << 54)
#define A64_PXN_TABLE	(1ull << 59) /* nothing below is executable at EL1 */
/* Reserved for software, and the whole descriptor ignored while VALID is
 * clear: a guard leaf (VM_GUARD) is its frame and this bit, not VALID. */
#define A64_GUARD	(1ull << 55)
#define A64_ADDR	0x0000fffffffff000ull

static inline unsigned int
pt_index(uint64_t va, int level)
{
	return (unsigned int)(va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
}

/* TTBR0 addresses have the top 16 bits clear, TTBR1 addresses set. */
static inline bool
pt_va_valid(uint64_t va)
{
	uint64_t top = va >> 48;

	return top == 0 || top == 0xffff;
}

static inline bool
pt_level_allows_leaf(int level)
{
	return level == 0 || level == 1;
}

/* In use: a table, a page, or a guard leaf (invalid for the MMU). */
static inline bool
pte_present(pte_t e)
{
	return e & (A64_VALID | A64_GUARD);
}

static inline bool
pte_is_leaf(pte_t e, int level)
{
	return level == 0 || !(e & A64_TABLE);
}

static inline uint64_t
pte_table_addr(pte_t e)
{
	return e & A64_ADDR;
}

static inline uint64_t
pte_leaf_addr(pte_t e, int level)
{
	return e & A64_ADDR & ~((1ull << (12 + 9 * level)) - 1);
}

/* A table holding user mappings (only ever in a TTBR0 tree) also says
 * PXN, so the kernel cannot execute from user memory even if a leaf
 * lacked its own PXN. */
static inline pte_t
pte_make_table(uint64_t pa, unsigned int flags)
{
	return pa | A64_VALID | A64_TABLE | ((flags & VM_USER) ? A64_PXN_TABLE : 0);
}

static inline pte_t
pte_make_leaf(uint64_t pa, unsigned int flags, int level)
{
	pte_t e = pa | A64_VALID | A64_AF | (level == 0 ? A64_TABLE : 0);

	if (flags & VM_GUARD)
		return pa | A64_GUARD | (level == 0 ? A64_TABLE : 0);
	e |= (flags & VM_UNCACHED) ? A64_ATTR_DEVICE : (A64_ATTR_NORMAL | A64_SH_INNER);
	if (!(flags & VM_WRITE))
		e |= A64_AP_RO;
	if (flags & VM_USER) {
		e |= A64_AP_EL0 | A64_NG | A64_PXN; /* the kernel never runs user code */
		if (!(flags & VM_EXEC))
			e |= A64_UXN;
	} else {
		e |= A64_UXN;
		if (!(flags & VM_EXEC))
			e |= A64_PXN;
		if (!(flags & VM_GLOBAL))
			e |= A64_NG;
	}
	return e;
}

static inline unsigned int
pte_flags(pte_t e)
{
	unsigned int f = VM_READ;
	bool user = e & A64_AP_EL0;

	if (e & A64_GUARD)
		return VM_GUARD;
	if (!(e & A64_AP_RO))
		f |= VM_WRITE;
	if (user)
		f |= VM_USER;
	if (user ? !(e & A64_UXN) : !(e & A64_PXN))
		f |= VM_EXEC;
	if (!(e & A64_NG))
		f |= VM_GLOBAL;
	if ((e & (7ull << 2)) == A64_ATTR_DEVICE)
		f |= VM_UNCACHED;
	return f;
}

/* A leaf's write permission, and the leaf without it (the rest kept). */
static inline bool
pte_leaf_writable(pte_t e)
{
	return !(e & A64_AP_RO);
}

static inline pte_t
pte_leaf_read_only(pte_t e)
{
	return e | A64_AP_RO;
}

/* Access rights live in the leaves, apart from the PXN of user tables. */
static inline pte_t
pte_table_add_user(pte_t e, unsigned int flags)
{
	return (flags & VM_USER) ? e | A64_PXN_TABLE : e;
}

#endif
