/*
 * FP/SIMD state of user threads (struct arch_fpu_state, asm/context.h):
 * v0-v31 as 32 128-bit values, then FPCR and FPSR as 32-bit words.  The
 * kernel's C code is -mgeneral-regs-only, so only these two routines
 * name the registers.
 */
	.arch_extension fp
	.arch_extension simd

#define FPU_FPCR	512	/* offsetof(struct arch_fpu_state, fpcr) */
#define FPU_FPSR	516

	.text
/* void arch_fpu_save(struct arch_fpu_state *fpu) */
	.global arch_fpu_save
arch_fpu_save:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpcr
	mrs	x2, fpsr
	str	w1, [x0, #FPU_FPCR]
	str	w2, [x0, #FPU_FPSR]
	ret

/* void arch_fpu_restore(const struct arch_fpu_state *fpu) */
	.global arch_fpu_restore
arch_fpu_restore:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	ldr	w1, [x0, #FPU_FPCR]
	ldr	w2, [x0, #FPU_FPSR]
	msr	fpcr, x1
	msr	fpsr, x2
	ret
