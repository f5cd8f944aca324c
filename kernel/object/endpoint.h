/*
 * Endpoint objects: where a sender and a receiver meet (docs/ipc.md).
 * The queues and the rendezvous are the IPC layer's (ipc/ipc.c); this
 * is the object: its making, its last capability (every queued thread
 * wakes with -E_REVOKED) and its end (queued kernel reports go).
 */
#ifndef OBJECT_ENDPOINT_H
#define OBJECT_ENDPOINT_H

#include "lib/list.h"
#include "object/object.h"

struct process;

struct endpoint {
	struct kobject obj;	  /* KOBJ_ENDPOINT */
	struct list_node senders; /* ipc_state.link */
	struct list_node receivers;
	struct list_node kmsgs; /* kernel reports waiting for a receiver */
	struct process *owner;	/* charged for it; referenced */
};

/* A new endpoint, charged one page to owner.  -E_NOMEM.  Capability
 * lock held. */
int endpoint_create(struct process *owner, struct endpoint **out);

#endif
