/*
 * What each CPU keeps for itself, reached through a CPU register (GS on
 * x86_64, TPIDR_EL1 on aarch64) so it works the same once there are
 * several CPUs.  Only CPU 0 runs today.
 */
#ifndef SCHED_PERCPU_H
#define SCHED_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

struct cpu_local {
	struct cpu_local *self;		/* first: the arch reads it at offset 0 */
	unsigned int id;
	struct thread *current;
	struct thread *idle;
	bool need_resched;
	uint64_t slice_start_ns;	/* when current got the CPU */
	uint64_t context_switches;
};

void arch_cpu_local_init(struct cpu_local *cpu);
struct cpu_local *arch_cpu_local(void);

static inline struct thread *
current_thread(void)
{
	return arch_cpu_local()->current;
}

#endif
