/*
 * Linux signals: dispositions, masks and pending sets (linux/signal.h),
 * their calls, and delivery on the way back to user mode.  Dispositions
 * and the process's pending set are the process's; each thread has its
 * mask, its own pending set (tgkill, faults) and alternate stack
 * (struct linux_thread).  A signal sent to the process wakes each of its
 * threads: the first on its way to user mode that does not block it
 * takes it.  kill reaches the processes of the caller's personality
 * instance and nothing else, as a container's processes see only
 * theirs; a child's end sends its parent SIGCHLD.
 */
#include "linux/signal.h"

#include "arch/arch.h"
#include "asm/layout.h"
#include "cap/lock.h"
#include "core/fault.h"
#include "core/printk.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/linux.h"
#include "linux/proc.h"
#include "linux/sigpending.h"
#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "object/address_space.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "proc/user_memory.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define LX_SIG_BLOCK   0
#define LX_SIG_UNBLOCK 1
#define LX_SIG_SETMASK 2

/* MINSIGSTKSZ: what a frame needs on each architecture. */
#ifdef __aarch64__
#define LX_MINSIGSTKSZ 5120
#else
#define LX_MINSIGSTKSZ 2048
#endif

enum default_action {
	ACT_TERM,
	ACT_CORE,
	ACT_IGNORE,
	ACT_STOP,
	ACT_CONT
};

static enum default_action
default_action(int sig)
{
	switch (sig) {
	case LX_SIGCHLD:
	case LX_SIGURG:
	case LX_SIGWINCH:
		return ACT_IGNORE;
	case LX_SIGCONT:
		return ACT_CONT;
	case LX_SIGSTOP:
	case LX_SIGTSTP:
	case LX_SIGTTIN:
	case LX_SIGTTOU:
		return ACT_STOP;
	case LX_SIGQUIT:
	case LX_SIGILL:
	case LX_SIGTRAP:
	case LX_SIGABRT:
	case LX_SIGBUS:
	case LX_SIGFPE:
	case LX_SIGSEGV:
	case 24: /* SIGXCPU */
	case 25: /* SIGXFSZ */
	case LX_SIGSYS:
		return ACT_CORE; /* no core is written: as ACT_TERM */
	default:
		return ACT_TERM;
	}
}

/* sig_lock held.  SIGCONT's default is ignored once its effect (the
 * process continues) has been had, as Linux's sig_kernel_ignore. */
static bool
ignored_locked(const struct linux_proc *lp, int sig)
{
	uint64_t h = lp->act[sig - 1].handler;

	if (sig == LX_SIGKILL || sig == LX_SIGSTOP)
		return false;
	if (h == LX_SIG_IGN)
		return true;
	return h == LX_SIG_DFL &&
	       (default_action(sig) == ACT_IGNORE || default_action(sig) == ACT_CONT);
}

#define LX_STOP_SIGS                                                             \
	(lx_sigbit(LX_SIGSTOP) | lx_sigbit(LX_SIGTSTP) | lx_sigbit(LX_SIGTTIN) | \
	 lx_sigbit(LX_SIGTTOU))

/* What the heap gives a struct linux_sigqueue (its size class): the
 * queued siginfos are charged to the pool a page per this many. */
#define SIGQ_BYTES 256
_Static_assert(sizeof(struct linux_sigqueue) <= SIGQ_BYTES, "a queued siginfo's class");

