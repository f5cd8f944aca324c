/*
 * CPU time as Linux programs see it (docs/linux.md, "CPU time"): times,
 * getrusage, the rusage of wait4 and waitid, and the CPU-time clocks of
 * clock_gettime, clock_getres and clock_nanosleep.  A process's children
 * count once a wait has reaped them, their own reaped children with
 * them (Linux's cutime and cstime); one ignored or reaped by
 * SA_NOCLDWAIT never counts.  The accounting is the scheduler's
 * (sched/cputime.h).
 */
#include "cap/lock.h"
#include "core/time.h"
#include "lib/cputime.h"
#include "lib/string.h"
#include "linux/cpuclock.h"
#include "linux/errno.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/cputime.h"
#include "sched/thread.h"

#define NSEC		   1000000000ull
#define USER_HZ		   100 /* sysconf(_SC_CLK_TCK): AT_CLKTCK says so */
#define LX_RUSAGE_SELF	   0
#define LX_RUSAGE_CHILDREN (-1)
#define LX_RUSAGE_THREAD   1

struct lx_timeval {
	int64_t sec, usec;
};

struct lx_rusage {
	struct lx_timeval utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
		msgrcv, nsignals, nvcsw, nivcsw;
};
_Static_assert(sizeof(struct lx_rusage) == 144, "struct rusage");

struct lx_tms {
	int64_t utime, stime, cutime, cstime;
};

void
linux_cputime_both(struct linux_proc *lp, uint64_t *utime, uint64_t *stime)
{
	struct cputime ct;

	process_cputime(lp->proc, &ct);
	*utime = ct.utime_ns + lp->cutime_ns;
	*stime = ct.stime_ns + lp->cstime_ns;
}

void
linux_cputime_reaped(struct linux_proc *lp, uint64_t utime, uint64_t stime)
{
	lp->cutime_ns += utime;
	lp->cstime_ns += stime;
}

long
linux_rusage_put(uintptr_t u, uint64_t utime, uint64_t stime)
{
	struct lx_rusage ru;

	/* Truncated to microseconds, as Linux does. */
	memset(&ru, 0, sizeof(ru));
	ru.utime = (struct lx_timeval){ (int64_t)(utime / NSEC), (int64_t)(utime % NSEC / 1000) };
	ru.stime = (struct lx_timeval){ (int64_t)(stime / NSEC), (int64_t)(stime % NSEC / 1000) };
	return copy_to_user(u, &ru, sizeof(ru)) ? -LX_EFAULT : 0;
}

/* Only the times are kept: the rest of struct rusage is 0. */
long
lx_sys_getrusage(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct cputime ct;
	unsigned long irq;

	switch ((int32_t)a->a[0]) {
	case LX_RUSAGE_SELF:
		irq = cap_lock_take();
		process_cputime(lp->proc, &ct);
		cap_lock_drop(irq);
		break;
	case LX_RUSAGE_CHILDREN:
		irq = cap_lock_take();
		ct.utime_ns = lp->cutime_ns;
		ct.stime_ns = lp->cstime_ns;
		cap_lock_drop(irq);
		break;
	case LX_RUSAGE_THREAD:
		thread_cputime(thread_current(), &ct);
		break;
	default:
		return -LX_EINVAL;
	}
	return linux_rusage_put(a->a[1], ct.utime_ns, ct.stime_ns);
}

long
lx_sys_times(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();

	if (a->a[0]) {
		struct cputime ct;
		struct lx_tms t;
		unsigned long irq = cap_lock_take();

		process_cputime(lp->proc, &ct);
		t.cutime = (int64_t)cputime_ns_to_ticks(lp->cutime_ns, USER_HZ);
		t.cstime = (int64_t)cputime_ns_to_ticks(lp->cstime_ns, USER_HZ);
		cap_lock_drop(irq);
		t.utime = (int64_t)cputime_ns_to_ticks(ct.utime_ns, USER_HZ);
		t.stime = (int64_t)cputime_ns_to_ticks(ct.stime_ns, USER_HZ);
		if (copy_to_user(a->a[0], &t, sizeof(t)))
			return -LX_EFAULT;
	}
	/* Clock ticks since boot: callers take differences. */
	return (long)cputime_ns_to_ticks(time_now_ns(), USER_HZ);
}

