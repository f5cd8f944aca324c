/* AddressSpace objects (object/address_space.h). */
#include "object/address_space.h"

#include "asm/layout.h"
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
#include "object/release.h"
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

struct drop_walk {
	const struct vm_region *r;
	bool locked;
};

static void
drop_leaf(void *ctx, uint64_t va, uint64_t pa)
{
	const struct drop_walk *w = ctx;

	as_drop_page(w->r, va, pa, w->locked);
}

/* Every region and page of a space nobody runs in, a page table at a
 * time.  locked: the capability lock is held (Frames references and a
 * file page's payer are dropped under it), else it is taken for each. */
static void
free_all(struct address_space *as, bool locked)
{
	struct vm_region *r;

	while ((r = as->regions.root) != NULL) {
		struct drop_walk w = { r, locked };

		vm_space_clear(&as->vm, r->start, (r->end - r->start) / PAGE_SIZE_4K, drop_leaf,
			       &w);
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

/*
 * Everything the space holds goes back: its pages, its tables, the pools
 * it referenced, the object.  locked: under the capability lock (a
 * destroy that could not be deferred), else with no lock held and
 * interrupts on (release_run): nobody else reaches the space any more, so
 * only the locks of what it shares (the capability lock for a Frames
 * object or a pool, the page cache's, a pool's) are taken, each briefly.
 */
static void
as_teardown(struct address_space *as, bool locked)
{
	unsigned long irq = 0;

	/* Switched away from first, so that freeing a page costs no flush. */
	if (vm_space_is_active(&as->vm))
		vm_space_activate(NULL);
	free_all(as, locked);
	vm_space_destroy(&as->vm);
	if (!locked)
		irq = cap_lock_take();
	for (size_t i = 0; i < as->npayers; i++)
		kobject_unref(&as->payers[i]->obj);
	mempool_uncharge(as->pool, 1);
	kobject_unref(&as->pool->obj);
	if (!locked)
		cap_lock_drop(irq);
	kfree(as->payers);
	kfree(as);
}

/* The last reference went (capability lock held): the freeing, which
 * grows with the space, waits until the lock is dropped. */
static void
as_destroy(struct kobject *obj)
{
	if (!release_later(obj))
		as_teardown((struct address_space *)obj, true);
}

static void
as_release(struct kobject *obj)
{
	as_teardown((struct address_space *)obj, false);
}

static const struct kobject_ops as_ops = {
	.name = "address space",
	.destroy = as_destroy,
	.release = as_release,
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
	mutex_init(&as->brk_lock, "break");
	list_init(&as->procs);
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
	if (as->ended)
		return -E_DEAD;
	if (list_empty(&as->procs))
		return 0; /* built, not yet run in */
	list_for_each (n, &as->procs)
		if (container_of(n, struct process, as_link)->state == PROCESS_LIVE)
			return 0;
	return -E_DEAD;
}

/* dst's payers gain src's and src's own pool, each referenced once (a
 * clone or a copy maps pages charged to them).  Capability lock held. */
static int
share_payers(struct address_space *dst, const struct address_space *src)
{
	size_t n = dst->npayers;
	struct mempool **v;

	if (dst == src)
		return 0;
	v = kcalloc(n + src->npayers + 1, sizeof(*v));
	if (!v)
		return -E_NOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = dst->payers[i];
	for (size_t i = 0; i <= src->npayers; i++) {
		struct mempool *mp = i < src->npayers ? src->payers[i] : src->pool;
		bool have = mp == dst->pool;

		for (size_t j = 0; j < n && !have; j++)
			have = v[j] == mp;
		if (have)
			continue;
		kobject_ref(&mp->obj);
		v[n++] = mp;
	}
	kfree(dst->payers);
	dst->payers = v;
	dst->npayers = n;
	return 0;
}

struct clone_walk {
	const struct vm_region *r;
	bool writes; /* a shared file mapping that may write the file */
};

/*
 * One page of a region being cloned (pt_copy_leaves): a Frames page and
 * a file's own page are mapped alike (a file page counts one mapping
 * more); an anonymous page is shared from now on, read-only on both
 * sides, so the first write on either copies it (user_memory.c).
 */
static int
clone_leaf(void *ctx, uint64_t va, uint64_t pa, bool writable)
{
	const struct clone_walk *w = ctx;
	const struct vm_region *r = w->r;

	(void)writable;
	if (r->shared)
		return PT_COPY_ALIKE;
	if (r->file && page_ref_count(pa) == 0) {
		vm_file_map_again(r->file, r->file_page + (va - r->start) / PAGE_SIZE_4K,
				  w->writes);
		return PT_COPY_ALIKE;
	}
	page_ref_get(pa);
	return PT_COPY_READ_ONLY;
}

/* One region of src into dst: the node, then every mapped page, a page
 * table at a time (src and dst locked).  On an error the pages mapped so
 * far are dst's, and go with it. */
static int
clone_region(struct address_space *dst, struct address_space *src, const struct vm_region *r)
{
	struct vm_region *n = as_region_new(dst);
	struct clone_walk w = { r, r->file && r->file_shared && (r->max_flags & VM_WRITE) };
	const struct pt_copy_ops ops = { clone_leaf, &w };
	size_t pages = (r->end - r->start) / PAGE_SIZE_4K, copied;

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
	return vm_space_copy(&src->vm, r->start, pages, &dst->vm, r->start, &ops, &copied)
		       ? -E_NOMEM
		       : 0;
}

int
as_clone(struct address_space *src, struct mempool *pool, struct address_space **out)
{
	struct address_space *dst;
	struct vm_region *r;
	unsigned long irq = cap_lock_take();
	int err = as_create(pool, &dst);

	if (!err && (err = share_payers(dst, src)))
		kobject_unref(&dst->obj);
	cap_lock_drop(irq);
	if (err)
		return err;
	/* The break with the regions, as they were at one moment. */
	mutex_lock(&src->brk_lock);
	mutex_lock(&src->lock);
	for (r = region_next(&src->regions, 0); r && !err; r = region_next(&src->regions, r->end))
		err = clone_region(dst, src, r);
	dst->brk = src->brk;
	mutex_unlock(&src->lock);
	mutex_unlock(&src->brk_lock);
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

/* Both spaces' locks, in address order (one when they are the same). */
static void
lock_two(struct address_space *a, struct address_space *b)
{
	if (a == b) {
		mutex_lock(&a->lock);
		return;
	}
	mutex_lock(a < b ? &a->lock : &b->lock);
	mutex_lock(a < b ? &b->lock : &a->lock);
}

static void
unlock_two(struct address_space *a, struct address_space *b)
{
	mutex_unlock(&a->lock);
	if (a != b)
		mutex_unlock(&b->lock);
}

/* Where a copy of len bytes goes in dst (dst->lock held). */
static int
place_copy(struct address_space *dst, bool fixed, size_t len, uintptr_t *dva)
{
	if (!fixed)
		return region_find_free(&dst->regions, USER_MAP_BASE, USER_SPACE_END, len,
					PAGE_SIZE_4K, dva);
	if (*dva < PAGE_SIZE_4K)
		return -E_RANGE;
	return region_range_free(&dst->regions, *dva, *dva + len) ? 0 : -E_EXIST;
}

int
as_copy_range(struct address_space *src, uintptr_t va, size_t pages, struct address_space *dst,
	      uintptr_t dva, bool fixed, uintptr_t *out)
{
	size_t len = pages * PAGE_SIZE_4K, copied;
	struct clone_walk w = { NULL, false };
	const struct pt_copy_ops ops = { clone_leaf, &w };
	struct vm_region *r, *n = NULL;
	unsigned long irq;
	int err = 0;

	lock_two(src, dst);
	r = region_lookup(&src->regions, va);
	if (!r || va + len > r->end)
		err = -E_NOENT;
	else if (r->shared || (r->file && r->file_shared))
		err = -E_NOTSUP; /* the same pages on both sides already */
	else if (as_range_pinned(src, va, va + len))
		err = -E_BUSY; /* a receive into it would meet a read-only page */
	if (!err)
		err = place_copy(dst, fixed, len, &dva);
	if (!err) {
		irq = cap_lock_take();
		err = share_payers(dst, src);
		cap_lock_drop(irq);
	}
	if (!err && !(n = as_region_new(dst)))
		err = -E_NOMEM;
	if (err) {
		unlock_two(src, dst);
		return err;
	}
	/* The source's kind, permissions and limit, over the copied part. */
	*n = *r;
	n->start = dva;
	n->end = dva + len;
	n->file_page = r->file_page + (va - r->start) / PAGE_SIZE_4K;
	if (r->file) {
		vnode_ref(r->file->vn);
		dst->has_files = true;
	}
	region_insert(&dst->regions, n);
	w.r = r;
	if (vm_space_copy(&src->vm, va, pages, &dst->vm, dva, &ops, &copied)) {
		as_region_remove(dst, n); /* with the pages it got */
		err = -E_NOMEM;
	}
	unlock_two(src, dst);
	if (!err)
		*out = dva;
	return err;
}
