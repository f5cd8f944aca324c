/*
 * User address spaces: a page-table root whose user half belongs to one
 * process and whose kernel half is shared (x86_64 copies the kernel's
 * top-level entries; aarch64 keeps user space in TTBR0 and the kernel in
 * TTBR1).  Mapping is of 4 KiB pages below USER_SPACE_END, always with
 * VM_USER.  Frames mapped here belong to the caller: destroying the space
 * returns every page-table page, not the frames.
 *
 * Every page-table page of the user half, the root included, is paid
 * for through the space's payer when it is made and given back when it
 * is freed (kernel/proc charges the owning process's Memory pool).  The
 * kernel half is the kernel's: never counted, never freed here.
 */
#ifndef MM_VM_SPACE_H
#define MM_VM_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/pagetable.h"

struct vm_payer {
	/* One page more for a table: 0, or -E_NOMEM to refuse it. */
	int (*charge)(void *ctx);
	void (*uncharge)(void *ctx);
};

struct vm_space {
	uint64_t root;
	size_t pages;		      /* 4 KiB pages mapped now */
	size_t tables;		      /* page-table pages now, the root included */
	struct pt_env env;	      /* the kernel's, with each table paid for */
	const struct vm_payer *payer; /* NULL: nobody pays */
	void *payer_ctx;
};

/* -E_NOMEM when there is no page for the root or the payer refuses it. */
int vm_space_create(struct vm_space *vs, const struct vm_payer *payer, void *payer_ctx);
/* Frees the page tables (the space must not be active); harmless on a
 * space whose create failed. */
void vm_space_destroy(struct vm_space *vs);
/* -E_RANGE outside user space, -E_INVAL misaligned, -E_EXIST, -E_NOMEM
 * (no page for a table, or the payer refused one: nothing was mapped). */
int vm_space_map(struct vm_space *vs, uintptr_t va, uint64_t pa, unsigned int flags);
int vm_space_unmap(struct vm_space *vs, uintptr_t va, uint64_t *pa);
/* Frees the tables of [va, va + pages pages) that map nothing any more
 * (after unmapping it, or a mapping that failed halfway). */
void vm_space_trim(struct vm_space *vs, uintptr_t va, size_t pages);
int vm_space_protect(struct vm_space *vs, uintptr_t va, unsigned int flags);
int vm_space_translate(struct vm_space *vs, uintptr_t va, uint64_t *pa, unsigned int *flags);
/* The first mapped page at or above va and below end (-E_NOENT: none),
 * skipping unmapped stretches a table at a time. */
int vm_space_next(struct vm_space *vs, uintptr_t va, uintptr_t end, uintptr_t *at, uint64_t *pa,
		  unsigned int *flags);
/*
 * Maps src's pages of [va, va + pages pages) into dst at dst_va
 * (pt_copy_leaves: ops->leaf decides each page's flags on both sides; dst
 * pays for its tables), a table at a time, with one TLB flush of src at
 * the end when it is active and lost a permission.  dst may be src when
 * the ranges do not overlap.  *copied: pages mapped in dst, also on an
 * error (the caller undoes them).
 */
int vm_space_copy(struct vm_space *src, uintptr_t va, size_t pages, struct vm_space *dst,
		  uintptr_t dst_va, const struct pt_copy_ops *ops, size_t *copied);
/* Empties the entries of [va, va + pages pages) and hands each page to
 * leaf (pt_clear_leaves), a table at a time, with no TLB flush: for a
 * space that is not active and that nobody runs in (teardown). */
void vm_space_clear(struct vm_space *vs, uintptr_t va, size_t pages,
		    void (*leaf)(void *ctx, uint64_t va, uint64_t pa), void *ctx);
/* Makes vs the current user address space (NULL: none). */
void vm_space_activate(struct vm_space *vs);
bool vm_space_is_active(const struct vm_space *vs);

#endif
