/*
 * wait4 and waitid: a parent collects its ended children (linux/family.c
 * keeps them as zombies, with Linux's wait status), and hears once of
 * each stop (WUNTRACED, WSTOPPED) and continue (WCONTINUED) of one
 * (linux/signal.c keeps them in stop_report and cont_report).  A wait
 * sleeps on the parent's child_wq, which every child's end, stop and
 * continue wakes.  The rusage is the child's times and its reaped
 * children's; reaping adds them to the parent's (linux/cputime.c).
 */
#include "cap/lock.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/errno.h"

#define LX_WNOHANG     1
#define LX_WUNTRACED   2 /* waitid's WSTOPPED */
#define LX_WEXITED     4
#define LX_WCONTINUED  8
#define LX_WNOWAIT     0x01000000
#define LX___WNOTHREAD 0x20000000
#define LX___WALL      0x40000000
#define LX___WCLONE    0x80000000

#define LX_P_ALL       0
#define LX_P_PID       1
#define LX_P_PGID      2

/* Which children a wait names: all, one pid, or one group. */
struct wait_sel {
	int kind; /* LX_P_* */
	uint64_t id;
};

static bool
selected(const struct linux_proc *c, const struct wait_sel *s)
{
	switch (s->kind) {
	case LX_P_PID:
		return c->pid == s->id;
	case LX_P_PGID:
		return c->pgid == s->id;
	default:
		return true;
	}
}

/* What a wait found: a child's end (child is then referenced for the
 * caller), stop or continue. */
struct wait_event {
	struct linux_proc *child; /* an end's, to put_child; else NULL */
	uint64_t pid;		  /* 0: nothing found */
	uint32_t wstatus;	  /* as wait4 gives it */
	int32_t code, status;	  /* waitid's si_code and si_status */
	uint64_t utime, stime;	  /* the child's and its reaped children's (rusage) */
};

/* The event of c that options ask for, if any (capability lock held):
 * reported once, unless WNOWAIT. */
static bool
child_event(struct linux_proc *c, uint64_t options, struct wait_event *ev)
{
	bool keep = options & LX_WNOWAIT;

	if (c->zombie && (options & LX_WEXITED)) {
		ev->pid = c->pid;
		ev->wstatus = c->wstatus;
		ev->code = c->wstatus & 0x7f ? LX_CLD_KILLED : LX_CLD_EXITED;
		ev->status =
			(int32_t)(c->wstatus & 0x7f ? c->wstatus & 0x7f : (c->wstatus >> 8) & 0xff);
		ev->child = c;
		linux_cputime_both(c, &ev->utime, &ev->stime);
		if (!keep) {
			/* Reaped: its times become its parent's children's. */
			linux_cputime_reaped(c->parent, ev->utime, ev->stime);
			list_del(&c->sibling);
			c->parent = NULL;
			linux_family_reaped(c);
			/* The parent's reference goes once the caller is done. */
		} else {
			kobject_ref(&c->proc->obj);
		}
		return true;
	}
	if (c->zombie)
		return false;
	if ((options & LX_WUNTRACED) && c->stopped && c->stop_report) {
		ev->pid = c->pid;
		ev->wstatus = ((uint32_t)c->stop_sig << 8) | 0x7f;
		ev->code = LX_CLD_STOPPED;
		ev->status = c->stop_sig;
		c->stop_report = keep;
		linux_cputime_both(c, &ev->utime, &ev->stime);
		return true;
	}
	if ((options & LX_WCONTINUED) && c->cont_report) {
		ev->pid = c->pid;
		ev->wstatus = 0xffff;
		ev->code = LX_CLD_CONTINUED;
		ev->status = LX_SIGCONT;
		c->cont_report = keep;
		linux_cputime_both(c, &ev->utime, &ev->stime);
		return true;
	}
	return false;
}

/*
 * Waits for an event of a child that s names and options ask for (an
 * end, a stop, a continue): *ev.  -LX_ECHILD (none named), 0 with
 * ev->pid 0 (WNOHANG, nothing yet), -LX_ERESTARTSYS (a signal to take),
 * -LX_EINTR (asked to stop).
 */
static long
wait_child(struct linux_proc *self, const struct wait_sel *s, uint64_t options,
	   struct wait_event *ev)
{
	unsigned long flags = cap_lock_take();
	long r;

	memset(ev, 0, sizeof(*ev));
	for (;;) {
		bool any = false, found = false;

		/* A signal from here on ends the sleep below at once. */
		thread_interrupt_clear();

		list_for_each (n, &self->children) {
			struct linux_proc *c = container_of(n, struct linux_proc, sibling);

			if (!selected(c, s))
				continue;
			any = true;
			if (child_event(c, options, ev)) {
				found = true;
				break;
			}
		}
		if (found) {
			r = 0;
			break;
		}
		if (!any) {
			r = -LX_ECHILD;
			break;
		}
		if (options & LX_WNOHANG) {
			r = 0;
			break;
		}
		/* A handler to run: the call is restarted after it when it
		 * has SA_RESTART, else EINTR (Linux's ERESTARTSYS). */
		if (linux_signal_pending(self)) {
			r = -LX_ERESTARTSYS;
			break;
		}
		cap_lock_wait_interruptible(&self->child_wq, WAIT_FOREVER);
		if (thread_should_stop()) {
			r = -LX_EINTR;
			break;
		}
	}
	cap_lock_drop(flags);
	return r;
}

static void
put_child(struct linux_proc *c)
{
	unsigned long flags = cap_lock_take();

	kobject_unref(&c->proc->obj);
	cap_lock_drop(flags);
}

long
lx_sys_wait4(struct syscall_args *a)
{
	int64_t pid = (int32_t)a->a[0];
	uint64_t options = a->a[2];
	struct linux_proc *self = lx_current();
	struct wait_sel s = { LX_P_ALL, 0 };
	struct wait_event ev;
	long r;

	if (options & ~(uint64_t)(LX_WNOHANG | LX_WUNTRACED | LX_WCONTINUED | LX___WNOTHREAD |
				  LX___WALL | LX___WCLONE))
		return -LX_EINVAL;
	if (pid == INT32_MIN)
		return -LX_ESRCH;
	if (pid > 0)
		s = (struct wait_sel){ LX_P_PID, (uint64_t)pid };
	else if (pid == 0)
		s = (struct wait_sel){ LX_P_PGID, __atomic_load_n(&self->pgid, __ATOMIC_RELAXED) };
	else if (pid < -1)
		s = (struct wait_sel){ LX_P_PGID, (uint64_t)-pid };
	r = wait_child(self, &s, options | LX_WEXITED, &ev);
	if (r < 0 || !ev.pid)
		return r;
	if (ev.child)
		put_child(ev.child);
	/* The child is gone whatever the copies do, as on Linux. */
	if (a->a[1] && copy_to_user(a->a[1], &ev.wstatus, sizeof(ev.wstatus)))
		return -LX_EFAULT;
	if (a->a[3] && linux_rusage_put(a->a[3], ev.utime, ev.stime))
		return -LX_EFAULT;
	return (long)ev.pid;
}

/* The start of siginfo_t as waitid fills it (128 bytes in all). */
struct lx_siginfo_child {
	int32_t signo, errno_, code, pad;
	int32_t pid, uid, status;
	uint8_t rest[128 - 28];
};

long
lx_sys_waitid(struct syscall_args *a)
{
	uint64_t which = a->a[0], id = (uint32_t)a->a[1], options = a->a[3];
	struct linux_proc *self = lx_current();
	struct lx_siginfo_child si;
	struct wait_event ev;
	struct wait_sel s;
	long r;

	if (options & ~(uint64_t)(LX_WNOHANG | LX_WUNTRACED | LX_WEXITED | LX_WCONTINUED |
				  LX_WNOWAIT | LX___WNOTHREAD | LX___WALL | LX___WCLONE))
		return -LX_EINVAL;
	if (!(options & (LX_WEXITED | LX_WUNTRACED | LX_WCONTINUED)))
		return -LX_EINVAL;
	if (which == LX_P_PGID && id == 0)
		id = __atomic_load_n(&self->pgid, __ATOMIC_RELAXED);
	if (which > LX_P_PGID || (which == LX_P_PID && id == 0))
		return -LX_EINVAL;
	s = (struct wait_sel){ (int)which, id };
	r = wait_child(self, &s, options, &ev);
	if (r < 0)
		return r;
	if (ev.child)
		put_child(ev.child);
	memset(&si, 0, sizeof(si));
	if (ev.pid) {
		si.signo = LX_SIGCHLD;
		si.pid = (int32_t)ev.pid;
		si.code = ev.code;
		si.status = ev.status;
	}
	if (a->a[2] && copy_to_user(a->a[2], &si, sizeof(si)))
		return -LX_EFAULT;
	/* Linux writes the rusage only when it found a child. */
	if (ev.pid && a->a[4] && linux_rusage_put(a->a[4], ev.utime, ev.stime))
		return -LX_EFAULT;
	return 0;
}
