/*
 * User mode on aarch64: PAN, FP/SIMD and SVE for EL0, the kernel stack EL0
 * exceptions land on, and the FP/SIMD and TLS state of user threads.  The way in
 * and out (arch_enter_user, the EL0 vectors) is in vectors.S, the
 * FP/SIMD save and restore in fpu.S: the kernel itself is built
 * -mgeneral-regs-only and never touches those registers.
 */
#include "arch/arch.h"

#include "cpu_features.h"
#include "lib/string.h"
#include "sched/percpu.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define MMFR1_PAN_SHIFT 20
#define CPACR_FPEN	(3ull << 20) /* no FP/SIMD traps at EL0 or EL1 */
#define SCTLR_SA0	(1ull << 4)  /* EL0 stack pointer alignment checks */
#define SCTLR_UMA	(1ull << 9)  /* EL0 may write DAIF */
#define SCTLR_DZE	(1ull << 14) /* EL0 may DC ZVA */
#define SCTLR_UCT	(1ull << 15) /* EL0 may read CTR_EL0 */
#define SCTLR_UCI	(1ull << 26) /* EL0 may clean caches by address (DC CVAU...) */
#define SCTLR_SPAN	(1ull << 23) /* 0: an exception to EL1 sets PAN */

/*
 * MSR PAN, #imm, encoded by hand: the assembler accepts the name only
 * for -march=armv8.1-a and later, and the kernel is built for armv8-a
 * (the instruction is used only when ID_AA64MMFR1_EL1 says PAN exists).
 */
#define MSR_PAN_0	".inst 0xd500409f"
#define MSR_PAN_1	".inst 0xd500419f"

/* fpu.S stores FPCR and FPSR right after the 32 vector registers, the
 * SVE registers after them. */
_Static_assert(__builtin_offsetof(struct arch_fpu_state, fpcr) == 512, "fpu.S");
_Static_assert(__builtin_offsetof(struct arch_fpu_state, fpsr) == 516, "fpu.S");
_Static_assert(__builtin_offsetof(struct arch_fpu_state, z) == 528, "fpu.S");
_Static_assert(__builtin_offsetof(struct arch_fpu_state, p) == 528 + 32 * SVE_VL_MAX, "fpu.S");

#define PFR0_SVE_SHIFT 32
#define CPACR_ZEN      (3ull << 16) /* no SVE traps at EL0 or EL1 */
/* RDVL X0, #1: the vector length in bytes (the assembler of the C code
 * is not told of SVE). */
#define RDVL_X0	       ".inst 0x04bf5020"

/* The SVE vector length in bytes user threads run with; 0 without SVE
 * (fpu.S reads it). */
uint32_t aarch64_sve_vl;

static bool have_pan;
static const char *protections = "none";

static uint64_t
read_pfr0(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(v));
	return v;
}

void
arch_user_init(void)
{
	uint64_t mmfr1, sctlr;

	/* FP/SIMD, and SVE when the CPU has it, with vectors of
	 * SVE_VL_MAX bytes (Linux's default length; fpu.S switches the whole
	 * state).  SME (SMEN) stays trapped. */
	if (((read_pfr0() >> PFR0_SVE_SHIFT) & 0xf) != 0) {
		register uint64_t vl __asm__("x0");

		__asm__ volatile("msr cpacr_el1, %0; isb" : : "r"(CPACR_FPEN | CPACR_ZEN));
		/* ZCR_EL1.LEN: vectors of (LEN + 1) * 16 bytes at most. */
		__asm__ volatile("msr s3_0_c1_c2_0, %0; isb"
				 :
				 : "r"((uint64_t)SVE_VL_MAX / 16 - 1));
		__asm__ volatile(RDVL_X0 : "=r"(vl));
		aarch64_sve_vl = (uint32_t)vl;
	} else {
		__asm__ volatile("msr cpacr_el1, %0; isb" : : "r"(CPACR_FPEN));
	}

	/* The reset value of SCTLR_EL1 is partly unknown: say what EL0 may
	 * do rather than inherit it. */
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr = (sctlr | SCTLR_SA0) & ~SCTLR_UMA;
	/* What Linux lets EL0 do, and glibc and JITs count on: zero a
	 * block with DC ZVA (DCZID_EL0 tells them), read the cache line
	 * sizes, make written code visible to instruction fetch. */
	sctlr |= SCTLR_DZE | SCTLR_UCT | SCTLR_UCI;

	__asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(mmfr1));
	if (((mmfr1 >> MMFR1_PAN_SHIFT) & 0xf) != 0) {
		/* QEMU resets SPAN to 1 (it is RES1 before v8.1), which would
		 * leave PAN off in every exception handler. */
		sctlr &= ~SCTLR_SPAN;
		have_pan = true;
	}
	__asm__ volatile("msr sctlr_el1, %0; isb" : : "r"(sctlr) : "memory");

	aarch64_cpu_features_init();

	/* TPIDRRO_EL0, which EL0 may read, resets to an unknown value and
	 * nothing uses it: 0 for every thread.  TPIDR_EL0 is the TLS
	 * pointer; a new thread gets 0 at its first switch. */
	__asm__ volatile("msr tpidrro_el0, xzr; msr tpidr_el0, xzr");
	if (have_pan) {
		__asm__ volatile(MSR_PAN_1 : : : "memory");
		protections = "PAN";
	} else {
		protections = "none (no PAN on this CPU)";
	}
}

