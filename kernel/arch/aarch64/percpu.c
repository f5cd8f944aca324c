/* Per-CPU data through TPIDR_EL1, which holds the CPU's struct cpu_local. */
#include "arch/arch.h"

#include "sched/percpu.h"

void
arch_cpu_local_init(struct cpu_local *cpu)
{
	cpu->self = cpu;
	__asm__ volatile("msr tpidr_el1, %0" : : "r"(cpu));
}
