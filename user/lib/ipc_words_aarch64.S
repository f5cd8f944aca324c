/*
 * The register IPC calls (docs/syscalls.md): struct ipc_words is label
 * at 0, words at 8..39, badge at 40.  Arguments go in x0-x5, results
 * come back in x1-x6; the kernel keeps every other register, so x9
 * holds the pointer across the call.
 */
#include "syscall_numbers.h"

	.text
	/* long ipc_call_words(slot_t ep, struct ipc_words *w) */
	.global ipc_call_words
ipc_call_words:
	mov x9, x1
	ldp x1, x2, [x9]
	ldp x3, x4, [x9, #16]
	ldr x5, [x9, #32]
	mov x8, #SYS_call_words
	svc #0
	cbnz x0, 1f
	stp x1, x2, [x9]		/* label, w0..w3 */
	stp x3, x4, [x9, #16]
	str x5, [x9, #32]
1:	ret

	/* long ipc_recv_words(slot_t ep, struct ipc_words *w) */
	.global ipc_recv_words
ipc_recv_words:
	mov x9, x1
	mov x8, #SYS_recv_words
	svc #0
	b 2f

	/* long ipc_reply_recv_words(slot_t ep, struct ipc_words *w) */
	.global ipc_reply_recv_words
ipc_reply_recv_words:
	mov x9, x1
	ldp x1, x2, [x9]
	ldp x3, x4, [x9, #16]
	ldr x5, [x9, #32]
	mov x8, #SYS_reply_recv_words
	svc #0
2:	cbnz x0, 1f
	str x1, [x9, #40]		/* badge, label, w0..w3 */
	stp x2, x3, [x9]
	stp x4, x5, [x9, #16]
	str x6, [x9, #32]
1:	ret
	.section .note.GNU-stack, "", %progbits