const char *
arch_user_protections(void)
{
	return protections;
}

/* The EL0 vectors find the stack in SP_EL1 itself; arch_enter_user
 * reads this to put it there. */
void
arch_set_kernel_stack(uintptr_t top)
{
	arch_cpu_local()->kernel_sp = top;
}

void
arch_user_access_begin(void)
{
	if (have_pan)
		__asm__ volatile(MSR_PAN_0 : : : "memory");
}

void
arch_user_access_end(void)
{
	if (have_pan)
		__asm__ volatile(MSR_PAN_1 : : : "memory");
}

/* All registers zero; FPCR zero is round to nearest with no traps,
 * the state a process starts with. */
void
arch_fpu_init_state(struct arch_fpu_state *fpu)
{
	memset(fpu, 0, sizeof(*fpu));
}

/*
 * EL0 writes TPIDR_EL0 with a plain msr, so the value to keep is the
 * one in the CPU, read at every switch away from a user thread; the
 * write is skipped when the next thread's is the same.
 */
void
arch_tls_switch(struct arch_tls_state *prev, const struct arch_tls_state *next)
{
	uint64_t loaded;

	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(loaded));
	if (prev)
		prev->tpidr_el0 = loaded;
	if (next && next->tpidr_el0 != loaded)
		__asm__ volatile("msr tpidr_el0, %0" : : "r"(next->tpidr_el0));
}

void
arch_tls_set(struct arch_tls_state *cur, uint64_t address)
{
	cur->tpidr_el0 = address;
	__asm__ volatile("msr tpidr_el0, %0" : : "r"(address));
}

uint64_t
arch_tls_saved(const struct arch_tls_state *s)
{
	return s->tpidr_el0;
}

void
arch_tls_replace(struct arch_tls_state *s, uint64_t address)
{
	s->tpidr_el0 = address;
}

/* PSTATE 0: EL0t, D A I F clear (interrupts on). */
void
arch_user_regs_init(struct arch_regs *regs, uintptr_t pc, uintptr_t sp, uint64_t arg)
{
	memset(regs, 0, sizeof(*regs));
	regs->pc = pc;
	regs->sp = sp;
	regs->x[0] = arg;
}

void
arch_user_regs_forked(struct arch_regs *regs, uint64_t ret, uintptr_t sp)
{
	regs->x[0] = ret;
	if (sp)
		regs->sp = sp;
}

void
arch_thread_regs_read(const struct arch_regs *regs, struct thread_regs *out)
{
	out->pc = regs->pc;
	out->sp = regs->sp;
	for (unsigned int i = 0; i < THREAD_REGS_ARGS; i++)
		out->arg[i] = regs->x[i];
	out->ret = regs->x[0];
	out->flags = regs->pstate & THREAD_FLAGS_ARM;
}

int
arch_thread_regs_valid(const struct thread_regs *in)
{
	if (in->flags & ~THREAD_FLAGS_ARM)
		return -E_INVAL;
	return in->ret == in->arg[0] ? 0 : -E_INVAL; /* both are x0 */
}

/* Only NZCV of the SPSR: its mode bits stay EL0t (aarch64_trap checks
 * that on every way back), its mask bits as user code left them. */
void
arch_thread_regs_write(struct arch_regs *regs, const struct thread_regs *in)
{
	regs->pc = in->pc;
	regs->sp = in->sp;
	for (unsigned int i = 0; i < THREAD_REGS_ARGS; i++)
		regs->x[i] = in->arg[i];
	regs->pstate = (regs->pstate & ~THREAD_FLAGS_ARM) | (in->flags & THREAD_FLAGS_ARM);
}
