/* Reply objects (object/reply.h). */
#include "object/reply.h"

#include "ipc/ipc.h"
#include "object/process.h"
#include "themelios/errno.h"

static void
reply_last_cap(struct kobject *obj)
{
	ipc_reply_drop((struct reply *)obj);
}

static void
reply_destroy(struct kobject *obj)
{
	struct reply *r = (struct reply *)obj;

	process_object_free(r->owner, r);
}

static const struct kobject_ops reply_ops = {
	.name = "reply",
	.last_cap = reply_last_cap,
	.destroy = reply_destroy,
};

int
reply_create(struct process *owner, struct thread *caller, struct reply **out)
{
	struct reply *r = process_object_new(owner, sizeof(*r), KOBJ_REPLY, &reply_ops);

	if (!r)
		return -E_NOMEM;
	r->owner = owner;
	r->caller = caller;
	*out = r;
	return 0;
}
