/* Process entry: the kernel starts us with %rsp at the top of the stack. */
	.text
	.global _start
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	main
	movq	%rax, %rdi
	call	sys_exit
	ud2
	.section .note.GNU-stack, "", %progbits
