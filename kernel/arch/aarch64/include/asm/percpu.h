/*
 * This CPU's struct cpu_local (sched/percpu.h) through TPIDR_EL1, which
 * holds it.  Inline: the scheduler and the system-call paths ask often.
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

struct cpu_local;

static inline struct cpu_local *
arch_cpu_local(void)
{
	struct cpu_local *cpu;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(cpu));
	return cpu;
}

#endif
