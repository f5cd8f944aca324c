/*
 * poll, ppoll, select and pselect6 on pipes, files and the console.
 * Each round looks at every descriptor under the capability lock; when
 * none is ready the caller binds its pipes' readiness (object/readiness.h)
 * to a kernel-side waiter and sleeps until one fires or the time is up.
 * Files are always ready, as on Linux.  The console's input raises no
 * signal yet, so a poll for it looks again every CONSOLE_POLL_NS.
 */
#include "cap/lock.h"
#include "core/console_rx.h"
#include "core/time.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "mm/kmalloc.h"
#include "object/pipe.h"
#include "object/readiness.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define LX_POLLIN	0x001
#define LX_POLLPRI	0x002
#define LX_POLLOUT	0x004
#define LX_POLLERR	0x008
#define LX_POLLHUP	0x010
#define LX_POLLNVAL	0x020
#define LX_POLLRDNORM	0x040
#define LX_POLLWRNORM	0x100

#define LX_FD_SETSIZE	1024
#define NSEC		1000000000ull
#define CONSOLE_POLL_NS 10000000ull

struct lx_pollfd {
	int32_t fd;
	int16_t events, revents;
};

struct lx_timespec {
	int64_t sec, nsec;
};

/* What a poll waits on: pipes' bindings set fired and wake it. */
struct poll_waiter {
	struct kobject obj; /* the bindings' reference; never freed by them */
	struct readiness_target target;
	struct wait_queue wq;
	bool fired;
};

static const struct kobject_ops waiter_ops = { .name = "poll waiter" };

static void
waiter_signal(struct readiness_target *t, uint64_t bits)
{
	struct poll_waiter *w = container_of(t, struct poll_waiter, target);

	(void)bits;
	w->fired = true;
	wait_queue_wake_all(&w->wq);
}

/* The events of f now (capability lock held), before masking by what
 * was asked; POLLERR and POLLHUP are always reported. */
static uint32_t
file_events(const struct linux_file *f)
{
	const struct pipe *p;

	switch (f->kind) {
	case LXF_PIPE:
		p = (const struct pipe *)f->obj;
		if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY)
			return (PIPE_CAPACITY - p->len >= PIPE_ATOMIC ? LX_POLLOUT | LX_POLLWRNORM
								      : 0) |
			       (p->readers ? 0 : LX_POLLERR);
		return (p->len ? LX_POLLIN | LX_POLLRDNORM : 0) | (p->writers ? 0 : LX_POLLHUP);
	case LXF_CONSOLE:
		if (linux_tty_hung_up(f)) /* as Linux's hung_up_tty_poll */
			return LX_POLLIN | LX_POLLRDNORM | LX_POLLOUT | LX_POLLWRNORM | LX_POLLERR |
			       LX_POLLHUP;
		return LX_POLLOUT | LX_POLLWRNORM |
		       (console_rx_pending() ? LX_POLLIN | LX_POLLRDNORM : 0);
	default:
		return LX_POLLIN | LX_POLLRDNORM | LX_POLLOUT | LX_POLLWRNORM;
	}
}

/* The pipe signals that would make fd's asked events ready. */
static uint32_t
pipe_mask(const struct linux_file *f, int16_t events)
{
	if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY)
		return SIGNAL_PEER_CLOSED | (events & LX_POLLOUT ? SIGNAL_WRITABLE : 0);
	return SIGNAL_PEER_CLOSED | (events & LX_POLLIN ? SIGNAL_READABLE : 0);
}

/*
 * Polls pfd[0..n) (files[i] referenced, NULL for a bad descriptor,
 * skipped for a negative one) until one is ready or deadline
 * (time_now_ns; 0: look once; WAIT_FOREVER): the count of ready ones,
 * their revents filled, or -LX_EINTR (a signal to take, or asked to
 * stop).
 */
