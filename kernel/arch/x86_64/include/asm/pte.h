/*
 * x86_64 4-level page table entries, in the vocabulary of the generic
 * walker (kernel/mm/pagetable.c).  Level 0 is the page table (4 KiB
 * pages), 1 the page directory (2 MiB pages), 3 the PML4.
 */
#ifndef ASM_PTE_H
#define ASM_PTE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/vm_flags.h"

typedef uint64_t pte_t;

#define PT_LEVELS     4
#define PT_ENTRIES    512

#define X86_PTE_P     (1ull << 0)
#define X86_PTE_W     (1ull << 1)
#define X86_PTE_U     (1ull << 2)
#define X86_PTE_PWT   (1ull << 3)
#define X86_PTE_PCD   (1ull << 4)
#define X86_PTE_A     (1ull << 5)
#define X86_PTE_D     (1ull << 6)
#define X86_PTE_PS    (1ull << 7)
#define X86_PTE_G     (1ull << 8)
#define X86_PTE_NX    (1ull << 63)
/* Available to software, and ignored by the CPU while P is clear: a guard
 * leaf (VM_GUARD) is an entry with its frame and this bit, without P. */
#define X86_PTE_GUARD (1ull << 9)
#define X86_PTE_ADDR  0x000ffffffffff000ull

static inline unsigned int
pt_index(uint64_t va, int level)
{
	return (unsigned int)(va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
}

/* Canonical 48-bit address: bits 63..47 all equal. */
static inline bool
pt_va_valid(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

/* Can a leaf (a page) sit at this level? 4 KiB and 2 MiB pages. */
static inline bool
pt_level_allows_leaf(int level)
{
	return level == 0 || level == 1;
}

/* In use: a table, a page, or a guard leaf (not present for the CPU). */
static inline bool
pte_present(pte_t e)
{
	return e & (X86_PTE_P | X86_PTE_GUARD);
}

static inline bool
pte_is_leaf(pte_t e, int level)
{
	return level == 0 || (e & X86_PTE_PS);
}

static inline uint64_t
pte_table_addr(pte_t e)
{
	return e & X86_PTE_ADDR;
}

static inline uint64_t
pte_leaf_addr(pte_t e, int level)
{
	uint64_t mask = X86_PTE_ADDR & ~((1ull << (12 + 9 * level)) - 1);

	return e & mask;
}

/* Intermediate entries allow everything; the leaf decides. */
static inline pte_t
pte_make_table(uint64_t pa, unsigned int flags)
{
	return pa | X86_PTE_P | X86_PTE_W | ((flags & VM_USER) ? X86_PTE_U : 0);
}

static inline pte_t
pte_make_leaf(uint64_t pa, unsigned int flags, int level)
{
	pte_t e = pa | X86_PTE_P;

	if (flags & VM_GUARD)
		return pa | X86_PTE_GUARD | (level > 0 ? X86_PTE_PS : 0);
	if (flags & VM_WRITE)
		e |= X86_PTE_W;
	if (flags & VM_USER)
		e |= X86_PTE_U;
	if (!(flags & VM_EXEC))
		e |= X86_PTE_NX;
	if (flags & VM_GLOBAL)
		e |= X86_PTE_G;
	if (flags & VM_UNCACHED)
		e |= X86_PTE_PCD | X86_PTE_PWT;
	if (level > 0)
		e |= X86_PTE_PS;
	return e;
}

static inline unsigned int
pte_flags(pte_t e)
{
	unsigned int f = VM_READ;

	if (e & X86_PTE_GUARD)
		return VM_GUARD;
	if (e & X86_PTE_W)
		f |= VM_WRITE;
	if (e & X86_PTE_U)
		f |= VM_USER;
	if (!(e & X86_PTE_NX))
		f |= VM_EXEC;
	if (e & X86_PTE_G)
		f |= VM_GLOBAL;
	if (e & X86_PTE_PCD)
		f |= VM_UNCACHED;
	return f;
}

/* A leaf's write permission, and the leaf without it (the rest kept). */
static inline bool
pte_leaf_writable(pte_t e)
{
	return e & X86_PTE_W;
}

static inline pte_t
pte_leaf_read_only(pte_t e)
{
	return e & ~X86_PTE_W;
}

/* A table entry reached by user mappings must allow user access. */
static inline pte_t
pte_table_add_user(pte_t e, unsigned int flags)
{
	return (flags & VM_USER) ? e | X86_PTE_U : e;
}

#endif
