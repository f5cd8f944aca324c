/*
 * TO BE REPLACED by the signal work (kernel/linux/signal*.c): a minimal
 * linux_signal_send (linux/signal.h) for the process and pipe calls
 * until signals are delivered.  A signal whose disposition is the
 * default and whose default is to terminate ends the process (its wait
 * status says which signal); an ignored one, one with a handler (not
 * run yet) and one whose default is to ignore do nothing.
 */
#include "linux/signal.h"

#include "cap/lock.h"
#include "linux/proc.h"
#include "object/process.h"
#include "themelios/errno.h"

#define LX_SIG_DFL  0
#define LX_SIGURG   23
#define LX_SIGWINCH 28

void
linux_signal_send(struct process *p, int sig)
{
	struct linux_proc *lp = p->lx;
	unsigned long flags;

	if (!lp || sig <= 0 || sig > LX_NSIG || lp->act[sig - 1].handler != LX_SIG_DFL ||
	    sig == LX_SIGCHLD || sig == LX_SIGURG || sig == LX_SIGWINCH)
		return;
	flags = cap_lock_take();
	if (!lp->term_signal)
		lp->term_signal = sig;
	if (p != process_current())
		process_kill(p);
	cap_lock_drop(flags);
	if (p == process_current())
		process_exit(-E_DEAD);
}