static uint64_t
sigq_pages_for(uint64_t n)
{
	return (n * SIGQ_BYTES + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
}

/*
 * sig_lock held: a siginfo for lp's queues, counted and charged; NULL
 * past RLIMIT_SIGPENDING (unless override: a standard signal from the
 * kernel or kill, which Linux queues whatever the count), past the
 * pool, or out of memory.  Safe from interrupts: the heap and the
 * pools take spinlocks of their own, inside sig_lock.
 */
static struct linux_sigqueue *
sigq_alloc_locked(struct linux_proc *lp, bool override)
{
	uint64_t limit = __atomic_load_n(&lp->rlim_cur[LX_RLIMIT_SIGPENDING], __ATOMIC_RELAXED);
	uint64_t need = sigq_pages_for(lp->sigq_count + 1);
	struct linux_sigqueue *q;

	if (!lp->proc || (!override && lp->sigq_count >= limit))
		return NULL;
	if (need > lp->sigq_pages) {
		if (mempool_charge(lp->proc->pool, need - lp->sigq_pages))
			return NULL;
		lp->sigq_pages = need;
	}
	q = kmalloc(sizeof(*q));
	if (!q)
		return NULL; /* the page charged stays until the count falls */
	lp->sigq_count++;
	return q;
}

/* sig_lock held: q (off its queue) is freed, and the pages no longer
 * needed go back to the pool. */
static void
sigq_free_locked(struct linux_proc *lp, struct linux_sigqueue *q)
{
	uint64_t need;

	kfree(q);
	lp->sigq_count--;
	need = sigq_pages_for(lp->sigq_count);
	if (need < lp->sigq_pages) {
		mempool_uncharge(lp->proc->pool, lp->sigq_pages - need);
		lp->sigq_pages = need;
	}
}

/* sig_lock held: the signals in clear leave sp, their siginfos freed. */
static void
pending_remove_locked(struct linux_proc *lp, struct linux_sigpending *sp, uint64_t clear)
{
	for (;;) {
		struct linux_sigqueue *q = linux_sigpending_remove(sp, clear);

		if (!q)
			break;
		sigq_free_locked(lp, q);
	}
}

/* sig_lock held: takes the signals in clear off every pending set of
 * lp, the process's and its threads'. */
static void
unqueue_locked(struct linux_proc *lp, uint64_t clear)
{
	pending_remove_locked(lp, &lp->shared, clear);
	list_for_each (n, &lp->threads)
		pending_remove_locked(lp, &container_of(n, struct linux_thread, link)->pending,
				      clear);
}

void
linux_signal_release(struct linux_proc *lp)
{
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	pending_remove_locked(lp, &lp->shared, ~0ull);
	list_for_each (n, &lp->threads)
		pending_remove_locked(lp, &container_of(n, struct linux_thread, link)->pending,
				      ~0ull);
	/* A page charged for an allocation that then failed. */
	if (lp->sigq_pages && lp->proc)
		mempool_uncharge(lp->proc->pool, lp->sigq_pages);
	lp->sigq_pages = 0;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
}

/* sig_lock held: wakes lp's threads (only, when not NULL, alone) from an
 * interruptible wait; none once the process has ended (its threads may
 * be freed before it is).  A thread on the list has not ended alone. */
static void
wake_locked(struct linux_proc *lp, struct linux_thread *only)
{
	if (!lp->proc || lp->ended)
		return;
	list_for_each (n, &lp->threads) {
		struct linux_thread *lt = container_of(n, struct linux_thread, link);
		struct thread *t = lt->thread ? lt->thread : lp->proc->main;

		if (t && (!only || lt == only))
			thread_interrupt(t);
	}
}

/* sig_lock held: the process's pending signals in left, which lt will
 * not take (it blocks them now, or ends) though it may have been the
 * thread chosen for them, go to other threads that do not block them,
 * each woken (Linux's retarget_shared_pending). */
static void
retarget_locked(struct linux_proc *lp, struct linux_thread *lt, uint64_t left)
{
	list_for_each (n, &lp->threads) {
		struct linux_thread *t = container_of(n, struct linux_thread, link);

		if (!left)
			break;
		if (t != lt && (left & ~t->sigmask)) {
			left &= t->sigmask;
			wake_locked(lp, t);
		}
	}
}

/* sig_lock held: lt's mask becomes mask (never SIGKILL or SIGSTOP);
 * what it now blocks of the process's pending signals goes to another
 * thread. */
static void
mask_set_locked(struct linux_proc *lp, struct linux_thread *lt, uint64_t mask)
{
	uint64_t left;

	mask &= ~LX_UNBLOCKABLE;
	left = lp->shared.set & mask & ~lt->sigmask;
	lt->sigmask = mask;
	if (left)
		retarget_locked(lp, lt, left);
}

void
linux_signal_flush_thread_locked(struct linux_proc *lp, struct linux_thread *lt)
{
	pending_remove_locked(lp, &lt->pending, ~0ull);
	lt->waitset = 0;
	retarget_locked(lp, lt, lp->shared.set & ~lt->sigmask);
}

/* sig_lock held: sig is blocked by to, or (to NULL) by every thread
 * of lp. */
static bool
blocked_locked(struct linux_proc *lp, struct linux_thread *to, int sig)
{
	if (to)
		return to->sigmask & lx_sigbit(sig);
	list_for_each (n, &lp->threads)
		if (!(container_of(n, struct linux_thread, link)->sigmask & lx_sigbit(sig)))
			return false;
	return true;
}

/* sig_lock held, and the capability lock: lp stops by sig (its threads
 * park as they next return to user mode, linux_user_return).  The code
 * of the parent's SIGCHLD, or 0 when it was stopped already or the
 * signal is discarded: SIGTSTP, SIGTTIN and SIGTTOU do not stop an
 * orphaned process group, as on Linux. */
static int
stop_locked(struct linux_proc *lp, int sig)
{
	if (lp->stopped || lp->ended)
		return 0;
	if (sig != LX_SIGSTOP && linux_family_pgrp_orphaned(lp))
		return 0;
	lp->stopped = true;
	lp->stop_sig = sig;
	lp->stop_report = true;
	lp->cont_report = false;
	return LX_CLD_STOPPED;
}

/* sig_lock held: lt takes sig, not blocking it or waiting for it in
 * rt_sigtimedwait (Linux's wants_signal). */
static bool
wants_locked(const struct linux_thread *lt, int sig)
{
	return !(lt->sigmask & lx_sigbit(sig)) || (lt->waitset & lx_sigbit(sig));
}

/* sig_lock held: the thread to take sig, queued for to (NULL: for the
 * process): to itself, or the process's first thread on the list that
 * takes it (the main thread first, as Linux tries the thread the pid
 * names first); NULL when none does (it stays pending until one
 * unblocks it or waits for it). */
static struct linux_thread *
taker_locked(struct linux_proc *lp, struct linux_thread *to, int sig)
{
	if (to)
		return wants_locked(to, sig) ? to : NULL;
	list_for_each (n, &lp->threads) {
		struct linux_thread *lt = container_of(n, struct linux_thread, link);

		if (wants_locked(lt, sig))
			return lt;
	}
	return NULL;
}

/*
 * sig_lock held: queues sig on lp (to its thread to alone, when not
 * NULL) and wakes the thread that is to take it.  With job (the
 * capability lock is held too) a stop or a continue takes effect now:
 * the code of the SIGCHLD the parent is to have (notify_parent), else
 * 0; -LX_EAGAIN for a real-time signal past the bound (send_locked's
 * rule, linux_signal_send).
 */
static int
send_locked(struct linux_proc *lp, struct linux_thread *to, int sig,
	    const struct linux_siginfo *info, bool job)
{
	struct linux_sigpending *pending = to ? &to->pending : &lp->shared;
	uint64_t mask = to ? to->sigmask : lp->main.sigmask;
	int cld = 0;

	if (lp->ended)
		return 0; /* a zombie: nothing happens */
	if (sig == LX_SIGKILL) {
		lp->stopped = false; /* to die, the threads must run */
		unqueue_locked(lp, LX_STOP_SIGS);
	} else if (sig == LX_SIGCONT) {
		unqueue_locked(lp, LX_STOP_SIGS);
		if (job && lp->stopped) {
			lp->stopped = false;
			lp->stop_report = false;
			lp->cont_report = true;
			cld = LX_CLD_CONTINUED;
			wake_locked(lp, NULL); /* every parked thread */
		}
	} else if (default_action(sig) == ACT_STOP) {
		unqueue_locked(lp, lx_sigbit(LX_SIGCONT));
		/* Not queued: a thread blocked in a call would take it as a
		 * reason to end the call (EINTR), which a stop is not. */
		if (job && lp->act[sig - 1].handler == LX_SIG_DFL && !blocked_locked(lp, to, sig))
			return stop_locked(lp, sig);
	}
	/* An ignored signal is dropped, unless blocked: the disposition may
	 * change before it is unblocked. */
	if (ignored_locked(lp, sig) && !(mask & lx_sigbit(sig)))
		return cld;
	/* A standard signal already pending is merged into it. */
	if (linux_sigpending_merges(pending, sig))
		return cld;
	if (sig != LX_SIGKILL) {
		/* Linux's rule: a standard signal from the kernel or kill is
		 * queued whatever the count; a real-time one sent by sigqueue
		 * or tgkill past the bound fails, one sent by kill goes
		 * without its siginfo. */
		bool override = sig < LX_SIGRTMIN && (!info || info->code >= 0);
		struct linux_sigqueue *q = sigq_alloc_locked(lp, override);

		if (q) {
			if (info) {
				q->info = *info;
			} else {
				memset(&q->info, 0, sizeof(q->info));
				q->info.code = LX_SI_KERNEL;
			}
			q->info.signo = sig;
		} else if (info && sig >= LX_SIGRTMIN && info->code != LX_SI_USER) {
			return -LX_EAGAIN;
		}
		linux_sigpending_add(pending, sig, q);
	} else {
		linux_sigpending_add(pending, sig, NULL);
	}
	/* The thread to take it is woken from an interruptible wait; for
	 * SIGKILL every one, as they all end.  Under sig_lock:
	 * linux_proc_ended cannot pass in between. */
	if (sig == LX_SIGKILL) {
		wake_locked(lp, NULL);
	} else {
		struct linux_thread *t = taker_locked(lp, to, sig);

		if (t)
			wake_locked(lp, t);
	}
	return cld;
}

/*
 * lp has stopped or continued (cld): its parent gets SIGCHLD with the
 * siginfo of it, unless its SIGCHLD action has SA_NOCLDSTOP (or ignores
 * it), and its waits look again.  Capability lock held; not sig_lock.
 */
static void
notify_parent(struct linux_proc *lp, int cld)
{
	struct linux_proc *parent = lp->parent;
	struct linux_siginfo info;
	unsigned long flags;

	if (!cld || !parent)
		return;
	memset(&info, 0, sizeof(info));
	info.signo = LX_SIGCHLD;
	info.code = cld;
	info.child.pid = (int32_t)lp->pid;
	info.child.status = cld == LX_CLD_STOPPED ? lp->stop_sig : LX_SIGCONT;
	flags = spin_lock_irqsave(&parent->sig_lock);
	if (!(parent->act[LX_SIGCHLD - 1].flags & LX_SA_NOCLDSTOP))
		send_locked(parent, NULL, LX_SIGCHLD, &info, true);
	spin_unlock_irqrestore(&parent->sig_lock, flags);
	wait_queue_wake_all(&parent->child_wq);
}

int
linux_signal_send(struct linux_proc *lp, int sig, const struct linux_siginfo *info)
{
	return linux_signal_thread(lp, NULL, sig, info);
}

int
linux_signal_thread(struct linux_proc *lp, struct linux_thread *lt, int sig,
		    const struct linux_siginfo *info)
{
	unsigned long flags;
	int r;

	if (sig < 1 || sig > LX_NSIG)
		return -LX_EINVAL;
	flags = spin_lock_irqsave(&lp->sig_lock);
	r = send_locked(lp, lt, sig, info, false);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return r < 0 ? r : 0;
}

int
linux_signal_post(struct linux_proc *lp, struct linux_thread *lt, int sig,
		  const struct linux_siginfo *info)
{
	unsigned long flags;
	int cld;

	if (sig < 1 || sig > LX_NSIG)
		return -LX_EINVAL;
	flags = spin_lock_irqsave(&lp->sig_lock);
	cld = send_locked(lp, lt, sig, info, true);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	if (cld < 0)
		return cld;
	notify_parent(lp, cld);
	return 0;
}

bool
linux_signal_ignored_or_blocked(struct linux_proc *lp, int sig)
{
	struct linux_thread *lt = lx_thread_current();
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);
	bool r = lp->act[sig - 1].handler == LX_SIG_IGN || (lt->sigmask & lx_sigbit(sig));

	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return r;
}

