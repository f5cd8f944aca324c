/*
 * User address spaces: a page-table root whose user half belongs to one
 * process and whose kernel half is shared (x86_64 copies the kernel's
 * top-level entries; aarch64 keeps user space in TTBR0 and the kernel in
 * TTBR1).  Mapping is of 4 KiB pages below USER_SPACE_END, always with
 * VM_USER.  Frames mapped here belong to the caller: destroying the space
 * returns every page-table page, not the frames.
 */
#ifndef MM_VM_SPACE_H
#define MM_VM_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm_space {
	uint64_t root;
	size_t pages;		/* 4 KiB pages mapped now */
};

int vm_space_create(struct vm_space *vs);
/* Frees the page tables (the space must not be active). */
void vm_space_destroy(struct vm_space *vs);
/* -E_RANGE outside user space, -E_INVAL misaligned, -E_EXIST, -E_NOMEM. */
int vm_space_map(struct vm_space *vs, uintptr_t va, uint64_t pa, unsigned int flags);
int vm_space_unmap(struct vm_space *vs, uintptr_t va, uint64_t *pa);
int vm_space_protect(struct vm_space *vs, uintptr_t va, unsigned int flags);
int vm_space_translate(struct vm_space *vs, uintptr_t va, uint64_t *pa,
		       unsigned int *flags);
/* Makes vs the current user address space (NULL: none). */
void vm_space_activate(struct vm_space *vs);
bool vm_space_is_active(const struct vm_space *vs);

#endif
