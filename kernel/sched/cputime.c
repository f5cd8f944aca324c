/*
 * CPU time (sched/cputime.h): the tick's samples, and the reports of
 * threads and processes built from the exact run time and those samples.
 */
#include "sched/cputime.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "linux/linux.h"
#include "object/process.h"
#include "sched/percpu.h"
#include "sched/thread.h"

/* Only the CPU that runs t writes t's samples; others may read them. */
static void
add_sample(uint64_t *sample, uint64_t ns)
{
	__atomic_store_n(sample, __atomic_load_n(sample, __ATOMIC_RELAXED) + ns, __ATOMIC_RELAXED);
}

void
cputime_tick(const struct arch_regs *regs, uint64_t tick_ns)
{
	struct cpu_local *cpu = arch_cpu_local();
	struct thread *t = cpu->current;
	bool user = regs && arch_regs_user_mode(regs);
	struct process *p = t->proc;
	uint64_t u, s;

	if (t == cpu->idle)
		return;
	add_sample(user ? &t->user_sample_ns : &t->sys_sample_ns, tick_ns);
	if (!p)
		return;
	/* A process's threads may run on several CPUs at once. */
	u = __atomic_add_fetch(&p->user_sample_ns, user ? tick_ns : 0, __ATOMIC_RELAXED);
	s = __atomic_add_fetch(&p->sys_sample_ns, user ? 0 : tick_ns, __ATOMIC_RELAXED);
	if (p->lx)
		linux_cputime_tick(p, u, u + s);
}

uint64_t
process_run_ns(struct process *p)
{
	uint64_t ns = p->gone_cpu_ns;

	list_for_each (n, &p->threads)
		ns += thread_run_ns(container_of(n, struct thread, proc_link));
	return ns;
}

void
process_cputime(struct process *p, struct cputime *out)
{
	cputime_split(&p->cputime_prev, process_run_ns(p),
		      __atomic_load_n(&p->user_sample_ns, __ATOMIC_RELAXED),
		      __atomic_load_n(&p->sys_sample_ns, __ATOMIC_RELAXED), &out->utime_ns,
		      &out->stime_ns);
	out->run_ns = out->utime_ns + out->stime_ns;
}

void
process_cputime_leave(struct process *p, struct thread *t)
{
	/* What t runs from here to its end is nobody's: a few microseconds. */
	p->gone_cpu_ns += thread_run_ns(t);
}
