/*
 * wait4 and waitid: a parent collects its ended children (linux/family.c
 * keeps them as zombies, with Linux's wait status).  A wait sleeps on
 * the parent's child_wq, which every child's end wakes.  Nothing stops
 * without signals yet, so WUNTRACED and WCONTINUED find nothing more.
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
#define LX_WUNTRACED   2
#define LX_WEXITED     4
#define LX_WCONTINUED  8
#define LX_WNOWAIT     0x01000000
#define LX___WNOTHREAD 0x20000000
#define LX___WALL      0x40000000
#define LX___WCLONE    0x80000000

#define LX_P_ALL       0
#define LX_P_PID       1
#define LX_P_PGID      2

#define LX_SIGCHLD_NR  17
#define LX_CLD_EXITED  1
#define LX_CLD_KILLED  2

#define LX_RUSAGE_SIZE 144

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

/*
 * Waits for an ended child that s names: its state in *out, still
 * referenced for the caller (unlinked from the tree unless keep).
 * -LX_ECHILD (none named), 0 with *out NULL (nohang, none ended yet),
 * -LX_ERESTARTSYS (a signal to take), -LX_EINTR (asked to stop).
 */
static long
wait_child(struct linux_proc *self, const struct wait_sel *s, bool nohang, bool keep,
	   struct linux_proc **out, uint64_t *pid, uint32_t *wstatus)
{
	unsigned long flags = cap_lock_take();
	long r;

	*out = NULL;
	for (;;) {
		bool any = false;

		/* A signal from here on ends the sleep below at once. */
		thread_interrupt_clear();

		list_for_each (n, &self->children) {
			struct linux_proc *c = container_of(n, struct linux_proc, sibling);

			if (!selected(c, s))
				continue;
			any = true;
			if (c->zombie) {
				*out = c;
				break;
			}
		}
		if (*out) {
			*pid = (*out)->pid;
			*wstatus = (*out)->wstatus;
			if (!keep) {
				list_del(&(*out)->sibling);
				(*out)->parent = NULL;
				linux_family_reaped(*out);
				/* The parent's reference goes once the caller is done. */
			} else {
				kobject_ref(&(*out)->proc->obj);
			}
			r = 0;
			break;
		}
		if (!any) {
			r = -LX_ECHILD;
			break;
		}
		if (nohang) {
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
	uint64_t options = a->a[2], got = 0;
	struct linux_proc *self = lx_current(), *c;
	struct wait_sel s = { LX_P_ALL, 0 };
	uint32_t wstatus = 0;
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
	r = wait_child(self, &s, options & LX_WNOHANG, false, &c, &got, &wstatus);
	if (r < 0 || !c)
		return r;
	put_child(c);
	/* The child is gone whatever the copies do, as on Linux. */
	if (a->a[1] && copy_to_user(a->a[1], &wstatus, sizeof(wstatus)))
		return -LX_EFAULT;
	if (a->a[3]) {
		uint8_t ru[LX_RUSAGE_SIZE];

		memset(ru, 0, sizeof(ru));
		if (copy_to_user(a->a[3], ru, sizeof(ru)))
			return -LX_EFAULT;
	}
	return (long)got;
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
	uint64_t which = a->a[0], id = (uint32_t)a->a[1], options = a->a[3], got = 0;
	struct linux_proc *self = lx_current(), *c;
	struct lx_siginfo_child si;
	struct wait_sel s;
	uint32_t wstatus = 0;
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
	/* Only ended children are ever reported: without WEXITED, none. */
	if (!(options & LX_WEXITED))
		r = wait_child(self, &s, true, true, &c, &got, &wstatus);
	else
		r = wait_child(self, &s, options & LX_WNOHANG, options & LX_WNOWAIT, &c, &got,
			       &wstatus);
	if (r < 0)
		return r;
	if (c && !(options & LX_WEXITED)) {
		put_child(c);
		c = NULL;
	}
	memset(&si, 0, sizeof(si));
	if (c) {
		put_child(c);
		si.signo = LX_SIGCHLD_NR;
		si.pid = (int32_t)got;
		if (wstatus & 0x7f) {
			si.code = LX_CLD_KILLED;
			si.status = (int32_t)(wstatus & 0x7f);
		} else {
			si.code = LX_CLD_EXITED;
			si.status = (int32_t)((wstatus >> 8) & 0xff);
		}
	} else if (!(options & LX_WNOHANG)) {
		return -LX_ECHILD; /* none ended, and without WEXITED none will be reported */
	}
	if (a->a[2] && copy_to_user(a->a[2], &si, sizeof(si)))
		return -LX_EFAULT;
	if (a->a[4]) {
		uint8_t ru[LX_RUSAGE_SIZE];

		memset(ru, 0, sizeof(ru));
		if (copy_to_user(a->a[4], ru, sizeof(ru)))
			return -LX_EFAULT;
	}
	return 0;
}
