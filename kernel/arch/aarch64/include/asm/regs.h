/*
 * The register frame the exception vectors save (vectors.S) and panic()
 * captures: x0-x30, the interrupted SP, ELR (the PC), SPSR, and the
 * syndrome (ESR) and fault address (FAR) of synchronous exceptions.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <stdint.h>

struct arch_regs {
	uint64_t x[31];
	uint64_t sp;
	uint64_t pc;	 /* ELR_EL1 */
	uint64_t pstate; /* SPSR_EL1 */
	uint64_t esr;
	uint64_t far;
};

/* arch_setjmp: callee-saved x19-x28, fp, lr, sp, and DAIF. */
struct arch_jmp_buf {
	uint64_t x19_x28[10];
	uint64_t fp, lr, sp, daif;
};

#endif
