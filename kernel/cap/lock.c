#include "cap/lock.h"

#include "core/time.h"
#include "themelios/errno.h"

struct spinlock cap_lock = SPINLOCK_INIT("cap");

int
cap_lock_wait_until(struct wait_queue *wq, uint64_t deadline_ns)
{
	int r;

	if (deadline_ns != WAIT_FOREVER && time_now_ns() >= deadline_ns)
		return -E_TIMEOUT;
	kobject_defer_end();
	r = wait_queue_wait_until(wq, &cap_lock, deadline_ns);
	kobject_defer_begin();
	return r;
}

int
cap_lock_wait_interruptible(struct wait_queue *wq, uint64_t deadline_ns)
{
	int r;

	if (deadline_ns != WAIT_FOREVER && time_now_ns() >= deadline_ns)
		return -E_TIMEOUT;
	kobject_defer_end();
	r = wait_queue_wait_interruptible(wq, &cap_lock, deadline_ns);
	kobject_defer_begin();
	return r;
}
