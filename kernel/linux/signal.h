/*
 * Linux signals (docs/linux.md): what a process and each of its threads
 * have pending and blocked, the dispositions and alternate stacks, and
 * delivery on the way back to user mode.  The state lives in struct
 * linux_proc and its struct linux_thread's under sig_lock, a
 * spinlock, because timers and the console send from interrupts.  The
 * frame a handler runs on is the architecture's (arch/<arch>/
 * linux_signal.c); everything else is here, the same for both.
 */
#ifndef LINUX_SIGNAL_H
#define LINUX_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"

struct arch_regs;
struct fault_info;
struct linux_proc;
struct process;

#define LX_SIGHUP	   1
#define LX_SIGINT	   2
#define LX_SIGQUIT	   3
#define LX_SIGILL	   4
#define LX_SIGTRAP	   5
#define LX_SIGABRT	   6
#define LX_SIGBUS	   7
#define LX_SIGFPE	   8
#define LX_SIGKILL	   9
#define LX_SIGUSR1	   10
#define LX_SIGSEGV	   11
#define LX_SIGUSR2	   12
#define LX_SIGPIPE	   13
#define LX_SIGALRM	   14
#define LX_SIGTERM	   15
#define LX_SIGCHLD	   17
#define LX_SIGCONT	   18
#define LX_SIGSTOP	   19
#define LX_SIGTSTP	   20
#define LX_SIGTTIN	   21
#define LX_SIGTTOU	   22
#define LX_SIGURG	   23
#define LX_SIGWINCH	   28
#define LX_SIGSYS	   31
#define LX_SIGRTMIN	   32 /* the kernel's; the C libraries keep the first few */

#define LX_SIG_DFL	   0
#define LX_SIG_IGN	   1

#define LX_SA_NOCLDSTOP	   0x00000001
#define LX_SA_NOCLDWAIT	   0x00000002
#define LX_SA_SIGINFO	   0x00000004
#define LX_SA_ONSTACK	   0x08000000
#define LX_SA_RESTART	   0x10000000
#define LX_SA_NODEFER	   0x40000000
#define LX_SA_RESETHAND	   0x80000000u
#define LX_SA_RESTORER	   0x04000000

/* si_code values. */
#define LX_SI_USER	   0
#define LX_SI_KERNEL	   0x80
#define LX_SI_QUEUE	   (-1)
#define LX_SI_TKILL	   (-6)
#define LX_SEGV_MAPERR	   1
#define LX_SEGV_ACCERR	   2
#define LX_BUS_ADRALN	   1
#define LX_BUS_ADRERR	   2
#define LX_ILL_PRVOPC	   5
#define LX_FPE_INTDIV	   1
#define LX_TRAP_BRKPT	   1
#define LX_CLD_EXITED	   1 /* SIGCHLD's, and waitid's */
#define LX_CLD_KILLED	   2
#define LX_CLD_STOPPED	   5
#define LX_CLD_CONTINUED   6

#define LX_SS_ONSTACK	   1
#define LX_SS_DISABLE	   2
#define LX_SS_AUTODISARM   0x80000000u
#define LX_MINSIGSTKSZ_X86 2048

static inline uint64_t
lx_sigbit(int sig)
{
	return 1ull << (sig - 1);
}

#define LX_UNBLOCKABLE (lx_sigbit(LX_SIGKILL) | lx_sigbit(LX_SIGSTOP))

/* siginfo_t as the kernel lays it out (128 bytes, both architectures). */
struct linux_siginfo {
	int32_t signo, err, code, pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* sigqueue's; the timer's */
		} kill;
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status;
		} child;
		uint64_t addr; /* faults */
		uint8_t bytes[112];
	};
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t");

/*
 * One queued signal: its siginfo, on a pending set's queue.  Allocated
 * as it is sent and charged to the receiving process (its count against
 * RLIMIT_SIGPENDING, its pages to the process's pool).
 */
struct linux_sigqueue {
	struct list_node link;
	struct linux_siginfo info;
};

/*
 * Signals pending, as Linux keeps them: a thread's own (tgkill, faults)
 * or its process's shared ones (kill, SIGCHLD, timers).  set has the
 * numbers; queue the siginfos in the order sent, at most one for a
 * standard signal (a second send while one is pending is merged into
 * it), one for each send of a real-time signal.  A number in set with
 * no siginfo queued lost it (past the bound, or out of memory) and is
 * delivered with an empty SI_USER one, as on Linux.
 */
struct linux_sigpending {
	uint64_t set;
	struct list_node queue;
};

static inline void
linux_sigpending_init(struct linux_sigpending *sp)
{
	sp->set = 0;
	list_init(&sp->queue);
}

