/*
 * The exception vector table (VBAR_EL1): 16 entries of 128 bytes.  Each
 * saves x0/x1, loads its kind and joins one path that saves the whole
 * struct arch_regs (asm/regs.h) and calls aarch64_trap(regs, kind).
 * Entries from EL0 take their own path (trap_el0), which also saves and
 * restores SP_EL0, the user stack pointer.
 *
 * Kernel stacks overflow into an unmapped guard page, and the exception
 * that follows would fault again saving its frame there.  Every kernel
 * stack is the top 16 KiB of a 64 KiB-aligned block (thread stacks are
 * stack-area slots; the boot stack is laid out the same way), so a
 * stack pointer with bit 14 or 15 clear has overflowed.  The synchronous
 * vector tests that before touching memory (the register trick keeps
 * x0 intact) and moves to an emergency stack.
 */
/*
 * From EL0 the CPU switches to SP_EL1, which is the top of the current
 * thread's kernel stack: arch_enter_user sets it there, and every return
 * to EL0 leaves that stack as empty as it found it.  A thread switched
 * out in the kernel keeps its frame on its own stack, so the frame (not
 * the live ELR/SPSR/SP_EL0, which another thread may have changed) is
 * what the way back to EL0 restores.
 */
#include "sched/percpu_offsets.h"

#define FRAME_SIZE		288
#define KIND_STACK_OVERFLOW	16
#define KSTACK_SIZE		16384	/* the top 16 KiB of each 64 KiB block */

	.macro VECTOR kind
	.balign 128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	trap_common
	.endm

	.macro VECTOR_EL0 kind
	.balign 128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	trap_el0
	.endm

	/* x2-x29 into the frame (x0/x1 are already there). */
	/* pc, pstate, syndrome and fault address into the frame. */
	.macro SAVE_EXCEPTION_STATE
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #256]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #272]
	.endm

	.macro SAVE_X2_X29
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
	.endm

	/* ELR/SPSR from the frame, then x0-x30, pop and return. */
	.macro RESTORE_AND_ERET
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
	VECTOR_EL0 8	/* lower EL, AArch64: sync */
	VECTOR_EL0 9	/* irq */
	VECTOR_EL0 10	/* fiq */
	VECTOR_EL0 11	/* serror */
	VECTOR_EL0 12	/* lower EL, AArch32 (never entered: EL0 is AArch64) */
	VECTOR_EL0 13
	VECTOR_EL0 14
	VECTOR_EL0 15

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
	SAVE_X2_X29
	add	x1, sp, #FRAME_SIZE
	stp	x30, x1, [sp, #240]
	SAVE_EXCEPTION_STATE
	mov	x1, x0
	mov	x0, sp
	bl	aarch64_trap
	RESTORE_AND_ERET

/* From EL0: the frame's sp is SP_EL0.  The user's x29 stays in the frame
 * but the kernel's frame chain starts at zero, so no backtrace walks
 * into user memory. */
trap_el0:
	SAVE_X2_X29
	mrs	x1, sp_el0
	stp	x30, x1, [sp, #240]
	SAVE_EXCEPTION_STATE
	mov	x29, #0
	mov	x1, x0
	mov	x0, sp
	bl	aarch64_trap
	/* Nothing may interrupt between loading SP_EL0/ELR/SPSR and eret. */
	msr	daifset, #0xf
	ldr	x1, [sp, #248]
	msr	sp_el0, x1
	RESTORE_AND_ERET

/*
 * void arch_enter_user(struct arch_regs *regs)
 * To EL0 with the registers of the frame at the top of the thread's
 * kernel stack (arch_user_regs_init filled it: EL0t, D A I F clear),
 * the way trap_el0 returns.  SP_EL1 ends at the kernel stack top that
 * arch_set_kernel_stack recorded, so the first exception from EL0 finds
 * an empty stack.  The frame must be the one just below that top: any
 * other would leave a stack that is not this thread's.
 */
	.global arch_enter_user
arch_enter_user:
	msr	daifset, #0xf
	mrs	x3, tpidr_el1
	ldr	x3, [x3, #CPU_LOCAL_KERNEL_SP]
	sub	x3, x3, #FRAME_SIZE
	cmp	x0, x3
	b.ne	1f
	mov	sp, x0
	ldr	x1, [sp, #248]
	msr	sp_el0, x1
	RESTORE_AND_ERET
1:	brk	#1			/* not the frame below kernel_sp: a kernel bug */

	.bss
	.balign 16
overflow_stack:
	.skip 8192
overflow_stack_top:
