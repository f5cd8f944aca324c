/*
 * A process's user memory: regions of its own pages (charged to its
 * pool) and mappings of Frames objects (charged to their creator), laid
 * out with unmapped holes between them.  The page tables under both are
 * charged to the process's pool as the walker makes them (process.c's
 * vm_payer), whoever asked for the mapping, and given back when an
 * unmap leaves them empty or the process ends.
 */
#include "proc/user_memory.h"

#include "asm/layout.h"
#include "cap/lock.h"
#include "ipc/ipc.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "object/frames.h"
#include "object/process.h"
#include "sched/mutex.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* Anonymous mappings go above the program and below the stack. */
#define MAP_END	       (USER_STACK_TOP - (USER_STACK_PAGES + 1) * PAGE_SIZE_4K)

/* Anonymous pages may be made writable again, never executable: only
 * the program's own code is ever executable. */
#define ANON_MAX_FLAGS (VM_READ | VM_WRITE)

/* Frees the pages of every region and forgets them. */
void
user_memory_free(struct process *p)
{
	for (size_t i = 0; i < p->nregions; i++) {
		struct user_region *r = &p->regions[i];

		for (size_t j = 0; j < r->pages; j++) {
			uint64_t pa;

			if (vm_space_unmap(&p->vm, r->va + j * PAGE_SIZE_4K, &pa) == 0 &&
			    !r->shared)
				pmm_free_frame(pa);
		}
		if (r->shared)
			kobject_unref(&r->shared->obj); /* its pages are its own */
		else
			process_uncharge(p, r->pages);
	}
	p->nregions = 0;
}

/*
 * Maps pages fresh zeroed pages at va with flags, as one region; the
 * caller has charged them.  On failure nothing stays mapped.  Needs no
 * capability lock (it may take long: the pages are zeroed here), only
 * that nobody else changes p's mappings meanwhile: p->vm_lock, or p not
 * running yet.
 */
static int
map_pages(struct process *p, uintptr_t va, size_t pages, unsigned int flags, unsigned int max_flags)
{
	size_t i;
	int err = 0;

	if (p->nregions == PROC_REGIONS_MAX)
		return -E_RANGE;
	for (i = 0; i < pages; i++) {
		uint64_t pa;

		err = pmm_alloc_frame(&pa);
		if (err)
			break;
		memset(phys_to_virt(pa), 0, PAGE_SIZE_4K);
		err = vm_space_map(&p->vm, va + i * PAGE_SIZE_4K, pa, flags | VM_USER);
		if (err) {
			pmm_free_frame(pa);
			break;
		}
	}
	if (err) {
		for (size_t j = 0; j < i; j++) {
			uint64_t pa;

			if (vm_space_unmap(&p->vm, va + j * PAGE_SIZE_4K, &pa) == 0)
				pmm_free_frame(pa);
		}
		vm_space_trim(&p->vm, va, pages); /* and the tables made for them */
		return err == -E_EXIST || err == -E_RANGE ? err : -E_NOMEM;
	}
	p->regions[p->nregions] = (struct user_region){
		.va = va,
		.pages = pages,
		.flags = flags,
		.max_flags = max_flags,
	};
	p->nregions++;
	return 0;
}

/* map_pages with the charge, for a process being built (capability lock
 * held).  Its segments and stack keep the permissions they start with as
 * their limit: code never becomes writable, data never executable. */
int
user_memory_map_new(struct process *p, uintptr_t va, size_t pages, unsigned int flags)
{
	int err = process_charge(p, pages);

	if (err)
		return err;
	err = map_pages(p, va, pages, flags, flags);
	if (err)
		process_uncharge(p, pages);
	return err;
}

/* Copies bytes into a region already mapped in p (not the active space:
 * through the direct map). */
int
user_memory_copy_in(struct process *p, uintptr_t va, const uint8_t *src, size_t len)
{
	while (len) {
		size_t off = va & (PAGE_SIZE_4K - 1), n = PAGE_SIZE_4K - off;
		uint64_t pa;
		int err;

		if (n > len)
			n = len;
		err = vm_space_translate(&p->vm, va & ~(PAGE_SIZE_4K - 1), &pa, NULL);
		if (err)
			return err;
		memcpy((uint8_t *)phys_to_virt(pa) + off, src, n);
		va += n;
		src += n;
		len -= n;
	}
	return 0;
}

int
process_map_anonymous(struct process *p, size_t pages, unsigned int flags, uintptr_t *va)
{
	unsigned long irq;
	uintptr_t at;
	int err;

	mutex_lock(&p->vm_lock);
	at = p->map_next;
	if (pages == 0 || pages > (MAP_END - at) / PAGE_SIZE_4K) {
		mutex_unlock(&p->vm_lock);
		return pages ? -E_NOMEM : -E_INVAL;
	}
	irq = cap_lock_take();
	err = process_charge(p, pages);
	cap_lock_drop(irq);
	/* The slow part, preemptible: other processes keep running. */
	if (!err && (err = map_pages(p, at, pages, flags, ANON_MAX_FLAGS))) {
		irq = cap_lock_take();
		process_uncharge(p, pages);
		cap_lock_drop(irq);
	}
	if (!err) {
		/* A hole between mappings: running off one faults. */
		p->map_next = at + (pages + 1) * PAGE_SIZE_4K;
		*va = at;
	}
	mutex_unlock(&p->vm_lock);
	return err;
}

int
process_map_frames(struct process *p, struct frames *f, unsigned int flags, unsigned int max_flags,
		   uintptr_t *va)
{
	uint64_t pa;
	uintptr_t at;
	size_t i;
	int err = 0;

	if (f->device) { /* device registers stay uncached, whatever protect does */
		flags |= VM_UNCACHED;
		max_flags |= VM_UNCACHED;
	}
	mutex_lock(&p->vm_lock);
	at = p->map_next;
	if (f->npages > (MAP_END - at) / PAGE_SIZE_4K || p->nregions == PROC_REGIONS_MAX)
		err = -E_RANGE;
	for (i = 0; !err && i < f->npages; i++)
		err = vm_space_map(&p->vm, at + i * PAGE_SIZE_4K, f->pa[i], flags | VM_USER);
	if (err) {
		if (err != -E_RANGE) {
			while (i-- > 0)
				vm_space_unmap(&p->vm, at + i * PAGE_SIZE_4K, &pa);
			vm_space_trim(&p->vm, at, f->npages);
		}
		mutex_unlock(&p->vm_lock);
		return err == -E_RANGE ? err : -E_NOMEM;
	}
	p->regions[p->nregions] = (struct user_region){
		.va = at,
		.pages = f->npages,
		.flags = flags,
		.max_flags = max_flags,
		.shared = f,
	};
	p->nregions++;
	p->map_next = at + (f->npages + 1) * PAGE_SIZE_4K;
	*va = at;
	mutex_unlock(&p->vm_lock);
	return 0;
}

/*
 * The region that will hold exactly [va, va + pages pages): found, then
 * split off from the rest of its region (a Frames mapping referenced
 * once more for each new piece).  p->vm_lock held.
 */
static int
isolate_range(struct process *p, uintptr_t va, size_t pages)
{
	int i = region_find(p->regions, p->nregions, va, pages);
	size_t added;
	unsigned long irq;
	struct frames *f;

	if (i < 0)
		return i;
	f = p->regions[i].shared;
	i = region_isolate(p->regions, &p->nregions, PROC_REGIONS_MAX, (size_t)i, va, pages,
			   &added);
	if (i >= 0 && f && added) {
		irq = cap_lock_take();
		while (added--)
			kobject_ref(&f->obj);
		cap_lock_drop(irq);
	}
	return i;
}

/*
 * Does [va, va + pages pages) hold a buffer that a thread of p is
 * receiving a message into (ipc_state.pinned_buf)?  Then unmapping it,
 * or taking its write permission, must wait until the receive is over:
 * -E_BUSY, as Zircon refuses to decommit pinned pages.  p->vm_lock held
 * (the pins are set under it).
 */
static bool
range_pinned(struct process *p, uintptr_t va, size_t pages)
{
	uintptr_t end;
	unsigned long irq;
	bool pinned = false;

	if (pages > (UINTPTR_MAX - va) / PAGE_SIZE_4K)
		return false; /* no such region: the caller says so */
	end = va + pages * PAGE_SIZE_4K;
	irq = cap_lock_take(); /* p->threads */
	list_for_each (n, &p->threads) {
		struct thread *t = container_of(n, struct thread, proc_link);
		uintptr_t buf = t->ipc ? __atomic_load_n(&t->ipc->pinned_buf, __ATOMIC_RELAXED) : 0;

		if (buf && buf < end && buf + sizeof(struct ipc_msg) > va)
			pinned = true;
	}
	cap_lock_drop(irq);
	return pinned;
}

/*
 * The TLB: vm_space_unmap and vm_space_protect flush the page when the
 * space is active on this CPU, and a switch between spaces flushes the
 * rest (no PCIDs or ASIDs), so on one CPU no stale entry survives.  With
 * more CPUs this is where a shootdown to those running p would go.
 */
int
process_vm_unmap(struct process *p, uintptr_t va, size_t pages)
{
	struct user_region r;
	unsigned long irq;
	int i;

	mutex_lock(&p->vm_lock);
	i = range_pinned(p, va, pages) ? -E_BUSY : isolate_range(p, va, pages);
	if (i < 0) {
		mutex_unlock(&p->vm_lock);
		return i;
	}
	r = p->regions[i];
	region_remove(p->regions, &p->nregions, (size_t)i);
	for (size_t j = 0; j < r.pages; j++) {
		uint64_t pa;

		if (vm_space_unmap(&p->vm, r.va + j * PAGE_SIZE_4K, &pa) == 0 && !r.shared)
			pmm_free_frame(pa);
	}
	/* Tables left empty go too (and their charge): a process that maps
	 * and unmaps for ever does not pile them up as map_next moves on. */
	vm_space_trim(&p->vm, r.va, r.pages);
	irq = cap_lock_take();
	if (r.shared)
		kobject_unref(&r.shared->obj); /* its pages live while it does */
	else
		process_uncharge(p, r.pages);
	cap_lock_drop(irq);
	mutex_unlock(&p->vm_lock);
	return 0;
}

int
process_vm_protect(struct process *p, uintptr_t va, size_t pages, unsigned int flags)
{
	struct user_region *r;
	int i;

	mutex_lock(&p->vm_lock);
	i = region_find(p->regions, p->nregions, va, pages);
	if (i >= 0)
		flags |= p->regions[i].flags & VM_UNCACHED; /* a mapping's memory type stays */
	if (i >= 0 && (flags & ~p->regions[i].max_flags))
		i = -E_PERM;
	if (i >= 0 && !(flags & VM_WRITE) && range_pinned(p, va, pages))
		i = -E_BUSY;
	if (i >= 0 && p->regions[i].flags != flags)
		i = isolate_range(p, va, pages);
	if (i < 0) {
		mutex_unlock(&p->vm_lock);
		return i;
	}
	r = &p->regions[i];
	if (r->flags != flags) {
		struct frames *f = r->shared;
		size_t merged;

		r->flags = flags;
		for (size_t j = 0; j < r->pages; j++)
			vm_space_protect(&p->vm, r->va + j * PAGE_SIZE_4K, flags | VM_USER);
		/* Rejoin what an earlier protect split off, so protecting back
		 * and forth never uses up the table. */
		region_merge(p->regions, &p->nregions, (size_t)i, &merged);
		if (f && merged) {
			unsigned long irq = cap_lock_take();

			while (merged--)
				kobject_unref(&f->obj); /* a reference per piece */
			cap_lock_drop(irq);
		}
	}
	mutex_unlock(&p->vm_lock);
	return 0;
}