static long
poll_files(struct lx_pollfd *pfd, struct linux_file **files, size_t n, uint64_t deadline)
{
	struct poll_waiter w;
	bool interrupted = false;
	unsigned long irq;
	long ready = 0;

	memset(&w, 0, sizeof(w));
	w.obj.refs = 1;
	w.obj.ops = &waiter_ops;
	readiness_target_init(&w.target, &w.obj, waiter_signal);
	wait_queue_init(&w.wq);
	irq = cap_lock_take();
	for (;;) {
		bool console = false;
		uint64_t until = deadline;

		/* A signal from here on ends the sleep below at once. */
		thread_interrupt_clear();
		ready = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t ev;

			pfd[i].revents = 0;
			if (pfd[i].fd < 0)
				continue;
			if (!files[i]) {
				pfd[i].revents = LX_POLLNVAL;
				ready++;
				continue;
			}
			ev = file_events(files[i]) &
			     ((uint16_t)pfd[i].events | LX_POLLERR | LX_POLLHUP);
			pfd[i].revents = (int16_t)ev;
			if (ev)
				ready++;
		}
		if (ready || deadline == 0 || thread_should_stop() ||
		    (deadline != WAIT_FOREVER && time_now_ns() >= deadline))
			break;
		/* A signal to take: EINTR, as Linux's poll after a handler
		 * (pause() is ppoll with nothing to poll on aarch64). */
		if (linux_signal_pending(lx_current())) {
			interrupted = true;
			break;
		}
		w.fired = false;
		for (size_t i = 0; i < n; i++) {
			struct linux_file *f = files[i];

			if (!f || pfd[i].fd < 0)
				continue;
			if (f->kind == LXF_CONSOLE && (pfd[i].events & LX_POLLIN))
				console = true;
			/* A pipe with every binding taken is looked at as the console is. */
			if (f->kind == LXF_PIPE &&
			    readiness_bind(&((struct pipe *)f->obj)->ready, &w.target,
					   pipe_mask(f, pfd[i].events), 1))
				console = true;
		}
		if (console && (until == WAIT_FOREVER || until - time_now_ns() > CONSOLE_POLL_NS))
			until = time_deadline_after(CONSOLE_POLL_NS);
		if (!w.fired)
			cap_lock_wait_interruptible(&w.wq, until);
		readiness_target_drop(&w.target);
	}
	cap_lock_drop(irq);
	if (!ready && (interrupted || thread_should_stop()))
		return -LX_EINTR;
	return ready;
}

/* Polls the user's array of n entries at ufds. */
static long
do_poll(uintptr_t ufds, uint64_t n, uint64_t deadline)
{
	struct linux_proc *lp = lx_current();
	struct lx_pollfd *pfd;
	struct linux_file **files;
	long r;

	if (n > lp->rlim_cur[7] || n > LINUX_FD_MAX)
		return -LX_EINVAL;
	pfd = kmalloc(n * sizeof(*pfd) + 1);
	files = kcalloc(n + 1, sizeof(*files));
	if (!pfd || !files) {
		kfree(pfd);
		kfree(files);
		return -LX_ENOMEM;
	}
	if (copy_from_user(pfd, ufds, n * sizeof(*pfd))) {
		r = -LX_EFAULT;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (pfd[i].fd >= 0)
			files[i] = lx_fd_get(lp, pfd[i].fd);
	r = poll_files(pfd, files, n, deadline);
	for (size_t i = 0; i < n; i++) {
		if (files[i])
			lx_file_put(files[i]);
		if (r >= 0 && copy_to_user(ufds + i * sizeof(*pfd) + 6, &pfd[i].revents, 2))
			r = -LX_EFAULT;
	}
out:
	kfree(pfd);
	kfree(files);
	return r;
}

/* A relative timespec at u (0: none, for ever) as a deadline. */
static long
timespec_deadline(uintptr_t u, uint64_t *deadline)
{
	struct lx_timespec ts;

	*deadline = WAIT_FOREVER;
	if (!u)
		return 0;
	if (copy_from_user(&ts, u, sizeof(ts)))
		return -LX_EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC)
		return -LX_EINVAL;
	if ((uint64_t)ts.sec >= WAIT_FOREVER / NSEC)
		return 0;
	*deadline = ts.sec == 0 && ts.nsec == 0
			    ? 0
			    : time_deadline_after((uint64_t)ts.sec * NSEC + (uint64_t)ts.nsec);
	return 0;
}

/* What is left until deadline, written back as Linux does. */
static void
put_remaining(uintptr_t u, uint64_t deadline, bool timeval)
{
	uint64_t now = time_now_ns(), left = deadline > now ? deadline - now : 0;
	struct lx_timespec ts = { (int64_t)(left / NSEC), (int64_t)(left % NSEC) };

	if (!u || deadline == WAIT_FOREVER || deadline == 0)
		return;
	if (timeval)
		ts.nsec /= 1000;
	(void)copy_to_user(u, &ts, sizeof(ts));
}

long
lx_sys_poll(struct syscall_args *a)
{
	int32_t ms = (int32_t)a->a[2];

	return do_poll(a->a[0], a->a[1],
		       ms < 0	 ? WAIT_FOREVER
		       : ms == 0 ? 0
				 : time_deadline_after((uint64_t)ms * 1000000));
}

long
lx_sys_ppoll(struct syscall_args *a)
{
	uint64_t deadline;
	long r = timespec_deadline(a->a[2], &deadline);

	/* The signal mask (a->a[3]) has nothing to hold back yet. */
	if (r)
		return r;
	r = do_poll(a->a[0], a->a[1], deadline);
	put_remaining(a->a[2], deadline, false);
	return r;
}

