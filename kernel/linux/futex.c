/*
 * futex: waiters keyed by (address space, address), for private and
 * shared futexes alike (no memory is shared between address spaces
 * yet; docs/linux.md).  One lock for every futex: a waiter is on one
 * list of the table, which REQUEUE may change under it.  The value is
 * read before the lock is taken (a user read may fault and sleep, which
 * no spinlock holder may do); a WAIT enqueues first and reads after, so
 * a WAKE that follows the write of the value is never lost.
 */
#include "core/wall_clock.h"
#include "lib/list.h"
#include "linux/errno.h"
#include "linux/futex.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/spinlock.h"
#include "sched/thread.h"

#define FUTEX_WAIT	       0
#define FUTEX_WAKE	       1
#define FUTEX_REQUEUE	       3
#define FUTEX_CMP_REQUEUE      4
#define FUTEX_WAIT_BITSET      9
#define FUTEX_WAKE_BITSET      10
#define FUTEX_PRIVATE_FLAG     128
#define FUTEX_CLOCK_REALTIME   256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define BUCKETS		       64
#define NSEC		       1000000000ull

struct waiter {
	struct list_node link;
	struct address_space *as;
	uintptr_t uaddr;
	uint32_t bitset;
	struct thread *t;
	bool woken;
};

static struct spinlock futex_lock = SPINLOCK_INIT("futex");
static struct list_node buckets[BUCKETS];
static bool buckets_ready;

static struct list_node *
bucket(const struct address_space *as, uintptr_t uaddr)
{
	uintptr_t h = (uintptr_t)as ^ (uaddr >> 2) ^ (uaddr >> 12);

	if (!buckets_ready) {
		for (int i = 0; i < BUCKETS; i++)
			list_init(&buckets[i]);
		buckets_ready = true;
	}
	return &buckets[(h ^ (h >> 6)) % BUCKETS];
}

/*
 * A shared futex is keyed by its page on Linux, which must be there to be
 * read: a word that cannot be read (unmapped, PROT_NONE) is EFAULT even
 * for a wake.  A private one is keyed by its address alone, never read.
 */
static long
shared_word_readable(uintptr_t uaddr, unsigned int op)
{
	uint32_t v;

	if (op & FUTEX_PRIVATE_FLAG)
		return 0;
	return copy_from_user(&v, uaddr, sizeof(v)) ? -LX_EFAULT : 0;
}

/* Wakes up to n waiters of (as, uaddr) whose bitset meets bitset;
 * futex_lock held.  The count. */
static int
wake_locked(struct address_space *as, uintptr_t uaddr, int n, uint32_t bitset)
{
	struct list_node *b = bucket(as, uaddr), *e, *next;
	int done = 0;

	for (e = b->next; e != b && done < n; e = next) {
		struct waiter *w = container_of(e, struct waiter, link);

		next = e->next;
		if (w->as != as || w->uaddr != uaddr || !(w->bitset & bitset))
			continue;
		list_del(&w->link);
		w->woken = true;
		thread_interrupt(w->t);
		done++;
	}
	return done;
}

int
linux_futex_wake(struct address_space *as, uintptr_t uaddr, int n)
{
	unsigned long flags = spin_lock_irqsave(&futex_lock);
	int done = wake_locked(as, uaddr, n, FUTEX_BITSET_MATCH_ANY);

	spin_unlock_irqrestore(&futex_lock, flags);
	return done;
}

static long
wait(uintptr_t uaddr, uint32_t val, uint64_t deadline, uint32_t bitset, bool timed)
{
	struct linux_proc *lp = lx_current();
	struct waiter w = {
		.as = process_current()->as,
		.uaddr = uaddr,
		.bitset = bitset,
		.t = thread_current(),
	};
	unsigned long flags;
	uint32_t now;
	long r;

	thread_interrupt_clear();
	flags = spin_lock_irqsave(&futex_lock);
	list_add_tail(bucket(w.as, uaddr), &w.link);
	spin_unlock_irqrestore(&futex_lock, flags);
	if (copy_from_user(&now, uaddr, sizeof(now)))
		r = -LX_EFAULT;
	else if (now != val)
		r = -LX_EAGAIN;
	else
		r = 1;
	while (r == 1) {
		flags = spin_lock_irqsave(&futex_lock);
		if (w.woken)
			r = 0;
		spin_unlock_irqrestore(&futex_lock, flags);
		if (r == 0)
			break;
		if (linux_signal_pending(lp) || thread_should_stop())
			r = timed ? -LX_EINTR : -LX_ERESTARTSYS;
		else if (deadline != WAIT_FOREVER && time_now_ns() >= deadline)
			r = -LX_ETIMEDOUT;
		else {
			thread_sleep_interruptible(deadline);
			thread_interrupt_clear(); /* woken, a signal or the time: look again */
		}
	}
	flags = spin_lock_irqsave(&futex_lock);
	if (w.woken)
		r = 0; /* a wake that raced with the end of the wait counts */
	else
		list_del(&w.link);
	spin_unlock_irqrestore(&futex_lock, flags);
	return r;
}

