/* Memory: anonymous pages, Memory pools (split, info) and Frames
 * (create, map, map into another process), all charged to pools. */
#include "asm/layout.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "core/panic.h"
#include "mm/vm_flags.h"
#include "proc/audit.h"
#include "object/address_space.h"
#include "object/frames.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "proc/user_memory.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

long
sys_map_anonymous(struct syscall_args *a)
{
	struct process *p = process_current();
	uint64_t pages = a->a[0], f = a->a[1];
	uintptr_t va;
	long err;

	if (f & ~(uint64_t)MAP_WRITE)
		return -E_INVAL;
	if (!user_range_ok(a->a[2], sizeof(uint64_t)))
		return -E_FAULT;
	if (pages == 0)
		return -E_INVAL;
	/* Committed, as it always was: every page made and charged now. */
	err = as_map(p->as, 0, pages, VM_READ | (f & MAP_WRITE ? VM_WRITE : 0), VM_READ | VM_WRITE,
		     AS_MAP_COMMIT, NULL, &va);
	if (err)
		return err;
	/* Mapped even if the address cannot be written back: the caller's
	 * bad pointer costs it the pages (still charged, freed at exit). */
	return copy_to_user(a->a[2], &va, sizeof(va));
}

long
sys_memory_split(struct syscall_args *a)
{
	struct process *p = process_current();
	struct mempool *mp;
	struct cap *src, *dst;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_MEMORY, CAP_RIGHT_WRITE, &src);

	if (!err)
		err = cspace_lookup_empty(p->cs, a->a[1], &dst);
	if (!err)
		err = mempool_create((struct mempool *)src->obj, a->a[2], &mp);
	if (!err) {
		err = cap_install(p->cs, a->a[1], &mp->obj, CAP_RIGHTS_ALL, 0);
		kobject_unref(&mp->obj);
	}
	cap_lock_drop(flags);
	return err;
}

long
sys_memory_info(struct syscall_args *a)
{
	struct process *p = process_current();
	struct memory_info info = { 0, 0 };
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_MEMORY, CAP_RIGHT_READ, &c);

	if (!err) {
		info.limit = ((struct mempool *)c->obj)->limit;
		info.used = ((struct mempool *)c->obj)->used;
	}
	cap_lock_drop(flags);
	return err ? err : copy_to_user(a->a[1], &info, sizeof(info));
}

long
sys_frames_create(struct syscall_args *a)
{
	struct process *p = process_current();
	struct frames *f;
	struct cap *dst;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup_empty(p->cs, a->a[1], &dst);

	/* The pages are zeroed with the lock dropped (our pool lives as we
	 * do); the slot is checked again when the object goes in. */
	cap_lock_drop(flags);
	if (!err)
		err = frames_create(p->pool, a->a[0], &f);
	if (err)
		return err;
	flags = cap_lock_take();
	err = cap_install(p->cs, a->a[1], &f->obj, CAP_RIGHTS_ALL, 0);
	kobject_unref(&f->obj); /* ours: the object goes if the slot was taken meanwhile */
	cap_lock_drop(flags);
	return err;
}

/* What a mapping of Frames through capability c may ever be given by
 * vm_protect: writable only with WRITE on c, never executable. */
static unsigned int
frames_max_flags(const struct cap *c)
{
	return VM_READ | (c->rights & CAP_RIGHT_WRITE ? VM_WRITE : 0);
}

/* Maps shared pages: READ to map them, WRITE too to map them writable.
 * Never executable. */
long
sys_frames_map(struct syscall_args *a)
{
	struct process *p = process_current();
	uint32_t need = CAP_RIGHT_READ | (a->a[1] & MAP_WRITE ? CAP_RIGHT_WRITE : 0);
	struct frames *f = NULL;
	unsigned int max = VM_READ;
	struct cap *c;
	unsigned long flags;
	uintptr_t va;
	long err;

	if (a->a[1] & ~(uint64_t)MAP_WRITE)
		return -E_INVAL;
	if (!user_range_ok(a->a[2], sizeof(uint64_t)))
		return -E_FAULT;
	flags = cap_lock_take();
	err = cspace_lookup(p->cs, a->a[0], KOBJ_FRAMES, need, &c);
	if (!err) {
		f = (struct frames *)c->obj;
		kobject_ref(&f->obj); /* the mapping's, if it works */
		max = frames_max_flags(c);
	}
	cap_lock_drop(flags);
	if (err)
		return err;
	err = as_map(p->as, 0, f->npages, VM_READ | (a->a[1] & MAP_WRITE ? VM_WRITE : 0), max, 0, f,
		     &va);
	if (err) {
		flags = cap_lock_take();
		kobject_unref(&f->obj);
		cap_lock_drop(flags);
		return err;
	}
	return copy_to_user(a->a[2], &va, sizeof(va));
}

/* Maps a Frames object into another address space (WRITE on it); the
 * address goes back to the caller, who tells the owner. */
long
sys_frames_map_into(struct syscall_args *a)
{
	struct process *self = process_current();
	uint32_t need = CAP_RIGHT_READ | (a->a[2] & MAP_WRITE ? CAP_RIGHT_WRITE : 0);
	struct address_space *target = NULL;
	struct frames *f = NULL;
	unsigned int max = VM_READ;
	struct cap *as, *c;
	unsigned long flags;
	uintptr_t va;
	long err;

	if (a->a[2] & ~(uint64_t)MAP_WRITE)
		return -E_INVAL;
	if (!user_range_ok(a->a[3], sizeof(uint64_t)))
		return -E_FAULT;
	flags = cap_lock_take();
	err = cspace_lookup(self->cs, a->a[0], KOBJ_ADDRESS_SPACE, CAP_RIGHT_WRITE, &as);
	if (!err)
		err = cspace_lookup(self->cs, a->a[1], KOBJ_FRAMES, need, &c);
	if (!err) {
		target = (struct address_space *)as->obj;
		err = as_check_live(target);
	}
	if (!err) {
		f = (struct frames *)c->obj;
		kobject_ref(&f->obj);	   /* the mapping's, if it works */
		kobject_ref(&target->obj); /* ours, while we map */
		max = frames_max_flags(c);
	}
	cap_lock_drop(flags);
	if (err)
		return err;
	err = as_map(target, 0, f->npages, VM_READ | (a->a[2] & MAP_WRITE ? VM_WRITE : 0), max, 0,
		     f, &va);
	flags = cap_lock_take();
	if (err)
		kobject_unref(&f->obj);
	kobject_unref(&target->obj);
	cap_lock_drop(flags);
	return err ? err : copy_to_user(a->a[3], &va, sizeof(va));
}

/* The memory audit, for the suite: test mode only (it describes the
 * whole machine, which no capability names). */
long
sys_memory_audit(struct syscall_args *a)
{
	struct mem_audit audit;

	if (!panic_test_mode())
		return -E_NOTSUP;
	if (!user_range_ok(a->a[0], sizeof(audit)))
		return -E_FAULT;
	memory_audit(&audit);
	return copy_to_user(a->a[0], &audit, sizeof(audit));
}
