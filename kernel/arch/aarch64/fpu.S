/*
 * FP/SIMD state of user threads (struct arch_fpu_state, asm/context.h):
 * v0-v31 as 32 128-bit values, then FPCR and FPSR as 32-bit words; with
 * SVE (aarch64_sve_vl not 0, user.c) z0-z31, p0-p15 and FFR instead of
 * v0-v31, in the layout of STR (vector) and STR (predicate), which is
 * also the layout of Linux's SVE signal record.  The kernel's C code is
 * -mgeneral-regs-only, so only these two routines name the registers.
 */
	.arch_extension fp
	.arch_extension simd
	.arch_extension sve

#define FPU_FPCR	512	/* offsetof(struct arch_fpu_state, fpcr) */
#define FPU_FPSR	516
#define FPU_Z		528	/* offsetof(struct arch_fpu_state, z) */
#define FPU_P		(528 + 32 * 64)	/* offsetof(struct arch_fpu_state, p) */

	.text
/* void arch_fpu_save(struct arch_fpu_state *fpu) */
	.global arch_fpu_save
arch_fpu_save:
	adrp	x1, aarch64_sve_vl
	ldr	w1, [x1, :lo12:aarch64_sve_vl]
	cbnz	w1, sve_save
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
	adrp	x1, aarch64_sve_vl
	ldr	w1, [x1, :lo12:aarch64_sve_vl]
	cbnz	w1, sve_restore
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

/* With SVE: p0 is saved before FFR goes through it, and FFR restored
 * through p0 before p0 itself. */
sve_save:
	add	x1, x0, #FPU_Z
	add	x2, x0, #FPU_P
	str	z0, [x1, #0, mul vl]
	str	z1, [x1, #1, mul vl]
	str	z2, [x1, #2, mul vl]
	str	z3, [x1, #3, mul vl]
	str	z4, [x1, #4, mul vl]
	str	z5, [x1, #5, mul vl]
	str	z6, [x1, #6, mul vl]
	str	z7, [x1, #7, mul vl]
	str	z8, [x1, #8, mul vl]
	str	z9, [x1, #9, mul vl]
	str	z10, [x1, #10, mul vl]
	str	z11, [x1, #11, mul vl]
	str	z12, [x1, #12, mul vl]
	str	z13, [x1, #13, mul vl]
	str	z14, [x1, #14, mul vl]
	str	z15, [x1, #15, mul vl]
	str	z16, [x1, #16, mul vl]
	str	z17, [x1, #17, mul vl]
	str	z18, [x1, #18, mul vl]
	str	z19, [x1, #19, mul vl]
	str	z20, [x1, #20, mul vl]
	str	z21, [x1, #21, mul vl]
	str	z22, [x1, #22, mul vl]
	str	z23, [x1, #23, mul vl]
	str	z24, [x1, #24, mul vl]
	str	z25, [x1, #25, mul vl]
	str	z26, [x1, #26, mul vl]
	str	z27, [x1, #27, mul vl]
	str	z28, [x1, #28, mul vl]
	str	z29, [x1, #29, mul vl]
	str	z30, [x1, #30, mul vl]
	str	z31, [x1, #31, mul vl]
	str	p0, [x2, #0, mul vl]
	str	p1, [x2, #1, mul vl]
	str	p2, [x2, #2, mul vl]
	str	p3, [x2, #3, mul vl]
	str	p4, [x2, #4, mul vl]
	str	p5, [x2, #5, mul vl]
	str	p6, [x2, #6, mul vl]
	str	p7, [x2, #7, mul vl]
	str	p8, [x2, #8, mul vl]
	str	p9, [x2, #9, mul vl]
	str	p10, [x2, #10, mul vl]
	str	p11, [x2, #11, mul vl]
	str	p12, [x2, #12, mul vl]
	str	p13, [x2, #13, mul vl]
	str	p14, [x2, #14, mul vl]
	str	p15, [x2, #15, mul vl]
	rdffr	p0.b
	str	p0, [x2, #16, mul vl]
	ldr	p0, [x2, #0, mul vl]
	mrs	x1, fpcr
	mrs	x2, fpsr
	str	w1, [x0, #FPU_FPCR]
	str	w2, [x0, #FPU_FPSR]
	ret

sve_restore:
	add	x1, x0, #FPU_Z
	add	x2, x0, #FPU_P
	ldr	z0, [x1, #0, mul vl]
	ldr	z1, [x1, #1, mul vl]
	ldr	z2, [x1, #2, mul vl]
	ldr	z3, [x1, #3, mul vl]
	ldr	z4, [x1, #4, mul vl]
	ldr	z5, [x1, #5, mul vl]
	ldr	z6, [x1, #6, mul vl]
	ldr	z7, [x1, #7, mul vl]
	ldr	z8, [x1, #8, mul vl]
	ldr	z9, [x1, #9, mul vl]
	ldr	z10, [x1, #10, mul vl]
	ldr	z11, [x1, #11, mul vl]
	ldr	z12, [x1, #12, mul vl]
	ldr	z13, [x1, #13, mul vl]
	ldr	z14, [x1, #14, mul vl]
	ldr	z15, [x1, #15, mul vl]
	ldr	z16, [x1, #16, mul vl]
	ldr	z17, [x1, #17, mul vl]
	ldr	z18, [x1, #18, mul vl]
	ldr	z19, [x1, #19, mul vl]
	ldr	z20, [x1, #20, mul vl]
	ldr	z21, [x1, #21, mul vl]
	ldr	z22, [x1, #22, mul vl]
	ldr	z23, [x1, #23, mul vl]
	ldr	z24, [x1, #24, mul vl]
	ldr	z25, [x1, #25, mul vl]
	ldr	z26, [x1, #26, mul vl]
	ldr	z27, [x1, #27, mul vl]
	ldr	z28, [x1, #28, mul vl]
	ldr	z29, [x1, #29, mul vl]
	ldr	z30, [x1, #30, mul vl]
	ldr	z31, [x1, #31, mul vl]
	ldr	p0, [x2, #16, mul vl]
	wrffr	p0.b
	ldr	p0, [x2, #0, mul vl]
	ldr	p1, [x2, #1, mul vl]
	ldr	p2, [x2, #2, mul vl]
	ldr	p3, [x2, #3, mul vl]
	ldr	p4, [x2, #4, mul vl]
	ldr	p5, [x2, #5, mul vl]
	ldr	p6, [x2, #6, mul vl]
	ldr	p7, [x2, #7, mul vl]
	ldr	p8, [x2, #8, mul vl]
	ldr	p9, [x2, #9, mul vl]
	ldr	p10, [x2, #10, mul vl]
	ldr	p11, [x2, #11, mul vl]
	ldr	p12, [x2, #12, mul vl]
	ldr	p13, [x2, #13, mul vl]
	ldr	p14, [x2, #14, mul vl]
	ldr	p15, [x2, #15, mul vl]
	ldr	w1, [x0, #FPU_FPCR]
	ldr	w2, [x0, #FPU_FPSR]
	msr	fpcr, x1
	msr	fpsr, x2
	ret
