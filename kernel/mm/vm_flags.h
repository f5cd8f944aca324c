/* Architecture-neutral mapping permissions, turned into PTE bits by asm/pte.h. */
#ifndef MM_VM_FLAGS_H
#define MM_VM_FLAGS_H

/* User mappings: none of READ, WRITE and EXEC is a page present for the
 * kernel alone (mm/vm_space.c), a guard that keeps its data. */
#define VM_READ	     (1u << 0) /* implied by write or execute */
#define VM_WRITE     (1u << 1)
#define VM_EXEC	     (1u << 2)
#define VM_USER	     (1u << 3)
#define VM_GLOBAL    (1u << 4) /* kernel mappings: survive address-space switches */
#define VM_UNCACHED  (1u << 5) /* device memory */

#define PAGE_SHIFT   12
#define PAGE_SIZE_4K (1ul << 12)
#define PAGE_SIZE_2M (1ul << 21)

#endif
