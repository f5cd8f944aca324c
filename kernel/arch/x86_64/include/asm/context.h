/*
 * A kernel thread's saved CPU context on x86_64: only the stack pointer,
 * because arch_context_switch pushes the callee-saved registers on the
 * thread's own stack.  The FPU/SSE area is for user threads (Phase 2):
 * the kernel itself is built without SSE.
 */
#ifndef ASM_CONTEXT_H
#define ASM_CONTEXT_H

#include <stdint.h>

struct arch_context {
	uint64_t sp;
};

/* FXSAVE image; XSAVE extensions will grow it when user space needs AVX. */
struct arch_fpu_state {
	uint8_t area[512];
} __attribute__((aligned(64)));

/* A user thread's TLS pointer: its FS base (arch_tls_switch in user.c).
 * The user GS base is nobody's: it stays 0 for every thread. */
struct arch_tls_state {
	uint64_t fs_base;
};

#endif
