/* Memory objects (object/memory.h). */
#include "object/memory.h"

#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "themelios/abi.h"
#include "sched/spinlock.h"
#include "themelios/errno.h"

/* The counts alone, so a pool can be charged with or without the
 * capability lock (page tables are made under a process's vm_lock). */
static struct spinlock pool_lock = SPINLOCK_INIT("memory pools");
/* Every pool (capability lock): made and destroyed under it. */
static struct list_node all_pools = LIST_INIT(all_pools);

static void
mempool_destroy(struct kobject *obj)
{
	struct mempool *mp = (struct mempool *)obj;

	list_del(&mp->all_link);
	if (mp->parent) {
		mempool_uncharge(mp->parent, mp->limit);
		kobject_unref(&mp->parent->obj);
	}
	kfree(mp);
}

static int
mempool_info(struct kobject *obj, struct object_info *info)
{
	struct mempool *mp = (struct mempool *)obj;
	unsigned long flags = spin_lock_irqsave(&pool_lock);

	info->size = mp->limit * PAGE_SIZE_4K;
	info->used = mp->used * PAGE_SIZE_4K;
	spin_unlock_irqrestore(&pool_lock, flags);
	return 0;
}

static const struct kobject_ops mempool_ops = {
	.name = "memory",
	.destroy = mempool_destroy,
	.info = mempool_info,
};

int
mempool_charge(struct mempool *mp, uint64_t pages)
{
	unsigned long flags = spin_lock_irqsave(&pool_lock);
	int err = pages > mp->limit - mp->used ? -E_NOMEM : 0;

	if (!err)
		mp->used += pages;
	spin_unlock_irqrestore(&pool_lock, flags);
	return err;
}

void
mempool_uncharge(struct mempool *mp, uint64_t pages)
{
	unsigned long flags = spin_lock_irqsave(&pool_lock);

	mp->used -= pages < mp->used ? pages : mp->used;
	spin_unlock_irqrestore(&pool_lock, flags);
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
	list_add_tail(&all_pools, &mp->all_link);
	if (parent)
		kobject_ref(&parent->obj);
	*out = mp;
	return 0;
}

void
mempool_for_each(void (*fn)(struct mempool *mp, void *ctx), void *ctx)
{
	list_for_each (n, &all_pools)
		fn(container_of(n, struct mempool, all_link), ctx);
}
