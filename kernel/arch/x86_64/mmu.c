/* x86_64 page-table switching and TLB maintenance for kernel/mm. */
#include "arch/arch.h"

#include "asm/layout.h"
#include "mm/phys.h"
#include "lib/string.h"

#define CR4_PGE (1ul << 7)

extern char boot_stack_guard[];

void
arch_vm_activate(uint64_t root_pa)
{
	uint64_t cr4;

	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	if (!(cr4 & CR4_PGE)) {
		cr4 |= CR4_PGE;
		__asm__ volatile("movq %0, %%cr4" : : "r"(cr4) : "memory");
	}
	__asm__ volatile("movq %0, %%cr3" : : "r"(root_pa) : "memory");
}

/* One CR3 holds both halves: a user root already carries the kernel's. */
void
arch_vm_activate_user(uint64_t root_pa)
{
	extern uint64_t vmm_kernel_root;

	__asm__ volatile("movq %0, %%cr3" : : "r"(root_pa ? root_pa : vmm_kernel_root) : "memory");
}

uint64_t
arch_vm_current(void)
{
	uint64_t cr3;

	__asm__ volatile("movq %%cr3, %0" : "=r"(cr3));
	return cr3 & ~0xfffull;
}

void
arch_tlb_flush_page(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Toggling PGE flushes global entries too. */
void
arch_tlb_flush_all(void)
{
	uint64_t cr4;

	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("movq %0, %%cr4" : : "r"(cr4 & ~CR4_PGE) : "memory");
	__asm__ volatile("movq %0, %%cr4" : : "r"(cr4) : "memory");
}

extern char __boot_start[], __kernel_end[];

void
arch_kernel_phys_extent(uint64_t *start, uint64_t *end)
{
	*start = (uint64_t)__boot_start;
	*end = (uint64_t)__kernel_end - KERNEL_VMA;
}

uint64_t
arch_kernel_image_phys(uintptr_t va)
{
	return va - KERNEL_VMA;
}

/* The upper 256 PML4 entries are the kernel's.  vmm_init creates every
 * one the kernel will use (direct map, stacks, MMIO, image) before any
 * user space exists, so copying them shares all kernel mappings, now
 * and later. */
void
arch_vm_init_user_root(uint64_t root_pa, uint64_t kernel_root_pa)
{
	uint64_t *dst = phys_to_virt(root_pa);
	const uint64_t *src = phys_to_virt(kernel_root_pa);

	memset(dst, 0, 256 * sizeof(uint64_t));
	memcpy(dst + 256, src + 256, 256 * sizeof(uint64_t));
}

uintptr_t
arch_boot_stack_guard(void)
{
	return (uintptr_t)boot_stack_guard;
}
