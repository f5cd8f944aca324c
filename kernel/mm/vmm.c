/*
 * Builds the kernel's page tables from the boot memory map and the
 * linker's section symbols, then switches to them: from then on the
 * boot identity map is gone (a NULL dereference faults), nothing
 * writable is executable, and the boot stack has a guard page.
 */
#include "mm/vmm.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "asm/layout.h"
#include "asm/pte.h"
#include "core/printk.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "themelios/errno.h"

#define STACK_SLOT_PAGES 16 /* one guard page + up to 15 stack pages */
#define STACK_SLOTS	 (KSTACK_AREA_SIZE / (STACK_SLOT_PAGES * PAGE_SIZE_4K))

extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];

uint64_t vmm_kernel_root;
static uint64_t stack_slot_used[STACK_SLOTS / 64];
static uintptr_t mmio_next = MMIO_AREA_BASE;

static void *
env_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static int
env_alloc_table(void *ctx, uint64_t *pa)
{
	(void)ctx;
	if (pmm_alloc_frame(pa) != 0)
		return -E_NOMEM;
	memset(phys_to_virt(*pa), 0, PAGE_SIZE_4K);
	return 0;
}

static void
env_free_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	pmm_free_frame(pa);
}

const struct pt_env vmm_env = { env_phys_to_virt, env_alloc_table, env_free_table, NULL };

/* The highest end of memory the direct map must cover. */
static uint64_t
direct_map_end(const struct boot_info *bi)
{
	uint64_t end = DIRECT_MAP_MIN_END; /* e.g. x86 ACPI tables below 4 GiB */

	for (size_t i = 0; i < bi->nmem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		if (r->type == BOOT_MEM_RESERVED || r->type == BOOT_MEM_BAD)
			continue;
		if (r->base + r->length > end)
			end = r->base + r->length;
	}
	end = (end + PAGE_SIZE_2M - 1) & ~(uint64_t)(PAGE_SIZE_2M - 1);
	return end < DIRECT_MAP_MAX ? end : DIRECT_MAP_MAX;
}

/* All of it RW and NX; the arch's device range (if any) uncached. */
static int
map_direct(uint64_t root, uint64_t end)
{
	static const uint64_t device_end = DIRECT_MAP_DEVICE_END;

	for (uint64_t pa = 0; pa < end; pa += PAGE_SIZE_2M) {
		unsigned int dev = pa < device_end ? VM_UNCACHED : 0;
		int err = pt_map(&vmm_env, root, DIRECT_MAP_BASE + pa, pa, PAGE_SIZE_2M,
				 VM_READ | VM_WRITE | VM_GLOBAL | dev);
		if (err)
			return err;
	}
	return 0;
}

static int
map_image_range(uint64_t root, const char *start, const char *end, unsigned int flags,
		uintptr_t skip)
{
	for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end; va += PAGE_SIZE_4K) {
		int err;

		if (va == skip)
			continue;
		err = pt_map(&vmm_env, root, va, arch_kernel_image_phys(va), PAGE_SIZE_4K,
			     flags | VM_GLOBAL);
		if (err)
			return err;
	}
	return 0;
}

/* Creates the top-level entries of every kernel area now, so a user
 * address space that copies them shares later kernel mappings too. */
static int
prepare_kernel_areas(uint64_t root, uint64_t dm_end)
{
	static const uintptr_t areas[] = { KSTACK_AREA_BASE, MMIO_AREA_BASE, KERNEL_VMA };
	int err = 0;

	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]) && !err; i++)
		err = pt_prepare(&vmm_env, root, areas[i], PT_LEVELS - 2);
	for (uint64_t pa = 0; pa < dm_end && !err; pa += 1ull << (12 + 9 * (PT_LEVELS - 1)))
		err = pt_prepare(&vmm_env, root, DIRECT_MAP_BASE + pa, PT_LEVELS - 2);
	return err;
}

