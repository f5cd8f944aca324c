/* Thread objects (object/thread.h). */
#include "object/thread.h"

#include "mm/kmalloc.h"
#include "sched/thread.h"

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
