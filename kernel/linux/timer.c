/*
 * The interval timers.  ITIMER_REAL and alarm: SIGALRM when the time is
 * up, again every interval; a time event fires in the timer interrupt,
 * which sends the signal (linux_signal_send is safe there).
 * ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time as the
 * tick samples it (sched/cputime.h), as Linux's do: each tick that finds
 * one of its threads running (in user mode, for VIRTUAL) moves them on
 * by a tick, and the tick sends SIGVTALRM or SIGPROF to the process.
 */
#include "core/time.h"
#include "linux/errno.h"
#include "linux/linux.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"

#define NSEC	       1000000000ull
#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2
#define USEC_MAX       999999
#define LX_SIGVTALRM   26
#define LX_SIGPROF     27
#define CPU_TICK_NS    SCHED_SLICE_NS

struct lx_timeval {
	int64_t sec, usec;
};

struct lx_itimerval {
	struct lx_timeval interval, value;
};

static void
real_expired(void *ctx)
{
	struct linux_proc *lp = ctx;
	struct linux_siginfo info = { .signo = LX_SIGALRM, .code = LX_SI_KERNEL };

	spin_lock_noirq(&lp->sig_lock);
	if (lp->real_interval) {
		uint64_t now = time_now_ns();

		/* Missed periods are not made up, as Linux does not. */
		lp->real_deadline += lp->real_interval;
		if (lp->real_deadline <= now)
			lp->real_deadline = now + lp->real_interval;
		time_event_arm(&lp->real_timer, lp->real_deadline, real_expired, lp);
	} else {
		lp->real_deadline = 0;
	}
	spin_unlock_noirq(&lp->sig_lock);
	linux_signal_send(lp, LX_SIGALRM, &info);
}

static uint64_t
tv_ns(const struct lx_timeval *tv)
{
	if ((uint64_t)tv->sec >= UINT64_MAX / NSEC / 2)
		return UINT64_MAX / 4;
	return (uint64_t)tv->sec * NSEC + (uint64_t)tv->usec * 1000;
}

static struct lx_timeval
ns_tv(uint64_t ns)
{
	return (struct lx_timeval){ (int64_t)(ns / NSEC), (int64_t)(ns % NSEC / 1000) };
}

/* The timer as it stands (sig_lock held). */
static struct lx_itimerval
current_locked(const struct linux_proc *lp)
{
	uint64_t now = time_now_ns();
	struct lx_itimerval v = { ns_tv(lp->real_interval), { 0, 0 } };

	if (lp->real_deadline) {
		/* Armed and not yet fired: at least a microsecond, as Linux. */
		uint64_t left = lp->real_deadline > now ? lp->real_deadline - now : 0;

		v.value = ns_tv(left < 1000 ? 1000 : left);
	}
	return v;
}

/* Sets ITIMER_REAL (value 0: disarmed); *old gets what it was. */
static void
set_real(struct linux_proc *lp, uint64_t value, uint64_t interval, struct lx_itimerval *old)
{
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	*old = current_locked(lp);
	time_event_cancel(&lp->real_timer);
	lp->real_interval = value ? interval : 0;
	lp->real_deadline = value ? time_deadline_after(value) : 0;
	if (value)
		time_event_arm(&lp->real_timer, lp->real_deadline, real_expired, lp);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
}

/* ---- ITIMER_VIRTUAL and ITIMER_PROF ---- */

/* The process's sampled CPU time that CPU timer i counts: user time
 * (VIRTUAL, 0) or user and system time (PROF, 1). */
static uint64_t
cpu_now(const struct linux_proc *lp, int i)
{
	const struct process *p = lp->proc;
	uint64_t user = __atomic_load_n(&p->user_sample_ns, __ATOMIC_RELAXED);

	return i ? user + __atomic_load_n(&p->sys_sample_ns, __ATOMIC_RELAXED) : user;
}

/* CPU timer i as it stands (sig_lock held). */
static struct lx_itimerval
cpu_current_locked(const struct linux_proc *lp, int i)
{
	struct lx_itimerval v = { ns_tv(lp->cpu_incr[i]), { 0, 0 } };

	if (lp->cpu_expires[i]) {
		uint64_t now = cpu_now(lp, i);

		/* Due and not yet sent: a tick to go, as Linux says. */
		v.value = ns_tv(lp->cpu_expires[i] > now ? lp->cpu_expires[i] - now : CPU_TICK_NS);
	}
	return v;
}