int
vmm_init(const struct boot_info *bi)
{
	uint64_t root, dm_end = direct_map_end(bi);
	int err;

	if ((err = env_alloc_table(NULL, &root)) != 0)
		return err;
	if ((err = prepare_kernel_areas(root, dm_end)) != 0 ||
	    (err = map_direct(root, dm_end)) != 0 ||
	    (err = map_image_range(root, __text_start, __text_end, VM_READ | VM_EXEC, 0)) != 0 ||
	    (err = map_image_range(root, __rodata_start, __rodata_end, VM_READ, 0)) != 0 ||
	    (err = map_image_range(root, __data_start, __bss_end, VM_READ | VM_WRITE,
				   arch_boot_stack_guard())) != 0)
		return err;
	vmm_kernel_root = root;
	arch_vm_activate(root);
	pr_info("vmm: kernel page tables active: text %p-%p RX, rodata R, data RW NX, "
		"direct map of %lu MiB NX\n",
		(void *)__text_start, (void *)__text_end, dm_end >> 20);
	return 0;
}

int
vmm_map_page(uintptr_t va, uint64_t pa, unsigned int flags)
{
	return pt_map(&vmm_env, vmm_kernel_root, va, pa, PAGE_SIZE_4K, flags);
}

int
vmm_unmap_page(uintptr_t va, uint64_t *pa)
{
	int err = pt_unmap(&vmm_env, vmm_kernel_root, va, pa, NULL);

	if (!err)
		arch_tlb_flush_page(va);
	return err;
}

int
vmm_protect_page(uintptr_t va, unsigned int flags)
{
	int err = pt_protect(&vmm_env, vmm_kernel_root, va, flags);

	if (!err)
		arch_tlb_flush_page(va);
	return err;
}

int
vmm_translate(uintptr_t va, uint64_t *pa, unsigned int *flags)
{
	return pt_translate(&vmm_env, vmm_kernel_root, va, pa, flags);
}

void *
vmm_map_mmio(uint64_t phys, size_t size)
{
	uint64_t first = phys & ~(uint64_t)(PAGE_SIZE_4K - 1);
	size_t len =
		(size_t)((phys + size - first + PAGE_SIZE_4K - 1) & ~(uint64_t)(PAGE_SIZE_4K - 1));
	uintptr_t va = mmio_next;

	if (!size || va + len > MMIO_AREA_BASE + MMIO_AREA_SIZE)
		return NULL;
	for (size_t off = 0; off < len; off += PAGE_SIZE_4K)
		if (vmm_map_page(va + off, first + off,
				 VM_READ | VM_WRITE | VM_GLOBAL | VM_UNCACHED) != 0)
			return NULL;
	mmio_next += len;
	return (void *)(va + (phys - first));
}

uintptr_t
vmm_alloc_stack(size_t pages)
{
	size_t slot;

	if (pages == 0 || pages >= STACK_SLOT_PAGES)
		return 0;
	for (slot = 0; slot < STACK_SLOTS; slot++)
		if (!(stack_slot_used[slot / 64] & (1ull << (slot % 64))))
			break;
	if (slot == STACK_SLOTS)
		return 0;

	/* The stack ends at the top of its slot; the pages below stay unmapped. */
	uintptr_t top = KSTACK_AREA_BASE + (slot + 1) * STACK_SLOT_PAGES * PAGE_SIZE_4K;
	uintptr_t base = top - pages * PAGE_SIZE_4K;
	for (size_t i = 0; i < pages; i++) {
		uint64_t pa;
		if (pmm_alloc_frame(&pa) != 0 ||
		    vmm_map_page(base + i * PAGE_SIZE_4K, pa, VM_READ | VM_WRITE | VM_GLOBAL) !=
			    0) {
			vmm_free_stack(base, i);
			return 0;
		}
	}
	stack_slot_used[slot / 64] |= 1ull << (slot % 64);
	return base;
}

void
vmm_free_stack(uintptr_t base, size_t pages)
{
	size_t slot = (base - KSTACK_AREA_BASE) / (STACK_SLOT_PAGES * PAGE_SIZE_4K);

	for (size_t i = 0; i < pages; i++) {
		uint64_t pa;
		if (vmm_unmap_page(base + i * PAGE_SIZE_4K, &pa) == 0)
			pmm_free_frame(pa);
	}
	if (slot < STACK_SLOTS)
		stack_slot_used[slot / 64] &= ~(1ull << (slot % 64));
}
