/*
 * AddressSpace capabilities: map, unmap and protect ranges of an address
 * space (a process's own through CAP_SLOT_ADDRESS_SPACE, a child's
 * through process_parts), and clone one.  Arguments first, then the
 * capability, then the mapping: an unmap or protect must lie within one
 * region (docs/syscalls.md).
 */
#include "asm/layout.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "fs/vnode.h"
#include "mm/vm_file.h"
#include "mm/vm_flags.h"
#include "object/address_space.h"
#include "object/file.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "proc/user_memory.h"
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

/* The live address space behind an AddressSpace capability with rights,
 * referenced for the caller. */
static int
target_space(uint64_t slot, uint32_t rights, struct address_space **out)
{
	struct process *self = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(self->cs, slot, KOBJ_ADDRESS_SPACE, rights, &c);

	if (!err)
		err = as_check_live((struct address_space *)c->obj);
	if (!err) {
		*out = (struct address_space *)c->obj;
		kobject_ref(&(*out)->obj);
	}
	cap_lock_drop(flags);
	return err;
}

static void
put_space(struct address_space *as)
{
	unsigned long flags = cap_lock_take();

	kobject_unref(&as->obj);
	cap_lock_drop(flags);
}

long
sys_vm_unmap(struct syscall_args *a)
{
	struct address_space *as;
	long err = check_range(a->a[1], a->a[2]);

	if (err)
		return err;
	err = target_space(a->a[0], CAP_RIGHT_WRITE, &as);
	if (err)
		return err;
	err = as_unmap(as, a->a[1], a->a[2]);
	put_space(as);
	return err;
}

/* MAP_WRITE and MAP_EXEC, never both (W^X): -E_PERM; or MAP_NOACCESS
 * alone. */
long
sys_vm_protect(struct syscall_args *a)
{
	uint64_t f = a->a[3];
	unsigned int vm = VM_READ;
	struct address_space *as;
	long err;

	if (f & ~(uint64_t)(MAP_WRITE | MAP_EXEC | MAP_NOACCESS))
		return -E_INVAL;
	if ((f & MAP_NOACCESS) && f != MAP_NOACCESS)
		return -E_INVAL;
	if ((f & MAP_WRITE) && (f & MAP_EXEC))
		return -E_PERM;
	err = check_range(a->a[1], a->a[2]);
	if (err)
		return err;
	err = target_space(a->a[0], CAP_RIGHT_WRITE, &as);
	if (err)
		return err;
	vm |= f & MAP_WRITE ? VM_WRITE : 0;
	vm |= f & MAP_EXEC ? VM_EXEC : 0;
	if (f & MAP_NOACCESS)
		vm = 0;
	err = as_protect(as, a->a[1], a->a[2], vm);
	put_space(as);
	return err;
}

/*
 * Anonymous memory in an address space: lazily filled unless
 * MAP_COMMIT, at address with MAP_FIXED (else address is 0 and the
 * kernel chooses).  Readable, writable with MAP_WRITE, never executable;
 * vm_protect may make it writable later.
 */
long
sys_vm_map(struct syscall_args *a)
{
	uint64_t va = a->a[1], pages = a->a[2], f = a->a[3];
	unsigned int how = 0;
	struct address_space *as;
	uintptr_t at;
	long err;

	if (f & ~(uint64_t)(MAP_WRITE | MAP_FIXED | MAP_COMMIT))
		return -E_INVAL;
	if (f & MAP_FIXED) {
		err = check_range(va, pages);
		how |= AS_MAP_FIXED;
	} else {
		err = va || pages == 0 ? -E_INVAL : 0;
	}
	if (err)
		return err;
	if (!user_range_ok(a->a[4], sizeof(uint64_t)))
		return -E_FAULT;
	how |= f & MAP_COMMIT ? AS_MAP_COMMIT : 0;
	err = target_space(a->a[0], CAP_RIGHT_WRITE, &as);
	if (err)
		return err;
	err = as_map(as, va, pages, VM_READ | (f & MAP_WRITE ? VM_WRITE : 0), VM_READ | VM_WRITE,
		     how, NULL, &at);
	put_space(as);
	/* Mapped even if the address cannot be written back: the caller's
	 * bad pointer costs it the mapping (freed with the space). */
	return err ? err : copy_to_user(a->a[4], &at, sizeof(at));
}

/*
 * The file behind File slot, referenced for the caller (its vnode: the
 * File may go meanwhile), and the rights the capability has.  READ is
 * needed; EXECUTE too when exec.
 */
static int
map_source(uint64_t slot, bool exec, struct vnode **out, uint32_t *rights)
{
	struct process *self = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(self->cs, slot, KOBJ_FILE,
				CAP_RIGHT_READ | (exec ? CAP_RIGHT_EXECUTE : 0), &c);

	if (!err) {
		*out = ((struct file_object *)c->obj)->vn;
		*rights = c->rights;
		vnode_ref(*out);
	}
	cap_lock_drop(flags);
	return err;
}

/*
 * A file mapped from offset (page-aligned) for pages pages: private
 * (copy-on-write) or MAP_SHARED, readable, writable with MAP_WRITE or
 * executable with MAP_EXEC, placed as vm_map places (*address_inout in:
 * the address for MAP_FIXED, else 0; out: where it went).  The limit
 * vm_protect keeps to: code stays R+X; a private mapping may become
 * writable; a shared one only through a File with WRITE on a writable
 * filesystem.  Pages are mapped when first touched.
 */
