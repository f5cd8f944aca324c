/*
 * arch_setjmp/arch_longjmp for fault_catch (struct arch_jmp_buf in
 * asm/regs.h).  Only callee-saved state is kept: the C ABI lets the
 * caller of arch_setjmp assume nothing else survives the call.
 */
	.text
	.global arch_setjmp
	.type arch_setjmp, @function
/* int arch_setjmp(struct arch_jmp_buf *jb) */
arch_setjmp:
	movq %rbx, 0x00(%rdi)
	movq %rbp, 0x08(%rdi)
	movq %r12, 0x10(%rdi)
	movq %r13, 0x18(%rdi)
	movq %r14, 0x20(%rdi)
	movq %r15, 0x28(%rdi)
	leaq 8(%rsp), %rax		/* the caller's stack after our return */
	movq %rax, 0x30(%rdi)
	movq (%rsp), %rax		/* our return address */
	movq %rax, 0x38(%rdi)
	pushfq
	popq 0x40(%rdi)
	xorl %eax, %eax
	ret
	.size arch_setjmp, . - arch_setjmp

	.global arch_longjmp
	.type arch_longjmp, @function
/* void arch_longjmp(struct arch_jmp_buf *jb, int val) */
arch_longjmp:
	cli				/* no interrupt while the stack moves */
	movq 0x00(%rdi), %rbx
	movq 0x08(%rdi), %rbp
	movq 0x10(%rdi), %r12
	movq 0x18(%rdi), %r13
	movq 0x20(%rdi), %r14
	movq 0x28(%rdi), %r15
	movq 0x30(%rdi), %rsp
	movl %esi, %eax
	testl %eax, %eax
	jnz 1f
	incl %eax
1:	pushq 0x40(%rdi)		/* the saved RFLAGS, interrupt flag included */
	popfq
	jmp *0x38(%rdi)
	.size arch_longjmp, . - arch_longjmp
