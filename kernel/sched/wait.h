/*
 * Wait queues: threads sleep on one until another thread or an interrupt
 * handler wakes them.  Used like a condition variable: check the
 * condition under your spinlock, and call wait_queue_wait with it held;
 * the lock is dropped while asleep and held again on return.
 */
#ifndef SCHED_WAIT_H
#define SCHED_WAIT_H

#include <stdint.h>

#include "lib/list.h"

struct spinlock;

struct wait_queue {
	struct list_node waiters;
};

void wait_queue_init(struct wait_queue *wq);

/* timeout_ns 0 waits for ever.  0 when woken, -E_TIMEOUT when the time ran out. */
int wait_queue_wait(struct wait_queue *wq, struct spinlock *lock, uint64_t timeout_ns);
/* The same with an absolute deadline (time_now_ns; WAIT_FOREVER: none),
 * kept absolute down to the timer so it is never early. */
int wait_queue_wait_until(struct wait_queue *wq, struct spinlock *lock, uint64_t deadline_ns);

/* The same, ended early by thread_interrupt: WAKE_INTERRUPTED
 * (sched/thread.h). */
int wait_queue_wait_interruptible(struct wait_queue *wq, struct spinlock *lock,
				  uint64_t deadline_ns);
/* Safe from interrupt handlers.  Return how many threads were woken. */
int wait_queue_wake_one(struct wait_queue *wq);
/* Wakes one to run next, on what is left of the current time slice:
 * for a thread that hands the CPU to its IPC partner and is about to
 * wait itself.  Not from interrupt handlers. */
int wait_queue_wake_handoff(struct wait_queue *wq);
int wait_queue_wake_all(struct wait_queue *wq);
/*
 * For the IPC fastpath: wakes the first waiter of wake and switches to it
 * directly, on what is left of the current time slice, while the current
 * thread waits on wait.  lock (a spinlock the caller holds, interrupts
 * off) is dropped as wait_queue_wait drops it.  Returns when the current
 * thread is woken, with lock NOT taken again and interrupts still off.
 * Not from interrupt handlers.
 */
void wait_queue_wake_switch(struct wait_queue *wake, struct wait_queue *wait,
			    struct spinlock *lock);

#endif