void
linux_signal_pgrp(struct linux_proc *lp, uint64_t pgrp, int sig)
{
	struct linux_siginfo info = { .code = LX_SI_KERNEL };

	list_for_each (n, linux_family_procs(lp)) {
		struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

		if (q->counted && q->pgid == pgrp)
			linux_signal_post(q, NULL, sig, &info);
	}
}

/* Inline for linux_user_return, on the way back from every call. */
static inline bool
deliverable(struct linux_proc *lp, struct linux_thread *lt)
{
	return (__atomic_load_n(&lp->shared.set, __ATOMIC_RELAXED) |
		__atomic_load_n(&lt->pending.set, __ATOMIC_RELAXED)) &
	       ~__atomic_load_n(&lt->sigmask, __ATOMIC_RELAXED);
}

bool
linux_signal_pending(struct linux_proc *lp)
{
	return deliverable(lp, lx_thread_current());
}

long
linux_wait_interruptible(uint64_t deadline_ns)
{
	struct linux_proc *lp = lx_current();

	for (;;) {
		thread_interrupt_clear();
		if (linux_signal_pending(lp) || thread_should_stop())
			return -LX_EINTR;
		if (deadline_ns != WAIT_FOREVER && time_now_ns() >= deadline_ns)
			return 0;
		if (thread_sleep_interruptible(deadline_ns) == -E_TIMEOUT)
			return 0;
	}
}

void
linux_signal_fork(struct linux_proc *parent, struct linux_proc *child)
{
	struct linux_thread *self = lx_thread_current();
	unsigned long flags = spin_lock_irqsave(&parent->sig_lock);

	memcpy(child->act, parent->act, sizeof(child->act));
	child->main.sigmask = self->sigmask;
	child->main.altstack = self->altstack;
	child->sigreturn_page = parent->sigreturn_page; /* the copied space has it */
	spin_unlock_irqrestore(&parent->sig_lock, flags);
}

void
linux_signal_exec(struct linux_proc *lp)
{
	struct linux_thread *self = lx_thread_current();
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	for (int i = 0; i < LX_NSIG; i++) {
		uint64_t h = lp->act[i].handler;

		memset(&lp->act[i], 0, sizeof(lp->act[i]));
		if (h == LX_SIG_IGN)
			lp->act[i].handler = LX_SIG_IGN;
	}
	memset(&self->altstack, 0, sizeof(self->altstack));
	self->altstack.flags = LX_SS_DISABLE;
	lp->sigreturn_page = 0;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
}

/* ---- ending and stopping ---- */

static const char *const sig_names[32] = {
	[LX_SIGHUP] = "SIGHUP",	  [LX_SIGINT] = "SIGINT",   [LX_SIGQUIT] = "SIGQUIT",
	[LX_SIGILL] = "SIGILL",	  [LX_SIGTRAP] = "SIGTRAP", [LX_SIGABRT] = "SIGABRT",
	[LX_SIGBUS] = "SIGBUS",	  [LX_SIGFPE] = "SIGFPE",   [LX_SIGKILL] = "SIGKILL",
	[LX_SIGSEGV] = "SIGSEGV", [LX_SIGPIPE] = "SIGPIPE", [LX_SIGALRM] = "SIGALRM",
	[LX_SIGTERM] = "SIGTERM", [LX_SIGSYS] = "SIGSYS",
};

