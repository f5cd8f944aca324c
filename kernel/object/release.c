/* Release after unlock (object/release.h). */
#include "object/release.h"

#include <stddef.h>

#include "core/irq.h"
#include "fs/vnode.h"
#include "sched/thread.h"

bool
release_defers(void)
{
	struct thread *t = thread_current();

	return t && !irq_in_handler() && (t->proc || t->release_scope != 0);
}

bool
release_later(struct kobject *obj)
{
	struct thread *t = thread_current();

	if (obj->ops->release == NULL || !release_defers())
		return false;
	/* Destroyed: nobody else reaches obj, its reaper link is free. */
	obj->reap_next = t->releases;
	t->releases = obj;
	return true;
}

void
release_run(void)
{
	struct thread *t = thread_current();
	struct kobject *obj;

	/* A release may queue more (the pools an address space held): the
	 * loop takes them too.  Only this thread touches its list. */
	for (;;) {
		if ((obj = t->releases) != NULL) {
			t->releases = obj->reap_next;
			obj->reap_next = NULL;
			obj->ops->release(obj);
		} else if (t->vnode_releases) {
			vnode_release_deferred();
		} else {
			return;
		}
	}
}

void
release_scope_begin(void)
{
	thread_current()->release_scope++;
}

void
release_scope_end(void)
{
	struct thread *t = thread_current();

	if (--t->release_scope == 0)
		release_run();
}
