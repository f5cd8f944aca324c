/*
 * Reply objects: the one-shot right to answer a call, taken out of the
 * receiving thread (ipc_reply_save) so that a server can receive other
 * calls before answering.  Its capability has no COPY right.  Deleting
 * it unanswered wakes the caller with -E_DEAD; a caller that ends first
 * leaves it empty (-E_DEAD to use).  The answering is ipc/ipc.c's.
 */
#ifndef OBJECT_REPLY_H
#define OBJECT_REPLY_H

#include "object/object.h"

struct process;
struct thread;

struct reply {
	struct kobject obj; /* KOBJ_REPLY */
	struct thread *caller;
	struct process *owner; /* charged for it; referenced */
};

/* A Reply object owed to caller, charged one page to owner (refs = 1,
 * the caller's).  -E_NOMEM.  Capability lock held. */
int reply_create(struct process *owner, struct thread *caller, struct reply **out);

#endif
