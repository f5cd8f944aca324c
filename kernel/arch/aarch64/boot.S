/*
 * aarch64 entry, as a Linux arm64 Image: QEMU's -kernel loads us at a
 * 2 MiB-aligned address of its choosing, MMU off, with the device tree's
 * physical address in x0.  We drop from EL2 to EL1 when started there,
 * zero .bss, build boot page tables (identity map for the switch, the
 * direct map of the first 16 GiB in TTBR1 -- its first GiB as device
 * memory -- and the image at KERNEL_VMA), turn the MMU on, and call
 * aarch64_start(dtb, load address) in the higher half.  Until then every
 * address comes from adrp/adr, which are PC-relative and so physical.
 */
#include "asm/layout.h"

#define DESC_TABLE	0x3
#define BLOCK_NORMAL	(0x1 | (1 << 2) | (3 << 8) | (1 << 10))	/* attr 1, inner shareable, AF */
#define BLOCK_DEVICE	(0x1 | (0 << 2) | (1 << 10) | (3 << 53))	/* attr 0, AF, PXN, UXN */
#define MAIR_VALUE	0xff00		/* attr 0 device nGnRnE, attr 1 normal write-back */
#define TCR_T0SZ	16
#define TCR_T1SZ	(16 << 16)
#define TCR_WALK0	((1 << 8) | (1 << 10) | (3 << 12))	/* WB caches, inner shareable */
#define TCR_WALK1	((1 << 24) | (1 << 26) | (3 << 28))
#define TCR_TG1_4K	(2 << 30)
#define SCTLR_MMU	((1 << 0) | (1 << 2) | (1 << 12))	/* M, C, I */
#define SCTLR_WXN	(1 << 19)
#define DIRECT_MAP_GIB	16
#define IMAGE_BLOCKS	16		/* 2 MiB blocks: images up to 32 MiB */

	.section .text.head, "ax"
	.global _head
_head:
	b	primary_entry
	.long	0
	.quad	0			/* text_offset */
	.quad	__image_size		/* bytes from _head to the end of .bss */
	.quad	0xa			/* little-endian, 4 KiB pages, anywhere 2 MiB-aligned */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

primary_entry:
	mov	x20, x0			/* device tree */
	adr	x21, _head		/* load address */
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	cmp	x0, #2
	b.ne	in_el1
	mov	x0, #(1 << 31)		/* HCR_EL2.RW: EL1 runs AArch64 */
	msr	hcr_el2, x0
	mov	x0, #3			/* EL1 may use the physical counter and timer */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #0x3c5		/* EL1h, all exceptions masked */
	msr	spsr_el2, x0
	adr	x0, in_el1
	msr	elr_el2, x0
	eret

in_el1:
	msr	daifset, #0xf
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x0
	isb

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:
	/* Direct map and identity: one level-1 table of 1 GiB blocks. */
	adrp	x0, boot_l1_low
	mov	x1, #BLOCK_DEVICE & 0xffff
	movk	x1, #(BLOCK_DEVICE >> 48) & 0xffff, lsl #48
	str	x1, [x0]		/* GiB 0: QEMU virt's devices */
	mov	x2, #1
3:	mov	x1, #BLOCK_NORMAL
	orr	x1, x1, x2, lsl #30
	str	x1, [x0, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #DIRECT_MAP_GIB
	b.lo	3b

	adrp	x1, boot_l0_low		/* TTBR0: identity */
	orr	x2, x0, #DESC_TABLE
	str	x2, [x1]
	adrp	x1, boot_l0_high	/* TTBR1: entry 0 is the direct map base */
	str	x2, [x1]

	/* The image: L0[511] -> L1[510] -> L2 of 2 MiB blocks at the load address. */
	adrp	x3, boot_l1_image
	orr	x4, x3, #DESC_TABLE
	str	x4, [x1, #511 * 8]
	adrp	x5, boot_l2_image
	orr	x4, x5, #DESC_TABLE
	str	x4, [x3, #510 * 8]
	mov	x2, #0
4:	mov	x4, #BLOCK_NORMAL
	add	x6, x21, x2, lsl #21
	orr	x4, x4, x6
	str	x4, [x5, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #IMAGE_BLOCKS
	b.lo	4b

	mov	x0, #MAIR_VALUE
	msr	mair_el1, x0
	mrs	x0, id_aa64mmfr0_el1	/* physical address size */
	and	x0, x0, #7
	ldr	x1, =(TCR_T0SZ | TCR_T1SZ | TCR_WALK0 | TCR_WALK1 | TCR_TG1_4K)
	orr	x1, x1, x0, lsl #32
	msr	tcr_el1, x1
	adrp	x0, boot_l0_low
	msr	ttbr0_el1, x0
	adrp	x0, boot_l0_high
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x0, sctlr_el1
	ldr	x1, =SCTLR_MMU
	orr	x0, x0, x1
	bic	x0, x0, #SCTLR_WXN
	msr	sctlr_el1, x0
	isb

	ldr	x0, =higher_half
	br	x0

	.text
higher_half:
	ldr	x0, =boot_stack_top
	mov	sp, x0
	mov	x29, #0
	mov	x30, #0
	mov	x0, x20
	mov	x1, x21
	bl	aarch64_start
5:	wfe
	b	5b

	/*
	 * One 64 KiB block: the boot page tables, then the boot stack in the
	 * top 16 KiB with a guard page below it (unmapped once the kernel's
	 * own tables are in place) -- the layout every kernel stack has, which
	 * the exception vectors' overflow check relies on.
	 */
	.bss
	.balign 65536
	.global boot_l0_low
boot_l0_low:	.skip 4096
boot_l0_high:	.skip 4096
boot_l1_low:	.skip 4096
boot_l1_image:	.skip 4096
boot_l2_image:	.skip 4096
	.skip 0xb000 - 5 * 4096
	.global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack_bottom:
	.skip 16384
boot_stack_top:
