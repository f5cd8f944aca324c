/*
 * ITIMER_REAL and alarm: SIGALRM when the time is up, again every
 * interval.  The time event fires in the timer interrupt, which sends
 * the signal (linux_signal_send is safe there).  ITIMER_VIRTUAL and
 * ITIMER_PROF, which count CPU time, are -EINVAL (docs/linux.md).
 */
#include "core/time.h"
#include "linux/errno.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "proc/uaccess.h"

#define NSEC	    1000000000ull
#define ITIMER_REAL 0
#define USEC_MAX    999999

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

long
lx_sys_getitimer(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct lx_itimerval v;
	unsigned long flags;

	if (a->a[0] != ITIMER_REAL)
		return -LX_EINVAL;
	flags = spin_lock_irqsave(&lp->sig_lock);
	v = current_locked(lp);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return copy_to_user(a->a[1], &v, sizeof(v)) ? -LX_EFAULT : 0;
}

long
lx_sys_setitimer(struct syscall_args *a)
{
	struct lx_itimerval v = { { 0, 0 }, { 0, 0 } }, old;

	if (a->a[0] != ITIMER_REAL)
		return -LX_EINVAL;
	if (a->a[1] && copy_from_user(&v, a->a[1], sizeof(v)))
		return -LX_EFAULT;
	if (v.value.sec < 0 || v.value.usec < 0 || v.value.usec > USEC_MAX || v.interval.sec < 0 ||
	    v.interval.usec < 0 || v.interval.usec > USEC_MAX)
		return -LX_EINVAL;
	set_real(lx_current(), tv_ns(&v.value), tv_ns(&v.interval), &old);
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
	time_event_cancel(&lp->real_timer);
}
