/*
 * CPU time split into user and system time, the way Linux reports it
 * with tick-based accounting.  The run time is exact (the scheduler
 * charges it at every switch); the timer tick samples whether the CPU
 * was in user mode or in the kernel.  The split scales the samples to
 * the run time, and never lets either part go back, however the ratio
 * of the samples moves.  Pure: tested on the host (test_cputime.c).
 */
#ifndef LIB_CPUTIME_H
#define LIB_CPUTIME_H

#include <stdint.h>

/* What was last reported (ns): each part only grows from here. */
struct cputime_prev {
	uint64_t utime, stime;
};

/*
 * Splits rtime ns of run time in the ratio of the samples user and sys
 * into *utime + *stime == rtime, both at least what prev holds (prev is
 * updated).  With no system sample, all of it is user time; with no user
 * sample, all system time.  An rtime below what prev reported already
 * (a reader that raced ahead) gives prev unchanged.
 */
void cputime_split(struct cputime_prev *prev, uint64_t rtime, uint64_t user, uint64_t sys,
		   uint64_t *utime, uint64_t *stime);

/* Nanoseconds as clock ticks of hz per second, rounded down (times(),
 * /proc/PID/stat). */
static inline uint64_t
cputime_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return ns / (1000000000ull / hz);
}

#endif