/*
 * select's three sets as a poll: each descriptor in any set is polled
 * for what its sets ask (read: POLLIN, write: POLLOUT, except: POLLPRI),
 * and the sets come back with the ready ones alone.
 */
static long
do_select(uint64_t nfds, uintptr_t ur, uintptr_t uw, uintptr_t ue, uint64_t deadline)
{
	struct linux_proc *lp = lx_current();
	uint64_t in[3][LX_FD_SETSIZE / 64], out[3][LX_FD_SETSIZE / 64];
	uintptr_t u[3] = { ur, uw, ue };
	size_t words = (nfds + 63) / 64, n = 0;
	struct lx_pollfd *pfd = NULL;
	struct linux_file **files = NULL;
	long r = 0;

	if ((int64_t)(int32_t)nfds < 0)
		return -LX_EINVAL;
	if (nfds > LX_FD_SETSIZE)
		nfds = LX_FD_SETSIZE;
	words = (nfds + 63) / 64;
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	for (int s = 0; s < 3; s++)
		if (u[s] && copy_from_user(in[s], u[s], words * 8))
			return -LX_EFAULT;
	pfd = kmalloc(nfds * sizeof(*pfd) + 1);
	files = kcalloc(nfds + 1, sizeof(*files));
	if (!pfd || !files) {
		r = -LX_ENOMEM;
		goto out;
	}
	for (uint64_t fd = 0; fd < nfds; fd++) {
		int16_t ev = 0;

		if (in[0][fd / 64] & (1ull << (fd % 64)))
			ev |= LX_POLLIN;
		if (in[1][fd / 64] & (1ull << (fd % 64)))
			ev |= LX_POLLOUT;
		if (in[2][fd / 64] & (1ull << (fd % 64)))
			ev |= LX_POLLPRI;
		if (!ev)
			continue;
		files[n] = lx_fd_get(lp, (int)fd);
		if (!files[n]) {
			r = -LX_EBADF;
			goto out;
		}
		pfd[n++] = (struct lx_pollfd){ (int32_t)fd, ev, 0 };
	}
	r = poll_files(pfd, files, n, deadline);
	if (r < 0)
		goto out;
	r = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t fd = (uint64_t)pfd[i].fd, bit = 1ull << (fd % 64);
		int16_t ev = pfd[i].events, re = pfd[i].revents;

		if ((ev & LX_POLLIN) && (re & (LX_POLLIN | LX_POLLHUP | LX_POLLERR))) {
			out[0][fd / 64] |= bit;
			r++;
		}
		if ((ev & LX_POLLOUT) && (re & (LX_POLLOUT | LX_POLLERR))) {
			out[1][fd / 64] |= bit;
			r++;
		}
		if ((ev & LX_POLLPRI) && (re & LX_POLLPRI)) {
			out[2][fd / 64] |= bit;
			r++;
		}
	}
	for (int s = 0; s < 3; s++)
		if (u[s] && copy_to_user(u[s], out[s], words * 8))
			r = -LX_EFAULT;
out:
	for (size_t i = 0; i < n; i++)
		lx_file_put(files[i]);
	kfree(pfd);
	kfree(files);
	return r;
}

long
lx_sys_select(struct syscall_args *a)
{
	struct lx_timespec tv; /* a struct timeval: seconds, microseconds */
	uint64_t deadline = WAIT_FOREVER;
	long r;

	if (a->a[4]) {
		if (copy_from_user(&tv, a->a[4], sizeof(tv)))
			return -LX_EFAULT;
		if (tv.sec < 0 || tv.nsec < 0)
			return -LX_EINVAL;
		tv.sec += tv.nsec / 1000000;
		tv.nsec %= 1000000;
		if ((uint64_t)tv.sec < WAIT_FOREVER / NSEC)
			deadline = tv.sec == 0 && tv.nsec == 0
					   ? 0
					   : time_deadline_after((uint64_t)tv.sec * NSEC +
								 (uint64_t)tv.nsec * 1000);
	}
	r = do_select(a->a[0], a->a[1], a->a[2], a->a[3], deadline);
	put_remaining(a->a[4], deadline, true);
	return r;
}

long
lx_sys_pselect6(struct syscall_args *a)
{
	uint64_t deadline;
	long r = timespec_deadline(a->a[4], &deadline);

	if (r)
		return r;
	r = do_select(a->a[0], a->a[1], a->a[2], a->a[3], deadline);
	put_remaining(a->a[4], deadline, false);
	return r;
}