struct thread *
linux_live_thread(struct linux_proc *lp, uint64_t tid)
{
	struct process *p = lp->proc;

	list_for_each (n, &p->threads) {
		struct thread *t = container_of(n, struct thread, proc_link);
		/* The first thread binds its state at its first call. */
		struct linux_thread *lt = t->lx ? t->lx : t == p->main ? &lp->main : NULL;

		if (lt && lt->tid == tid)
			return t;
	}
	return NULL;
}

/* The value of clock c (capability lock held), or -LX_EINVAL: a thread
 * clock names a thread of the caller's process, a process clock a
 * process of its instance not yet reaped (or the caller's own thread,
 * which stands for its process as on Linux). */
static long
clock_sample(const struct lx_cpuclock *c, uint64_t *ns)
{
	struct linux_proc *lp = lx_current();
	uint64_t user, sys;

	if (c->thread) {
		struct thread *t =
			c->pid ? linux_live_thread(lp, (uint64_t)c->pid) : thread_current();

		if (!t)
			return -LX_EINVAL;
		if (c->which == LX_CPUCLOCK_SCHED) {
			*ns = thread_run_ns(t);
			return 0;
		}
		user = __atomic_load_n(&t->user_sample_ns, __ATOMIC_RELAXED);
		sys = __atomic_load_n(&t->sys_sample_ns, __ATOMIC_RELAXED);
	} else {
		struct linux_proc *q = lp;

		if (c->pid && (uint64_t)c->pid != lx_thread_current()->tid) {
			q = linux_family_find(lp, (uint64_t)c->pid);
			if (!q || !q->counted || !q->proc)
				return -LX_EINVAL;
		}
		if (c->which == LX_CPUCLOCK_SCHED) {
			*ns = process_run_ns(q->proc);
			return 0;
		}
		user = __atomic_load_n(&q->proc->user_sample_ns, __ATOMIC_RELAXED);
		sys = __atomic_load_n(&q->proc->sys_sample_ns, __ATOMIC_RELAXED);
	}
	/* The sampled clocks are the tick's samples, as Linux's are. */
	*ns = c->which == LX_CPUCLOCK_VIRT ? user : user + sys;
	return 0;
}

static long
sample_locked(const struct lx_cpuclock *c, uint64_t *ns)
{
	unsigned long irq;
	long r;

	/* The caller's own run time needs no lock. */
	if (c->thread && !c->pid && c->which == LX_CPUCLOCK_SCHED) {
		*ns = thread_run_ns(thread_current());
		return 0;
	}
	irq = cap_lock_take();
	r = clock_sample(c, ns);
	cap_lock_drop(irq);
	return r;
}

long
linux_cpu_clock_get(int32_t clock, uint64_t *ns)
{
	struct lx_cpuclock c;

	if (lx_cpuclock_decode(clock, &c) != 1)
		return -LX_EINVAL;
	return sample_locked(&c, ns);
}

long
linux_cpu_clock_res(int32_t clock, uint64_t *ns)
{
	struct lx_cpuclock c;
	uint64_t v;
	long r;

	if (lx_cpuclock_decode(clock, &c) != 1)
		return -LX_EINVAL;
	r = sample_locked(&c, &v);
	if (r)
		return r;
	/* The run time is exact; the sampled clocks move a tick at a time. */
	*ns = c.which == LX_CPUCLOCK_SCHED ? 1 : SCHED_SLICE_NS;
	return 0;
}

long
linux_cpu_clock_sleep(int32_t clock, bool abs, uint64_t ns, uint64_t *left)
{
	struct lx_cpuclock c;
	uint64_t now, deadline;
	long r;

	if (lx_cpuclock_decode(clock, &c) != 1)
		return -LX_EINVAL;
	/* A thread cannot wait for its own clock to move. */
	if (c.thread && (!c.pid || (uint64_t)c.pid == lx_thread_current()->tid))
		return -LX_EINVAL;
	r = sample_locked(&c, &now);
	if (r)
		return r;
	deadline = abs ? ns : ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	while (now < deadline) {
		/*
		 * With one CPU a clock goes no faster than real time, so it
		 * cannot get there before deadline - now from here (with n
		 * CPUs a process's could go n times as fast).  A process or
		 * thread that has gone has a clock that stops.
		 */
		r = linux_wait_interruptible(time_deadline_after(deadline - now));
		if (sample_locked(&c, &now))
			r = r ? r : linux_wait_interruptible(WAIT_FOREVER);
		if (r) {
			*left = deadline > now ? deadline - now : 0;
			return r;
		}
	}
	return 0;
}
