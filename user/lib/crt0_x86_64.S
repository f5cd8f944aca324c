/*
 * Process entry: %rdi holds the creator's argument, %rsp points at argc
 * and argv (System V layout, include/themelios/abi.h).
 */
	.text
	.global _start
_start:
	xorl	%ebp, %ebp
	movq	(%rsp), %rax
	movq	%rax, prog_argc(%rip)
	leaq	8(%rsp), %rax
	movq	%rax, prog_argv(%rip)
	andq	$-16, %rsp
	call	program_start
	movq	%rax, %rdi
	call	sys_exit
	ud2
	.section .note.GNU-stack, "", %progbits
