#include "cap/lock.h"

#include "core/time.h"
#include "themelios/errno.h"

struct spinlock cap_lock = SPINLOCK_INIT("cap");

int
cap_lock_wait_until(struct wait_queue *wq, uint64_t deadline_ns)
{
	uint64_t now = time_now_ns();

	if (deadline_ns == UINT64_MAX)
		return cap_lock_wait(wq);
	if (now >= deadline_ns)
		return -E_TIMEOUT;
	kobject_defer_end();
	int r = wait_queue_wait(wq, &cap_lock, deadline_ns - now);
	kobject_defer_begin();
	return r;
}
