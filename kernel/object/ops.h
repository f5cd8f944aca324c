/*
 * The generic operations on objects: one lookup that checks type and
 * rights and hands out a referenced object, so that the operation can
 * run after the capability lock is dropped; and the calls that go
 * through a type's operations table (object/object.h), answering
 * -E_TYPE for an operation the type does not fill.
 *
 * The rule (docs/capabilities.md): the capability lock is an IRQ-saving
 * spinlock, held for lookups and bookkeeping only.  Work that may be
 * long or sleep (copying to or from user memory, zeroing pages, disk
 * I/O, waiting for a device) runs with no capability lock held, on an
 * object the caller holds a reference to: cap_get, the operation,
 * cap_put.
 */
#ifndef OBJECT_OPS_H
#define OBJECT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "object/object.h"

struct object_info;

/*
 * Where a read puts its bytes or a write takes them from: user memory
 * of the calling process (through proc/uaccess, faults answered with
 * -E_FAULT) or a kernel buffer (an in-kernel caller).  One type of
 * buffer, so that a type writes its read and write once for both.
 */
struct kobject_buf {
	bool user;
	uintptr_t addr; /* user address, or a kernel pointer */
	size_t len;
};

/* Copies n bytes of src into buf at byte at (at + n <= buf->len), or n
 * bytes of buf at byte at into dst: 0 or -E_FAULT. */
int kobject_buf_put(const struct kobject_buf *buf, size_t at, const void *src, size_t n);
int kobject_buf_get(const struct kobject_buf *buf, size_t at, void *dst, size_t n);

/*
 * Looks up slot in the calling process's cspace under the capability
 * lock (cspace_lookup: -E_NOCAP, -E_TYPE unless type is KOBJ_ANY,
 * -E_PERM for a missing right) and returns its object with a reference
 * of the caller's, which cap_put drops (under the lock, which cap_put
 * takes).  A revoke meanwhile does not free the object, it only ends
 * the capabilities: an operation in progress finishes on it.
 */
int cap_get(uint64_t slot, uint32_t type, uint32_t rights, struct kobject **out);
void cap_put(struct kobject *obj);

/*
 * The operations table's read, write and info, with no capability lock
 * held (the caller holds a reference): -E_TYPE when the type does not
 * fill the entry.  kobject_info fills type and signals itself.
 */
long kobject_read(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf);
long kobject_write(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf);
int kobject_info(struct kobject *obj, struct object_info *info);

#endif
