/* Endpoint objects (object/endpoint.h). */
#include "object/endpoint.h"

#include "ipc/ipc.h"
#include "object/process.h"
#include "themelios/errno.h"

static void
endpoint_last_cap(struct kobject *obj)
{
	ipc_endpoint_revoke((struct endpoint *)obj);
}

static void
endpoint_destroy(struct kobject *obj)
{
	struct endpoint *ep = (struct endpoint *)obj;

	ipc_endpoint_drop_reports(ep);
	process_object_free(ep->owner, ep);
}

static const struct kobject_ops endpoint_ops = {
	.name = "endpoint",
	.last_cap = endpoint_last_cap,
	.destroy = endpoint_destroy,
};

int
endpoint_create(struct process *owner, struct endpoint **out)
{
	struct endpoint *ep = process_object_new(owner, sizeof(*ep), KOBJ_ENDPOINT, &endpoint_ops);

	if (!ep)
		return -E_NOMEM;
	list_init(&ep->senders);
	list_init(&ep->receivers);
	list_init(&ep->kmsgs);
	ep->owner = owner;
	*out = ep;
	return 0;
}