/*
 * The process ends by sig: its descriptors close now (a pipe's reader
 * sees the end), and its status is -sig, as a Python subprocess reports
 * it; the wait status a Linux parent will see is sig itself (no core is
 * written).
 */
static void __attribute__((noreturn)) die(struct linux_proc *lp, int sig)
{
	arch_irq_enable();
	linux_clear_child_tid(lx_thread_current());
	mutex_lock(&lp->lock);
	fdtable_close_all(lp->fds);
	mutex_unlock(&lp->lock);
	process_exit(-(long)sig);
}

/* A thread of a stopped process runs no user code until SIGCONT or
 * SIGKILL (which clear stopped and wake it); one asked to end ends. */
static void
park(struct linux_proc *lp)
{
	for (;;) {
		thread_interrupt_clear();
		if (thread_should_stop())
			process_stop_current();
		if (!__atomic_load_n(&lp->stopped, __ATOMIC_ACQUIRE))
			return;
		thread_sleep_interruptible(WAIT_FOREVER);
	}
}

/* A stop signal taken by the calling thread with its default action
 * (one that was blocked when sent, or the console's ^Z): the whole
 * process stops, and the parent hears of it. */
static void
stop(struct linux_proc *lp, int sig)
{
	unsigned long irq = cap_lock_take();
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);
	int cld = stop_locked(lp, sig);

	spin_unlock_irqrestore(&lp->sig_lock, flags);
	notify_parent(lp, cld);
	cap_lock_drop(irq);
	park(lp);
}

/* ---- delivery ---- */

/* The next pending signal of set, the thread's own before the
 * process's (as Linux's dequeue_signal); 0: none.  Takes one instance
 * off its pending set with its siginfo. */
static int
dequeue(struct linux_proc *lp, struct linux_thread *lt, uint64_t set, struct linux_siginfo *info,
	struct linux_sigaction *act)
{
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);
	struct linux_sigpending *sp = &lt->pending;
	uint64_t ready = sp->set & set;
	int sig = 0;

	if (!ready) {
		sp = &lp->shared;
		ready = sp->set & set;
	}
	if (ready) {
		struct linux_sigqueue *q;

		sig = linux_sigpending_next(ready);
		q = linux_sigpending_collect(sp, sig, info);
		if (q)
			sigq_free_locked(lp, q);
		*act = lp->act[sig - 1];
	}
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return sig;
}

/* sp is on lt's alternate stack (Linux's on_sig_stack): never with
 * SS_AUTODISARM, whose stack is disarmed while a handler runs on it. */
static bool
on_altstack(const struct linux_thread *lt, uint64_t sp)
{
	if ((uint32_t)lt->altstack.flags & LX_SS_AUTODISARM)
		return false;
	return sp > lt->altstack.sp && sp - lt->altstack.sp <= lt->altstack.size;
}

/* The flags sigaltstack reports: SS_DISABLE with no stack, SS_ONSTACK
 * when sp is on it, and SS_AUTODISARM as it was given. */
static int32_t
altstack_flags(const struct linux_thread *lt, uint64_t sp)
{
	int32_t mode = !lt->altstack.size ? LX_SS_DISABLE : on_altstack(lt, sp) ? LX_SS_ONSTACK : 0;

	return mode | (int32_t)((uint32_t)lt->altstack.flags & LX_SS_AUTODISARM);
}

/*
 * sigaltstack's change of lt's alternate stack to ss, with the thread's
 * stack at sp (Linux's do_sigaltstack): -LX_EPERM while on the current
 * one, -LX_EINVAL for a mode other than 0, SS_ONSTACK or SS_DISABLE
 * (SS_AUTODISARM beside it), -LX_ENOMEM below MINSIGSTKSZ.  The flags
 * are kept as given.  sig_lock not held.
 */
static long
set_altstack(struct linux_proc *lp, struct linux_thread *lt, const struct linux_stack *ss,
	     uint64_t sp)
{
	uint32_t mode = (uint32_t)ss->flags & ~LX_SS_AUTODISARM;
	struct linux_stack now = *ss;
	unsigned long flags;

	if (on_altstack(lt, sp))
		return -LX_EPERM;
	if (mode != 0 && mode != LX_SS_ONSTACK && mode != LX_SS_DISABLE)
		return -LX_EINVAL;
	if (mode == LX_SS_DISABLE) {
		now.sp = 0;
		now.size = 0;
	} else if (ss->size < LX_MINSIGSTKSZ) {
		return -LX_ENOMEM;
	}
	now.pad = 0;
	flags = spin_lock_irqsave(&lp->sig_lock);
	lt->altstack = now;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return 0;
}

/* Runs act's handler for sig: a frame on the stack (or the alternate
 * one), the mask widened as act says.  False when no frame could be
 * written. */
static bool
run_handler(struct linux_proc *lp, struct linux_thread *lt, struct arch_regs *r, int sig,
	    const struct linux_siginfo *info, const struct linux_sigaction *act)
{
	struct linux_sigframe_args a = {
		.sig = sig,
		.info = info,
		.handler = act->handler,
		.restorer = act->restorer,
		.flags = act->flags,
		.sp = arch_regs_sp(r),
	};
	unsigned long flags;

	flags = spin_lock_irqsave(&lp->sig_lock);
	a.mask = lt->saved_mask_valid ? lt->saved_mask : lt->sigmask;
	/* uc_stack is the alternate stack as sigaltstack set it, its flags
	 * as given (Linux's __save_altstack): rt_sigreturn sets it back. */
	a.stack = lt->altstack;
	if ((act->flags & LX_SA_ONSTACK) &&
	    (altstack_flags(lt, a.sp) & (LX_SS_DISABLE | LX_SS_ONSTACK)) == 0)
		a.sp = lt->altstack.sp + lt->altstack.size;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	if (arch_linux_sigframe(r, &a))
		return false;
	flags = spin_lock_irqsave(&lp->sig_lock);
	/* SS_AUTODISARM: no alternate stack while the handler runs (a
	 * nested signal stays on the stack it is on); the frame's uc_stack
	 * brings it back at rt_sigreturn. */
	if ((uint32_t)lt->altstack.flags & LX_SS_AUTODISARM) {
		memset(&lt->altstack, 0, sizeof(lt->altstack));
		lt->altstack.flags = LX_SS_DISABLE;
	}
	lt->saved_mask_valid = false;
	mask_set_locked(lp, lt,
			lt->sigmask | act->mask |
				(act->flags & LX_SA_NODEFER ? 0 : lx_sigbit(sig)));
	if (act->flags & LX_SA_RESETHAND)
		memset(&lp->act[sig - 1], 0, sizeof(lp->act[0]));
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return true;
}

