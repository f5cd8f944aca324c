/* CSpace objects (object/cspace.h). */
#include "object/cspace.h"

#include "cap/cspace.h"
#include "mm/kmalloc.h"
#include "themelios/errno.h"

static void
cspace_destroy(struct kobject *obj)
{
	struct cspace *cs = cspace_of(obj);

	cspace_clear(cs);
	kfree(cs->slots);
	kfree(cs);
}

static const struct kobject_ops cspace_ops = {
	.name = "cspace",
	.destroy = cspace_destroy,
};

int
cspace_create(uint64_t nslots, struct cspace **out)
{
	struct cspace *cs = kcalloc(1, sizeof(*cs));
	struct cap *slots = kcalloc(nslots, sizeof(*slots));
	int err = cs && slots ? cspace_init(cs, slots, nslots, &cspace_ops) : -E_NOMEM;

	if (err) {
		kfree(cs);
		kfree(slots);
		return err;
	}
	*out = cs;
	return 0;
}
