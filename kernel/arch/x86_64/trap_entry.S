/*
 * Interrupt and exception entry.  One 16-byte stub per vector, at
 * trap_stubs + 16 * vector, makes every frame look the same (a zero is
 * pushed where the CPU pushes no error code), pushes the vector, and
 * joins trap_common, which saves the general registers as struct
 * arch_regs (asm/regs.h) and calls x86_trap(regs).
 *
 * From user mode (the CPL in the saved CS is 3) GS still holds the user
 * base: SWAPGS on the way in and again on the way out.  System calls
 * have their own entry (syscall_entry.S).
 */
#include "asm/frame.h"
#include "asm/gdt.h"

	/* The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29, 30. */
	.altmacro
	.macro TRAP_STUB n
	.balign 16
	.if !(\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	pushq $0
	.endif
	pushq $\n
	jmp trap_common
	.endm

	.text
	.balign 16
	.global trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	TRAP_STUB %vec
	.set vec, vec + 1
	.endr
	.global trap_stubs_end
trap_stubs_end:

trap_common:
	testb $3, 24(%rsp)			/* saved CS, above vector and error */
	jz 1f
	swapgs
1:	PUSH_GPRS
	/* The CPU aligned the stack to 16 before its frame; 22 quadwords
	 * later it still is, as the C ABI wants at the call. */
	movq %rsp, %rdi
	cld
	/* User code may have set AC (popf): the kernel never runs with it,
	 * or SMAP would be off in this handler and in any thread it switches
	 * to (a switch does not save RFLAGS).  iretq restores the user's. */
	testb $1, x86_smap_enabled(%rip)
	jz 3f
	clac
3:	call x86_trap
	POP_GPRS
	testb $3, 24(%rsp)
	jz 2f
	cli				/* no interrupt between SWAPGS and IRET */
	swapgs
2:	addq $16, %rsp			/* vector and error code */
	iretq
