/* The generic operations on objects (object/ops.h). */
#include "object/ops.h"

#include "cap/cspace.h"
#include "cap/lock.h"
#include "lib/string.h"
#include "object/process.h"
#include "object/readiness.h"
#include "proc/uaccess.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

int
kobject_buf_put(const struct kobject_buf *buf, size_t at, const void *src, size_t n)
{
	if (buf->user)
		return copy_to_user(buf->addr + at, src, n);
	memcpy((char *)buf->addr + at, src, n);
	return 0;
}

int
kobject_buf_get(const struct kobject_buf *buf, size_t at, void *dst, size_t n)
{
	if (buf->user)
		return copy_from_user(dst, buf->addr + at, n);
	memcpy(dst, (const char *)buf->addr + at, n);
	return 0;
}

int
cap_get(uint64_t slot, uint32_t type, uint32_t rights, struct kobject **out)
{
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(process_current()->cs, slot, type, rights, &c);

	if (!err) {
		kobject_ref(c->obj);
		*out = c->obj;
	}
	cap_lock_drop(flags);
	return err;
}

void
cap_put(struct kobject *obj)
{
	unsigned long flags = cap_lock_take();

	kobject_unref(obj);
	cap_lock_drop(flags);
}

long
kobject_read(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf)
{
	return obj->ops->read ? obj->ops->read(obj, offset, buf) : -E_TYPE;
}

long
kobject_write(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf)
{
	return obj->ops->write ? obj->ops->write(obj, offset, buf) : -E_TYPE;
}

int
kobject_info(struct kobject *obj, struct object_info *info)
{
	unsigned long flags = cap_lock_take();
	struct readiness *r = kobject_readiness(obj);

	memset(info, 0, sizeof(*info));
	info->type = obj->type;
	info->signals = r ? r->signals : 0;
	cap_lock_drop(flags);
	return obj->ops->info ? obj->ops->info(obj, info) : 0;
}
