/*
 * Assembly only: saving and restoring the general registers in the
 * order of struct arch_regs (asm/regs.h), for the interrupt and the
 * system-call entries.
 */
#ifndef ASM_FRAME_H
#define ASM_FRAME_H

#ifdef __ASSEMBLY__
/* Assembler macros, not C: */
/* clang-format off */
	.macro PUSH_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro POP_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	.endm
/* clang-format on */
#endif

#endif
