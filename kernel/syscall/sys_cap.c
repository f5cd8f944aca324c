/*
 * Capability operations on the caller's own cspace.  Every argument is
 * checked by kernel/cap (cspace_lookup): these only translate.
 */
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

_Static_assert(RIGHT_READ == CAP_RIGHT_READ && RIGHT_WRITE == CAP_RIGHT_WRITE &&
		       RIGHT_EXECUTE == CAP_RIGHT_EXECUTE && RIGHT_GRANT == CAP_RIGHT_GRANT &&
		       RIGHT_COPY == CAP_RIGHT_COPY && RIGHTS_ALL == CAP_RIGHTS_ALL,
	       "the ABI's rights are the kernel's");
_Static_assert(OBJ_ENDPOINT == KOBJ_ENDPOINT && OBJ_CONSOLE == KOBJ_CONSOLE &&
		       OBJ_PROCESS == KOBJ_PROCESS && OBJ_MEMORY == KOBJ_MEMORY &&
		       OBJ_NOTIFICATION == KOBJ_NOTIFICATION && OBJ_THREAD == KOBJ_THREAD &&
		       OBJ_FRAMES == KOBJ_FRAMES && OBJ_REPLY == KOBJ_REPLY &&
		       OBJ_CSPACE == KOBJ_CSPACE && OBJ_ADDRESS_SPACE == KOBJ_ADDRESS_SPACE &&
		       OBJ_IRQ == KOBJ_IRQ && OBJ_IO_PORTS == KOBJ_IO_PORTS &&
		       OBJ_DEVICE_CONTROL == KOBJ_DEVICE_CONTROL && OBJ_FILE == KOBJ_FILE &&
		       OBJ_DIRECTORY == KOBJ_DIRECTORY && OBJ_SOCKET == KOBJ_SOCKET &&
		       OBJ_NETWORK == KOBJ_NETWORK && OBJ_PORT == KOBJ_PORT &&
		       OBJ_PIPE == KOBJ_PIPE,
	       "the ABI's types are the kernel's");
_Static_assert(sizeof(struct cap_info) == 24, "cap_info layout");

long
sys_cap_copy(struct syscall_args *a)
{
	struct cspace *cs = process_current()->cs;
	unsigned long flags = cap_lock_take();
	int err = cap_copy(cs, a->a[0], cs, a->a[1]);

	cap_lock_drop(flags);
	return err;
}

long
sys_cap_mint(struct syscall_args *a)
{
	struct cspace *cs = process_current()->cs;
	unsigned long flags;
	int err;

	if (a->a[2] > UINT32_MAX)
		return -E_INVAL;
	flags = cap_lock_take();
	err = cap_mint(cs, a->a[0], cs, a->a[1], (uint32_t)a->a[2], a->a[3]);
	cap_lock_drop(flags);
	return err;
}

long
sys_cap_move(struct syscall_args *a)
{
	struct cspace *cs = process_current()->cs;
	unsigned long flags = cap_lock_take();
	int err = cap_move(cs, a->a[0], cs, a->a[1]);

	cap_lock_drop(flags);
	return err;
}

long
sys_cap_delete(struct syscall_args *a)
{
	struct cspace *cs = process_current()->cs;
	unsigned long flags = cap_lock_take();
	int err = cap_delete(cs, a->a[0]);

	cap_lock_drop(flags);
	return err;
}

long
sys_cap_revoke(struct syscall_args *a)
{
	struct cspace *cs = process_current()->cs;
	unsigned long flags = cap_lock_take();
	int err = cap_revoke(cs, a->a[0]);

	cap_lock_drop(flags);
	return err;
}

long
sys_cap_inspect(struct syscall_args *a)
{
	struct cspace *cs = process_current()->cs;
	struct cap_info info;
	unsigned long flags = cap_lock_take();
	int err = cap_inspect(cs, a->a[0], &info);

	cap_lock_drop(flags);
	if (err)
		return err;
	return copy_to_user(a->a[1], &info, sizeof(info));
}
