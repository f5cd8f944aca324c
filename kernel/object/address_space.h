/*
 * AddressSpace objects: what an AddressSpace capability names, a
 * process's address space, for its supervisor (map Frames into it,
 * unmap, protect) and for the process itself (slot 61).  The handle
 * keeps the process, and so its mappings, alive.
 */
#ifndef OBJECT_ADDRESS_SPACE_H
#define OBJECT_ADDRESS_SPACE_H

#include "object/object.h"

struct process;

struct as_handle {
	struct kobject obj;    /* KOBJ_ADDRESS_SPACE */
	struct process *proc;  /* referenced */
	struct process *owner; /* charged for it; referenced; NULL for self_as */
};

/* A new AddressSpace object for p (refs = 1, the caller's), charged one
 * page to owner.  Capability lock held; -E_NOMEM. */
int process_as_handle(struct process *owner, struct process *p, struct as_handle **out);

/* Puts p's own AddressSpace capability (p->self_as) in its slot
 * CAP_SLOT_ADDRESS_SPACE.  Capability lock held. */
int process_install_self_as(struct process *p);

#endif
