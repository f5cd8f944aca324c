/*
 * 32-bit entry from a Multiboot2 loader.  Checks that a Multiboot2 loader
 * started us and that the CPU has long mode and NX, builds boot page
 * tables (identity and direct map of the first 4 GiB, kernel image at
 * -2 GiB), enables PAE, long mode, NX and write protection, and jumps to
 * x86_64_start in the higher half with the magic and the information
 * address.  Everything here runs at physical addresses: it lives in the
 * .boot sections, which are linked where they are loaded.
 */
#include "asm/layout.h"

#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_BOOT_MAGIC		0x36d76289
#define MB1_HEADER_MAGIC	0x1badb002
#define MB1_FLAG_AOUT_KLUDGE	0x00010000
#define COM1			0x3f8
#define DEBUG_EXIT_PORT		0xf4

#define PTE_PRESENT		0x1
#define PTE_WRITE		0x2
#define PTE_LARGE		0x80

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0					/* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	.balign 8
	.short 0, 0				/* end tag */
	.long 8
mb2_header_end:

	/*
	 * A Multiboot1 header too, only so that a Multiboot1 loader (QEMU's
	 * -kernel) runs the entry and we can say we were started wrongly.
	 * The a.out kludge loads just the .boot section.
	 */
	.balign 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_FLAG_AOUT_KLUDGE
	.long -(MB1_HEADER_MAGIC + MB1_FLAG_AOUT_KLUDGE)
	.long mb1_header			/* header_addr */
	.long __boot_start			/* load_addr */
	.long __boot_load_end			/* load_end_addr */
	.long 0					/* bss_end_addr */
	.long _start				/* entry_addr */

	.section .boot.text, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	movl $boot32_stack_top, %esp
	movl %eax, boot_magic
	movl %ebx, boot_info_phys

	cmpl $MB2_BOOT_MAGIC, %eax
	jne .Lbad_loader

	/* CPUID exists when EFLAGS.ID can be toggled. */
	pushfl
	popl %eax
	movl %eax, %ecx
	xorl $(1 << 21), %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	pushl %ecx
	popfl
	cmpl %eax, %ecx
	je .Lno_long_mode

	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz .Lno_long_mode
	testl $(1 << 20), %edx
	jz .Lno_nx

	/* Zero the tables, then fill them. */
	movl $boot_tables_start, %edi
	movl $(boot_tables_end - boot_tables_start) / 4, %ecx
	xorl %eax, %eax
	rep stosl

	/* Four page directories of 2 MiB pages: physical 0 .. 4 GiB. */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
	movl %eax, (%edi, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b

	/* Low PDPT: entries 0..3 point at the four directories. */
	movl $boot_pdpt_low, %edi
	movl $boot_pd + (PTE_PRESENT | PTE_WRITE), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 2b

	/* High PDPT: -2 GiB and -1 GiB map physical 0 and 1 GiB. */
	movl $boot_pd + (PTE_PRESENT | PTE_WRITE), %eax
	movl %eax, boot_pdpt_high + 510 * 8
	addl $4096, %eax
	movl %eax, boot_pdpt_high + 511 * 8

	movl $boot_pdpt_low + (PTE_PRESENT | PTE_WRITE), %eax
	movl %eax, boot_pml4			/* identity, until the kernel's tables */
	movl %eax, boot_pml4 + 256 * 8		/* direct map base */
	movl $boot_pdpt_high + (PTE_PRESENT | PTE_WRITE), %eax
	movl %eax, boot_pml4 + 511 * 8

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $(1 << 5), %eax			/* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx			/* EFER */
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax	/* LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode_entry

.Lbad_loader:
	movl $msg_bad_loader, %esi
	jmp .Lfail
.Lno_long_mode:
	movl $msg_no_long_mode, %esi
	jmp .Lfail
.Lno_nx:
	movl $msg_no_nx, %esi
.Lfail:
	call serial_puts32
	movw $DEBUG_EXIT_PORT, %dx		/* under the test harness: exit with failure */
	movl $0x11, %eax
	outl %eax, %dx
3:	hlt
	jmp 3b

/* Writes the NUL-terminated string at %esi to COM1, polling the line status. */
serial_puts32:
	movw $COM1 + 5, %dx
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	lodsb
	testb %al, %al
	jz 5f
	movw $COM1, %dx
	outb %al, %dx
	jmp serial_puts32
5:	ret

	.code64
long_mode_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $higher_half_entry, %rax
	jmp *%rax

	.section .boot.rodata, "a"
msg_bad_loader:
	.asciz "ThemeliOS: not started by a Multiboot2 loader (bad magic); halting.\r\n"
msg_no_long_mode:
	.asciz "ThemeliOS: this CPU has no 64-bit long mode; halting.\r\n"
msg_no_nx:
	.asciz "ThemeliOS: this CPU has no NX bit; halting.\r\n"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .boot.data, "aw"
	.balign 8
	.global boot_magic, boot_info_phys
boot_magic:
	.long 0
boot_info_phys:
	.long 0

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_tables_start:
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4 * 4096
boot_tables_end:
	.skip 4096
boot32_stack_top:

	.text
higher_half_entry:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic, %edi
	movl boot_info_phys, %esi
	call x86_64_start
6:	cli
	hlt
	jmp 6b

	/* The boot stack, with an unmapped guard page below it once the
	 * kernel's own page tables are in place. */
	.bss
	.balign 4096
	.global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack_bottom:
	.skip 16384
boot_stack_top:
