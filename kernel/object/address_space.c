/* AddressSpace objects (object/address_space.h). */
#include "object/address_space.h"

#include "cap/cap.h"
#include "object/process.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

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
	struct as_handle *h =
		process_object_new(owner, sizeof(*h), KOBJ_ADDRESS_SPACE, &as_handle_ops);

	if (!h)
		return -E_NOMEM;
	h->owner = owner;
	h->proc = p;
	kobject_ref(&p->obj);
	*out = h;
	return 0;
}

/* The process's own handle lives inside it: nothing to free, only the
 * reference it held on the process while it had any. */
static void
self_as_destroy(struct kobject *obj)
{
	struct as_handle *h = (struct as_handle *)obj;

	kobject_unref(&h->proc->obj);
}

static const struct kobject_ops self_as_ops = {
	.name = "address space",
	.destroy = self_as_destroy,
};

int
process_install_self_as(struct process *p)
{
	struct as_handle *h = &p->self_as;
	int err;

	kobject_init(&h->obj, KOBJ_ADDRESS_SPACE, &self_as_ops);
	h->proc = p;
	h->owner = NULL;
	kobject_ref(&p->obj);
	err = cap_install(p->cs, CAP_SLOT_ADDRESS_SPACE, &h->obj, CAP_RIGHTS_ALL, 0);
	kobject_unref(&h->obj); /* the capability's reference stays, if any */
	return err;
}
