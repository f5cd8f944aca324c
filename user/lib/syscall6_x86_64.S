/* syscall6(nr, a0..a5): a raw system call, for tests of the dispatcher. */
	.text
	.global syscall6
syscall6:
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %r10
	movq %r9, %r8
	movq 8(%rsp), %r9
	syscall
	ret
	.section .note.GNU-stack, "", %progbits