/* stack_t */
struct linux_stack {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

/*
 * Queues sig to process p (its info, or a SI_KERNEL one for NULL) and
 * wakes the thread chosen to take it (the first thread that does not
 * block it) from an interruptible wait.  A standard signal already
 * pending is not queued twice; each send of a real-time signal is
 * queued.  An ignored signal is dropped.  Safe from interrupt
 * handlers.  0, or -LX_EINVAL for a number out of range; -LX_EAGAIN
 * only for a real-time signal whose info has a si_code other than
 * SI_USER, past p's RLIMIT_SIGPENDING or its pool (a standard signal,
 * or a NULL info, is sent without its siginfo then).
 */
int linux_signal_send(struct linux_proc *p, int sig, const struct linux_siginfo *info);

/* The same for lt, one thread of p, alone (tgkill, SIGPIPE, a fault). */
struct linux_thread;
int linux_signal_thread(struct linux_proc *p, struct linux_thread *lt, int sig,
			const struct linux_siginfo *info);

/*
 * The same, to p or to its thread lt (NULL: the process), with job
 * control taking effect at once (capability lock held): a stop signal
 * whose action is the default and that some thread does not block stops
 * the whole process instead of being queued (each thread parks at its
 * next return to user mode; one blocked in the kernel stays blocked,
 * and its call goes on as if nothing happened), SIGCONT continues it,
 * and its parent hears of either (SIGCHLD with CLD_STOPPED or
 * CLD_CONTINUED unless SA_NOCLDSTOP; its waits look again).  Without
 * the capability lock (linux_signal_send, from interrupts) a stop
 * signal is queued and stops the process when a thread takes it, and
 * SIGCONT must not be sent.
 */
int linux_signal_post(struct linux_proc *p, struct linux_thread *lt, int sig,
		      const struct linux_siginfo *info);

/* Is sig ignored (SIG_IGN) or blocked by the calling thread of p?  A
 * background access to the console asks (linux/tty.c), as Linux's
 * is_ignored does. */
bool linux_signal_ignored_or_blocked(struct linux_proc *p, int sig);

/* sig from the kernel to every process of p's instance in group pgrp,
 * as linux_signal_post (capability lock held). */
void linux_signal_pgrp(struct linux_proc *p, uint64_t pgrp, int sig);

/*
 * child has ended (its wstatus set): its exit signal (SIGCHLD for a
 * fork) goes to parent with the CLD_EXITED or CLD_KILLED siginfo.  True
 * when the parent does not wait for children (SIGCHLD ignored, or
 * SA_NOCLDWAIT): the child is to be reaped now, as Linux does.
 * Capability lock held.
 */
bool linux_signal_parent(struct linux_proc *parent, struct linux_proc *child);

/* Something pending for the calling thread (of p) and not blocked: a
 * blocking call returns EINTR. */
bool linux_signal_pending(struct linux_proc *p);

/* The interruptible wait of a blocking call: thread_sleep_interruptible
 * until deadline unless a signal is pending.  0 at the deadline,
 * -LX_EINTR for a signal (the caller may make it -LX_ERESTARTSYS). */
long linux_wait_interruptible(uint64_t deadline_ns);

/* The siginfos queued on lt, a thread of lp that ends or whose state
 * goes (sig_lock held), are freed. */
struct linux_thread;
void linux_signal_flush_thread_locked(struct linux_proc *lp, struct linux_thread *lt);

/* Every siginfo queued on lp and its threads is freed: the process
 * has ended (no signal is queued from then on). */
void linux_signal_release(struct linux_proc *lp);

/* fork: the child gets the parent's dispositions, mask and alternate
 * stack, nothing pending. */
void linux_signal_fork(struct linux_proc *parent, struct linux_proc *child);

/* execve: handlers back to default (ignored ones stay ignored), the mask
 * and pending signals kept, no alternate stack. */
void linux_signal_exec(struct linux_proc *p);

/*
 * The way back to user mode of a Linux process's thread (interrupts on):
 * restarts or fails an interrupted call, delivers the pending signals
 * that are not blocked (a handler's frame, or the default action, which
 * may end the process here).  True when the registers changed (the
 * return must restore every one).
 */
bool linux_signal_return(struct arch_regs *r);

/*
 * A fault of user code (the arch trap code's report): the signal Linux
 * sends for it, forced (a blocked or ignored one is unblocked and set to
 * default), delivered at once.  Returns only to go back to user mode,
 * into the handler.
 */
void linux_signal_fault(struct arch_regs *r, const struct fault_info *fi);

/* The result of an interrupted call that asks to be restarted when the
 * handler has SA_RESTART (linux_signal_return turns it into -EINTR or a
 * restart); never seen by a program. */
#define LX_ERESTARTSYS 512

/* ---- the architecture's frame (arch/<arch>/linux_signal.c) ---- */

struct linux_sigframe_args {
	int sig;
	const struct linux_siginfo *info;
	uint64_t handler, restorer, flags;
	uint64_t mask; /* the mask to restore at rt_sigreturn */
	uint64_t sp;   /* where the frame goes below (the stack or the alternate one's top) */
	struct linux_stack stack; /* uc_stack: the alternate stack as it was */
};

/* Builds the frame below a->sp and sets r to run the handler.  0, or
 * -1 when the frame could not be written (the caller kills). */
int arch_linux_sigframe(struct arch_regs *r, const struct linux_sigframe_args *a);

/* rt_sigreturn: r from the frame at the user stack, *mask the frame's
 * mask and *stack its uc_stack.  0, or -1 for a frame that cannot be
 * read or would give the process what it may not have (the caller
 * kills with SIGSEGV). */
int arch_linux_sigreturn(struct arch_regs *r, uint64_t *mask, struct linux_stack *stack);

/* The system call's result register, its number's, and the way back to
 * the call's instruction (a restart). */
uint64_t arch_linux_syscall_result(const struct arch_regs *r);
void arch_linux_syscall_set_result(struct arch_regs *r, uint64_t v);
void arch_linux_syscall_restart(struct arch_regs *r, uint64_t nr, uint64_t arg0);

#endif
