/*
 * Linux's CPU-time clock ids (include/linux/posix-timers.h): besides
 * CLOCK_PROCESS_CPUTIME_ID (2) and CLOCK_THREAD_CPUTIME_ID (3), the
 * negative ids that clock_getcpuclockid and pthread_getcpuclockid make
 * are ((~pid) << 3) | thread << 2 | which, pid 0 meaning the caller's.
 * Pure: tested on the host (test_cputime.c).
 */
#ifndef LINUX_CPUCLOCK_H
#define LINUX_CPUCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* What a CPU clock counts. */
enum lx_cpuclock_which {
	LX_CPUCLOCK_PROF,  /* user and system time, sampled at the tick */
	LX_CPUCLOCK_VIRT,  /* user time, sampled at the tick */
	LX_CPUCLOCK_SCHED, /* run time, exact */
};

struct lx_cpuclock {
	int32_t pid; /* a pid (process clock) or a tid (thread clock); 0: the caller */
	bool thread;
	enum lx_cpuclock_which which;
};

#define LX_CLOCK_PROCESS_CPUTIME_ID 2
#define LX_CLOCK_THREAD_CPUTIME_ID  3

/*
 * 1 when clock is a CPU clock (*c says which), 0 when it is not one (the
 * other clocks: clock >= 0), -1 when it is a negative id that names no
 * CPU clock (which 3: Linux's dynamic clocks of a descriptor, which
 * this kernel has none of): EINVAL.
 */
static inline int
lx_cpuclock_decode(int32_t clock, struct lx_cpuclock *c)
{
	if (clock == LX_CLOCK_PROCESS_CPUTIME_ID || clock == LX_CLOCK_THREAD_CPUTIME_ID) {
		c->pid = 0;
		c->thread = clock == LX_CLOCK_THREAD_CPUTIME_ID;
		c->which = LX_CPUCLOCK_SCHED;
		return 1;
	}
	if (clock >= 0)
		return 0;
	if ((clock & 3) == 3)
		return -1;
	c->pid = ~(clock >> 3); /* an arithmetic shift: the id is negative */
	c->thread = (clock & 4) != 0;
	c->which = (enum lx_cpuclock_which)(clock & 3);
	return 1;
}

#endif
