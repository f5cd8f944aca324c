/* aarch64 page-table switching and TLB maintenance for kernel/mm. */
#include "arch/arch.h"

#include "asm/layout.h"

extern char boot_stack_guard[], _head[], __kernel_end[];

/* Where QEMU loaded the image (aarch64_start records it). */
uint64_t aarch64_load_address;

/* Until user space exists, TTBR0 points at an empty table: the boot
 * identity map goes away and address 0 faults. */
static uint64_t no_user_space[512] __attribute__((aligned(4096)));

/* The kernel's root goes in TTBR1; user roots will go in TTBR0. */
void
arch_vm_activate(uint64_t root_pa)
{
	__asm__ volatile("msr ttbr0_el1, %0"
			 :
			 : "r"(arch_kernel_image_phys((uintptr_t)no_user_space)));
	__asm__ volatile("dsb ishst\n\t"
			 "msr ttbr1_el1, %0\n\t"
			 "isb\n\t"
			 "tlbi vmalle1\n\t"
			 "dsb ish\n\t"
			 "isb"
			 :
			 : "r"(root_pa)
			 : "memory");
}

/* User space lives in TTBR0; with none, an empty table. */
void
arch_vm_activate_user(uint64_t root_pa)
{
	if (!root_pa)
		root_pa = arch_kernel_image_phys((uintptr_t)no_user_space);
	__asm__ volatile("msr ttbr0_el1, %0\n\t"
			 "isb\n\t"
			 "tlbi vmalle1\n\t"
			 "dsb ish\n\t"
			 "isb"
			 :
			 : "r"(root_pa)
			 : "memory");
}

uint64_t
arch_vm_current(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, ttbr1_el1" : "=r"(v));
	return v & 0x0000fffffffff000ull;
}

void
arch_tlb_flush_page(uintptr_t va)
{
	__asm__ volatile("dsb ishst\n\t"
			 "tlbi vaae1, %0\n\t"
			 "dsb ish\n\t"
			 "isb"
			 :
			 : "r"((va >> 12) & 0xfffffffffffull)
			 : "memory");
}

void
arch_tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" : : : "memory");
}

void
arch_kernel_phys_extent(uint64_t *start, uint64_t *end)
{
	*start = aarch64_load_address;
	*end = aarch64_load_address + ((uintptr_t)__kernel_end - (uintptr_t)_head);
}

uint64_t
arch_kernel_image_phys(uintptr_t va)
{
	return va - KERNEL_VMA + aarch64_load_address;
}

/* User space has its own translation base (TTBR0): nothing to share. */
void
arch_vm_init_user_root(uint64_t root_pa, uint64_t kernel_root_pa)
{
	(void)root_pa;
	(void)kernel_root_pa;
}

uintptr_t
arch_boot_stack_guard(void)
{
	return (uintptr_t)boot_stack_guard;
}
