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

/*
 * With SVE (user.c enables it with vectors of at most SVE_VL_MAX bytes)
 * fpu.S saves z0-z31, p0-p15 and FFR instead of v0-v31: the V registers
 * are the low 128 bits of the Z registers, which z[] holds then.
 */
#define SVE_VL_MAX 64

struct arch_fpu_state {
	uint64_t q[64]; /* v0-v31, without SVE */
	uint32_t fpcr, fpsr;
	uint8_t z[32 * SVE_VL_MAX] __attribute__((aligned(16))); /* z0-z31, VL bytes each */
	uint8_t p[17 * SVE_VL_MAX / 8];				 /* p0-p15 and FFR, VL / 8 each */
} __attribute__((aligned(16)));

/* A user thread's TLS pointer: TPIDR_EL0, which EL0 may write itself
 * (arch_tls_switch in user.c).  TPIDRRO_EL0 stays 0 for every thread. */
struct arch_tls_state {
	uint64_t tpidr_el0;
};

#endif
