/*
 * A capability space: an array of slots, itself a kernel object (a
 * CSPACE capability points at the embedded kobject).  Slot 0 is always
 * empty and never usable, so 0 can mean "no capability" in every ABI
 * (seL4's seL4_CapNull convention).  The slot storage comes from the
 * caller; nothing here allocates.
 */
#ifndef CAP_CSPACE_H
#define CAP_CSPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "object/object.h"

#define CSPACE_SLOT_NULL 0

struct cspace {
	struct kobject obj; /* first: CSPACE capabilities name it */
	struct cap *slots;
	uint64_t nslots; /* including slot 0 */
	/* Its owner has ended: nothing may enter any more.  Every insertion
	 * passes cspace_lookup_empty, so this one flag, set under the
	 * capability lock that ends the owner, closes every path at once. */
	bool closed;
};

static inline struct cspace *
cspace_of(struct kobject *obj)
{
	return (struct cspace *)obj; /* obj is the first member */
}

/*
 * Zeroes nslots slots and makes cs a CSPACE object with refs = 1 (see
 * kobject_init).  ops->destroy must call cspace_clear before freeing the
 * storage.  -E_INVAL for NULL storage or fewer than 2 slots.
 */
int cspace_init(struct cspace *cs, struct cap *slots, uint64_t nslots,
		const struct kobject_ops *ops);

/*
 * THE check of a capability argument: slot in range and not 0, slot not
 * empty (-E_NOCAP), type equal to 'type' unless KOBJ_ANY (-E_TYPE), every
 * right in 'rights' held (-E_PERM), in that order.  On success *out
 * points at the slot, valid until the next capability operation.
 */
int cspace_lookup(struct cspace *cs, uint64_t slot, uint32_t type, uint32_t rights,
		  struct cap **out);

/* The check of a destination: in range and not 0 (-E_NOCAP), empty
 * (-E_EXIST), in a cspace still open (-E_DEAD).  Every way a capability
 * enters a cspace (install, copy, mint, move, IPC transfer) passes here. */
int cspace_lookup_empty(struct cspace *cs, uint64_t slot, struct cap **out);

/*
 * Deletes every capability in the cspace (as cap_delete does: capabilities
 * derived from them elsewhere survive).  For a dying process, and for
 * the CSPACE destroy callback.  A cspace holding the only capability to
 * itself is a cycle that only this call breaks.
 */
void cspace_clear(struct cspace *cs);

/*
 * Its owner has ended: cspace_clear, and from now on every insertion is
 * -E_DEAD, so nothing can land in a cspace nobody will clear again (a
 * capability to the cspace itself, or to its dead process, would make a
 * cycle that outlives it).  Lookups still work and find it empty.
 */
void cspace_close(struct cspace *cs);

#endif
