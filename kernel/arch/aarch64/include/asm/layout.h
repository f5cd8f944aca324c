/*
 * The aarch64 virtual address layout (4 KiB granule, 48-bit addresses).
 * TTBR0 holds user space, TTBR1 the kernel half:
 *   0x0000000000000000 .. 0x0000ffffffffffff  user space (Phase 2)
 *   0xffff000000000000 ..                     direct map of physical memory
 *                                             (the first GiB, where QEMU virt
 *                                             puts its devices, as device memory)
 *   0xffffff0000000000 ..                     kernel stacks (guard page below each)
 *   0xffffff8000000000 ..                     MMIO windows (device memory)
 *   0xffffffff80000000 ..                     kernel image, wherever it was loaded
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#define KERNEL_VMA	      0xffffffff80000000
#define DIRECT_MAP_BASE	      0xffff000000000000
#define DIRECT_MAP_MAX	      (64ull << 40)
#define DIRECT_MAP_MIN_END    (1ull << 30)
#define DIRECT_MAP_DEVICE_END (1ull << 30) /* [0, 1 GiB) is device memory */
#define KSTACK_AREA_BASE      0xffffff0000000000
#define KSTACK_AREA_SIZE      (1ull << 30)
#define MMIO_AREA_BASE	      0xffffff8000000000
#define MMIO_AREA_SIZE	      (1ull << 30)
#define USER_SPACE_END	      0x0001000000000000

#define PAGE_SIZE	      4096

#endif
