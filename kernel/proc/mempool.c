#include "proc/mempool.h"

#include "mm/kmalloc.h"
#include "themelios/errno.h"

static void
mempool_destroy(struct kobject *obj)
{
	struct mempool *mp = (struct mempool *)obj;

	if (mp->parent) {
		mempool_uncharge(mp->parent, mp->limit);
		kobject_unref(&mp->parent->obj);
	}
	kfree(mp);
}

static const struct kobject_ops mempool_ops = {
	.name = "memory",
	.destroy = mempool_destroy,
};

int
mempool_charge(struct mempool *mp, uint64_t pages)
{
	if (pages > mp->limit - mp->used)
		return -E_NOMEM;
	mp->used += pages;
	return 0;
}

void
mempool_uncharge(struct mempool *mp, uint64_t pages)
{
	mp->used -= pages < mp->used ? pages : mp->used;
}

int
mempool_create(struct mempool *parent, uint64_t pages, struct mempool **out)
{
	struct mempool *mp;

	if (pages == 0)
		return -E_INVAL;
	if (parent && mempool_charge(parent, pages))
		return -E_NOMEM;
	mp = kcalloc(1, sizeof(*mp));
	if (!mp) {
		if (parent)
			mempool_uncharge(parent, pages);
		return -E_NOMEM;
	}
	kobject_init(&mp->obj, KOBJ_MEMORY, &mempool_ops);
	mp->limit = pages;
	mp->parent = parent;
	if (parent)
		kobject_ref(&parent->obj);
	*out = mp;
	return 0;
}
