/* Architecture-neutral mapping permissions, turned into PTE bits by asm/pte.h. */
#ifndef MM_VM_FLAGS_H
#define MM_VM_FLAGS_H

/* User mappings: none of READ, WRITE and EXEC is a guard leaf (VM_GUARD,
 * mm/vm_space.c) that keeps its page and its data for no one to touch. */
#define VM_READ	     (1u << 0) /* implied by write or execute */
#define VM_WRITE     (1u << 1)
#define VM_EXEC	     (1u << 2)
#define VM_USER	     (1u << 3)
#define VM_GLOBAL    (1u << 4) /* kernel mappings: survive address-space switches */
#define VM_UNCACHED  (1u << 5) /* device memory */
/* A leaf that holds a frame but that the CPU sees as not present, in user
 * mode and in the kernel alike: a user copy touching it faults, and the
 * fault resolves through the region, which refuses (-E_FAULT). */
#define VM_GUARD     (1u << 6)

#define PAGE_SHIFT   12
#define PAGE_SIZE_4K (1ul << 12)
#define PAGE_SIZE_2M (1ul << 21)

#endif
