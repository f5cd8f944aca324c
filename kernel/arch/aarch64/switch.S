/*
 * void arch_context_switch(struct arch_context *prev, struct arch_context *next)
 * Saves x19-x28, fp, lr and sp in prev and loads them from next.  A new
 * thread's context (arch_context_init) has lr = arch_thread_start and the
 * entry function in x19.
 */
	.text
	.global arch_context_switch
arch_context_switch:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x2, sp
	str	x2, [x0, #96]
	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x2, [x1, #96]
	mov	sp, x2
	ret

	.global arch_thread_start
arch_thread_start:
	mov	x29, #0			/* ends backtraces here */
	blr	x19
	brk	#0			/* the entry never returns */

/*
 * int arch_setjmp(struct arch_jmp_buf *jb) / void arch_longjmp(jb, val)
 * The buffer holds x19-x28, fp, lr, sp and DAIF (asm/regs.h).
 */
	.global arch_setjmp
arch_setjmp:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x2, sp
	mrs	x3, daif
	stp	x2, x3, [x0, #96]
	mov	x0, #0
	ret

	.global arch_longjmp
arch_longjmp:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldp	x2, x3, [x0, #96]
	mov	sp, x2
	msr	daif, x3
	cmp	w1, #0
	csinc	w0, w1, wzr, ne
	ret
