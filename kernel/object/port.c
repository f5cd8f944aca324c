/* Port objects (port.h). */
#include "object/port.h"

#include "mm/kmalloc.h"
#include "object/memory.h"
#include "object/process.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

static void
port_destroy(struct kobject *obj)
{
	struct port_object *p = (struct port_object *)obj;

	mempool_uncharge(p->pool, 1);
	kobject_unref(&p->pool->obj);
	kfree(p);
}

static int
port_info(struct kobject *obj, struct object_info *info)
{
	struct port_object *p = (struct port_object *)obj;

	info->id = p->first;
	info->size = p->count;
	return 0;
}

static const struct kobject_ops port_ops = {
	.name = "port",
	.destroy = port_destroy,
	.info = port_info,
};

int
port_object_create(struct process *owner, uint32_t first, uint32_t count, uint32_t protocols,
		   struct port_object **out)
{
	struct port_object *p;

	if (first == 0 || count == 0 || first > 65535 || count > 65536 - first)
		return -E_INVAL;
	if (protocols == 0 || protocols & ~(uint32_t)(PORT_TCP | PORT_UDP))
		return -E_INVAL;
	/* Charged to the maker's pool, which it references, not to the
	 * process: a service holding its Port must not keep its (ended)
	 * maker alive. */
	if (mempool_charge(owner->pool, 1))
		return -E_NOMEM;
	p = kcalloc(1, sizeof(*p));
	if (!p) {
		mempool_uncharge(owner->pool, 1);
		return -E_NOMEM;
	}
	kobject_init(&p->obj, KOBJ_PORT, &port_ops);
	p->pool = owner->pool;
	kobject_ref(&p->pool->obj);
	p->first = (uint16_t)first;
	p->count = count;
	p->protocols = protocols;
	*out = p;
	return 0;
}

bool
port_object_allows(const struct port_object *p, uint16_t port, uint32_t protocol)
{
	return (p->protocols & protocol) && port >= p->first &&
	       (uint32_t)(port - p->first) < p->count;
}
