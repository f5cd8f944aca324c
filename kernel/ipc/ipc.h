/*
 * IPC through endpoints (docs/ipc.md): the rendezvous and message
 * transfer.  The Endpoint and Reply objects are object/endpoint.c and
 * object/reply.c.  A sender and a receiver
 * meet at an endpoint; whoever comes first waits (or, non-blocking,
 * gets -E_AGAIN).  The message is copied through the kernel: the sender's
 * copy is taken into its thread's kernel buffer before the rendezvous
 * and the receiver copies it out afterwards, so no address space ever
 * touches another.  call = send + wait for the reply through a one-shot
 * reply link (seL4's reply capability, kept in the receiving thread); the
 * badge of the sender's capability tells the receiver who called; a
 * capability travels with a message when the sender's endpoint
 * capability carries GRANT.
 *
 * Lifetimes: a thread queued on an endpoint holds a reference to it;
 * when the last capability to an endpoint goes (delete or revoke), every
 * queued thread wakes with -E_REVOKED.  A thread that ends wakes the
 * caller it owed a reply with -E_DEAD.  All under the capability lock.
 */
#ifndef IPC_IPC_H
#define IPC_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "object/endpoint.h"
#include "object/object.h"
#include "object/reply.h"
#include "sched/wait.h"
#include "themelios/abi.h"

struct process;
struct thread;
struct cspace;

/* A message inside the kernel (the user struct ipc_msg, checked). */
struct ipc_kmsg {
	uint64_t label;
	uint64_t words[IPC_WORDS];
	uint32_t len;
	uint32_t flags;
	uint64_t badge;
	uint64_t cap_slot; /* sender: slot to transfer; receiver: slot it landed in */
	uint8_t data[IPC_DATA_MAX];
};

enum ipc_wait {
	IPC_IDLE,
	IPC_SENDING,	 /* queued on ep->senders */
	IPC_CALLING,	 /* queued on ep->senders, then awaits a reply */
	IPC_RECEIVING,	 /* queued on ep->receivers */
	IPC_AWAIT_REPLY, /* delivered a call; replier owes us */
};

/* Per user thread. */
struct ipc_state {
	struct thread *thread;
	struct list_node link;
	struct endpoint *ep; /* queued on, referenced */
	enum ipc_wait wait;
	bool done; /* the partner finished our operation */
	int result;
	uint64_t badge;		   /* of the capability we send through */
	bool grant;		   /* it carried GRANT */
	uint64_t recv_slot;	   /* where a received capability goes */
	struct thread *reply_to;   /* the caller we owe a reply */
	struct thread *replier;	   /* the thread that owes us one */
	struct reply *saved_reply; /* ...or the Reply object that does */
	struct wait_queue wq;
	/* The user buffer a receive (recv, call's reply) will copy the
	 * message out to, pinned from the check before the operation until
	 * the copy: unmap and protect refuse it (-E_BUSY), so a receive
	 * whose buffer was good never takes a message it cannot hand out.
	 * 0: none.  Set under its address space's lock. */
	uintptr_t pinned_buf;
	/* What a kernel report handed straight to us keeps alive (the
	 * ended process): dropped by this thread when it wakes, so that
	 * whatever goes with it is freed before our receive returns
	 * (object/release.h), not on the reaper that sent the report. */
	struct kobject *held;
	struct ipc_kmsg msg; /* out going, then in coming */
};

/* The per-thread state (for process_start) and its end. */
struct ipc_state *ipc_state_alloc(struct thread *t);
/*
 * t takes no further part in IPC: it leaves the endpoint queue it waits
 * on, a caller it owes a reply wakes with -E_DEAD, and a server or Reply
 * that owes t one forgets it.  Called the moment t is killed (not when
 * it next runs), so a message or report goes to the next live receiver
 * instead of to a thread that will never return it to user space; and
 * again, harmlessly, when t exits.  Capability lock held.
 */
void ipc_thread_leave(struct thread *t);
void ipc_thread_free(struct thread *t);

/*
 * The operations, for the current thread; the message is already in its
 * ipc->msg (send) and is there on return (receive).  Capability lock
 * held (released while waiting).  slot is looked up in the caller's
 * cspace: -E_NOCAP, -E_TYPE, -E_PERM (WRITE to send, READ to receive,
 * GRANT to pass a capability); -E_AGAIN with IPC_NONBLOCK; -E_REVOKED
 * when the endpoint died while waiting; -E_DEAD when a callee ended
 * without replying; -E_NOENT for a reply with nobody to reply to.
 */
int ipc_send(uint64_t slot, unsigned int flags, bool call);
int ipc_recv(uint64_t slot, unsigned int flags);
int ipc_reply(void);

/*
 * The register path's call and reply+receive (ipc/fastpath.c): the words
 * are in the current thread's ipc->msg.  They take the capability lock
 * themselves; when the partner is already waiting they hand it the
 * message and switch straight to it, otherwise they are ipc_send(slot,
 * 0, true) and ipc_reply() + ipc_recv(slot, 0).  The same results.
 */
int ipc_fast_call(uint64_t slot);
int ipc_fast_reply_recv(uint64_t slot);

/* The pending reply of the current thread into a new Reply object
 * (-E_NOENT: none pending, -E_NOMEM), and the answer through one: the
 * message in the current thread's buffer goes to its caller (-E_DEAD if
 * the caller has gone).  Capability lock held. */
int ipc_reply_save(struct process *owner, struct reply **out);
int ipc_reply_through(struct reply *r);

/*
 * A report from the kernel (to a supervisor): queued if nobody waits;
 * never blocks.  A queued report keeps hold (the process it is about)
 * alive until it is received, so its memory stays charged to its pool
 * meanwhile: a supervisor that never listens spends its own budget, not
 * the kernel's.  data[0..len) goes as the message's data (len at most
 * IPC_DATA_MAX).
 */
/*
 * For the Endpoint and Reply objects (object/endpoint.c, object/reply.c):
 * the last capability to ep went, so every thread queued on it wakes
 * with -E_REVOKED; ep is destroyed, so its queued reports go; the last
 * capability to r went unanswered, so its caller wakes with -E_DEAD.
 */
void ipc_endpoint_revoke(struct endpoint *ep);
void ipc_endpoint_drop_reports(struct endpoint *ep);
void ipc_reply_drop(struct reply *r);

void endpoint_kernel_send(struct endpoint *ep, uint64_t badge, uint64_t label,
			  const uint64_t words[IPC_WORDS], const void *data, uint32_t len,
			  struct kobject *hold);

#endif
