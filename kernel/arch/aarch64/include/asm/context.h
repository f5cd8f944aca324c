/*
 * A kernel thread's saved context on aarch64: the callee-saved registers,
 * the link register and the stack pointer, stored by arch_context_switch.
 * The FP/SIMD area is for user threads (saved and restored by fpu.S):
 * the kernel is built with -mgeneral-regs-only.
 */
#ifndef ASM_CONTEXT_H
#define ASM_CONTEXT_H

#include <stdint.h>

struct arch_context {
	uint64_t x19_x28[10];
	uint64_t fp, lr, sp;
};

struct arch_fpu_state {
	uint64_t q[64]; /* v0-v31 */
	uint32_t fpcr, fpsr;
} __attribute__((aligned(16)));

/* A user thread's TLS pointer: TPIDR_EL0, which EL0 may write itself
 * (arch_tls_switch in user.c).  TPIDRRO_EL0 stays 0 for every thread. */
struct arch_tls_state {
	uint64_t tpidr_el0;
};

#endif
