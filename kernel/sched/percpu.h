/*
 * What each CPU keeps for itself, reached through a CPU register (GS on
 * x86_64, TPIDR_EL1 on aarch64) so it works the same once there are
 * several CPUs.  Only CPU 0 runs today.
 */
#ifndef SCHED_PERCPU_H
#define SCHED_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "asm/percpu.h" /* arch_cpu_local(), inline */
#include "sched/percpu_offsets.h"

struct thread;

struct cpu_local {
	struct cpu_local *self; /* first: the arch reads it at offset 0 */
	/* For the system-call entry, which has no stack yet (the entry
	 * assembly reads them at sched/percpu_offsets.h's offsets). */
	uintptr_t kernel_sp; /* the current user thread's kernel stack top */
	uintptr_t user_sp;   /* scratch: the user stack pointer at entry */
	unsigned int id;
	struct thread *current;
	struct thread *idle;
	bool need_resched;
	uint64_t slice_start_ns; /* when the running time slice began */
	uint64_t run_start_ns;	 /* when current got the CPU (its CPU time) */
	struct thread *handoff;	 /* woken to run next on the current slice */
	uint64_t context_switches;
	uint64_t syscalls; /* made on this CPU since boot */
};

_Static_assert(__builtin_offsetof(struct cpu_local, kernel_sp) == CPU_LOCAL_KERNEL_SP, "entry asm");
_Static_assert(__builtin_offsetof(struct cpu_local, user_sp) == CPU_LOCAL_USER_SP, "entry asm");

void arch_cpu_local_init(struct cpu_local *cpu);

static inline struct thread *
current_thread(void)
{
	return arch_cpu_local()->current;
}

#endif
