#include "object/notification.h"

#include "cap/lock.h"
#include "mm/kmalloc.h"
#include "object/process.h"
#include "sched/thread.h"
#include "themelios/errno.h"

static void
notification_last_cap(struct kobject *obj)
{
	struct notification *n = (struct notification *)obj;

	n->dead = true;
	wait_queue_wake_all(&n->waiters);
	readiness_target_drop(&n->target);
}

static void
notification_destroy(struct kobject *obj)
{
	struct notification *n = (struct notification *)obj;

	process_object_free(n->owner, n);
}

static const struct kobject_ops notification_ops = {
	.name = "notification",
	.last_cap = notification_last_cap,
	.destroy = notification_destroy,
};

static void
notification_target_signal(struct readiness_target *t, uint64_t bits)
{
	notification_signal(container_of(t, struct notification, target), bits);
}

int
notification_create(struct process *owner, struct notification **out)
{
	struct notification *n =
		process_object_new(owner, sizeof(*n), KOBJ_NOTIFICATION, &notification_ops);

	if (!n)
		return -E_NOMEM;
	wait_queue_init(&n->waiters);
	n->owner = owner;
	readiness_target_init(&n->target, &n->obj, notification_target_signal);
	*out = n;
	return 0;
}

void
notification_signal(struct notification *n, uint64_t bits)
{
	n->word |= bits;
	if (n->word)
		wait_queue_wake_all(&n->waiters);
}

int
notification_wait(struct notification *n, bool block, uint64_t deadline_ns, uint64_t *word)
{
	int err = 0;

	kobject_ref(&n->obj); /* it outlives our sleep */
	while (!n->word && !n->dead) {
		if (!block) {
			err = -E_AGAIN;
			break;
		}
		if (thread_should_stop()) {
			err = -E_DEAD;
			break;
		}
		if (cap_lock_wait_until(&n->waiters, deadline_ns) == -E_TIMEOUT && !n->word &&
		    !n->dead) {
			err = -E_TIMEOUT;
			break;
		}
	}
	if (!err && !n->word)
		err = -E_REVOKED;
	if (!err) {
		*word = n->word;
		n->word = 0;
	}
	kobject_unref(&n->obj);
	return err;
}
