/*
 * The console as a Linux tty's controlling side: its foreground process
 * group (TIOCGPGRP, TIOCSPGRP), the interrupt character, which sends
 * SIGINT to that group instead of being input (ISIG), and the suspend
 * character, SIGTSTP.  Until processes
 * have groups (the fork work), the group is the last Linux process whose
 * descriptors were set up on the console, numbered as its pid; that work
 * replaces fg with a group and send_fg with a signal to each member.
 */
#include "core/console_rx.h"
#include "linux/errno.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "sched/spinlock.h"

#define LX_ISIG	 0x1
#define LX_VINTR 0
#define LX_VSUSP 10

static struct spinlock tty_lock = SPINLOCK_INIT("linux tty");
static struct linux_proc *fg; /* the foreground group's process; NULL: none */
static int32_t fg_pgrp;

/* In interrupt context, for each byte that arrives: ^C is SIGINT, ^Z
 * SIGTSTP (queued: the process stops as it takes it, linux/signal.h). */
static bool
tty_filter(uint8_t c)
{
	struct linux_siginfo info = { .code = LX_SI_KERNEL };
	bool taken = false;

	spin_lock_noirq(&tty_lock);
	if (fg && (fg->termios.lflag & LX_ISIG) && c) {
		if (c == fg->termios.cc[LX_VINTR])
			info.signo = LX_SIGINT;
		else if (c == fg->termios.cc[LX_VSUSP])
			info.signo = LX_SIGTSTP;
		if (info.signo) {
			linux_signal_send(fg, info.signo, &info);
			taken = true;
		}
	}
	spin_unlock_noirq(&tty_lock);
	return taken;
}

void
linux_tty_attach(struct linux_proc *lp)
{
	unsigned long flags = spin_lock_irqsave(&tty_lock);

	fg = lp;
	fg_pgrp = (int32_t)lp->pid;
	spin_unlock_irqrestore(&tty_lock, flags);
	console_rx_set_filter(tty_filter);
}

void
linux_tty_detach(struct linux_proc *lp)
{
	unsigned long flags = spin_lock_irqsave(&tty_lock);

	if (fg == lp)
		fg = NULL;
	spin_unlock_irqrestore(&tty_lock, flags);
}

int32_t
linux_tty_pgrp(void)
{
	return __atomic_load_n(&fg_pgrp, __ATOMIC_RELAXED);
}

/* Only a group of the caller's session may be made foreground: its own,
 * until there are others. */
long
linux_tty_set_pgrp(struct linux_proc *lp, int32_t pgrp)
{
	unsigned long flags;

	if (pgrp < 0)
		return -LX_EINVAL;
	if (pgrp != (int32_t)lp->pid)
		return -LX_EPERM;
	flags = spin_lock_irqsave(&tty_lock);
	fg = lp;
	fg_pgrp = pgrp;
	spin_unlock_irqrestore(&tty_lock, flags);
	return 0;
}
