/* AddressSpace objects (object/address_space.h). */
#include "object/address_space.h"

#include "cap/lock.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "fs/vnode.h"
#include "mm/page_ref.h"
#include "mm/vm_file.h"
#include "mm/vm_flags.h"
#include "object/frames.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/user_memory.h"
#include "themelios/errno.h"

/* The page tables are paid for by the space's pool, whoever asked for
 * the mapping (a supervisor's frames_map_into too).  Called with or
 * without the capability lock (mempool has its own). */
static int
charge_table(void *ctx)
{
	return mempool_charge(((struct address_space *)ctx)->pool, 1);
}

static void
uncharge_table(void *ctx)
{
	mempool_uncharge(((struct address_space *)ctx)->pool, 1);
}

static const struct vm_payer as_vm_payer = {
	.charge = charge_table,
	.uncharge = uncharge_table,
};

/* Pages charged for n region nodes: the first AS_FREE_REGIONS come with
 * the object, then a page for each 32 more. */
static uint64_t
node_pages_for(size_t n)
{
	return n <= AS_FREE_REGIONS ? 0 : (n - AS_FREE_REGIONS + 31) / 32;
}

struct vm_region *
as_region_new(struct address_space *as)
{
	uint64_t need = node_pages_for(as->regions.count + 1);
	struct vm_region *r;

	if (need > as->node_pages && mempool_charge(as->pool, need - as->node_pages))
		return NULL;
	r = kcalloc(1, sizeof(*r));
	if (!r) {
		if (need > as->node_pages)
			mempool_uncharge(as->pool, need - as->node_pages);
		return NULL;
	}
	as->node_pages = need > as->node_pages ? need : as->node_pages;
	return r;
}

/* r is out of the tree already. */
void
as_region_free(struct address_space *as, struct vm_region *r)
{
	uint64_t need = node_pages_for(as->regions.count);

	kfree(r);
	if (need < as->node_pages) {
		mempool_uncharge(as->pool, as->node_pages - need);
		as->node_pages = need;
	}
}

/* locked: the capability lock is held (Frames references and a file
 * page's payer are dropped under it), else it is taken for each. */
static void
free_all(struct address_space *as, bool locked)
{
	struct vm_region *r;

	while ((r = as->regions.root) != NULL) {
		uintptr_t va = r->start;
		uint64_t pa;

		while (vm_space_next(&as->vm, va, r->end, &va, &pa, NULL) == 0) {
			as_release_page(as, r, va, pa, locked);
			va += PAGE_SIZE_4K;
		}
		region_erase(&as->regions, r);
		if (r->shared || r->file) {
			unsigned long flags = locked ? 0 : cap_lock_take();

			as_region_unref(r, true); /* a Frames object's pages are its own */
			if (!locked)
				cap_lock_drop(flags);
		}
		as_region_free(as, r);
	}
}

void
as_free_all(struct address_space *as)
{
	free_all(as, true);
}

void
as_free_all_unlocked(struct address_space *as)
{
	free_all(as, false);
}

static void
as_destroy(struct kobject *obj)
{
	struct address_space *as = (struct address_space *)obj;

	as_free_all(as);
	vm_space_destroy(&as->vm);
	for (size_t i = 0; i < as->npayers; i++)
		kobject_unref(&as->payers[i]->obj);
	kfree(as->payers);
	mempool_uncharge(as->pool, 1);
	kobject_unref(&as->pool->obj);
	kfree(as);
}

static const struct kobject_ops as_ops = {
	.name = "address space",
	.destroy = as_destroy,
};

int
as_create(struct mempool *pool, struct address_space **out)
{
	struct address_space *as;

	if (mempool_charge(pool, 1))
		return -E_NOMEM;
	as = kcalloc(1, sizeof(*as));
	if (!as) {
		mempool_uncharge(pool, 1);
		return -E_NOMEM;
	}
	as->pool = pool;
	kobject_ref(&pool->obj);
	mutex_init(&as->lock, "address space");
	if (vm_space_create(&as->vm, &as_vm_payer, as)) {
		kobject_unref(&pool->obj);
		mempool_uncharge(pool, 1);
		kfree(as);
		return -E_NOMEM;
	}
	kobject_init(&as->obj, KOBJ_ADDRESS_SPACE, &as_ops);
	*out = as;
	return 0;
}

int
as_check_live(const struct address_space *as)
{
	if (as->ended || (as->proc && as->proc->state != PROCESS_LIVE))
		return -E_DEAD;
	return 0;
}

/* dst's payers: src's and src's own pool, each referenced once.
 * Capability lock held. */
static int
inherit_payers(struct address_space *dst, const struct address_space *src)
{
	size_t n = 0;

	dst->payers = kcalloc(src->npayers + 1, sizeof(*dst->payers));
	if (!dst->payers)
		return -E_NOMEM;
	for (size_t i = 0; i <= src->npayers; i++) {
		struct mempool *mp = i < src->npayers ? src->payers[i] : src->pool;
		bool have = mp == dst->pool;

		for (size_t j = 0; j < n && !have; j++)
			have = dst->payers[j] == mp;
		if (have)
			continue;
		kobject_ref(&mp->obj);
		dst->payers[n++] = mp;
	}
	dst->npayers = n;
	return 0;
}

/* One region of src into dst: the node, then every mapped page (src
 * and dst locked). */
static int
clone_region(struct address_space *dst, struct address_space *src, const struct vm_region *r)
{
	struct vm_region *n = as_region_new(dst);
	bool writes = r->file && r->file_shared && (r->max_flags & VM_WRITE);
	uintptr_t va = r->start;
	unsigned int fl;
	uint64_t pa;

	if (!n)
		return -E_NOMEM;
	*n = *r;
	if (r->shared) {
		unsigned long irq = cap_lock_take();

		kobject_ref(&r->shared->obj);
		cap_lock_drop(irq);
	}
	if (r->file) {
		vnode_ref(r->file->vn);
		dst->has_files = true;
	}
	region_insert(&dst->regions, n);
	while (vm_space_next(&src->vm, va, r->end, &va, &pa, &fl) == 0) {
		uint64_t index = r->file_page + (va - r->start) / PAGE_SIZE_4K;
		bool file_page = r->file && page_ref_count(pa) == 0;
		int err;

		if (file_page) {
			/* The file's own page: mapped alike (read-only when
			 * private), one more mapping of it. */
			vm_file_map_again(r->file, index, writes);
			err = vm_space_map(&dst->vm, va, pa, fl);
			if (err) {
				vm_file_unmap_page(r->file, index, writes, false);
				return -E_NOMEM;
			}
			va += PAGE_SIZE_4K;
			continue;
		}
		if (!r->shared) {
			/* Shared from now on: read-only on both sides, so the
			 * first write on either copies (user_memory.c). */
			fl &= ~VM_WRITE;
			vm_space_protect(&src->vm, va, fl);
			page_ref_get(pa);
		}
		err = vm_space_map(&dst->vm, va, pa, fl);
		if (err) {
			if (!r->shared)
				page_ref_put(pa); /* src still holds it: never the last */
			return err == -E_NOMEM ? err : -E_NOMEM;
		}
		va += PAGE_SIZE_4K;
	}
	return 0;
}

int
as_clone(struct address_space *src, struct mempool *pool, struct address_space **out)
{
	struct address_space *dst;
	struct vm_region *r;
	unsigned long irq = cap_lock_take();
	int err = as_create(pool, &dst);

	if (!err && (err = inherit_payers(dst, src)))
		kobject_unref(&dst->obj);
	cap_lock_drop(irq);
	if (err)
		return err;
	mutex_lock(&src->lock);
	for (r = region_next(&src->regions, 0); r && !err; r = region_next(&src->regions, r->end))
		err = clone_region(dst, src, r);
	mutex_unlock(&src->lock);
	if (err) {
		irq = cap_lock_take();
		kobject_unref(&dst->obj); /* every page it took goes back */
		cap_lock_drop(irq);
		return err;
	}
	/* The same program: a process run in the clone keeps its personality. */
	dst->personality = src->personality;
	dst->image_end = src->image_end;
	*out = dst;
	return 0;
}
