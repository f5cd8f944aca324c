/*
 * AddressSpace capabilities: unmap and protect ranges of a process's
 * memory (its own through CAP_SLOT_ADDRESS_SPACE, a child's through
 * process_parts).  Arguments first, then the capability, then the
 * mapping: a range must lie within one region (docs/syscalls.md).
 */
#include "asm/layout.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "mm/vm_flags.h"
#include "object/process.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* A page-aligned, non-empty range inside user space: -E_INVAL for a
 * misaligned address or no pages, -E_RANGE for one that runs off the
 * end of user space (or wraps). */
static int
check_range(uint64_t va, uint64_t pages)
{
	if ((va & (PAGE_SIZE_4K - 1)) || pages == 0)
		return -E_INVAL;
	if (va >= USER_SPACE_END || pages > (USER_SPACE_END - va) / PAGE_SIZE_4K)
		return -E_RANGE;
	return 0;
}

/* The live process behind an AddressSpace capability with WRITE,
 * referenced for the caller. */
static int
target_process(uint64_t slot, struct process **out)
{
	struct process *self = process_current(), *p;
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(self->cs, slot, KOBJ_ADDRESS_SPACE, CAP_RIGHT_WRITE, &c);

	if (!err) {
		p = ((struct as_handle *)c->obj)->proc;
		if (p->state != PROCESS_LIVE) {
			err = -E_DEAD;
		} else {
			kobject_ref(&p->obj);
			*out = p;
		}
	}
	cap_lock_drop(flags);
	return err;
}

static void
put_process(struct process *p)
{
	unsigned long flags = cap_lock_take();

	kobject_unref(&p->obj);
	cap_lock_drop(flags);
}

long
sys_vm_unmap(struct syscall_args *a)
{
	struct process *p;
	long err = check_range(a->a[1], a->a[2]);

	if (err || (err = target_process(a->a[0], &p)))
		return err;
	err = process_vm_unmap(p, a->a[1], a->a[2]);
	put_process(p);
	return err;
}

/* MAP_WRITE and MAP_EXEC, never both (W^X): -E_PERM. */
long
sys_vm_protect(struct syscall_args *a)
{
	uint64_t f = a->a[3];
	unsigned int vm = VM_READ;
	struct process *p;
	long err;

	if (f & ~(uint64_t)(MAP_WRITE | MAP_EXEC))
		return -E_INVAL;
	if ((f & MAP_WRITE) && (f & MAP_EXEC))
		return -E_PERM;
	if ((err = check_range(a->a[1], a->a[2])) || (err = target_process(a->a[0], &p)))
		return err;
	vm |= f & MAP_WRITE ? VM_WRITE : 0;
	vm |= f & MAP_EXEC ? VM_EXEC : 0;
	err = process_vm_protect(p, a->a[1], a->a[2], vm);
	put_process(p);
	return err;
}