/* Sets CPU timer i (value 0: disarmed, the interval kept as Linux keeps
 * it); *old gets what it was.  A tick more than asked, as Linux: the
 * tick under way may be nearly over. */
static void
set_cpu(struct linux_proc *lp, int i, uint64_t value, uint64_t interval, struct lx_itimerval *old)
{
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	*old = cpu_current_locked(lp, i);
	lp->cpu_incr[i] = interval;
	__atomic_store_n(&lp->cpu_expires[i], value ? cpu_now(lp, i) + value + CPU_TICK_NS : 0,
			 __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
}

void
linux_cputime_tick(struct process *p, uint64_t virt_ns, uint64_t prof_ns)
{
	static const int signo[2] = { LX_SIGVTALRM, LX_SIGPROF };
	struct linux_proc *lp = p->lx;
	uint64_t now[2] = { virt_ns, prof_ns };
	bool fire[2] = { false, false };

	/* Nothing armed (nearly always): no lock. */
	if (!__atomic_load_n(&lp->cpu_expires[0], __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&lp->cpu_expires[1], __ATOMIC_RELAXED))
		return;
	spin_lock_noirq(&lp->sig_lock);
	for (int i = 0; i < 2; i++) {
		uint64_t at = lp->cpu_expires[i];

		if (!at || now[i] < at)
			continue;
		/* Once a tick at most, however short the interval, as Linux. */
		fire[i] = true;
		lp->cpu_expires[i] = lp->cpu_incr[i] ? at + lp->cpu_incr[i] : 0;
	}
	spin_unlock_noirq(&lp->sig_lock);
	for (int i = 0; i < 2; i++) {
		if (fire[i]) {
			struct linux_siginfo info = { .signo = signo[i], .code = LX_SI_KERNEL };

			linux_signal_send(lp, signo[i], &info);
		}
	}
}

/* ---- the calls ---- */

long
lx_sys_getitimer(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	int which = (int32_t)a->a[0];
	struct lx_itimerval v;
	unsigned long flags;

	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -LX_EINVAL;
	flags = spin_lock_irqsave(&lp->sig_lock);
	v = which == ITIMER_REAL ? current_locked(lp) : cpu_current_locked(lp, which - 1);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return copy_to_user(a->a[1], &v, sizeof(v)) ? -LX_EFAULT : 0;
}

/* The new value is read and checked before which, as Linux does it. */
long
lx_sys_setitimer(struct syscall_args *a)
{
	struct lx_itimerval v = { { 0, 0 }, { 0, 0 } }, old;
	int which = (int32_t)a->a[0];

	if (a->a[1] && copy_from_user(&v, a->a[1], sizeof(v)))
		return -LX_EFAULT;
	if (v.value.sec < 0 || v.value.usec < 0 || v.value.usec > USEC_MAX || v.interval.sec < 0 ||
	    v.interval.usec < 0 || v.interval.usec > USEC_MAX)
		return -LX_EINVAL;
	if (which == ITIMER_REAL)
		set_real(lx_current(), tv_ns(&v.value), tv_ns(&v.interval), &old);
	else if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
		set_cpu(lx_current(), which - 1, tv_ns(&v.value), tv_ns(&v.interval), &old);
	else
		return -LX_EINVAL;
	if (a->a[2] && copy_to_user(a->a[2], &old, sizeof(old)))
		return -LX_EFAULT;
	return 0;
}

/* x86_64 only (its list): seconds left of the previous alarm, rounded
 * as Linux rounds them. */
long
lx_sys_alarm(struct syscall_args *a)
{
	struct lx_itimerval old;
	uint64_t secs = (uint32_t)a->a[0];
	long left;

	set_real(lx_current(), secs * NSEC, 0, &old);
	left = (long)old.value.sec;
	if (old.value.usec >= 500000 || (!left && old.value.usec))
		left++;
	return left;
}

void
linux_timer_release(struct linux_proc *lp)
{
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	time_event_cancel(&lp->real_timer);
	__atomic_store_n(&lp->cpu_expires[0], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lp->cpu_expires[1], 0, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
}
