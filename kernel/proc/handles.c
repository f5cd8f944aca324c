/*
 * The handles behind Thread and AddressSpace capabilities: small objects
 * naming a thread (while it lives) or a process's address space.
 */
#include "cap/object.h"
#include "mm/kmalloc.h"
#include "proc/process.h"
#include "sched/thread.h"
#include "themelios/errno.h"

static void
thread_handle_destroy(struct kobject *obj)
{
	struct thread_handle *h = (struct thread_handle *)obj;

	if (h->thread)
		h->thread->handle = NULL;
	kfree(h);
}

static const struct kobject_ops thread_handle_ops = {
	.name = "thread",
	.destroy = thread_handle_destroy,
};

void
thread_handle_init(struct thread_handle *h, struct thread *t)
{
	kobject_init(&h->obj, KOBJ_THREAD, &thread_handle_ops);
	h->thread = t;
	t->handle = h;
}

static void
as_handle_destroy(struct kobject *obj)
{
	struct as_handle *h = (struct as_handle *)obj;

	kobject_unref(&h->proc->obj);
	process_object_free(h->owner, h);
}

static const struct kobject_ops as_handle_ops = {
	.name = "address space",
	.destroy = as_handle_destroy,
};

int
process_as_handle(struct process *owner, struct process *p, struct as_handle **out)
{
	struct as_handle *h = process_object_new(owner, sizeof(*h), KOBJ_ADDRESS_SPACE,
						 &as_handle_ops);

	if (!h)
		return -E_NOMEM;
	h->owner = owner;
	h->proc = p;
	kobject_ref(&p->obj);
	*out = h;
	return 0;
}

