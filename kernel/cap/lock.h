/*
 * The capability lock: one lock over every cspace, the derivation tree,
 * object counts and endpoint queues (kernel/cap assumes its callers hold
 * it).  An IRQ-saving spinlock, held only for short sections; a thread
 * that must wait (IPC) sleeps on a wait queue, which drops it.  One lock
 * is right for one CPU; SMP will split it.
 */
#ifndef CAP_LOCK_H
#define CAP_LOCK_H

#include "object/object.h"
#include "sched/spinlock.h"
#include "sched/wait.h"

extern struct spinlock cap_lock;

static inline unsigned long
cap_lock_take(void)
{
	unsigned long flags = spin_lock_irqsave(&cap_lock);

	kobject_defer_begin();
	return flags;
}

/* Runs the object callbacks (destroy, last_cap) the section queued, still
 * under the lock, then drops it. */
static inline void
cap_lock_drop(unsigned long flags)
{
	kobject_defer_end();
	spin_unlock_irqrestore(&cap_lock, flags);
}

/* Sleeps on wq with the capability lock dropped meanwhile; callbacks
 * queued so far run first (the defer region must not span a sleep). */
static inline int
cap_lock_wait(struct wait_queue *wq)
{
	int r;

	kobject_defer_end();
	r = wait_queue_wait(wq, &cap_lock, 0);
	kobject_defer_begin();
	return r;
}

/* The same, waking by deadline_ns (time_now_ns) at the latest; UINT64_MAX
 * waits for ever.  0 when woken, -E_TIMEOUT when the deadline passed. */
int cap_lock_wait_until(struct wait_queue *wq, uint64_t deadline_ns);

/* The same, ended early by thread_interrupt (a Linux signal):
 * WAKE_INTERRUPTED (sched/thread.h). */
int cap_lock_wait_interruptible(struct wait_queue *wq, uint64_t deadline_ns);

#endif