/* An interrupted call's fate once the signal is known: restarted when
 * no handler runs or the handler asks for it, else -EINTR. */
static void
finish_restart(struct linux_thread *lt, struct arch_regs *r, const struct linux_sigaction *act)
{
	if (!lt->restart)
		return;
	lt->restart = false;
	if (!act || (act->flags & LX_SA_RESTART))
		arch_linux_syscall_restart(r, lt->restart_nr, lt->restart_arg0);
	else
		arch_linux_syscall_set_result(r, (uint64_t)-LX_EINTR);
}

bool
linux_signal_return(struct arch_regs *r)
{
	struct linux_proc *lp = lx_current();
	struct linux_thread *lt;
	bool changed;

	if (!lp)
		return false;
	lt = lx_thread_current();
	changed = lt->regs_changed || lt->restart;
	lt->regs_changed = false;
	for (;;) {
		struct linux_siginfo info;
		struct linux_sigaction act;
		unsigned long flags;
		int sig;

		park(lp);
		sig = dequeue(lp, lt, ~lt->sigmask, &info, &act);

		if (!sig)
			break;
		if (act.handler == LX_SIG_IGN && sig != LX_SIGKILL)
			continue;
		if (act.handler == LX_SIG_DFL || sig == LX_SIGKILL) {
			switch (default_action(sig)) {
			case ACT_IGNORE:
			case ACT_CONT:
				continue;
			case ACT_STOP:
				stop(lp, sig);
				continue;
			case ACT_TERM:
			case ACT_CORE:
				die(lp, sig);
			}
		}
		finish_restart(lt, r, &act);
		if (!run_handler(lp, lt, r, sig, &info, &act)) {
			/* No room for the frame: Linux's force_sigsegv. */
			pr_warn("linux: %s (pid %lu): no room for the frame of signal %d: "
				"SIGSEGV\n",
				lp->proc->name, lp->pid, sig);
			die(lp, LX_SIGSEGV);
		}
		changed = true;
		(void)flags;
	}
	/* No handler ran: the interrupted call starts again; a suspend's
	 * mask goes back. */
	finish_restart(lt, r, NULL);
	if (lt->saved_mask_valid) {
		unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

		mask_set_locked(lp, lt, lt->saved_mask);
		lt->saved_mask_valid = false;
		spin_unlock_irqrestore(&lp->sig_lock, flags);
	}
	return changed;
}

/* A region covers va: a fault there is one of access, not of mapping. */
static bool
mapped(uintptr_t va)
{
	struct address_space *as = process_current()->as;
	bool found;

	mutex_lock(&as->lock);
	found = region_lookup(&as->regions, va) != NULL;
	mutex_unlock(&as->lock);
	return found;
}

/* What Linux sends for each kind of fault (arch/x86/mm/fault.c,
 * arch/arm64/mm/fault.c and traps.c). */
static int
fault_signal(const struct fault_info *fi, struct linux_siginfo *info)
{
	memset(info, 0, sizeof(*info));
	switch (fi->kind) {
	case FAULT_KIND_MEMORY:
		if (as_fault_past_end(process_current()->as, fi->addr, fi->access)) {
			info->code = LX_BUS_ADRERR; /* nothing backs it: past a file's end */
			info->addr = fi->addr;
			return LX_SIGBUS;
		}
		info->code = (fi->access & FAULT_PRESENT) || mapped(fi->addr) ? LX_SEGV_ACCERR
									      : LX_SEGV_MAPERR;
		info->addr = fi->addr;
		return LX_SIGSEGV;
	case FAULT_KIND_INSTRUCTION:
		info->code = LINUX_ILLEGAL_SI_CODE;
		info->addr = fi->pc;
		return LX_SIGILL;
	case FAULT_KIND_PRIVILEGED:
		/* x86_64's general protection fault is SIGSEGV from the
		 * kernel; aarch64's system register trap an illegal opcode. */
		info->code = LINUX_PRIVILEGED_SI_CODE;
		info->addr = LINUX_PRIVILEGED_SIGNAL == LX_SIGILL ? fi->pc : 0;
		return LINUX_PRIVILEGED_SIGNAL;
	case FAULT_KIND_ALIGNMENT:
		info->code = LX_BUS_ADRALN;
		info->addr = fi->has_addr ? fi->addr : fi->pc;
		return LX_SIGBUS;
	case FAULT_KIND_ARITHMETIC:
		info->code = LX_FPE_INTDIV;
		info->addr = fi->pc;
		return LX_SIGFPE;
	case FAULT_KIND_BREAKPOINT:
		info->code = LX_TRAP_BRKPT;
		info->addr = fi->pc;
		return LX_SIGTRAP;
	default:
		info->code = LX_SI_KERNEL;
		return LX_SIGSEGV;
	}
}

void
linux_signal_fault(struct arch_regs *r, const struct fault_info *fi)
{
	struct linux_proc *lp = lx_current();
	struct linux_thread *lt = lx_thread_current();
	struct linux_siginfo info;
	unsigned long flags;
	uint64_t h;
	int sig;

	arch_irq_enable();
	sig = fault_signal(fi, &info);
	info.signo = sig;
	flags = spin_lock_irqsave(&lp->sig_lock);
	/* Forced: a blocked or ignored fault signal cannot be, it kills. */
	h = lp->act[sig - 1].handler;
	if (h == LX_SIG_IGN || (lt->sigmask & lx_sigbit(sig))) {
		memset(&lp->act[sig - 1], 0, sizeof(lp->act[0]));
		h = LX_SIG_DFL;
	}
	lt->sigmask &= ~lx_sigbit(sig);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	if (h == LX_SIG_DFL) {
		pr_warn("linux: %s (pid %lu) killed by %s: %s", lp->proc->name, lp->pid,
			sig_names[sig], fi->name);
		if (fi->has_addr)
			printk(" at %016lx", fi->addr);
		printk(", pc %016lx\n", fi->pc);
		die(lp, sig);
	}
	/* The handler's frame first, before anything else pending. */
	linux_signal_thread(lp, lt, sig, &info);
	linux_signal_return(r);
	arch_irq_disable();
}

