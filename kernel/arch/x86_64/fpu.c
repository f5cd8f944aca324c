/*
 * User FPU/SIMD state on x86_64.  With XSAVE the kernel enables x87, SSE
 * and AVX in XCR0 (whatever of them the CPU has) and sets CR4.OSXSAVE, so
 * that CPUID tells user code the YMM registers survive a switch: glibc
 * picks its AVX2 string functions then, as on Linux.  Without XSAVE it
 * keeps the FXSAVE image (x87 and SSE).  The kernel itself never uses
 * these registers (-mgeneral-regs-only): a user thread's stay live from
 * its return to user mode until a switch saves them.
 */
#include "arch/arch.h"

#include "asm/cpu.h"
#include "asm/fpu.h"
#include "core/fault.h"
#include "core/printk.h"
#include "lib/string.h"

#define CR4_OSXSAVE	 (1ull << 18)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX	 (1u << 28)
#define CPUID_XSAVE_LEAF 0xd
#define XSAVEOPT_BIT	 (1u << 0) /* CPUID 0xD.1 EAX */

#define FCW_OFFSET	 0
#define FCW_INIT	 0x037f /* FNINIT's: every x87 exception masked */
#define MXCSR_OFFSET	 24
#define MXCSR_MASK_OFF	 28
#define MXCSR_INIT	 0x1f80 /* every SIMD exception masked */
#define MXCSR_MASK_OLD	 0xffbf /* what a zero MXCSR_MASK means: no DAZ */
#define XSTATE_BV_OFF	 512
#define XCOMP_BV_OFF	 520
#define XHEADER_RSVD_OFF 528 /* bytes 16..23 of the header: XRSTOR wants 0 */

_Static_assert(sizeof(((struct arch_fpu_state *)0)->area) >= X86_FPU_AREA_MAX, "area");

static bool xsave_on, xsaveopt_on;
static uint64_t features = X86_XFEATURE_X87 | X86_XFEATURE_SSE;
static uint32_t area_size = X86_FXSAVE_BYTES;
static uint32_t mxcsr_mask = MXCSR_MASK_OLD;
static struct arch_fpu_state probe; /* FXSAVE's image at boot, for MXCSR_MASK */

static uint32_t
get32(const struct arch_fpu_state *fpu, size_t off)
{
	uint32_t v;

	memcpy(&v, fpu->area + off, sizeof(v));
	return v;
}

static uint64_t
get64(const struct arch_fpu_state *fpu, size_t off)
{
	uint64_t v;

	memcpy(&v, fpu->area + off, sizeof(v));
	return v;
}

static void
put64(struct arch_fpu_state *fpu, size_t off, uint64_t v)
{
	memcpy(fpu->area + off, &v, sizeof(v));
}