long
sys_vm_map_file(struct syscall_args *a)
{
	uint64_t off = a->a[2], pages = a->a[3], f = a->a[4], va;
	bool exec = f & MAP_EXEC, shared = f & MAP_SHARED;
	unsigned int how = 0, vm = VM_READ, max = VM_READ;
	struct address_space *as;
	struct vm_file *vf;
	struct vnode *vn;
	uint32_t rights;
	uintptr_t at;
	long err;

	if (f & ~(uint64_t)(MAP_WRITE | MAP_EXEC | MAP_SHARED | MAP_FIXED))
		return -E_INVAL;
	if ((f & MAP_WRITE) && exec)
		return -E_PERM;
	if ((off & (PAGE_SIZE_4K - 1)) || pages == 0)
		return -E_INVAL;
	if ((err = copy_from_user(&va, a->a[5], sizeof(va))))
		return err;
	if (f & MAP_FIXED) {
		err = check_range(va, pages);
		how |= AS_MAP_FIXED;
	} else if (va) {
		err = -E_INVAL;
	}
	if (err)
		return err;
	if ((err = map_source(a->a[1], exec, &vn, &rights)))
		return err;
	if (exec)
		max |= VM_EXEC;
	else if (!shared || ((rights & CAP_RIGHT_WRITE) && !vn->fs->read_only))
		max |= VM_WRITE;
	vm |= exec ? VM_EXEC : f & MAP_WRITE ? VM_WRITE : 0;
	if (vm & ~max)
		err = vn->fs->read_only ? -E_ROFS : -E_PERM;
	if (!err)
		err = vm_file_of(vn, &vf);
	if (!err)
		err = target_space(a->a[0], CAP_RIGHT_WRITE, &as);
	if (!err) {
		err = as_map_file(as, va, pages, vm, max, how, vf, off / PAGE_SIZE_4K, shared, &at);
		put_space(as);
		/* Mapped even if the address cannot be written back, as vm_map. */
		if (!err)
			err = copy_to_user(a->a[5], &at, sizeof(at));
	}
	vnode_unref(vn);
	return err;
}

/*
 * A copy-on-write clone of an address space (READ on it), charged to a
 * Memory pool (WRITE), as a new AddressSpace capability in dst: what a
 * fork needs, with spawn_args.address_space to run a process in it.
 */
long
sys_as_clone(struct syscall_args *a)
{
	struct process *self = process_current();
	struct address_space *src = NULL, *dst;
	struct mempool *pool = NULL;
	unsigned long flags = cap_lock_take();
	struct cap *c, *m, *d;
	int err = cspace_lookup(self->cs, a->a[0], KOBJ_ADDRESS_SPACE, CAP_RIGHT_READ, &c);

	if (!err)
		err = cspace_lookup(self->cs, a->a[1], KOBJ_MEMORY, CAP_RIGHT_WRITE, &m);
	if (!err)
		err = cspace_lookup_empty(self->cs, a->a[2], &d);
	if (!err)
		err = as_check_live((struct address_space *)c->obj);
	if (!err) {
		src = (struct address_space *)c->obj;
		pool = (struct mempool *)m->obj;
		kobject_ref(&src->obj);
		kobject_ref(&pool->obj);
	}
	cap_lock_drop(flags);
	if (err)
		return err;
	err = as_clone(src, pool, &dst);
	flags = cap_lock_take();
	if (!err) {
		/* The slot may have filled meanwhile: then the clone goes. */
		err = cap_install(self->cs, a->a[2], &dst->obj, CAP_RIGHTS_ALL, 0);
		kobject_unref(&dst->obj);
	}
	kobject_unref(&pool->obj);
	kobject_unref(&src->obj);
	cap_lock_drop(flags);
	return err;
}

/*
 * A copy-on-write copy of [address, + pages) of one address space (READ)
 * into another or the same one (WRITE), as a new region placed as
 * vm_map places (*address_inout in: the address for MAP_FIXED, else 0;
 * out: where it went): each side sees only its own writes from now on.
 */
long
sys_vm_copy(struct syscall_args *a)
{
	uint64_t va = a->a[1], pages = a->a[2], f = a->a[4], dva;
	struct address_space *src, *dst;
	uintptr_t at;
	long err;

	if (f & ~(uint64_t)MAP_FIXED)
		return -E_INVAL;
	err = check_range(va, pages);
	if (err)
		return err;
	err = copy_from_user(&dva, a->a[5], sizeof(dva));
	if (err)
		return err;
	if (f & MAP_FIXED)
		err = check_range(dva, pages);
	else
		err = dva ? -E_INVAL : 0;
	if (err)
		return err;
	err = target_space(a->a[0], CAP_RIGHT_READ, &src);
	if (err)
		return err;
	err = target_space(a->a[3], CAP_RIGHT_WRITE, &dst);
	if (err) {
		put_space(src);
		return err;
	}
	err = as_copy_range(src, va, pages, dst, dva, f & MAP_FIXED, &at);
	put_space(dst);
	put_space(src);
	return err ? err : copy_to_user(a->a[5], &at, sizeof(at));
}
