/*
 * CPU time of threads and processes, split into user and system time
 * (docs/scheduler.md, "CPU time").  A thread's run time is exact: the
 * scheduler charges it at every switch (thread.cpu_ns).  The split
 * comes from the timer tick, which samples whether the thread it
 * interrupts was in user mode or in the kernel (Linux's tick-based
 * accounting): nothing is added to the system-call path.  Reports
 * scale the samples to the run time (lib/cputime.h).
 */
#ifndef SCHED_CPUTIME_H
#define SCHED_CPUTIME_H

#include <stdint.h>

struct arch_regs;
struct process;
struct thread;

/* A report: utime_ns + stime_ns == run_ns, and neither goes back. */
struct cputime {
	uint64_t run_ns;
	uint64_t utime_ns, stime_ns;
};

/* The tick (interrupt context, on the CPU that runs the current thread):
 * samples where it was (regs: what the interrupt interrupted), for the
 * thread and its process, and lets the Linux personality check its CPU
 * timers. */
void cputime_tick(const struct arch_regs *regs, uint64_t tick_ns);

/* t's run time so far, exact (sched.c; sched_lock inside). */
uint64_t thread_run_ns(struct thread *t);
/* t's report (sched.c; sched_lock inside). */
void thread_cputime(struct thread *t, struct cputime *out);

/* p's run time so far: its live threads' and those gone (capability lock
 * held). */
uint64_t process_run_ns(struct process *p);
/* p's report (capability lock held). */
void process_cputime(struct process *p, struct cputime *out);

/* The calling thread t leaves p's list of threads: its run time stays
 * p's (capability lock held). */
void process_cputime_leave(struct process *p, struct thread *t);

#endif