/* The sigreturn page of a program whose C library gives no restorer
 * (glibc on aarch64 relies on the vDSO's): mapped at its first need,
 * read and execute, with `mov x8, #139; svc #0`.  0 when it cannot be.
 * It goes near the top of user space, far from where mmap places
 * mappings, as Linux's vDSO does: at the lowest free place it would
 * take room a program's mmap or mremap expects to find free. */
uintptr_t linux_sigreturn_page(void);

#define LX_SIGRETURN_VA (USER_SPACE_END - 16 * PAGE_SIZE_4K)

uintptr_t
linux_sigreturn_page(void)
{
	static const uint32_t code[] = { 0xd2801168, 0xd4000001 };
	struct linux_proc *lp = lx_current();
	struct address_space *as = process_current()->as;
	uintptr_t va;

	if (lp->sigreturn_page)
		return lp->sigreturn_page;
	if (as_map(as, LX_SIGRETURN_VA, 1, VM_READ | VM_EXEC, VM_READ | VM_EXEC, AS_MAP_FIXED, NULL,
		   &va) &&
	    as_map(as, 0, 1, VM_READ | VM_EXEC, VM_READ | VM_EXEC, 0, NULL, &va))
		return 0;
	if (as_copy_in(as, va, code, sizeof(code))) {
		as_unmap(as, va, 1);
		return 0;
	}
	lp->sigreturn_page = va;
	return va;
}

/* ---- the calls ---- */

long
lx_sys_rt_sigaction(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	uint64_t sig = a->a[0];
	struct linux_sigaction act, old;
	unsigned long flags;

	if (a->a[3] != sizeof(uint64_t) || sig < 1 || sig > LX_NSIG)
		return -LX_EINVAL;
	if (a->a[1] && (sig == LX_SIGKILL || sig == LX_SIGSTOP))
		return -LX_EINVAL;
	if (a->a[1] && copy_from_user(&act, a->a[1], sizeof(act)))
		return -LX_EFAULT;
	flags = spin_lock_irqsave(&lp->sig_lock);
	old = lp->act[sig - 1];
	if (a->a[1]) {
		act.mask &= ~LX_UNBLOCKABLE;
		lp->act[sig - 1] = act;
		/* Pending and now ignored: gone (POSIX). */
		if (ignored_locked(lp, (int)sig))
			unqueue_locked(lp, lx_sigbit((int)sig));
	}
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	if (a->a[2] && copy_to_user(a->a[2], &old, sizeof(old)))
		return -LX_EFAULT;
	return 0;
}

static void
set_mask(struct linux_proc *lp, struct linux_thread *lt, uint64_t mask)
{
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	mask_set_locked(lp, lt, mask);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
}

long
lx_sys_rt_sigprocmask(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct linux_thread *lt = lx_thread_current();
	uint64_t set = 0, old = lt->sigmask;

	if (a->a[3] != sizeof(uint64_t))
		return -LX_EINVAL;
	if (a->a[1] && copy_from_user(&set, a->a[1], sizeof(set)))
		return -LX_EFAULT;
	if (a->a[1] && a->a[0] > LX_SIG_SETMASK)
		return -LX_EINVAL;
	if (a->a[1]) {
		if (a->a[0] == LX_SIG_BLOCK)
			set_mask(lp, lt, old | set);
		else if (a->a[0] == LX_SIG_UNBLOCK)
			set_mask(lp, lt, old & ~set);
		else
			set_mask(lp, lt, set);
	}
	if (a->a[2] && copy_to_user(a->a[2], &old, sizeof(old)))
		return -LX_EFAULT;
	return 0;
}

long
lx_sys_rt_sigpending(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct linux_thread *lt = lx_thread_current();
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);
	uint64_t set = (lp->shared.set | lt->pending.set) & lt->sigmask;

	spin_unlock_irqrestore(&lp->sig_lock, flags);
	if (a->a[1] > sizeof(uint64_t))
		return -LX_EINVAL;
	return copy_to_user(a->a[0], &set, a->a[1]) ? -LX_EFAULT : 0;
}

long
lx_sys_rt_sigreturn(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct arch_regs *r = thread_user_regs(thread_current());
	struct linux_stack stack;
	uint64_t mask;

	(void)a;
	if (arch_linux_sigreturn(r, &mask, &stack)) {
		pr_warn("linux: %s (pid %lu): bad signal frame at rt_sigreturn: SIGSEGV\n",
			lp->proc->name, lp->pid);
		die(lp, LX_SIGSEGV);
	}
	set_mask(lp, lx_thread_current(), mask);
	/* The alternate stack from uc_stack, as a sigaltstack at the
	 * restored stack pointer; refused quietly, as Linux's
	 * restore_altstack. */
	(void)set_altstack(lp, lx_thread_current(), &stack, arch_regs_sp(r));
	lx_thread_current()->regs_changed = true;
	/* The dispatcher writes this back into the result register. */
	return (long)arch_linux_syscall_result(r);
}

long
lx_sys_sigaltstack(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct linux_thread *lt = lx_thread_current();
	uint64_t sp = arch_regs_sp(thread_user_regs(thread_current()));
	struct linux_stack ss, old = lt->altstack;
	long r;

	old.flags = altstack_flags(lt, sp);
	old.pad = 0;
	if (a->a[0]) {
		if (copy_from_user(&ss, a->a[0], sizeof(ss)))
			return -LX_EFAULT;
		r = set_altstack(lp, lt, &ss, sp);
		if (r)
			return r;
	}
	if (a->a[1] && copy_to_user(a->a[1], &old, sizeof(old)))
		return -LX_EFAULT;
	return 0;
}

/* Waits with mask in place until a signal is delivered: -EINTR, and the
 * mask goes back after the handler (saved_mask). */
static long
suspend(struct linux_proc *lp, uint64_t mask)
{
	struct linux_thread *lt = lx_thread_current();
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	lt->saved_mask = lt->sigmask;
	lt->saved_mask_valid = true;
	mask_set_locked(lp, lt, mask);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	while (linux_wait_interruptible(WAIT_FOREVER) == 0)
		;
	return -LX_EINTR;
}

long
lx_sys_rt_sigsuspend(struct syscall_args *a)
{
	uint64_t mask;

	if (a->a[1] != sizeof(uint64_t))
		return -LX_EINVAL;
	if (copy_from_user(&mask, a->a[0], sizeof(mask)))
		return -LX_EFAULT;
	return suspend(lx_current(), mask);
}

long
lx_sys_pause(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();

	(void)a;
	return suspend(lp, lx_thread_current()->sigmask);
}

struct lx_timespec {
	int64_t sec, nsec;
};

