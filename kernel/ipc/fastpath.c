/*
 * The IPC fastpath, after seL4's: the register path's call and
 * reply+receive in the case that matters for speed, without the general
 * machinery.  A call that finds a receiver waiting hands it the message
 * and switches straight to it; a server's reply+receive that owes its
 * caller a reply and finds no other sender queued hands the reply back
 * and switches straight to the caller.  No run queue, no scheduler pick:
 * the partner runs on what is left of the time slice, as a handoff would.
 *
 * Every change to the IPC state is the one the slow path (ipc.c)
 * makes, so a fastpath call may later be answered, saved (Reply),
 * killed or revoked by the slow path and the other way round; only the
 * wake and the wait are one step (wait_queue_wake_switch).  Whatever is
 * not the common case goes the slow way.
 */
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "ipc/ipc.h"
#include "ipc/ipc_private.h"
#include "object/process.h"
#include "sched/thread.h"
#include "themelios/errno.h"

/* A register message: label and words, no data, no capability. */
static void
deliver_words(const struct ipc_state *from, struct ipc_state *to, uint64_t badge)
{
	to->msg.label = from->msg.label;
	for (unsigned int i = 0; i < IPC_WORDS; i++)
		to->msg.words[i] = from->msg.words[i];
	to->msg.len = 0;
	to->msg.flags = 0;
	to->msg.badge = badge;
	to->msg.cap_slot = 0;
}

/* The partner's part is done: it runs with our result and owes us nothing. */
static void
finish_partner(struct ipc_state *ps)
{
	ps->result = 0;
	ps->done = true;
	ps->wait = IPC_IDLE;
}

/*
 * Hands the CPU to partner, who waits on its own queue, and waits for our
 * own operation to finish; flags from cap_lock_take.  Woken by the partner
 * or by anything the slow path does (an answer through a Reply, a kill,
 * a revoke), the rest is the slow path's wait.
 */
static int
switch_and_wait(struct ipc_state *st, struct ipc_state *partner, unsigned long flags)
{
	int err;

	/* Callbacks queued so far run now, under the lock: a wait must not
	 * sit inside a deferral region (cap_lock_wait does the same). */
	kobject_defer_end();
	wait_queue_wake_switch(&partner->wq, &st->wq, &cap_lock);
	/*
	 * Finished: no need for the lock.  done goes true (after result) only
	 * under the lock and before our wake, which ordered it before this
	 * read, and nobody but this thread makes it false again.
	 */
	if (st->done) {
		arch_irq_restore(flags);
		return st->result;
	}
	spin_lock_noirq(&cap_lock);
	kobject_defer_begin();
	err = ipc_block(st);
	cap_lock_drop(flags);
	return err;
}

/* No canaries on the fastpath: no arrays, only a capability pointer
 * whose address the lookup fills. */
int __attribute__((no_stack_protector)) ipc_fast_call(uint64_t slot)
{
	struct thread *self = thread_current(), *r;
	struct ipc_state *st = self->ipc;
	unsigned long flags = cap_lock_take();
	struct endpoint *ep;
	struct cap *c;
	int err;

	err = cspace_lookup(self->proc->cs, slot, KOBJ_ENDPOINT, CAP_RIGHT_WRITE, &c);
	if (err)
		goto out;
	ep = (struct endpoint *)c->obj;
	/* A pending kill must end the call before it waits (ipc_block). */
	if (list_empty(&ep->receivers) || self->stop_requested) {
		err = ipc_send_through(c, 0, true);
		goto out;
	}
	r = ipc_pop(&ep->receivers);
	st->badge = c->badge;
	st->grant = (c->rights & CAP_RIGHT_GRANT) != 0;
	st->done = false;
	deliver_words(st, r->ipc, c->badge);
	/* The one-shot reply link, as ipc_send makes it. */
	r->ipc->reply_to = self;
	st->replier = r;
	st->wait = IPC_AWAIT_REPLY;
	finish_partner(r->ipc);
	return switch_and_wait(st, r->ipc, flags);
out:
	cap_lock_drop(flags);
	return err;
}

int __attribute__((no_stack_protector)) ipc_fast_reply_recv(uint64_t slot)
{
	struct thread *self = thread_current(), *caller;
	struct ipc_state *st = self->ipc;
	unsigned long flags = cap_lock_take();
	struct endpoint *ep = NULL;
	struct cap *c;
	int err;

	caller = st->reply_to;
	if (caller && !self->stop_requested &&
	    cspace_lookup(self->proc->cs, slot, KOBJ_ENDPOINT, CAP_RIGHT_READ, &c) == 0)
		ep = (struct endpoint *)c->obj;
	/* Queued senders and kernel reports come first: the slow path. */
	if (!ep || !list_empty(&ep->senders) || !list_empty(&ep->kmsgs)) {
		/* No caller waiting: a plain receive. */
		if ((err = ipc_reply()) == -E_NOENT)
			err = 0;
		if (!err)
			err = ipc_recv(slot, 0);
		cap_lock_drop(flags);
		return err;
	}
	/* The reply, as ipc_reply gives it. */
	st->badge = 0;
	deliver_words(st, caller->ipc, 0);
	st->reply_to = NULL;
	caller->ipc->replier = NULL;
	finish_partner(caller->ipc);
	/* The receive, as ipc_recv waits for one. */
	st->done = false;
	ipc_enqueue(st, ep, &ep->receivers, IPC_RECEIVING);
	return switch_and_wait(st, caller->ipc, flags);
}
