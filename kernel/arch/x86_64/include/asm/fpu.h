/*
 * The user FPU/SIMD state of x86_64 beyond the arch hooks (fpu.c), for
 * the Linux signal frame: which format the area has, how big it is, and
 * the checks a state from user memory must pass before XRSTOR.
 */
#ifndef ASM_FPU_H
#define ASM_FPU_H

#include <stdbool.h>
#include <stdint.h>

#include "asm/context.h"

#define X86_FXSAVE_BYTES       512
#define X86_XSAVE_HEADER_BYTES 64
#define X86_XFEATURE_X87       (1ull << 0)
#define X86_XFEATURE_SSE       (1ull << 1)
#define X86_XFEATURE_AVX       (1ull << 2)

void x86_fpu_init(void);
/* XSAVE in use (else FXSAVE); the features XCR0 holds; the bytes of the
 * area in use (CPUID 0xD's for those features, 512 for FXSAVE). */
bool x86_fpu_xsave(void);
uint64_t x86_fpu_features(void);
uint32_t x86_fpu_size(void);
/* The live registers into fpu, every enabled component written. */
void x86_fpu_save_all(struct arch_fpu_state *fpu);
/* Whether XRSTOR/FXRSTOR would take fpu without a fault. */
bool x86_fpu_valid(const struct arch_fpu_state *fpu);
uint64_t x86_fpu_xstate_bv(const struct arch_fpu_state *fpu);
void x86_fpu_set_xstate_bv(struct arch_fpu_state *fpu, uint64_t bv);
void x86_fpu_set_mxcsr_init(struct arch_fpu_state *fpu);
/* fpu (from user memory) into the registers: -1, and nothing sure
 * loaded, when it is not valid or the CPU refused it. */
int x86_fpu_restore_user(const struct arch_fpu_state *fpu);
/* The same without the check (its fault caught): for ktest_fpu.c. */
int x86_fpu_restore_caught(const struct arch_fpu_state *fpu);

#endif
