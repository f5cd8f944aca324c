/*
 * The register IPC calls (docs/syscalls.md): struct ipc_words is label
 * at 0, words at 8..39, badge at 40.  Results come back in the argument
 * registers rdi rsi rdx r10 r8 r9, in that order.
 */
#include "syscall_numbers.h"

	.text
	.macro LOAD_WORDS
	movq 0(%rbx), %rsi
	movq 8(%rbx), %rdx
	movq 16(%rbx), %r10
	movq 24(%rbx), %r8
	movq 32(%rbx), %r9
	.endm

	/* badge, label, w0..w3 */
	.macro STORE_RECEIVED
	movq %rdi, 40(%rbx)
	movq %rsi, 0(%rbx)
	movq %rdx, 8(%rbx)
	movq %r10, 16(%rbx)
	movq %r8, 24(%rbx)
	movq %r9, 32(%rbx)
	.endm

	/* long ipc_call_words(slot_t ep, struct ipc_words *w) */
	.global ipc_call_words
ipc_call_words:
	pushq %rbx
	movq %rsi, %rbx
	LOAD_WORDS
	movl $SYS_call_words, %eax
	syscall
	testq %rax, %rax
	jnz 1f
	movq %rdi, 0(%rbx)		/* label, w0..w3 */
	movq %rsi, 8(%rbx)
	movq %rdx, 16(%rbx)
	movq %r10, 24(%rbx)
	movq %r8, 32(%rbx)
1:	popq %rbx
	ret

	/* long ipc_recv_words(slot_t ep, struct ipc_words *w) */
	.global ipc_recv_words
ipc_recv_words:
	pushq %rbx
	movq %rsi, %rbx
	movl $SYS_recv_words, %eax
	syscall
	testq %rax, %rax
	jnz 1f
	STORE_RECEIVED
1:	popq %rbx
	ret

	/* long ipc_reply_recv_words(slot_t ep, struct ipc_words *w) */
	.global ipc_reply_recv_words
ipc_reply_recv_words:
	pushq %rbx
	movq %rsi, %rbx
	LOAD_WORDS
	movl $SYS_reply_recv_words, %eax
	syscall
	testq %rax, %rax
	jnz 1f
	STORE_RECEIVED
1:	popq %rbx
	ret
	.section .note.GNU-stack, "", %progbits
