/*
 * Object reference counts and the deferred callback queue
 * (object/object.h).  An object is on the queue at most once: for last_cap
 * (then the queue holds a reference, so refs cannot reach zero meanwhile)
 * or for destroy (refs is zero, nobody else can reach it).
 */
#include <stddef.h>

#include "object/object.h"
#include "object/readiness.h"

static struct kobject *reap_head;	   /* LIFO: order does not matter */
static uint64_t live_objects[KOBJ_NTYPES]; /* for the audit */
static unsigned int defer_depth;
static bool reaping;

void
kobject_init(struct kobject *obj, enum kobject_type type, const struct kobject_ops *ops)
{
	obj->type = type;
	if (type < KOBJ_NTYPES)
		live_objects[type]++;
	obj->pending = 0;
	obj->refs = 1;
	obj->ncaps = 0;
	obj->ops = ops;
	obj->reap_next = NULL;
}

static void
reap_push(struct kobject *obj, uint32_t what)
{
	obj->pending |= what;
	obj->reap_next = reap_head;
	reap_head = obj;
}

/* Nobody holds a capability to obj any more: its readiness bindings go
 * (nobody could unbind them), then the type's own callback runs. */
static void
last_cap_run(struct kobject *obj)
{
	struct readiness *r = kobject_readiness(obj);

	if (r != NULL)
		readiness_unbind_all(r);
	if (obj->ops->last_cap != NULL)
		obj->ops->last_cap(obj);
}

/*
 * Runs queued callbacks until the queue is empty.  Callbacks that unref
 * or delete more objects append to the queue; the 'reaping' flag makes
 * the nested calls return at once, so the stack stays flat.
 */
static void
reap_run(void)
{
	struct kobject *obj;

	if (reaping || defer_depth > 0)
		return;
	reaping = true;
	while ((obj = reap_head) != NULL) {
		reap_head = obj->reap_next;
		obj->reap_next = NULL;
		if (obj->pending & KOBJ_PENDING_LAST_CAP) {
			obj->pending &= ~KOBJ_PENDING_LAST_CAP;
			/* A capability may have been installed since. */
			if (obj->ncaps == 0)
				last_cap_run(obj);
			kobject_unref(obj); /* the queue's reference */
		} else {
			obj->pending = 0;
			/* Bindings need a capability to be made, and went
			 * when the last one did; this is only a backstop. */
			if (kobject_readiness(obj) != NULL)
				readiness_unbind_all(kobject_readiness(obj));
			if (obj->type < KOBJ_NTYPES)
				live_objects[obj->type]--;
			if (obj->ops->destroy != NULL)
				obj->ops->destroy(obj);
		}
	}
	reaping = false;
}

void
kobject_ref(struct kobject *obj)
{
	obj->refs++;
}

void
kobject_unref(struct kobject *obj)
{
	if (--obj->refs > 0)
		return;
	reap_push(obj, KOBJ_PENDING_DESTROY);
	reap_run();
}

void
kobject_defer_begin(void)
{
	defer_depth++;
}

void
kobject_defer_end(void)
{
	/* Most sections queue nothing: skip the call (hot on IPC paths). */
	if (--defer_depth == 0 && reap_head != NULL)
		reap_run();
}

uint64_t
kobject_live_count(enum kobject_type type)
{
	return type < KOBJ_NTYPES ? live_objects[type] : 0;
}

bool
kobject_reaper_idle(void)
{
	return reap_head == NULL && !reaping && defer_depth == 0;
}

void
kobject_cap_get(struct kobject *obj)
{
	obj->refs++;
	obj->ncaps++;
}

void
kobject_cap_put(struct kobject *obj)
{
	if (--obj->ncaps == 0 && (obj->ops->last_cap != NULL || obj->ops->readiness != NULL) &&
	    !(obj->pending & KOBJ_PENDING_LAST_CAP)) {
		obj->refs++;
		reap_push(obj, KOBJ_PENDING_LAST_CAP);
	}
	kobject_unref(obj);
	reap_run();
}
