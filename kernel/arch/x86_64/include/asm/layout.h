/*
 * The x86_64 virtual address layout, shared by C and assembly.
 *   0x0000000000000000 .. 0x00007fffffffffff  user space (Phase 2)
 *   0xffff800000000000 ..                     direct map of physical memory
 *   0xffffff0000000000 ..                     kernel stacks (guard page below each)
 *   0xffffff8000000000 ..                     MMIO windows (uncached)
 *   0xffffffff80000000 ..                     kernel image (-2 GiB)
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#define KERNEL_VMA	      0xffffffff80000000
#define DIRECT_MAP_BASE	      0xffff800000000000
#define DIRECT_MAP_MAX	      (64ull << 40)	 /* 64 TiB of RAM at most */
#define DIRECT_MAP_MIN_END    (4ull << 30)	 /* ACPI tables, APICs: below 4 GiB */
#define DIRECT_MAP_DEVICE_END 0			 /* caching comes from the MTRRs */
#define KSTACK_AREA_BASE      0xffffff0000000000 /* kernel stacks, with guards */
#define KSTACK_AREA_SIZE      (1ull << 30)
#define MMIO_AREA_BASE	      0xffffff8000000000 /* uncached device windows */
#define MMIO_AREA_SIZE	      (1ull << 30)
#define USER_SPACE_END	      0x0000800000000000
#define KERNEL_PHYS_BASE      0x100000

#define PAGE_SIZE	      4096

#endif