static void
xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* Called by arch_user_init once CR4.OSFXSR is on. */
void
x86_fpu_init(void)
{
	struct cpuid_regs id;
	uint64_t cr4, want;
	uint32_t max, avx;

	/* The MXCSR bits this CPU takes; loading any other faults. */
	__asm__ volatile("fxsave64 %0" : "=m"(probe));
	if (get32(&probe, MXCSR_MASK_OFF))
		mxcsr_mask = get32(&probe, MXCSR_MASK_OFF);

	cpuid(0, 0, &id);
	max = id.eax;
	cpuid(1, 0, &id);
	avx = id.ecx & CPUID1_ECX_AVX;
	if (max < CPUID_XSAVE_LEAF || !(id.ecx & CPUID1_ECX_XSAVE)) {
		pr_info("fpu: FXSAVE (no XSAVE on this CPU): x87 SSE\n");
		return;
	}
	cpuid(CPUID_XSAVE_LEAF, 0, &id);
	want = X86_XFEATURE_X87 | X86_XFEATURE_SSE;
	if (avx && (id.eax & X86_XFEATURE_AVX))
		want |= X86_XFEATURE_AVX;

	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("movq %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE) : "memory");
	xsetbv(0, want);
	/* EBX: the area XSAVE needs for the features XCR0 now holds. */
	cpuid(CPUID_XSAVE_LEAF, 0, &id);
	if (id.ebx > X86_FPU_AREA_MAX || id.ebx < X86_FXSAVE_BYTES + X86_XSAVE_HEADER_BYTES) {
		xsetbv(0, X86_XFEATURE_X87);
		__asm__ volatile("movq %0, %%cr4" : : "r"(cr4) : "memory");
		pr_info("fpu: FXSAVE (XSAVE wants %u bytes, %u kept): x87 SSE\n", id.ebx,
			X86_FPU_AREA_MAX);
		return;
	}
	area_size = id.ebx;
	features = want;
	xsave_on = true;
	cpuid(CPUID_XSAVE_LEAF, 1, &id);
	xsaveopt_on = id.eax & XSAVEOPT_BIT;
	pr_info("fpu: %s, XCR0 %#lx (x87 SSE%s), %u bytes a thread\n",
		xsaveopt_on ? "XSAVEOPT" : "XSAVE", features,
		(features & X86_XFEATURE_AVX) ? " AVX" : "", area_size);
}

bool
x86_fpu_xsave(void)
{
	return xsave_on;
}

uint64_t
x86_fpu_features(void)
{
	return features;
}

uint32_t
x86_fpu_size(void)
{
	return area_size;
}

/*
 * Zero is the init state of every component but two fields, which the
 * legacy image keeps even when XSTATE_BV says "init" (MXCSR is loaded
 * whatever XSTATE_BV says).  XSTATE_BV 0: XRSTOR sets the rest.
 */
void
arch_fpu_init_state(struct arch_fpu_state *fpu)
{
	uint16_t fcw = FCW_INIT;
	uint32_t mxcsr = MXCSR_INIT;

	memset(fpu->area, 0, sizeof(fpu->area));
	memcpy(fpu->area + FCW_OFFSET, &fcw, sizeof(fcw));
	memcpy(fpu->area + MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
}

/*
 * XSAVEOPT may skip a component in its init state, or one unchanged since
 * the XRSTOR from this same area: sound because nothing but XRSTOR and
 * XSAVE(OPT) writes a thread's area between the restore at a switch and
 * the save at the next (the signal code and fork write other buffers or
 * restore right after).  XSAVE never writes the header's XCOMP_BV and
 * reserved bytes: arch_fpu_init_state zeroed them.
 */
void
arch_fpu_save(struct arch_fpu_state *fpu)
{
	if (xsaveopt_on)
		__asm__ volatile("xsaveopt64 %0" : "+m"(*fpu) : "a"(~0u), "d"(~0u));
	else if (xsave_on)
		__asm__ volatile("xsave64 %0" : "+m"(*fpu) : "a"(~0u), "d"(~0u));
	else
		__asm__ volatile("fxsave64 %0" : "=m"(*fpu));
}

void
arch_fpu_restore(const struct arch_fpu_state *fpu)
{
	if (xsave_on)
		__asm__ volatile("xrstor64 %0" : : "m"(*fpu), "a"(~0u), "d"(~0u));
	else
		__asm__ volatile("fxrstor64 %0" : : "m"(*fpu));
}

/* Every enabled component written, in its init state too (the Linux
 * signal frame wants them all).  Zeroed first: neither instruction writes
 * the reserved bytes of the image, nor XSAVE the rest of the header, and
 * all of it goes to user memory. */
void
x86_fpu_save_all(struct arch_fpu_state *fpu)
{
	memset(fpu->area, 0, sizeof(fpu->area));
	if (xsave_on)
		__asm__ volatile("xsave64 %0" : "+m"(*fpu) : "a"(~0u), "d"(~0u));
	else
		__asm__ volatile("fxsave64 %0" : "=m"(*fpu));
}

/* What makes XRSTOR (standard form) or FXRSTOR fault: a reserved MXCSR
 * bit, a feature XCR0 does not hold, a non-zero XCOMP_BV or reserved
 * header bytes. */
bool
x86_fpu_valid(const struct arch_fpu_state *fpu)
{
	if (get32(fpu, MXCSR_OFFSET) & ~mxcsr_mask)
		return false;
	if (!xsave_on)
		return true;
	return !(get64(fpu, XSTATE_BV_OFF) & ~features) && !get64(fpu, XCOMP_BV_OFF) &&
	       !get64(fpu, XHEADER_RSVD_OFF);
}

uint64_t
x86_fpu_xstate_bv(const struct arch_fpu_state *fpu)
{
	return get64(fpu, XSTATE_BV_OFF);
}

void
x86_fpu_set_xstate_bv(struct arch_fpu_state *fpu, uint64_t bv)
{
	put64(fpu, XSTATE_BV_OFF, bv);
}

void
x86_fpu_set_mxcsr_init(struct arch_fpu_state *fpu)
{
	uint32_t mxcsr = MXCSR_INIT;

	memcpy(fpu->area + MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
}

static void
restore_fn(void *fpu)
{
	arch_fpu_restore(fpu);
}

/* fpu into the registers with a fault caught: -1 then, the registers
 * anything.  Interrupts off. */
int
x86_fpu_restore_caught(const struct arch_fpu_state *fpu)
{
	struct fault_info fi;

	if (!fault_catch(restore_fn, (void *)(uintptr_t)fpu, &fi))
		return 0;
	pr_warn("fpu: a state refused: ");
	fault_print(&fi);
	return -1;
}

/*
 * A state user code wrote (a signal frame): checked, then loaded with the
 * fault caught all the same, so that a check this CPU adds costs the
 * process and not the kernel.  Interrupts off, the caller's registers live.
 */
int
x86_fpu_restore_user(const struct arch_fpu_state *fpu)
{
	if (!x86_fpu_valid(fpu))
		return -1;
	return x86_fpu_restore_caught(fpu);
}
