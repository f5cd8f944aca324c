/*
 * The exception vector table (VBAR_EL1): 16 entries of 128 bytes.  Each
 * saves x0/x1, loads its kind and joins one path that saves the whole
 * struct arch_regs (asm/regs.h) and calls aarch64_trap(regs, kind).
 *
 * Kernel stacks overflow into an unmapped guard page, and the exception
 * that follows would fault again saving its frame there.  Every kernel
 * stack is the top 16 KiB of a 64 KiB-aligned block (thread stacks are
 * stack-area slots; the boot stack is laid out the same way), so a
 * stack pointer with bit 14 or 15 clear has overflowed.  The synchronous
 * vector tests that before touching memory (the register trick keeps
 * x0 intact) and moves to an emergency stack.
 */
#define FRAME_SIZE		288
#define KIND_STACK_OVERFLOW	16

	.macro VECTOR kind
	.balign 128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	trap_common
	.endm

	.text
	.balign 2048
	.global aarch64_vectors
aarch64_vectors:
	VECTOR 0	/* current EL, SP_EL0: sync */
	VECTOR 1	/* irq */
	VECTOR 2	/* fiq */
	VECTOR 3	/* serror */

	.balign 128	/* current EL, SP_ELx: sync, with the overflow check */
	sub	sp, sp, #FRAME_SIZE
	add	sp, sp, x0		/* sp = new_sp + x0 */
	sub	x0, sp, x0		/* x0 = new_sp */
	tbz	x0, #14, stack_overflow
	tbz	x0, #15, stack_overflow
	sub	x0, sp, x0		/* x0 = x0 again */
	sub	sp, sp, x0		/* sp = new_sp */
	stp	x0, x1, [sp, #0]
	mov	x0, #4
	b	trap_common

	VECTOR 5	/* irq */
	VECTOR 6	/* fiq */
	VECTOR 7	/* serror */
	VECTOR 8	/* lower EL, AArch64: sync */
	VECTOR 9	/* irq */
	VECTOR 10	/* fiq */
	VECTOR 11	/* serror */
	VECTOR 12	/* lower EL, AArch32 */
	VECTOR 13
	VECTOR 14
	VECTOR 15

/* x0 = the overflowed stack pointer; x0 and x1 are lost for the report. */
stack_overflow:
	mov	x1, x0
	ldr	x0, =overflow_stack_top
	mov	sp, x0
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #KIND_STACK_OVERFLOW
	b	trap_common

trap_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #FRAME_SIZE
	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #256]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #272]
	mov	x1, x0
	mov	x0, sp
	bl	aarch64_trap

	ldp	x1, x2, [sp, #256]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret

	.bss
	.balign 16
overflow_stack:
	.skip 8192
overflow_stack_top:
