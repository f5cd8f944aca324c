/*
 * The regions of an address space at work (proc/user_memory.h): map,
 * unmap, protect, and the page faults that fill anonymous memory and
 * undo the sharing of a copy-on-write clone.
 *
 * An anonymous page is in one of three states, read from the page
 * table: absent (never touched, or given back), present and writable
 * (ours alone), or present and read-only in a writable region (shared
 * with a clone: page_ref_count says by how many).  A write to a shared
 * page copies it, charged to the writer's pool; the last sharer just
 * gets write permission back.
 *
 * The TLB: vm_space_unmap and vm_space_protect flush the page when the
 * space is active on this CPU, and a switch between spaces flushes the
 * rest (no PCIDs or ASIDs), so on one CPU no stale entry survives.  With
 * more CPUs this is where a shootdown to those running the space would go.
 */
#include "proc/user_memory.h"

#include "arch/arch.h"
#include "asm/layout.h"
#include "cap/lock.h"
#include "core/fault.h"
#include "ipc/ipc.h"
#include "lib/string.h"
#include "mm/page_ref.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_file.h"
#include "mm/vm_flags.h"
#include "object/address_space.h"
#include "object/frames.h"
#include "object/memory.h"
#include "object/process.h"
#include "fs/vnode.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define PAGE PAGE_SIZE_4K

/* A fresh zeroed page for as at va (as->lock held): charged first, so a
 * pool that cannot pay costs nothing.  The zeroing runs with interrupts
 * on: no spinlock is held here. */
static int
new_page(struct address_space *as, uintptr_t va, unsigned int flags, const void *copy_from)
{
	uint64_t pa;
	int err;

	if (mempool_charge(as->pool, 1))
		return -E_NOMEM;
	if (pmm_alloc_frame(&pa)) {
		mempool_uncharge(as->pool, 1);
		return -E_NOMEM;
	}
	if (copy_from)
		memcpy(phys_to_virt(pa), copy_from, PAGE);
	else
		memset(phys_to_virt(pa), 0, PAGE);
	page_ref_set(pa, as->pool);
	err = vm_space_map(&as->vm, va, pa, flags | VM_USER);
	if (err) {
		page_ref_put(pa); /* frees and uncharges it */
		return err == -E_EXIST ? err : -E_NOMEM;
	}
	return 0;
}

/*
 * Makes the anonymous page at va of r present and, for a write, ours
 * alone (as->lock held).  The page's permissions stay the region's.
 */
static int
fill_page(struct address_space *as, struct vm_region *r, uintptr_t va, bool write)
{
	unsigned int fl;
	uint64_t pa;
	int err = vm_space_translate(&as->vm, va, &pa, &fl);

	if (err == -E_NOENT)
		return new_page(as, va, r->flags, NULL);
	if (err)
		return err;
	if (!write || (fl & VM_WRITE))
		return 0;
	/* Shared with a clone.  The last holder keeps it; anyone else
	 * copies it.  Either way it stays read-only unless the region
	 * is writable (the loader writes into read-only regions too). */
	if (page_ref_count(pa) == 1)
		return r->flags & VM_WRITE ? vm_space_protect(&as->vm, va, r->flags | VM_USER) : 0;
	vm_space_unmap(&as->vm, va, NULL);
	err = new_page(as, va, r->flags, phys_to_virt(pa));
	if (err) {
		vm_space_map(&as->vm, va, pa, fl); /* the table is still there */
		return err;
	}
	page_ref_put(pa); /* never the last: someone else still maps it */
	return 0;
}

/* Does a mapping of r count as one that writes the file? */
static bool
writes_file(const struct vm_region *r)
{
	return r->file && r->file_shared && (r->max_flags & VM_WRITE);
}

void
as_release_page(struct address_space *as, const struct vm_region *r, uintptr_t va, uint64_t pa,
		bool cap_locked)
{
	vm_space_unmap(&as->vm, va, NULL);
	as_drop_page(r, va, pa, cap_locked);
}

void
as_drop_page(const struct vm_region *r, uintptr_t va, uint64_t pa, bool cap_locked)
{
	if (r->shared)
		return; /* the Frames object's own */
	/* In a file region a frame without a reference count is the file's
	 * cached page; one with a count is a private copy. */
	if (r->file && page_ref_count(pa) == 0)
		vm_file_unmap_page(r->file, r->file_page + (va - r->start) / PAGE, writes_file(r),
				   cap_locked);
	else
		page_ref_put(pa);
}

/*
 * Makes the page at va of file region r present (as->lock held): the
 * file's cached page, mapped read-only in a private region; for a write
 * to a private region, a copy of one's own.  A private copy is
 * anonymous memory from then on (fill_page's rules after a clone).
 */
static int
file_fill(struct address_space *as, struct vm_region *r, uintptr_t va, bool write, bool may_fill)
{
	uint64_t index = r->file_page + (va - r->start) / PAGE, pa;
	struct pcache_page *p;
	unsigned int fl;
	int err = vm_space_translate(&as->vm, va, &pa, &fl);

	if (err == -E_NOENT && write && !r->file_shared) {
		p = may_fill ? NULL : pcache_peek(&r->file->owner, index);
		if (!may_fill && !p)
			return -E_FAULT;
		if (may_fill && (err = pcache_get(&r->file->owner, index, &p)))
			return err;
		err = new_page(as, va, r->flags, p->data);
		pcache_put(p);
		return err;
	}
	if (err == -E_NOENT) {
		err = vm_file_map_page(r->file, index, writes_file(r), may_fill, as->pool, &pa);
		if (err)
			return err;
		fl = r->file_shared ? r->flags : r->flags & ~VM_WRITE;
		err = vm_space_map(&as->vm, va, pa, fl | VM_USER);
		if (err)
			vm_file_unmap_page(r->file, index, writes_file(r), false);
		return err == -E_EXIST || !err ? err : -E_NOMEM;
	}
	if (err)
		return err;
	if (!write || (fl & VM_WRITE) || r->file_shared)
		return 0;
	if (page_ref_count(pa))
		return fill_page(as, r, va, true); /* a copy, shared with a clone */
	vm_space_unmap(&as->vm, va, NULL);
	err = new_page(as, va, r->flags, phys_to_virt(pa));
	if (err) {
		vm_space_map(&as->vm, va, pa, fl); /* the table is still there */
		return err;
	}
	vm_file_unmap_page(r->file, index, false, false);
	return 0;
}

/* Gives back the pages of [start, end) of r and the tables left empty. */
static void
release_range(struct address_space *as, const struct vm_region *r, uintptr_t start, uintptr_t end)
{
	uintptr_t va = start;
	uint64_t pa;

	while (vm_space_next(&as->vm, va, end, &va, &pa, NULL) == 0) {
		as_release_page(as, r, va, pa, false);
		va += PAGE;
	}
	vm_space_trim(&as->vm, start, (end - start) / PAGE);
}

static void
frames_ref(struct frames *f, int delta)
{
	unsigned long irq = cap_lock_take();

	for (; delta > 0; delta--)
		kobject_ref(&f->obj);
	for (; delta < 0; delta++)
		kobject_unref(&f->obj);
	cap_lock_drop(irq);
}

/* A reference per region piece to what backs it (a Frames object, a
 * file's vnode); delta < 0 drops.  A vnode's last reference may write
 * back and sleep, so it goes to the VFS reaper. */
static void
backing_ref(const struct vm_region *r, int delta)
{
	if (r->shared)
		frames_ref(r->shared, delta);
	for (; r->file && delta > 0; delta--)
		vnode_ref(r->file->vn);
	for (; r->file && delta < 0; delta++)
		vnode_unref_later(r->file->vn);
}

void
as_region_unref(const struct vm_region *r, bool cap_locked)
{
	if (r->shared && cap_locked)
		kobject_unref(&r->shared->obj);
	else if (r->shared)
		frames_ref(r->shared, -1);
	if (r->file)
		vnode_unref_later(r->file->vn);
}

/*
 * A new region like proto (its flags and backing; the caller's
 * reference to the backing is taken over on success), placed as how
 * says, its pages mapped or made as the backing wants.
 */
static int
map_region(struct address_space *as, uintptr_t va, size_t pages, unsigned int how,
	   const struct vm_region *proto, uintptr_t *out)
{
	struct frames *f = proto->shared;
	struct vm_region *r;
	int err = 0;

	if (pages > USER_SPACE_END / PAGE)
		return -E_NOMEM;
	mutex_lock(&as->lock);
	if (how & AS_MAP_FIXED) {
		if (va < PAGE || va >= USER_SPACE_END || pages > (USER_SPACE_END - va) / PAGE)
			err = -E_RANGE;
		else if (!region_range_free(&as->regions, va, va + pages * PAGE))
			err = -E_EXIST;
	} else {
		err = region_find_free(&as->regions, USER_MAP_BASE, USER_SPACE_END, pages * PAGE,
				       PAGE, &va);
	}
	r = err ? NULL : as_region_new(as);
	if (!err && !r)
		err = -E_NOMEM;
	if (err) {
		mutex_unlock(&as->lock);
		return err;
	}
	*r = *proto;
	r->start = va;
	r->end = va + pages * PAGE;
	region_insert(&as->regions, r);
	if (r->file)
		as->has_files = true;
	for (size_t i = 0; f && !f->lazy && !err && i < pages; i++)
		err = vm_space_map(&as->vm, va + i * PAGE, f->pa[i], r->flags | VM_USER);
	for (size_t i = 0; !f && !r->file && (how & AS_MAP_COMMIT) && !err && i < pages; i++)
		err = new_page(as, va + i * PAGE, r->flags, NULL);
	if (err) {
		release_range(as, r, r->start, r->end);
		region_erase(&as->regions, r);
		as_region_free(as, r);
		mutex_unlock(&as->lock);
		return err == -E_EXIST ? err : -E_NOMEM;
	}
	mutex_unlock(&as->lock);
	*out = va;
	return 0;
}

int
as_map(struct address_space *as, uintptr_t va, size_t pages, unsigned int flags,
       unsigned int max_flags, unsigned int how, struct frames *f, uintptr_t *out)
{
	struct vm_region proto = { .flags = flags, .max_flags = max_flags, .shared = f };

	if (pages == 0)
		return -E_INVAL;
	if (f) {
		if (pages != f->npages)
			return -E_INVAL;
		if (f->device) { /* device registers stay uncached, whatever protect does */
			proto.flags |= VM_UNCACHED;
			proto.max_flags |= VM_UNCACHED;
		}
	}
	return map_region(as, va, pages, how, &proto, out);
}

int
as_map_file(struct address_space *as, uintptr_t va, size_t pages, unsigned int flags,
	    unsigned int max_flags, unsigned int how, struct vm_file *vf, uint64_t first_page,
	    bool shared, uintptr_t *out)
{
	struct vm_region proto = {
		.flags = flags,
		.max_flags = max_flags,
		.file = vf,
		.file_page = first_page,
		.file_shared = shared,
	};
	int err;

	if (pages == 0)
		return -E_INVAL;
	if (first_page > UINT64_MAX / PAGE - pages)
		return -E_RANGE;
	vnode_ref(vf->vn); /* the region's */
	err = map_region(as, va, pages, how, &proto, out);
	if (err)
		vnode_unref(vf->vn);
	return err;
}

/*
 * The region that will hold exactly [va, end): found, then split off
 * from the rest of its region (a Frames mapping referenced once more for
 * each new piece).  as->lock held.  -E_NOENT, -E_NOMEM.
 */
static struct vm_region *
isolate_range(struct address_space *as, uintptr_t va, uintptr_t end, int *err)
{
	struct vm_region *r = region_lookup(&as->regions, va), *before = NULL, *after = NULL;

	if (!r || end > r->end) {
		*err = -E_NOENT;
		return NULL;
	}
	if ((va > r->start && !(before = as_region_new(as))) ||
	    (end < r->end && !(after = as_region_new(as)))) {
		if (before)
			as_region_free(as, before);
		*err = -E_NOMEM;
		return NULL;
	}
	region_erase(&as->regions, r);
	if (before) {
		*before = *r;
		before->end = va;
		region_insert(&as->regions, before);
	}
	if (after) {
		*after = *r;
		after->start = end;
		region_insert(&as->regions, after);
	}
	if (after)
		after->file_page += (end - r->start) / PAGE;
	r->file_page += (va - r->start) / PAGE;
	r->start = va;
	r->end = end;
	region_insert(&as->regions, r);
	if (before || after)
		backing_ref(r, (before != NULL) + (after != NULL));
	return r;
}

/* Same permissions, limit and owner of the pages (for a file: the
 * same way, and pages that follow on in the file) with a just below b:
 * one region will do. */
static bool
same_kind(const struct vm_region *a, const struct vm_region *b)
{
	if (a->file != b->file || a->file_shared != b->file_shared)
		return false;
	if ((a->file || a->shared) && a->file_page + (a->end - a->start) / PAGE != b->file_page)
		return false;
	return a->flags == b->flags && a->max_flags == b->max_flags && a->shared == b->shared;
}

/* Joins r with the regions that touch it and are of its kind (a protect
 * that undoes an earlier one gives the split's nodes back).  Pieces of
 * one Frames object join only where its pages follow on (file_page
 * counts a Frames region's first page too). */
static void
merge_around(struct address_space *as, struct vm_region *r)
{
	struct vm_region *n;
	int dropped = 0;

	while ((n = region_next(&as->regions, r->end)) && n->start == r->end && same_kind(r, n)) {
		region_erase(&as->regions, n);
		r->end = n->end; /* the tree's order is unchanged */
		as_region_free(as, n);
		dropped++;
	}
	while (r->start >= PAGE && (n = region_lookup(&as->regions, r->start - PAGE)) &&
	       same_kind(n, r)) {
		uintptr_t start = n->start;
		uint64_t file_page = n->file_page;

		region_erase(&as->regions, n);
		as_region_free(as, n);
		region_erase(&as->regions, r);
		r->start = start;
		r->file_page = file_page;
		region_insert(&as->regions, r);
		dropped++;
	}
	if (dropped)
		backing_ref(r, -dropped); /* a reference per piece */
}

/*
 * Does [va, end) hold a buffer that a thread is receiving a message
 * into (ipc_state.pinned_buf)?  Then unmapping it, or taking its write
 * permission, must wait until the receive is over: -E_BUSY, as Zircon
 * refuses to decommit pinned pages.  as->lock held (the pins are set
 * under it).
 */
bool
as_range_pinned(struct address_space *as, uintptr_t va, uintptr_t end)
{
	unsigned long irq = cap_lock_take(); /* as->procs, their threads */
	bool pinned = false;

	list_for_each (m, &as->procs) {
		struct process *p = container_of(m, struct process, as_link);

		list_for_each (n, &p->threads) {
			struct thread *t = container_of(n, struct thread, proc_link);
			uintptr_t buf =
				t->ipc ? __atomic_load_n(&t->ipc->pinned_buf, __ATOMIC_RELAXED) : 0;

			if (buf && buf < end && buf + sizeof(struct ipc_msg) > va)
				pinned = true;
		}
	}
	cap_lock_drop(irq);
	return pinned;
}

int
as_unmap(struct address_space *as, uintptr_t va, size_t pages)
{
	uintptr_t end = va + pages * PAGE; /* the caller checked the range */
	struct vm_region *r;
	int err = 0;

	mutex_lock(&as->lock);
	r = as_range_pinned(as, va, end) ? NULL : isolate_range(as, va, end, &err);
	if (!r) {
		mutex_unlock(&as->lock);
		return err ? err : -E_BUSY;
	}
	as_region_remove(as, r);
	mutex_unlock(&as->lock);
	return 0;
}

void
as_region_remove(struct address_space *as, struct vm_region *r)
{
	region_erase(&as->regions, r);
	/* The tables left empty go too (and their charge): a process that
	 * maps and unmaps for ever does not pile them up. */
	release_range(as, r, r->start, r->end);
	as_region_unref(r, false); /* its pages live while it does */
	as_region_free(as, r);
}

int
as_protect(struct address_space *as, uintptr_t va, size_t pages, unsigned int flags)
{
	uintptr_t end = va + pages * PAGE, at;
	struct vm_region *r;
	unsigned int fl;
	uint64_t pa;
	int err = 0;

	mutex_lock(&as->lock);
	r = region_lookup(&as->regions, va);
	if (!r || end > r->end)
		err = -E_NOENT;
	if (!err)
		flags |= r->flags & VM_UNCACHED; /* a mapping's memory type stays */
	if (!err && (flags & ~r->max_flags))
		err = -E_PERM;
	if (!err && !(flags & VM_WRITE) && as_range_pinned(as, va, end))
		err = -E_BUSY;
	if (!err && r->flags != flags)
		r = isolate_range(as, va, end, &err); /* NULL: err says why */
	if (err || r->flags == flags) {
		mutex_unlock(&as->lock);
		return err;
	}
	r->flags = flags;
	for (at = r->start; vm_space_next(&as->vm, at, r->end, &at, &pa, &fl) == 0; at += PAGE) {
		unsigned int now = flags;

		/* A page still shared with a clone stays read-only: its
		 * first write copies it. */
		if (!r->shared && (flags & VM_WRITE) && !(fl & VM_WRITE) && page_ref_count(pa) > 1)
			now &= ~VM_WRITE;
		/* A file's own page in a private mapping likewise. */
		if (r->file && !r->file_shared && page_ref_count(pa) == 0)
			now &= ~VM_WRITE;
		vm_space_protect(&as->vm, at, now | VM_USER);
	}
	merge_around(as, r);
	mutex_unlock(&as->lock);
	return 0;
}

int
as_copy_in(struct address_space *as, uintptr_t va, const void *src, size_t len)
{
	const uint8_t *from = src;
	int err = 0;

	mutex_lock(&as->lock);
	while (len && !err) {
		uintptr_t page = va & ~(PAGE - 1);
		size_t off = va - page, n = PAGE - off < len ? PAGE - off : len;
		struct vm_region *r = region_lookup(&as->regions, page);
		uint64_t pa;

		if (!r || r->shared || (r->file && r->file_shared))
			err = -E_FAULT;
		if (!err)
			err = r->file ? file_fill(as, r, page, true, true)
				      : fill_page(as, r, page, true);
		if (!err)
			err = vm_space_translate(&as->vm, page, &pa, NULL);
		if (!err)
			memcpy((uint8_t *)phys_to_virt(pa) + off, from, n);
		va += n;
		from += n;
		len -= n;
	}
	mutex_unlock(&as->lock);
	return err;
}

/* Maps the page at va of lazy Frames region r, made now if no mapping
 * of the object touched it yet (as->lock held); -E_FAULT past its end. */
static int
shared_fill(struct address_space *as, const struct vm_region *r, uintptr_t va)
{
	uint64_t pa;
	int err;

	if (vm_space_translate(&as->vm, va, NULL, NULL) == 0)
		return 0;
	err = frames_page(r->shared, r->file_page + (va - r->start) / PAGE, &pa);
	if (!err)
		err = vm_space_map(&as->vm, va, pa, r->flags | VM_USER);
	return err == -E_FAULT || !err ? err : -E_NOMEM;
}

/* The fault at va with access (FAULT_READ, _WRITE or _EXEC) in as,
 * as->lock held: 0 when a page was made, unshared or already fine.
 * Without may_fill a file's page must be cached already. */
static int
resolve(struct address_space *as, uintptr_t va, unsigned int access, bool may_fill)
{
	struct vm_region *r = region_lookup(&as->regions, va);
	unsigned int need = access & FAULT_WRITE  ? VM_WRITE
			    : access & FAULT_EXEC ? VM_EXEC
						  : VM_READ;
	unsigned int fl;
	int err;

	if (!r || (r->shared && !r->shared->lazy) || !(r->flags & need))
		return -E_FAULT;
	if (r->shared)
		err = shared_fill(as, r, va & ~(PAGE - 1));
	else if (r->file)
		err = file_fill(as, r, va & ~(PAGE - 1), need == VM_WRITE, may_fill);
	else
		err = fill_page(as, r, va & ~(PAGE - 1), need == VM_WRITE);
	if (err)
		return err;
	/* Present now; a retry must succeed, or this was never ours. */
	if (vm_space_translate(&as->vm, va & ~(PAGE - 1), NULL, &fl) || !(fl & need))
		return -E_FAULT;
	return 0;
}

int
as_peek(struct address_space *as, uintptr_t va, void *dst, size_t len)
{
	uint8_t *to = dst;
	int err = 0;

	mutex_lock(&as->lock);
	while (len && !err) {
		uintptr_t page = va & ~(PAGE - 1);
		size_t off = va - page, n = PAGE - off < len ? PAGE - off : len;
		uint64_t pa;

		/* Only the user's half: the pointers come from the user.  A
		 * page not present is made so for reading, as a read there
		 * would (Linux's access to another's memory does the same). */
		if (page >= USER_SPACE_END)
			err = -E_FAULT;
		if (!err && vm_space_translate(&as->vm, page, &pa, NULL)) {
			err = resolve(as, page, FAULT_READ, true);
			if (!err && vm_space_translate(&as->vm, page, &pa, NULL))
				err = -E_FAULT;
		}
		if (!err)
			memcpy(to, (const uint8_t *)phys_to_virt(pa) + off, n);
		va += n;
		to += n;
		len -= n;
	}
	mutex_unlock(&as->lock);
	return err;
}

bool
as_fault_past_end(struct address_space *as, uintptr_t va, unsigned int access)
{
	unsigned int need = access & FAULT_WRITE  ? VM_WRITE
			    : access & FAULT_EXEC ? VM_EXEC
						  : VM_READ;
	struct vm_region *r;
	bool past = false;
	uint64_t index;

	mutex_lock(&as->lock);
	r = region_lookup(&as->regions, va);
	if (r && (r->flags & need)) {
		index = r->file_page + (va - r->start) / PAGE;
		if (r->file)
			past = index >= __atomic_load_n(&r->file->owner.npages, __ATOMIC_RELAXED);
		else if (r->shared && r->shared->lazy)
			past = index >= r->shared->npages;
	}
	mutex_unlock(&as->lock);
	return past;
}

void
as_prefault_files(struct address_space *as, uintptr_t va, size_t len, bool write)
{
	uintptr_t end = len > USER_SPACE_END - va ? USER_SPACE_END : va + len;
	struct vm_region *r;

	if (!__atomic_load_n(&as->has_files, __ATOMIC_RELAXED) || va >= USER_SPACE_END)
		return;
	mutex_lock(&as->lock);
	for (r = region_next(&as->regions, va); r && r->start < end;
	     r = region_next(&as->regions, r->end)) {
		uintptr_t at = r->start > va ? r->start : va & ~(PAGE - 1);

		for (; r->file && at < r->end && at < end; at += PAGE)
			resolve(as, at, write ? FAULT_WRITE : FAULT_READ, true);
	}
	mutex_unlock(&as->lock);
}

bool
user_fault_resolve(const struct arch_regs *regs, struct fault_info *fi)
{
	struct process *p = process_current();
	struct thread *t = thread_current();
	struct address_space *as;
	bool held;
	int err;

	if (!p || !fi->has_addr || fi->addr >= USER_SPACE_END || fi->kind != FAULT_KIND_MEMORY)
		return false;
	/* In the kernel, only a user copy in progress, and only where
	 * sleeping on the lock is allowed. */
	if (!arch_regs_user_mode(regs) && (!t->uaccess_env || !arch_regs_irqs_on(regs)))
		return false;
	as = p->as;
	arch_irq_enable();
	/* A receive probes its buffer holding the lock (sys_ipc.c). */
	held = mutex_held_by_me(&as->lock);
	if (!held)
		mutex_lock(&as->lock);
	/* A copy under a filesystem's lock cannot read a file: that may
	 * need the same lock (as_prefault_files runs before it instead). */
	err = resolve(as, fi->addr, fi->access, arch_regs_user_mode(regs) || t->fs_locks == 0);
	if (err && !(fi->access & FAULT_PRESENT) &&
	    vm_space_translate(&as->vm, fi->addr & ~(PAGE - 1), NULL, NULL) == 0)
		fi->access |= FAULT_PRESENT; /* a guard leaf */
	if (!held)
		mutex_unlock(&as->lock);
	arch_irq_disable();
	return err == 0;
}

/*
 * Moving and growing ranges (Linux's mremap).  A move hands the frames
 * over in the page tables, so nothing is copied and nothing is charged
 * again: a page keeps its reference count (shared after a clone it stays
 * shared), its payer, and a file's page its count of mappings.
 */

/* The region holding va, joined first with the touching regions alike
 * (a Linux mapping grown in steps is one area there, may be several
 * regions here).  as->lock held. */
static struct vm_region *
joined_region(struct address_space *as, uintptr_t va)
{
	struct vm_region *r = region_lookup(&as->regions, va);

	if (r)
		merge_around(as, r);
	return r;
}

/* Do the file page numbers of pages pages of r from va fit? */
static bool
file_pages_fit(const struct vm_region *r, uintptr_t va, size_t pages)
{
	return !r->file || r->file_page + (va - r->start) / PAGE <= UINT64_MAX / PAGE - pages;
}

/* Where pages pages go, as map_region places (as->lock held). */
static int
place_range(struct address_space *as, uintptr_t to, size_t pages, unsigned int how, uintptr_t *out)
{
	if (!(how & AS_MAP_FIXED))
		return region_find_free(&as->regions, USER_MAP_BASE, USER_SPACE_END, pages * PAGE,
					PAGE, out);
	if (to < PAGE || to >= USER_SPACE_END || (to & (PAGE - 1)) ||
	    pages > (USER_SPACE_END - to) / PAGE)
		return -E_RANGE;
	if (!region_range_free(&as->regions, to, to + pages * PAGE))
		return -E_EXIST;
	*out = to;
	return 0;
}

/*
 * Moves the page-table entries of [va, va + pages pages) to to, each
 * frame with its permissions: mapped at the new place first, then
 * unmapped at the old; the old tables left empty go.  A table that
 * cannot be had (-E_NOMEM) puts the entries moved so far back, which
 * cannot fail: their old tables are still there.  as->lock held.
 */
static int
move_entries(struct address_space *as, uintptr_t va, size_t pages, uintptr_t to)
{
	uintptr_t end = va + pages * PAGE, at = va;
	unsigned int fl;
	uint64_t pa;
	int err = 0;

	while (vm_space_next(&as->vm, at, end, &at, &pa, &fl) == 0) {
		err = vm_space_map(&as->vm, to + (at - va), pa, fl);
		if (err)
			break;
		vm_space_unmap(&as->vm, at, NULL);
		at += PAGE;
	}
	if (!err) {
		vm_space_trim(&as->vm, va, pages);
		return 0;
	}
	for (at = to; vm_space_next(&as->vm, at, to + pages * PAGE, &at, &pa, &fl) == 0;
	     at += PAGE) {
		vm_space_unmap(&as->vm, at, NULL);
		vm_space_map(&as->vm, va + (at - to), pa, fl);
	}
	vm_space_trim(&as->vm, to, pages);
	return -E_NOMEM;
}

int
as_move_range(struct address_space *as, uintptr_t va, size_t pages, size_t new_pages, uintptr_t to,
	      unsigned int how, uintptr_t *out)
{
	struct vm_region *r, *extra = NULL;
	int err = 0;

	if (new_pages == 0 || new_pages < pages)
		return -E_INVAL;
	if (new_pages > USER_SPACE_END / PAGE)
		return -E_RANGE;
	mutex_lock(&as->lock);
	r = joined_region(as, va);
	if (!r || pages > (r->end - va) / PAGE)
		err = -E_NOENT;
	else if ((r->shared && !r->shared->lazy) ||
		 (pages == 0 && !(r->file && r->file_shared) && !r->shared))
		err = -E_INVAL;
	else if (!file_pages_fit(r, va, new_pages))
		err = -E_RANGE;
	else if (pages && as_range_pinned(as, va, va + pages * PAGE))
		err = -E_BUSY;
	if (!err)
		err = place_range(as, to, new_pages, how, &to);
	/* A node for the duplicate, or for the empty region kept behind. */
	if (!err && (pages == 0 || (how & AS_MOVE_KEEP)) && !(extra = as_region_new(as)))
		err = -E_NOMEM;
	if (!err && pages == 0) {
		*extra = *r;
		extra->file_page = r->file_page + (va - r->start) / PAGE;
		extra->start = to;
		extra->end = to + new_pages * PAGE;
		region_insert(&as->regions, extra);
		backing_ref(extra, 1);
		goto out;
	}
	if (!err)
		r = isolate_range(as, va, va + pages * PAGE, &err);
	if (!err) {
		err = move_entries(as, va, pages, to);
		if (err)
			merge_around(as, r); /* back as it was */
	}
	if (err) {
		if (extra)
			as_region_free(as, extra);
		mutex_unlock(&as->lock);
		return err;
	}
	region_erase(&as->regions, r);
	if (extra) {
		*extra = *r; /* the same kind, no pages */
		region_insert(&as->regions, extra);
		backing_ref(extra, 1);
	}
	r->start = to;
	r->end = to + new_pages * PAGE;
	region_insert(&as->regions, r);
	/* May join the region kept behind: extra is not used after. */
	merge_around(as, r);
out:
	mutex_unlock(&as->lock);
	*out = to;
	return 0;
}

int
as_grow_range(struct address_space *as, uintptr_t va, size_t pages, size_t new_pages)
{
	uintptr_t end = va + pages * PAGE;
	struct vm_region *r;
	int err = 0;

	if (new_pages <= pages)
		return -E_INVAL;
	mutex_lock(&as->lock);
	r = joined_region(as, va);
	if (!r || pages > (r->end - va) / PAGE)
		err = -E_NOENT;
	else if (r->shared && !r->shared->lazy)
		err = -E_INVAL;
	else if (end != r->end)
		err = -E_EXIST;
	else if (new_pages > (USER_SPACE_END - va) / PAGE || !file_pages_fit(r, va, new_pages))
		err = -E_RANGE;
	else if (!region_range_free(&as->regions, end, va + new_pages * PAGE))
		err = -E_EXIST;
	if (!err) {
		r->end = va + new_pages * PAGE; /* the tree's order is unchanged */
		merge_around(as, r);
	}
	mutex_unlock(&as->lock);
	return err;
}
