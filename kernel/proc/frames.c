#include "proc/frames.h"

#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "proc/mempool.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

static void
frames_free_pages(struct frames *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pmm_free_frame(f->pa[i]);
}

static void
frames_destroy(struct kobject *obj)
{
	struct frames *f = (struct frames *)obj;

	frames_free_pages(f, f->npages);
	mempool_uncharge(f->pool, f->npages + 1);
	kobject_unref(&f->pool->obj);
	kfree(f->pa);
	kfree(f);
}

static const struct kobject_ops frames_ops = {
	.name = "frames",
	.destroy = frames_destroy,
};

int
frames_create(struct mempool *pool, size_t pages, struct frames **out)
{
	struct frames *f;
	size_t i;

	if (pages == 0)
		return -E_INVAL;
	if (pages > FRAMES_MAX_PAGES)
		return -E_RANGE;
	if (mempool_charge(pool, pages + 1))	/* the pages and the bookkeeping */
		return -E_NOMEM;
	f = kcalloc(1, sizeof(*f));
	if (f)
		f->pa = kcalloc(pages, sizeof(*f->pa));
	if (!f || !f->pa)
		goto fail;
	for (i = 0; i < pages; i++) {
		if (pmm_alloc_frame(&f->pa[i]) != 0) {
			frames_free_pages(f, i);
			goto fail;
		}
		memset(phys_to_virt(f->pa[i]), 0, PAGE_SIZE_4K);
	}
	kobject_init(&f->obj, KOBJ_FRAMES, &frames_ops);
	f->npages = pages;
	f->pool = pool;
	kobject_ref(&pool->obj);
	*out = f;
	return 0;
fail:
	if (f)
		kfree(f->pa);
	kfree(f);
	mempool_uncharge(pool, pages + 1);
	return -E_NOMEM;
}
