/*
 * Notifications: a word of signal bits for asynchronous events (seL4's
 * notification objects).  signal ORs bits (and the capability's badge)
 * into the word and never blocks; wait takes the whole word, blocking
 * while it is zero.  When the last capability goes, waiters wake with
 * -E_REVOKED.  Waitable objects signal these through readiness bindings
 * (object/readiness.h): an IRQ from interrupt context, a Process when it
 * ends.
 */
#ifndef OBJECT_NOTIFICATION_H
#define OBJECT_NOTIFICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "object/object.h"
#include "object/readiness.h"
#include "sched/wait.h"

struct process;

struct notification {
	struct kobject obj; /* KOBJ_NOTIFICATION */
	uint64_t word;
	bool dead; /* no capability left */
	struct wait_queue waiters;
	struct process *owner;		/* charged for it; referenced */
	struct readiness_target target; /* the objects bound to it */
};

/* Capability lock held for all three. */
int notification_create(struct process *owner, struct notification **out);
void notification_signal(struct notification *n, uint64_t bits);
/* 0 and *word, -E_AGAIN (non-blocking, nothing set), -E_TIMEOUT (nothing
 * by deadline_ns; UINT64_MAX: no deadline), -E_REVOKED or -E_DEAD. */
int notification_wait(struct notification *n, bool block, uint64_t deadline_ns, uint64_t *word);

#endif
