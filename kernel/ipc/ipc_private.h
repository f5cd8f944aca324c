/*
 * The rendezvous pieces that ipc/ipc.c shares with the fastpath
 * (ipc/fastpath.c), so both keep one set of queue and wait rules.  All
 * with the capability lock held.
 */
#ifndef IPC_IPC_PRIVATE_H
#define IPC_IPC_PRIVATE_H

#include <stdbool.h>

#include "ipc/ipc.h"

struct cap;

/* st waits on queue of ep (which it then references) in state w. */
void ipc_enqueue(struct ipc_state *st, struct endpoint *ep, struct list_node *queue,
		 enum ipc_wait w);
/* Off its queue, the endpoint's reference dropped. */
void ipc_dequeue(struct ipc_state *st);
/* The first thread of a non-empty queue, taken off it. */
struct thread *ipc_pop(struct list_node *queue);
/* Waits (the lock dropped meanwhile) until the partner finishes st's
 * operation or the thread is killed (-E_DEAD); its result. */
int ipc_block(struct ipc_state *st);
/* ipc_send once the endpoint capability c has been looked up. */
int ipc_send_through(struct cap *c, unsigned int flags, bool call);

#endif