/* rt_sigtimedwait's wait for a signal of set until deadline: its
 * number, with one instance taken off into *info; -LX_EINTR for
 * another signal, -LX_EAGAIN at the deadline.  While it waits, the
 * thread counts as taking the signals of set (waitset), so that one
 * sent to the process wakes it even though it blocks them. */
static int
wait_for(struct linux_proc *lp, struct linux_thread *lt, uint64_t set, uint64_t deadline,
	 struct linux_siginfo *info)
{
	struct linux_sigaction act;
	unsigned long flags;
	int sig;

	flags = spin_lock_irqsave(&lp->sig_lock);
	lt->waitset = set;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	for (;;) {
		thread_interrupt_clear();
		sig = dequeue(lp, lt, set, info, &act);
		if (sig)
			break;
		/* Another signal, not waited for and not blocked: its handler
		 * runs and the wait ends. */
		if (linux_signal_pending(lp) || thread_should_stop()) {
			sig = -LX_EINTR;
			break;
		}
		if (deadline != WAIT_FOREVER && time_now_ns() >= deadline) {
			sig = -LX_EAGAIN;
			break;
		}
		thread_sleep_interruptible(deadline);
	}
	flags = spin_lock_irqsave(&lp->sig_lock);
	lt->waitset = 0;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return sig;
}

