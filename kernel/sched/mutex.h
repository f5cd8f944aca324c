/*
 * Sleeping mutexes: a thread that finds the mutex held sleeps on its
 * wait queue instead of spinning.  Not for interrupt handlers.
 */
#ifndef SCHED_MUTEX_H
#define SCHED_MUTEX_H

#include "sched/spinlock.h"
#include "sched/wait.h"

struct thread;

struct mutex {
	struct spinlock lock;
	struct thread *owner;
	/* Threads sleeping (or about to) on waiters, counted under lock, so
	 * an unlock with nobody waiting skips the scheduler's lock. */
	unsigned int nwaiters;
	struct wait_queue waiters;
	const char *name;
};

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_held_by_me(const struct mutex *m);

#endif
