/*
 * The generic object calls: readiness (object_bind, object_signals) and
 * the operations table (object_info, object_read, object_write), for
 * any type that fills the operation; -E_TYPE for one that does not
 * (object/ops.h, docs/capabilities.md).
 */
#include "cap/cspace.h"
#include "cap/lock.h"
#include "object/notification.h"
#include "object/ops.h"
#include "object/process.h"
#include "object/readiness.h"
#include "proc/uaccess.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

_Static_assert(sizeof(struct object_info) == 32, "object_info layout");

/*
 * Binds the object (READ) to the Notification (WRITE): signals in mask
 * OR bits into it.  mask 0 unbinds that Notification (-E_NOENT when it
 * is not bound).  All under the capability lock: bookkeeping only.
 */
long
sys_object_bind(struct syscall_args *a)
{
	struct process *p = process_current();
	struct cap *c, *n;
	struct readiness *r;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_ANY, CAP_RIGHT_READ, &c);

	if (!err)
		err = cspace_lookup(p->cs, a->a[1], KOBJ_NOTIFICATION, CAP_RIGHT_WRITE, &n);
	if (!err && a->a[2] > UINT32_MAX)
		err = -E_INVAL;
	if (!err && !(r = kobject_readiness(c->obj)))
		err = -E_TYPE;
	if (!err) {
		struct readiness_target *t = &((struct notification *)n->obj)->target;

		err = a->a[2] ? readiness_bind(r, t, (uint32_t)a->a[2], a->a[3])
			      : readiness_unbind(r, t);
	}
	cap_lock_drop(flags);
	return err;
}

/* The signals asserted now (never negative: 32 bits). */
long
sys_object_signals(struct syscall_args *a)
{
	struct process *p = process_current();
	struct readiness *r = NULL;
	struct cap *c;
	unsigned long flags = cap_lock_take();
	long err = cspace_lookup(p->cs, a->a[0], KOBJ_ANY, CAP_RIGHT_READ, &c);

	if (!err && !(r = kobject_readiness(c->obj)))
		err = -E_TYPE;
	if (!err)
		err = r->signals;
	cap_lock_drop(flags);
	return err;
}

long
sys_object_info(struct syscall_args *a)
{
	struct object_info info;
	struct kobject *obj;
	int err = cap_get(a->a[0], KOBJ_ANY, CAP_RIGHT_READ, &obj);

	if (err)
		return err;
	err = kobject_info(obj, &info);
	cap_put(obj);
	return err ? err : copy_to_user(a->a[1], &info, sizeof(info));
}

/* Reads (READ) or writes (WRITE) through the operations table, with no
 * capability lock held while the bytes move. */
static long
object_io(struct syscall_args *a, bool write)
{
	struct kobject_buf buf = { .user = true, .addr = a->a[2], .len = a->a[3] };
	struct kobject *obj;
	long err = cap_get(a->a[0], KOBJ_ANY, write ? CAP_RIGHT_WRITE : CAP_RIGHT_READ, &obj);

	if (err)
		return err;
	if (!user_range_ok(buf.addr, buf.len))
		err = -E_FAULT;
	else if (write)
		err = kobject_write(obj, a->a[1], &buf);
	else
		err = kobject_read(obj, a->a[1], &buf);
	cap_put(obj);
	return err;
}

long
sys_object_read(struct syscall_args *a)
{
	return object_io(a, false);
}

long
sys_object_write(struct syscall_args *a)
{
	return object_io(a, true);
}
