/*
 * The capability derivation tree: the link surgery behind cap_* (cap.c,
 * cspace.c).  Internal to kernel/cap; arguments are already checked.
 * Invariants: a child's parent names the same object; a root has no
 * siblings; an empty slot has no links.
 */
#ifndef CAP_CDT_H
#define CAP_CDT_H

#include "cap/cap.h"

/* Fills an empty slot (taking a capability reference on obj) and links
 * it as a child of parent, or as a root when parent is NULL.  O(1). */
void cdt_fill(struct cap *slot, struct cap *parent, struct kobject *obj, uint32_t rights,
	      uint64_t badge);

/* Moves src into the empty slot dst, links and all.  O(children). */
void cdt_move(struct cap *src, struct cap *dst);

/* Empties a slot, giving its children to its parent, and drops the
 * capability reference.  O(children).  Call between defer begin/end. */
void cdt_erase(struct cap *c);

/* Erases every descendant of c, deepest first, without recursion.
 * O(descendants).  Call between defer begin/end. */
void cdt_revoke(struct cap *c);

#endif
