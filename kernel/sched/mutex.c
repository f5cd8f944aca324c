#include "sched/mutex.h"

#include "core/panic.h"
#include "sched/thread.h"

void
mutex_init(struct mutex *m, const char *name)
{
	m->lock = (struct spinlock)SPINLOCK_INIT(name);
	m->owner = NULL;
	m->nwaiters = 0;
	m->name = name;
	wait_queue_init(&m->waiters);
}

void
mutex_lock(struct mutex *m)
{
	struct thread *me = thread_current();
	unsigned long flags = spin_lock_irqsave(&m->lock);

	if (m->owner == me)
		panic("mutex %s: recursive lock by %s", m->name, me->name);
	while (m->owner) {
		/* Counted before m->lock drops: wait_queue_wait queues us
		 * before anyone can take it, so an unlock that sees the count
		 * finds us on the queue. */
		m->nwaiters++;
		wait_queue_wait(&m->waiters, &m->lock, 0);
		m->nwaiters--;
	}
	m->owner = me;
	spin_unlock_irqrestore(&m->lock, flags);
}

void
mutex_unlock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->lock);

	if (m->owner != thread_current())
		panic("mutex %s: unlocked by %s, not its owner", m->name, thread_current()->name);
	m->owner = NULL;
	if (m->nwaiters)
		wait_queue_wake_one(&m->waiters);
	spin_unlock_irqrestore(&m->lock, flags);
}

bool
mutex_held_by_me(const struct mutex *m)
{
	return m->owner == thread_current();
}
