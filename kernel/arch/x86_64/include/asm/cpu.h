/* Model-specific registers, CPUID and control registers. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define RFLAGS_IF (1ull << 9)  /* interrupts enabled */
#define RFLAGS_AC (1ull << 18) /* alignment check; with SMAP: user access */

/* SMAP is on (CLAC/STAC exist): set once at boot (user.c). */
extern bool x86_smap_enabled;

#define MSR_APIC_BASE	   0x1b
#define MSR_TSC_DEADLINE   0x6e0
#define MSR_EFER	   0xc0000080
#define MSR_STAR	   0xc0000081
#define MSR_LSTAR	   0xc0000082
#define MSR_FMASK	   0xc0000084
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102 /* the user's GS base while in the kernel */

static inline uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline void
cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	__asm__ volatile("cpuid"
			 : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
			 : "a"(leaf), "c"(subleaf));
}

static inline uint64_t
read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("movq %%cr2, %0" : "=r"(v));
	return v;
}

static inline void
cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
