/* Frames objects (object/frames.h). */
#include "object/frames.h"

#include "cap/lock.h"
#include "core/resource.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "object/memory.h"
#include "object/ops.h"
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

	if (f->device) {
		resource_release(RESOURCE_PHYS, f->pa[0]);
		mempool_uncharge(f->pool, 1);
	} else if (f->lazy) {
		for (size_t i = 0; i < f->npages; i++)
			if (f->pa[i])
				pmm_free_frame(f->pa[i]);
		mempool_uncharge(f->pool, f->made + f->table);
	} else {
		frames_free_pages(f, f->npages);
		mempool_uncharge(f->pool, f->npages + 1);
	}
	kobject_unref(&f->pool->obj);
	kfree(f->pa);
	kfree(f);
}

/*
 * Bytes of the pages at offset, to or from buf, a page at a time with no
 * lock held: the pages are fixed for the object's life and the caller's
 * reference keeps it alive.  Device registers are not memory to copy
 * (-E_NOTSUP); map them.  Past the end: 0 bytes.
 */
static long
frames_copy(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf, bool to_buf)
{
	struct frames *f = (struct frames *)obj;
	uint64_t size = (uint64_t)f->npages * PAGE_SIZE_4K;
	size_t done = 0, len;

	if (f->device || f->lazy)
		return -E_NOTSUP;
	if (offset >= size)
		return 0;
	len = buf->len < size - offset ? buf->len : (size_t)(size - offset);
	while (done < len) {
		uint64_t at = offset + done, in_page = at % PAGE_SIZE_4K;
		size_t n =
			PAGE_SIZE_4K - in_page < len - done ? PAGE_SIZE_4K - in_page : len - done;
		char *page = phys_to_virt(f->pa[at / PAGE_SIZE_4K]);
		int err = to_buf ? kobject_buf_put(buf, done, page + in_page, n)
				 : kobject_buf_get(buf, done, page + in_page, n);

		if (err)
			return err;
		done += n;
	}
	return (long)done;
}

static long
frames_read(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf)
{
	return frames_copy(obj, offset, buf, true);
}

static long
frames_write(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf)
{
	return frames_copy(obj, offset, buf, false);
}

static int
frames_info(struct kobject *obj, struct object_info *info)
{
	info->size = (uint64_t)((struct frames *)obj)->npages * PAGE_SIZE_4K;
	return 0;
}

static const struct kobject_ops frames_ops = {
	.name = "frames",
	.destroy = frames_destroy,
	.read = frames_read,
	.write = frames_write,
	.info = frames_info,
};

int
frames_create(struct mempool *pool, size_t pages, struct frames **out)
{
	unsigned long irq;
	struct frames *f;
	size_t i;

	if (pages == 0)
		return -E_INVAL;
	if (pages > FRAMES_MAX_PAGES)
		return -E_RANGE;
	if (mempool_charge(pool, pages + 1)) /* the pages and the bookkeeping */
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
	f->npages = pages;
	f->pool = pool;
	irq = cap_lock_take(); /* the object counts and the pool's references */
	kobject_init(&f->obj, KOBJ_FRAMES, &frames_ops);
	kobject_ref(&pool->obj);
	cap_lock_drop(irq);
	*out = f;
	return 0;
fail:
	if (f)
		kfree(f->pa);
	kfree(f);
	mempool_uncharge(pool, pages + 1);
	return -E_NOMEM;
}

int
frames_create_device(struct mempool *pool, uint64_t phys, uint64_t pages, struct frames **out)
{
	const char *holder = NULL;
	struct frames *f;
	int err;

	if (pages == 0 || phys % PAGE_SIZE_4K)
		return -E_INVAL;
	if (pages > FRAMES_MAX_PAGES || phys >= DEVICE_PHYS_LIMIT ||
	    pages > (DEVICE_PHYS_LIMIT - phys) / PAGE_SIZE_4K)
		return -E_RANGE;
	err = resource_claim(RESOURCE_PHYS, phys, pages * PAGE_SIZE_4K, "user driver", &holder);
	if (err == -E_BUSY && holder == resource_memory)
		return -E_INVAL; /* memory, not a device */
	if (err)
		return err;
	if (mempool_charge(pool, 1)) {
		resource_release(RESOURCE_PHYS, phys);
		return -E_NOMEM;
	}
	f = kcalloc(1, sizeof(*f));
	if (f)
		f->pa = kcalloc(pages, sizeof(*f->pa));
	if (!f || !f->pa) {
		kfree(f);
		mempool_uncharge(pool, 1);
		resource_release(RESOURCE_PHYS, phys);
		return -E_NOMEM;
	}
	for (uint64_t i = 0; i < pages; i++)
		f->pa[i] = phys + i * PAGE_SIZE_4K;
	kobject_init(&f->obj, KOBJ_FRAMES, &frames_ops);
	f->npages = pages;
	f->pool = pool;
	f->device = true;
	kobject_ref(&pool->obj);
	*out = f;
	return 0;
}

int
frames_create_lazy(struct mempool *pool, size_t pages, struct frames **out)
{
	size_t table = 1 + (pages * sizeof(uint64_t) + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	unsigned long irq;
	struct frames *f;

	if (pages == 0)
		return -E_INVAL;
	if (pages > FRAMES_LAZY_MAX_PAGES)
		return -E_RANGE;
	if (mempool_charge(pool, table))
		return -E_NOMEM;
	f = kcalloc(1, sizeof(*f));
	if (f)
		f->pa = kcalloc(pages, sizeof(*f->pa));
	if (!f || !f->pa) {
		if (f)
			kfree(f->pa);
		kfree(f);
		mempool_uncharge(pool, table);
		return -E_NOMEM;
	}
	f->npages = pages;
	f->pool = pool;
	f->lazy = true;
	f->table = table;
	irq = cap_lock_take();
	kobject_init(&f->obj, KOBJ_FRAMES, &frames_ops);
	kobject_ref(&pool->obj);
	cap_lock_drop(irq);
	*out = f;
	return 0;
}

int
frames_page(struct frames *f, size_t i, uint64_t *pa)
{
	unsigned long irq;
	uint64_t made, have;

	if (i >= f->npages)
		return -E_FAULT;
	have = __atomic_load_n(&f->pa[i], __ATOMIC_ACQUIRE);
	if (have) {
		*pa = have;
		return 0;
	}
	/* Made and zeroed with no lock held, then put in unless another
	 * touch was first (then ours goes back). */
	if (mempool_charge(f->pool, 1))
		return -E_NOMEM;
	if (pmm_alloc_frame(&made)) {
		mempool_uncharge(f->pool, 1);
		return -E_NOMEM;
	}
	memset(phys_to_virt(made), 0, PAGE_SIZE_4K);
	irq = cap_lock_take();
	have = f->pa[i];
	if (!have) {
		__atomic_store_n(&f->pa[i], made, __ATOMIC_RELEASE);
		f->made++;
	}
	cap_lock_drop(irq);
	if (have) {
		pmm_free_frame(made);
		mempool_uncharge(f->pool, 1);
		*pa = have;
		return 0;
	}
	*pa = made;
	return 0;
}