long
lx_sys_rt_sigtimedwait(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	uint64_t set, deadline = WAIT_FOREVER;
	struct linux_siginfo info;
	struct lx_timespec ts;
	int sig;

	if (a->a[3] != sizeof(uint64_t))
		return -LX_EINVAL;
	if (copy_from_user(&set, a->a[0], sizeof(set)))
		return -LX_EFAULT;
	set &= ~LX_UNBLOCKABLE;
	if (a->a[2]) {
		if (copy_from_user(&ts, a->a[2], sizeof(ts)))
			return -LX_EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -LX_EINVAL;
		deadline =
			time_deadline_after((uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec);
	}
	sig = wait_for(lp, lx_thread_current(), set, deadline, &info);
	if (sig < 0)
		return sig;
	if (a->a[1] && copy_to_user(a->a[1], &info, sizeof(info)))
		return -LX_EFAULT;
	return sig;
}

/* ---- kill ---- */

static void
user_info(struct linux_siginfo *info, int sig, int code)
{
	memset(info, 0, sizeof(*info));
	info->signo = sig;
	info->code = code;
	info->kill.pid = (int32_t)lx_current()->pid;
	info->kill.uid = 0;
}

/* The signal goes to q when it is one (capability lock held): 0, or
 * -LX_EINVAL for a number out of range, which Linux finds only once
 * it has a target. */
static long
kill_one(struct linux_proc *q, uint64_t sig, const struct linux_siginfo *info)
{
	if (sig > LX_NSIG)
		return -LX_EINVAL;
	return sig ? linux_signal_post(q, NULL, (int)sig, info) : 0;
}

/*
 * kill's targets are the processes of the caller's instance: pid, the
 * caller's group (0), every one but pid 1 and the caller (-1), or the
 * group -pid.  Root inside the instance may signal each of them; a pid
 * outside it names nothing (ESRCH).  Capability lock held: the states
 * found stay (an ended one, not yet waited for, takes the signal as a
 * zombie does: nothing happens; a reaped one is no longer there).
 */
long
lx_sys_kill(struct syscall_args *a)
{
	int64_t pid = (int32_t)a->a[0];
	uint64_t sig = a->a[1];
	struct linux_proc *self = lx_current();
	struct linux_siginfo info;
	unsigned long irq;
	long r = -LX_ESRCH;

	if (pid == INT32_MIN)
		return -LX_ESRCH;
	user_info(&info, (int)sig, LX_SI_USER);
	irq = cap_lock_take();
	if (pid > 0) {
		struct linux_proc *q = linux_family_find(self, (uint64_t)pid);

		if (q && q->counted)
			r = kill_one(q, sig, &info);
	} else {
		uint64_t pgrp = pid == 0 ? self->pgid : (uint64_t)-pid;

		list_for_each (n, linux_family_procs(self)) {
			struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

			if (!q->counted) /* reaped: gone but for its last reference */
				continue;
			if (pid == -1 ? q->pid == 1 || q == self : q->pgid != pgrp)
				continue;
			r = kill_one(q, sig, &info);
			if (r)
				break;
		}
	}
	cap_lock_drop(irq);
	return r;
}

/*
 * sig with info to the thread tid of the caller's instance, in process
 * tgid when tgid > 0 (Linux's do_send_specific): -LX_ESRCH for no such
 * thread, then -LX_EINVAL for a number out of range, -LX_EAGAIN past
 * the bound (send_locked); sig 0 only looks.  Takes the capability
 * lock.
 */
static long
send_specific(int64_t tgid, int64_t tid, int sig, const struct linux_siginfo *info)
{
	struct linux_proc *self = lx_current();
	unsigned long irq;
	long r = -LX_ESRCH;

	irq = cap_lock_take();
	list_for_each (n, linux_family_procs(self)) {
		struct linux_proc *q = container_of(n, struct linux_proc, inst_link);
		struct linux_thread *lt;
		unsigned long flags;
		int cld = 0;

		if (!q->counted || (tgid > 0 && q->pid != (uint64_t)tgid))
			continue;
		flags = spin_lock_irqsave(&q->sig_lock);
		lt = linux_thread_find(q, (uint64_t)tid);
		if (lt) {
			r = 0;
			if (sig < 0 || sig > LX_NSIG)
				r = -LX_EINVAL;
			else if (sig)
				cld = send_locked(q, lt, sig, info, true);
		}
		spin_unlock_irqrestore(&q->sig_lock, flags);
		if (cld < 0)
			r = cld;
		else
			notify_parent(q, cld);
		if (lt)
			break;
	}
	cap_lock_drop(irq);
	return r;
}

/* tgkill (tgid > 0) and tkill (tgid -1): the thread tid of the
 * instance, in process tgid for tgkill. */
static long
tkill(int64_t tgid, int64_t tid, uint64_t sig)
{
	struct linux_siginfo info;

	if (sig > LX_NSIG || tid <= 0 || tgid == 0 || tgid < -1)
		return -LX_EINVAL;
	user_info(&info, (int)sig, LX_SI_TKILL);
	return send_specific(tgid, tid, (int)sig, &info);
}

long
lx_sys_tgkill(struct syscall_args *a)
{
	return tkill((int32_t)a->a[0], (int32_t)a->a[1], a->a[2]);
}

long
lx_sys_tkill(struct syscall_args *a)
{
	return tkill(-1, (int32_t)a->a[0], a->a[1]);
}

/* ---- sigqueue ---- */

/* Does Linux know the layout of a siginfo with this si_code (its
 * known_siginfo_layout)?  For one it does not, the bytes past its own
 * 48 must be zero. */
static bool
known_layout(int sig, int32_t code)
{
	if (code == LX_SI_KERNEL)
		return true;
	if (code > 0) {
		switch (sig) {
		case LX_SIGILL:
			return code <= 11;
		case LX_SIGFPE:
			return code <= 15;
		case LX_SIGSEGV:
			return code <= 10;
		case LX_SIGBUS:
			return code <= 5;
		case LX_SIGTRAP:
			return code <= 6;
		case LX_SIGCHLD:
			return code <= 6;
		case LX_SIGSYS:
			return code <= 2;
		default:
			return code <= 6; /* SIGPOLL's */
		}
	}
	return code >= -7 || code == -60; /* SI_DETHREAD..SI_USER, SI_ASYNCNL */
}

/* The bytes of a siginfo the kernel keeps (struct kernel_siginfo). */
#define LX_KERNEL_SIGINFO_BYTES 48

/*
 * The siginfo of rt_sigqueueinfo and rt_tgsigqueueinfo at u, read as
 * Linux reads it (__copy_siginfo_from_user): its first 48 bytes, the
 * rest zero; with si_signo sig.  -LX_EFAULT, or -LX_E2BIG for an
 * unknown si_code with bytes past those 48 that are not zero.
 */
static long
queued_info(uintptr_t u, int sig, struct linux_siginfo *info)
{
	uint8_t rest[sizeof(*info) - LX_KERNEL_SIGINFO_BYTES];

	memset(info, 0, sizeof(*info));
	if (copy_from_user(info, u, LX_KERNEL_SIGINFO_BYTES))
		return -LX_EFAULT;
	info->signo = sig;
	if (known_layout(sig, info->code))
		return 0;
	if (copy_from_user(rest, u + LX_KERNEL_SIGINFO_BYTES, sizeof(rest)))
		return -LX_EFAULT;
	for (size_t i = 0; i < sizeof(rest); i++)
		if (rest[i])
			return -LX_E2BIG;
	return 0;
}

/* Not even root inside may pretend to be the kernel, kill or tgkill
 * to another: a si_code of 0 or more, or SI_TKILL, is for the caller
 * itself (pid its tid, as Linux compares). */
static bool
may_pretend(const struct linux_siginfo *info, int64_t pid)
{
	return (info->code < 0 && info->code != LX_SI_TKILL) ||
	       (int64_t)lx_thread_current()->tid == pid;
}

/* rt_sigqueueinfo(pid, sig, info): glibc's and musl's sigqueue.  The
 * process pid of the caller's instance gets sig with the caller's
 * siginfo (si_value, si_code SI_QUEUE); each send of a real-time
 * signal is queued, -LX_EAGAIN past RLIMIT_SIGPENDING. */
long
lx_sys_rt_sigqueueinfo(struct syscall_args *a)
{
	int64_t pid = (int32_t)a->a[0];
	int sig = (int32_t)a->a[1];
	struct linux_proc *self = lx_current(), *q;
	struct linux_siginfo info;
	unsigned long irq;
	long r;

	r = queued_info(a->a[2], sig, &info);
	if (r)
		return r;
	if (!may_pretend(&info, pid))
		return -LX_EPERM;
	if (pid <= 0)
		return -LX_ESRCH; /* no process groups here (POSIX.1b) */
	irq = cap_lock_take();
	q = linux_family_find(self, (uint64_t)pid);
	if (!q || !q->counted)
		r = -LX_ESRCH;
	else if (sig < 0 || sig > LX_NSIG)
		r = -LX_EINVAL;
	else if (sig)
		r = linux_signal_post(q, NULL, sig, &info);
	cap_lock_drop(irq);
	return r;
}

/* rt_tgsigqueueinfo(tgid, tid, sig, info): glibc's pthread_sigqueue;
 * the thread tid of process tgid, as tgkill. */
long
lx_sys_rt_tgsigqueueinfo(struct syscall_args *a)
{
	int64_t tgid = (int32_t)a->a[0], tid = (int32_t)a->a[1];
	int sig = (int32_t)a->a[2];
	struct linux_siginfo info;
	long r;

	r = queued_info(a->a[3], sig, &info);
	if (r)
		return r;
	if (tid <= 0 || tgid <= 0)
		return -LX_EINVAL;
	if (!may_pretend(&info, tid))
		return -LX_EPERM;
	return send_specific(tgid, tid, sig, &info);
}

/* ---- SIGCHLD ---- */

bool
linux_signal_parent(struct linux_proc *parent, struct linux_proc *child)
{
	struct linux_siginfo info;
	struct linux_sigaction act;
	unsigned long flags;

	memset(&info, 0, sizeof(info));
	info.signo = child->exit_signal;
	info.child.pid = (int32_t)child->pid;
	if (child->wstatus & 0x7f) {
		info.code = LX_CLD_KILLED;
		info.child.status = (int32_t)(child->wstatus & 0x7f);
	} else {
		info.code = LX_CLD_EXITED;
		info.child.status = (int32_t)((child->wstatus >> 8) & 0xff);
	}
	if (child->exit_signal > 0 && child->exit_signal <= LX_NSIG)
		linux_signal_post(parent, NULL, child->exit_signal, &info);
	if (child->exit_signal != LX_SIGCHLD)
		return false;
	flags = spin_lock_irqsave(&parent->sig_lock);
	act = parent->act[LX_SIGCHLD - 1];
	spin_unlock_irqrestore(&parent->sig_lock, flags);
	return act.handler == LX_SIG_IGN || (act.flags & LX_SA_NOCLDWAIT);
}

bool
linux_user_return(struct arch_regs *r)
{
	struct linux_proc *lp = thread_current()->proc->lx;
	struct linux_thread *lt = lx_thread_current();
	unsigned long flags;
	bool changed;

	if (!lt->restart && !lt->regs_changed && !lt->saved_mask_valid && !deliverable(lp, lt) &&
	    !__atomic_load_n(&lp->stopped, __ATOMIC_RELAXED))
		return false;
	flags = arch_irq_save();
	arch_irq_enable();
	changed = linux_signal_return(r);
	arch_irq_restore(flags);
	return changed;
}
