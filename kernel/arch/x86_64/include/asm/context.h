/*
 * A kernel thread's saved CPU context on x86_64: only the stack pointer,
 * because arch_context_switch pushes the callee-saved registers on the
 * thread's own stack.  The FPU/SIMD area is for user threads: the kernel
 * itself is built without SSE.
 */
#ifndef ASM_CONTEXT_H
#define ASM_CONTEXT_H

#include <stdint.h>

struct arch_context {
	uint64_t sp;
};

/* The XSAVE area of x87, SSE and AVX in the standard format (the FXSAVE
 * image, the XSAVE header, the YMM upper halves), or the FXSAVE image
 * alone on a CPU without XSAVE (asm/fpu.h).  XSAVE wants 64-byte
 * alignment. */
#define X86_FPU_AREA_MAX 832
struct arch_fpu_state {
	uint8_t area[X86_FPU_AREA_MAX];
} __attribute__((aligned(64)));

/* A user thread's TLS pointer: its FS base (arch_tls_switch in user.c).
 * The user GS base is nobody's: it stays 0 for every thread. */
struct arch_tls_state {
	uint64_t fs_base;
};

#endif
