/*
 * The SYSCALL entry and the first entry to user mode.
 *
 * SYSCALL leaves the user RIP in RCX and RFLAGS in R11, masks RFLAGS
 * with IA32_FMASK (interrupts off, AC clear) and keeps the user stack.
 * The entry switches to the thread's kernel stack (cpu_local.kernel_sp)
 * and builds the same struct arch_regs frame an interrupt would, so one
 * C view of the user registers serves system calls and exceptions.
 *
 * The way back is SYSRET when x86_syscall returns 0 and IRET otherwise:
 * SYSRET to a non-canonical RCX would fault in ring 0 with the user
 * stack loaded, so x86_syscall refuses it (a user can ask for it through
 * a changed frame, never through RCX alone).
 */
#include "asm/frame.h"
#include "asm/gdt.h"
#include "sched/percpu_offsets.h"


	.text
	.global x86_syscall_entry
x86_syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_LOCAL_USER_SP
	movq %gs:CPU_LOCAL_KERNEL_SP, %rsp
	pushq $(GDT_USER_DATA | 3)		/* ss */
	pushq %gs:CPU_LOCAL_USER_SP		/* rsp */
	pushq %r11				/* rflags */
	pushq $(GDT_USER_CODE | 3)		/* cs */
	pushq %rcx				/* rip */
	pushq $0				/* error */
	pushq $0x100				/* "vector": a system call */
	PUSH_GPRS
	movq %rsp, %rdi
	cld
	call x86_syscall
	testl %eax, %eax
	jnz 1f
	POP_GPRS
	addq $16, %rsp				/* vector, error */
	/* Interrupts are off from here to SYSRET (x86_syscall saw to it):
	 * nothing may run between SWAPGS and the return. */
	movq 0(%rsp), %rcx			/* rip */
	movq 16(%rsp), %r11			/* rflags */
	movq 24(%rsp), %rsp			/* the user stack */
	swapgs
	sysretq
1:	POP_GPRS
	addq $16, %rsp
	swapgs
	iretq

/*
 * arch_enter_user(regs): to ring 3 with the registers of the frame at
 * the top of the thread's kernel stack (arch_user_regs_init filled it:
 * user CS and SS, interrupts on, nothing of the kernel's), by IRET as
 * an interrupt returns.
 */
	.global arch_enter_user
arch_enter_user:
	cli
	movq %rdi, %rsp
	POP_GPRS
	addq $16, %rsp				/* vector, error */
	swapgs
	iretq

	.section .note.GNU-stack, "", %progbits
