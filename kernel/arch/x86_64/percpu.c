/* Per-CPU data through GS: GS_BASE holds the CPU's struct cpu_local. */
#include "arch/arch.h"

#include "asm/cpu.h"
#include "sched/percpu.h"

void
arch_cpu_local_init(struct cpu_local *cpu)
{
	cpu->self = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)cpu);
}