static long
requeue(uintptr_t uaddr, int nwake, int nmove, uintptr_t uaddr2, bool cmp, uint32_t val3,
	unsigned int op)
{
	struct address_space *as = process_current()->as;
	struct list_node *b, *b2, *e, *next;
	unsigned long flags;
	uint32_t now;
	int done;
	long r;

	if (nwake < 0 || nmove < 0)
		return -LX_EINVAL;
	r = shared_word_readable(uaddr, op);
	if (r)
		return r;
	if (uaddr2 & 3)
		return -LX_EINVAL;
	r = shared_word_readable(uaddr2, op);
	if (r)
		return r;
	if (cmp) {
		if (copy_from_user(&now, uaddr, sizeof(now)))
			return -LX_EFAULT;
		if (now != val3)
			return -LX_EAGAIN;
	}
	flags = spin_lock_irqsave(&futex_lock);
	done = wake_locked(as, uaddr, nwake, FUTEX_BITSET_MATCH_ANY);
	b = bucket(as, uaddr);
	b2 = bucket(as, uaddr2);
	for (e = b->next; e != b && nmove > 0; e = next) {
		struct waiter *w = container_of(e, struct waiter, link);

		next = e->next;
		if (w->as != as || w->uaddr != uaddr)
			continue;
		list_del(&w->link);
		w->uaddr = uaddr2;
		list_add_tail(b2, &w->link);
		nmove--;
		done++;
	}
	spin_unlock_irqrestore(&futex_lock, flags);
	return done;
}

struct lx_timespec {
	int64_t sec, nsec;
};

/* The deadline of a timeout (relative for FUTEX_WAIT, absolute for
 * FUTEX_WAIT_BITSET; every clock is the monotonic one here). */
static long
deadline_of(uintptr_t uts, bool absolute, uint64_t *out)
{
	struct lx_timespec ts;
	uint64_t ns;

	*out = WAIT_FOREVER;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -LX_EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC)
		return -LX_EINVAL;
	ns = (uint64_t)ts.sec >= UINT64_MAX / NSEC / 2
		     ? WAIT_FOREVER / 2
		     : (uint64_t)ts.sec * NSEC + (uint64_t)ts.nsec;
	*out = absolute ? ns : time_deadline_after(ns);
	return 0;
}

long
lx_sys_futex(struct syscall_args *a)
{
	uintptr_t uaddr = a->a[0];
	unsigned int op = (unsigned int)a->a[1];
	unsigned int cmd = op & ~(unsigned int)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	uint32_t val = (uint32_t)a->a[2], val3 = (uint32_t)a->a[5];
	uint64_t deadline;
	long r;

	if (uaddr & 3)
		return -LX_EINVAL;
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -LX_ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && !val3)
			return -LX_EINVAL;
		r = deadline_of(a->a[3], cmd == FUTEX_WAIT_BITSET, &deadline);
		if (r)
			return r;
		if (cmd == FUTEX_WAIT_BITSET && (op & FUTEX_CLOCK_REALTIME) && a->a[3]) {
			uint64_t off = wall_clock_offset_ns(); /* to the monotonic clock */

			deadline = deadline > off ? deadline - off : 0;
		}
		return wait(uaddr, val, deadline, cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3,
			    a->a[3] != 0);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		unsigned long flags;
		int n;

		if (cmd == FUTEX_WAKE_BITSET && !val3)
			return -LX_EINVAL;
		r = shared_word_readable(uaddr, op);
		if (r)
			return r;
		flags = spin_lock_irqsave(&futex_lock);
		n = wake_locked(process_current()->as, uaddr,
				(int)(val > INT32_MAX ? INT32_MAX : val),
				cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
		spin_unlock_irqrestore(&futex_lock, flags);
		return n;
	}
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		/* The count to move is in the timeout's place. */
		return requeue(uaddr, (int)val, (int)a->a[3], a->a[4], cmd == FUTEX_CMP_REQUEUE,
			       val3, op);
	default:
		return -LX_ENOSYS;
	}
}
