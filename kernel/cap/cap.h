/*
 * Capabilities: a slot of a cspace naming an object with rights and an
 * optional badge, and the operations on them (docs/capabilities.md).
 *
 * Every capability except an installed root is derived from another:
 * the derivation tree links each slot to its parent and children, across
 * cspaces.  cap_revoke removes everything derived from a capability.
 *
 * All operations take (cspace, slot index) pairs, check everything with
 * cspace_lookup / cspace_lookup_empty first, and change nothing when they
 * return an error.  Slot indices are 64-bit so that a raw syscall
 * argument is range-checked, never truncated.  Callers hold the
 * capability lock (cap/lock.h).
 *
 * Errors common to all: -E_NOCAP for a slot index out of range (slot 0
 * included: it is always empty) or an empty source slot, -E_EXIST for an
 * occupied destination, -E_PERM for a missing right, -E_INVAL for
 * undefined rights or flag bits.
 */
#ifndef CAP_CAP_H
#define CAP_CAP_H

#include <stdint.h>

#include "object/object.h"
#include "cap/rights.h"
#include "themelios/abi.h"

struct cspace;

/*
 * One slot, 64 bytes.  Empty slots are all zero.  The tree links are
 * NULL for an empty slot; a root (no parent) has no siblings either.
 */
struct cap {
	struct kobject *obj;	 /* NULL: empty slot */
	uint64_t badge;		 /* 0: unbadged */
	uint32_t rights;	 /* CAP_RIGHT_* */
	uint32_t type;		 /* copy of obj->type, KOBJ_NULL if empty */
	struct cap *parent;	 /* derivation tree, possibly in */
	struct cap *first_child; /* another cspace */
	struct cap *next;	 /* siblings: same parent */
	struct cap *prev;
};

/* What cap_inspect reports: struct cap_info of the user ABI. */
#define CAP_INFO_HAS_CHILDREN (1u << 0) /* revoke would remove some */
#define CAP_INFO_DERIVED      (1u << 1) /* has a parent */

#define CAP_TRANSFER_MOVE     (1u << 0) /* else copy */

/*
 * Puts the first capability to obj (a root of the derivation tree) in an
 * empty slot; takes a reference of its own.  -E_INVAL if obj is NULL, its
 * type is not real or the rights are undefined; -E_TYPE for a badge on a
 * type that takes none.
 */
int cap_install(struct cspace *cs, uint64_t slot, struct kobject *obj, uint32_t rights,
		uint64_t badge);

/* A child of the source with the same rights and badge.  Needs COPY. */
int cap_copy(struct cspace *src_cs, uint64_t src_slot, struct cspace *dst_cs, uint64_t dst_slot);

/*
 * A child of the source with rights = source rights & mask.  badge 0
 * keeps the source's badge; a non-zero badge needs a badgeable type
 * (-E_TYPE) and an unbadged source (-E_PERM).  Needs COPY.
 */
int cap_mint(struct cspace *src_cs, uint64_t src_slot, struct cspace *dst_cs, uint64_t dst_slot,
	     uint32_t mask, uint64_t badge);

/*
 * Moves a capability, keeping its place in the derivation tree; no right
 * needed.  Moving a slot onto itself succeeds and changes nothing.
 */
int cap_move(struct cspace *src_cs, uint64_t src_slot, struct cspace *dst_cs, uint64_t dst_slot);

/*
 * Empties the slot; its children take its place under its parent, so a
 * revoke of an ancestor still reaches them.  Drops the reference.
 */
int cap_delete(struct cspace *cs, uint64_t slot);

/*
 * Deletes every capability derived from this one, transitively and in
 * every cspace, but not the capability itself.  Iterative: constant
 * stack, O(descendants) time.
 */
int cap_revoke(struct cspace *cs, uint64_t slot);

int cap_inspect(struct cspace *cs, uint64_t slot, struct cap_info *info);

/*
 * Capability transfer for IPC: copies (or, with CAP_TRANSFER_MOVE, moves)
 * a sender's capability into the receiver's slot.  'via' is the
 * endpoint capability the message goes through, already looked up by the
 * caller; it must be an endpoint (-E_TYPE) carrying GRANT (-E_PERM), and
 * the copy needs COPY on the transferred capability.  Whether a failed
 * transfer still delivers the message is the IPC layer's policy.
 */
int cap_transfer(const struct cap *via, struct cspace *src_cs, uint64_t src_slot,
		 struct cspace *dst_cs, uint64_t dst_slot, uint32_t flags);

#endif
