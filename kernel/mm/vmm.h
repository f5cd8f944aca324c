/*
 * The kernel's virtual memory: its own page tables (text RX, rodata R,
 * data RW+NX, a non-executable direct map of all RAM), kernel stacks
 * with unmapped guard pages, and uncached MMIO windows.
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"
#include "mm/pagetable.h"

extern uint64_t vmm_kernel_root;
extern const struct pt_env vmm_env;

int vmm_init(const struct boot_info *bi);

/* Kernel mappings of single 4 KiB pages (flags: VM_*), with TLB upkeep. */
int vmm_map_page(uintptr_t va, uint64_t pa, unsigned int flags);
int vmm_unmap_page(uintptr_t va, uint64_t *pa);
int vmm_protect_page(uintptr_t va, unsigned int flags);
int vmm_translate(uintptr_t va, uint64_t *pa, unsigned int *flags);

/* Maps size bytes of device memory at phys uncached; NULL on failure. */
void *vmm_map_mmio(uint64_t phys, size_t size);

/*
 * A kernel stack of pages pages with an unmapped guard page below it.
 * Returns the lowest usable address (the top is base + pages * 4 KiB),
 * or 0 when out of memory or stack slots.
 */
uintptr_t vmm_alloc_stack(size_t pages);
void vmm_free_stack(uintptr_t base, size_t pages);

#endif
