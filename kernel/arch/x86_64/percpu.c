/* Per-CPU data through GS: GS_BASE holds the CPU's struct cpu_local. */
#include "arch/arch.h"

#include "sched/percpu.h"

#define MSR_GS_BASE	0xc0000101

static void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void
arch_cpu_local_init(struct cpu_local *cpu)
{
	cpu->self = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)cpu);
}
