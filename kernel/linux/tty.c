/*
 * The console as a Linux tty (docs/linux.md): its settings (one termios
 * for the console, whoever sets it), the session it is the controlling
 * terminal of, and that session's foreground process group (TIOCGPGRP,
 * TIOCSPGRP).  The interrupt character sends SIGINT instead of being
 * input (ISIG), the suspend character SIGTSTP, both to every process of
 * the foreground group.  A process of the session outside the
 * foreground group that reads the console gets SIGTTIN, one that writes
 * it with TOSTOP set (or changes its settings) SIGTTOU, as Linux's
 * tty_check_change does.
 *
 * The session is the one of the process whose descriptors were set up
 * on the console (linux_tty_attach), that took it with TIOCSCTTY, or
 * that opened it as a session leader while no session had it: a process
 * is of it when it is of the same instance and session.  It ends with
 * that process, and the console hangs up as Linux's serial port does
 * (tty_vhangup_session): the foreground group gets SIGHUP, and every
 * description of the console opened until then is hung up (reads give
 * end of file, writes and ioctls EIO, poll everything), which a count of
 * hangups tells without a list of descriptions: a description remembers
 * the count it was opened under.
 */
#include "cap/lock.h"
#include "core/console_rx.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "sched/spinlock.h"

#define LX_ISIG	  0x1
#define LX_TOSTOP 0x100
#define LX_VINTR  0
#define LX_VSUSP  10

/* A tty's defaults, as Linux's console starts (tty_std_termios). */
static struct linux_termios termios = {
	.iflag = 0x500,	 /* ICRNL | IXON */
	.oflag = 0x5,	 /* OPOST | ONLCR */
	.cflag = 0xbf,	 /* B38400 | CS8 | CREAD */
	.lflag = 0x8a3b, /* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
	.cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22 },
};

/* All under tty_lock, which interrupts take (tty_filter). */
static struct spinlock tty_lock = SPINLOCK_INIT("linux tty");
static struct linux_proc *leader; /* the session's: NULL, no session has the console */
static int32_t fg_pgrp;
static uint32_t hangups; /* written under tty_lock, read without it */

/* The signal byte c stands for (tty_lock held): 0 for plain input. */
static int
signal_of(uint8_t c)
{
	if (!c || !leader || !(termios.lflag & LX_ISIG))
		return 0;
	if (c == termios.cc[LX_VINTR])
		return LX_SIGINT;
	if (c == termios.cc[LX_VSUSP])
		return LX_SIGTSTP;
	return 0;
}

/* In interrupt context, for each byte that arrives: ^C is SIGINT, ^Z
 * SIGTSTP, to every process of the foreground group (queued: a process
 * stops as it takes it, linux/signal.h).  Plain input takes tty_lock
 * alone.  A signal takes the capability lock first, as everywhere: it
 * keeps the instance's process list still and the leader alive (a
 * linux_proc is released under it, detached from here first); the byte
 * is looked at again under both, the settings may have changed. */
static bool
tty_filter(uint8_t c)
{
	unsigned long irq;
	int sig;

	spin_lock_noirq(&tty_lock);
	sig = signal_of(c);
	spin_unlock_noirq(&tty_lock);
	if (!sig)
		return false;
	irq = cap_lock_take();
	spin_lock_noirq(&tty_lock);
	sig = signal_of(c);
	if (sig)
		linux_signal_pgrp(leader, (uint64_t)fg_pgrp, sig);
	spin_unlock_noirq(&tty_lock);
	cap_lock_drop(irq);
	return sig != 0;
}

/* lp takes the console for its session, its group in the foreground. */
static void
take(struct linux_proc *lp)
{
	unsigned long flags = spin_lock_irqsave(&tty_lock);

	leader = lp;
	fg_pgrp = (int32_t)__atomic_load_n(&lp->pgid, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&tty_lock, flags);
}

void
linux_tty_attach(struct linux_proc *lp)
{
	take(lp);
	console_rx_set_filter(tty_filter);
}

void
linux_tty_detach(struct linux_proc *lp)
{
	unsigned long flags = spin_lock_irqsave(&tty_lock);
	bool ends = leader == lp;
	int32_t pgrp = fg_pgrp;

	if (ends) {
		leader = NULL;
		__atomic_store_n(&hangups, hangups + 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&tty_lock, flags);
	/* SIGHUP alone: the SIGCONT a stopped member needs comes from the
	 * orphaned group's rule (linux/family.c), as on Linux. */
	if (ends)
		linux_signal_pgrp(lp, (uint64_t)pgrp, LX_SIGHUP);
}

uint32_t
linux_tty_hangups(void)
{
	return __atomic_load_n(&hangups, __ATOMIC_ACQUIRE);
}

bool
linux_tty_hung_up(const struct linux_file *f)
{
	return f->tty_opened != linux_tty_hangups();
}

/* Is the console lp's controlling terminal?  Its foreground group in
 * *pgrp.  tty_lock held. */
static bool
ours_locked(const struct linux_proc *lp, int32_t *pgrp)
{
	*pgrp = fg_pgrp;
	return leader && leader->inst == lp->inst &&
	       leader->sid == __atomic_load_n(&lp->sid, __ATOMIC_RELAXED);
}

static bool
ours(const struct linux_proc *lp, int32_t *pgrp)
{
	unsigned long flags = spin_lock_irqsave(&tty_lock);
	bool r = ours_locked(lp, pgrp);

	spin_unlock_irqrestore(&tty_lock, flags);
	return r;
}

long
linux_tty_check(struct linux_proc *lp, int sig)
{
	unsigned long irq;
	int32_t pgrp;
	bool orphaned;

	if (!ours(lp, &pgrp) || (uint64_t)pgrp == __atomic_load_n(&lp->pgid, __ATOMIC_RELAXED))
		return 0;
	if (linux_signal_ignored_or_blocked(lp, sig))
		return sig == LX_SIGTTIN ? -LX_EIO : 0;
	/* No shell is there to continue an orphaned group: an error, not
	 * a stop that would last for ever. */
	irq = cap_lock_take();
	orphaned = linux_family_pgrp_orphaned(lp);
	if (!orphaned)
		linux_signal_pgrp(lp, lp->pgid, sig);
	cap_lock_drop(irq);
	return orphaned ? -LX_EIO : -LX_ERESTARTSYS;
}

long
linux_tty_check_write(struct linux_proc *lp)
{
	return __atomic_load_n(&termios.lflag, __ATOMIC_RELAXED) & LX_TOSTOP
		       ? linux_tty_check(lp, LX_SIGTTOU)
		       : 0;
}

void
linux_tty_get_termios(struct linux_termios *t)
{
	unsigned long flags = spin_lock_irqsave(&tty_lock);

	*t = termios;
	spin_unlock_irqrestore(&tty_lock, flags);
}

long
linux_tty_set_termios(struct linux_proc *lp, const struct linux_termios *t)
{
	long r = linux_tty_check(lp, LX_SIGTTOU);
	unsigned long flags;

	if (r)
		return r;
	flags = spin_lock_irqsave(&tty_lock);
	termios = *t; /* kept for TCGETS and the checks; the console does not change */
	spin_unlock_irqrestore(&tty_lock, flags);
	return 0;
}

long
linux_tty_pgrp(struct linux_proc *lp)
{
	int32_t pgrp;

	return ours(lp, &pgrp) ? pgrp : -LX_ENOTTY;
}

/* A group of the caller's session (-LX_EPERM for another's, -LX_ESRCH
 * for none), in the foreground: ^C reaches each of its processes. */
long
linux_tty_set_pgrp(struct linux_proc *lp, int32_t pgrp)
{
	struct linux_proc *to = NULL;
	unsigned long irq, flags;
	int32_t now;
	long r;

	if (!ours(lp, &now))
		return -LX_ENOTTY;
	r = linux_tty_check(lp, LX_SIGTTOU);
	if (r)
		return r;
	if (pgrp < 0)
		return -LX_EINVAL;
	irq = cap_lock_take();
	list_for_each (n, linux_family_procs(lp)) {
		struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

		if (!q->counted || q->zombie || q->pgid != (uint64_t)pgrp)
			continue;
		if (!to)
			to = q;
	}
	r = !to ? -LX_ESRCH : to->sid != lp->sid ? -LX_EPERM : 0;
	if (!r) {
		flags = spin_lock_irqsave(&tty_lock);
		if (ours_locked(lp, &now))
			fg_pgrp = pgrp;
		spin_unlock_irqrestore(&tty_lock, flags);
	}
	cap_lock_drop(irq);
	return r;
}

/* A session leader without a terminal takes the console: when no session
 * has it, or, with steal, from the one that has. */
long
linux_tty_set_ctty(struct linux_proc *lp, bool steal)
{
	int32_t pgrp;
	bool free;
	unsigned long flags;

	if (ours(lp, &pgrp))
		return 0;
	if (lp->pid != __atomic_load_n(&lp->sid, __ATOMIC_RELAXED))
		return -LX_EPERM;
	flags = spin_lock_irqsave(&tty_lock);
	free = !leader;
	spin_unlock_irqrestore(&tty_lock, flags);
	if (!free && !steal)
		return -LX_EPERM;
	take(lp);
	console_rx_set_filter(tty_filter);
	return 0;
}

long
linux_tty_open(struct linux_proc *lp, bool dev_tty, bool noctty)
{
	unsigned long flags;
	int32_t pgrp;
	bool taken = false;

	if (dev_tty)
		return ours(lp, &pgrp) ? 0 : -LX_ENXIO;
	if (noctty || lp->pid != __atomic_load_n(&lp->sid, __ATOMIC_RELAXED))
		return 0;
	flags = spin_lock_irqsave(&tty_lock);
	if (!leader) {
		leader = lp;
		fg_pgrp = (int32_t)__atomic_load_n(&lp->pgid, __ATOMIC_RELAXED);
		taken = true;
	}
	spin_unlock_irqrestore(&tty_lock, flags);
	if (taken)
		console_rx_set_filter(tty_filter);
	return 0;
}
