/*
 * The header at the start of every kernel object, and its lifetime.
 *
 * An object holds two counts.  'refs' counts every reference: one per
 * capability naming the object plus any the kernel holds (the creator's,
 * a thread blocked on an endpoint, a queued message...).  'ncaps' counts
 * the capabilities alone (ncaps <= refs).  Two optional callbacks:
 *   last_cap  runs when ncaps drops to zero (while kernel references may
 *             remain): an endpoint wakes its blocked threads with an
 *             error here, so a revoke never leaves a thread asleep on an
 *             object nobody can reach.
 *   destroy   runs exactly once, when refs drops to zero; it frees the
 *             object (and, for a cspace, calls cspace_clear first).
 *
 * When ncaps drops to zero the object's readiness bindings go too
 * (object/readiness.h): nobody could unbind them any more.
 *
 * Callbacks are deferred: they never run in the middle of a capability
 * operation, but when the outermost one finishes (kobject_defer_begin/
 * end bracket such regions).  Destruction is a queue, not recursion, so
 * a chain of cspaces holding the last capability to one another is
 * freed in constant stack.  A callback may itself call capability
 * operations and kobject_unref.
 *
 * Locking: everything here assumes the capability lock held by the
 * caller (the queue below is global state protected by it), and so does
 * kernel/cap.  The object types, one file each, are this directory's
 * other files (docs/capabilities.md has the table).
 */
#ifndef OBJECT_OBJECT_H
#define OBJECT_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kobject_type {
	KOBJ_NULL = 0, /* no object: the type of an empty slot */
	KOBJ_PROCESS,
	KOBJ_THREAD,
	KOBJ_ADDRESS_SPACE,
	KOBJ_MEMORY,
	KOBJ_CSPACE,
	KOBJ_ENDPOINT,
	KOBJ_REPLY,
	KOBJ_NOTIFICATION,
	KOBJ_IRQ,
	KOBJ_CONSOLE,	     /* the kernel console: write text */
	KOBJ_FRAMES,	     /* physical pages that can be mapped (shared memory) */
	KOBJ_IO_PORTS,	     /* a range of x86 I/O ports a driver claimed */
	KOBJ_DEVICE_CONTROL, /* authority to claim device lines, ports, MMIO */
	KOBJ_FILE,	     /* an open file: a vnode and a position */
	KOBJ_DIRECTORY,	     /* a directory that lookups cannot leave */
	KOBJ_SOCKET,	     /* a TCP connection or listener, or a UDP endpoint */
	KOBJ_NETWORK,	     /* authority to reach the network: connect, send, mint Ports */
	KOBJ_PORT,	     /* authority to listen on or bind a range of ports */
	KOBJ_PIPE,	     /* a byte stream between processes (object/pipe.h) */
	/* New types go here (block device, directory, socket...). */
	KOBJ_NTYPES,
	KOBJ_ANY = 0xff /* cspace_lookup wildcard, never a real type */
};

struct kobject;
struct kobject_buf;
struct object_info;
struct readiness;

/*
 * The operations table of a type: every generic operation on objects
 * goes through it, and a type fills what it supports.  A NULL entry
 * means "not this type": the generic call (object/ops.h) answers
 * -E_TYPE, as a call naming the wrong type always does.
 *
 * Locking: last_cap, destroy and readiness run with the capability
 * lock held and must not sleep.  read, write and info run with no
 * capability lock held (the caller holds a reference, from cap_get), so
 * they may copy, zero, wait for a device or sleep; an object whose
 * state they touch keeps its own lock for it.
 */
struct kobject_ops {
	const char *name;
	void (*last_cap)(struct kobject *obj); /* ncaps reached 0 */
	void (*destroy)(struct kobject *obj);  /* refs reached 0: free it */
	/* The rest of a destroy that handed the object to release_later
	 * (object/release.h): no lock held, interrupts on; must not sleep
	 * (the idle thread may run it). */
	void (*release)(struct kobject *obj);
	/*
	 * Bytes at offset (a type without offsets, a stream, ignores it)
	 * into or out of buf (user or kernel memory: object/ops.h).  The
	 * count moved (0 at the end), or a negative error; a fault in a user
	 * buffer is -E_FAULT.
	 */
	long (*read)(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf);
	long (*write)(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf);
	/* Fills the type-specific fields of info (type and signals are
	 * filled already); 0 or a negative error. */
	int (*info)(struct kobject *obj, struct object_info *info);
	/* The signal state of a waitable object (object/readiness.h);
	 * capability lock held. */
	struct readiness *(*readiness)(struct kobject *obj);
};

struct kobject {
	uint32_t type;	  /* enum kobject_type, fixed at init */
	uint32_t pending; /* KOBJ_PENDING_*, reaper bookkeeping */
	uint64_t refs;
	uint64_t ncaps;
	const struct kobject_ops *ops;
	struct kobject *reap_next; /* reaper queue link */
};

#define KOBJ_PENDING_LAST_CAP (1u << 0)
#define KOBJ_PENDING_DESTROY  (1u << 1)

/* Real object types a capability may name. */
static inline bool
kobject_type_valid(uint32_t type)
{
	return type > KOBJ_NULL && type < KOBJ_NTYPES;
}

/* Types whose capabilities may carry a badge (cap_mint). */
static inline bool
kobject_type_badgeable(uint32_t type)
{
	return type == KOBJ_ENDPOINT || type == KOBJ_NOTIFICATION;
}

/*
 * Starts an object's life with refs = 1: the creator's reference, which
 * it drops with kobject_unref once the object is installed in a cspace
 * (or to destroy it if installing failed).  ops must outlive the object.
 */
void kobject_init(struct kobject *obj, enum kobject_type type, const struct kobject_ops *ops);

void kobject_ref(struct kobject *obj);

/* The last reference queues destroy (run now unless deferred). */
void kobject_unref(struct kobject *obj);

/*
 * Defers last_cap and destroy callbacks until the matching end; regions
 * nest and the callbacks run when the outermost one ends.
 */
void kobject_defer_begin(void);
void kobject_defer_end(void);

/* Objects of a type initialised and not yet destroyed (the audit). */
uint64_t kobject_live_count(enum kobject_type type);

/* True when no callback is queued or running (for tests and asserts). */
bool kobject_reaper_idle(void);

/* The object's signal state, or NULL for a type that has none. */
static inline struct readiness *
kobject_readiness(struct kobject *obj)
{
	return obj->ops->readiness != NULL ? obj->ops->readiness(obj) : NULL;
}

/* For kernel/cap only: a capability naming obj appears or goes. */
void kobject_cap_get(struct kobject *obj);
void kobject_cap_put(struct kobject *obj);

#endif
