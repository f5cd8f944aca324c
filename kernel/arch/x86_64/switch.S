/*
 * void arch_context_switch(struct arch_context *prev, struct arch_context *next)
 *
 * Saves the callee-saved registers on the current stack, stores the stack
 * pointer in prev, loads next's and pops its registers.  A new thread's
 * stack is prepared by arch_context_init so that the first switch to it
 * "returns" into arch_thread_start with its entry function in %r12.
 */
	.text
	.global arch_context_switch
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.global arch_thread_start
arch_thread_start:
	xorl %ebp, %ebp			/* ends backtraces here */
	call *%r12
	ud2				/* the entry function never returns */

	.section .note.GNU-stack, "", %progbits
