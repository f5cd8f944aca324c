#include "ipc/ipc.h"

#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "core/printk.h"
#include "ipc/ipc_private.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "object/process.h"
#include "sched/thread.h"
#include "themelios/errno.h"

struct kmsg_node {
	struct list_node link;
	struct kobject *hold; /* kept alive (charged) until received */
	struct ipc_kmsg msg;
};

static void
kmsg_free(struct kmsg_node *k)
{
	list_del(&k->link);
	if (k->hold)
		kobject_unref(k->hold);
	kfree(k);
}

struct ipc_state *
ipc_state_alloc(struct thread *t)
{
	struct ipc_state *st = kcalloc(1, sizeof(*st));

	if (st) {
		st->thread = t;
		list_init(&st->link);
		wait_queue_init(&st->wq);
	}
	return st;
}

/* The partner is done with t's operation: t wakes with result.  From
 * the partner itself, t runs next on the partner's time slice (the
 * partner is about to wait, or has done its part); a wake for any other
 * reason (revoke, a kernel report) takes its turn. */
static void
finish_as(struct thread *t, int result, bool handoff)
{
	struct ipc_state *st = t->ipc;

	st->result = result;
	st->done = true;
	st->wait = IPC_IDLE;
	if (handoff)
		wait_queue_wake_handoff(&st->wq);
	else
		wait_queue_wake_one(&st->wq);
}

static void
finish(struct thread *t, int result)
{
	finish_as(t, result, false);
}

static void
hand_to(struct thread *t)
{
	finish_as(t, 0, true);
}

/* Waits (capability lock held, dropped meanwhile) for finish(). */
static void
drop_held(struct ipc_state *st)
{
	struct kobject *obj = st->held;

	st->held = NULL;
	if (obj)
		kobject_unref(obj);
}

int
ipc_block(struct ipc_state *st)
{
	while (!st->done) {
		if (thread_should_stop())
			return -E_DEAD; /* killed: process_end unlinks us */
		cap_lock_wait(&st->wq);
	}
	drop_held(st);
	return st->result;
}

void
ipc_dequeue(struct ipc_state *st)
{
	list_del(&st->link);
	list_init(&st->link);
	kobject_unref(&st->ep->obj);
	st->ep = NULL;
}

void
ipc_enqueue(struct ipc_state *st, struct endpoint *ep, struct list_node *queue, enum ipc_wait w)
{
	st->ep = ep;
	st->wait = w;
	kobject_ref(&ep->obj);
	list_add_tail(queue, &st->link);
}

/* The header and the data in use, not the whole buffer. */
static void
copy_msg(struct ipc_kmsg *dst, const struct ipc_kmsg *src)
{
	memcpy(dst, src, offsetof(struct ipc_kmsg, data) + src->len);
}

/*
 * Copies the message from sender to receiver, with the sender's badge,
 * and the capability if it has one and the receiver named a slot.
 */
static void
deliver(struct thread *s, struct thread *r, bool grant)
{
	struct ipc_state *ss = s->ipc, *rs = r->ipc;
	uint64_t cap = ss->msg.cap_slot;

	copy_msg(&rs->msg, &ss->msg);
	rs->msg.badge = ss->badge;
	rs->msg.flags = 0;
	rs->msg.cap_slot = 0;
	if (!cap)
		return;
	if (grant && rs->recv_slot && cap_copy(s->proc->cs, cap, r->proc->cs, rs->recv_slot) == 0) {
		rs->msg.flags |= IPC_MSG_CAP;
		rs->msg.cap_slot = rs->recv_slot;
	} else {
		rs->msg.flags |= IPC_MSG_CAP_REFUSED;
	}
}

struct thread *
ipc_pop(struct list_node *queue)
{
	struct ipc_state *st = container_of(list_first(queue), struct ipc_state, link);

	ipc_dequeue(st);
	return st->thread;
}

int
ipc_send(uint64_t slot, unsigned int flags, bool call)
{
	struct thread *self = thread_current();
	struct cap *c;
	int err;

	err = cspace_lookup(self->proc->cs, slot, KOBJ_ENDPOINT, CAP_RIGHT_WRITE, &c);
	if (err)
		return err;
	return ipc_send_through(c, flags, call);
}

int
ipc_send_through(struct cap *c, unsigned int flags, bool call)
{
	struct thread *self = thread_current();
	struct ipc_state *st = self->ipc;
	struct endpoint *ep;

	if (st->msg.cap_slot && !(c->rights & CAP_RIGHT_GRANT))
		return -E_PERM;
	ep = (struct endpoint *)c->obj;
	st->badge = c->badge;
	st->grant = (c->rights & CAP_RIGHT_GRANT) != 0;
	st->done = false;
	if (!list_empty(&ep->receivers)) {
		struct thread *r = ipc_pop(&ep->receivers);

		deliver(self, r, st->grant);
		if (call) {
			r->ipc->reply_to = self;
			st->replier = r;
			st->wait = IPC_AWAIT_REPLY;
			hand_to(r);
			return ipc_block(st);
		}
		hand_to(r);
		return 0;
	}
	if (flags & IPC_NONBLOCK)
		return -E_AGAIN;
	ipc_enqueue(st, ep, &ep->senders, call ? IPC_CALLING : IPC_SENDING);
	return ipc_block(st);
}

/* A caller we owed a reply to will not get one: it wakes with -E_DEAD. */
static void
drop_reply(struct ipc_state *st)
{
	struct thread *c = st->reply_to;

	if (!c)
		return;
	st->reply_to = NULL;
	c->ipc->replier = NULL;
	finish(c, -E_DEAD);
}

int
ipc_recv(uint64_t slot, unsigned int flags)
{
	struct thread *self = thread_current();
	struct ipc_state *st = self->ipc;
	struct endpoint *ep;
	struct cap *c;
	int err;

	err = cspace_lookup(self->proc->cs, slot, KOBJ_ENDPOINT, CAP_RIGHT_READ, &c);
	if (err)
		return err;
	ep = (struct endpoint *)c->obj;
	drop_reply(st); /* a new receive ends the last call unanswered */
	st->done = false;
	if (!list_empty(&ep->kmsgs)) {
		struct kmsg_node *k = container_of(list_first(&ep->kmsgs), struct kmsg_node, link);

		copy_msg(&st->msg, &k->msg);
		kmsg_free(k);
		return 0;
	}
	if (!list_empty(&ep->senders)) {
		struct thread *s = ipc_pop(&ep->senders);
		struct ipc_state *ss = s->ipc;

		deliver(s, self, ss->grant);
		if (ss->wait == IPC_CALLING) {
			ss->wait = IPC_AWAIT_REPLY;
			ss->replier = self;
			st->reply_to = s;
		} else {
			hand_to(s);
		}
		return 0;
	}
	if (flags & IPC_NONBLOCK)
		return -E_AGAIN;
	ipc_enqueue(st, ep, &ep->receivers, IPC_RECEIVING);
	return ipc_block(st);
}

int
ipc_reply(void)
{
	struct thread *self = thread_current();
	struct ipc_state *st = self->ipc;
	struct thread *c = st->reply_to;

	if (!c)
		return -E_NOENT;
	/* A capability may come back when the call's endpoint capability
	 * carried GRANT, as seL4 does with the reply capability. */
	st->badge = 0;
	deliver(self, c, c->ipc->grant);
	st->reply_to = NULL;
	c->ipc->replier = NULL;
	hand_to(c);
	return 0;
}

void
endpoint_kernel_send(struct endpoint *ep, uint64_t badge, uint64_t label,
		     const uint64_t words[IPC_WORDS], const void *data, uint32_t len,
		     struct kobject *hold)
{
	struct ipc_kmsg m;
	struct kmsg_node *k;

	memset(&m, 0, sizeof(m));
	m.label = label;
	m.badge = badge;
	memcpy(m.words, words, sizeof(m.words));
	m.len = len;
	memcpy(m.data, data, len);
	if (!list_empty(&ep->receivers)) {
		struct thread *r = ipc_pop(&ep->receivers);

		r->ipc->msg = m;
		drop_held(r->ipc);
		if (hold) {
			kobject_ref(hold);
			r->ipc->held = hold;
		}
		finish(r, 0);
		return;
	}
	/* Bounded by the processes alive or held here, each charged to a
	 * pool; only the heap itself running dry loses a report. */
	if (!(k = kmalloc(sizeof(*k)))) {
		pr_warn("ipc: out of memory: report %#lx for badge %lu dropped\n", label, badge);
		return;
	}
	k->msg = m;
	k->hold = hold;
	if (hold)
		kobject_ref(hold);
	list_add_tail(&ep->kmsgs, &k->link);
}

/* Nobody can reach the endpoint any more: nobody may wait on it. */
void
ipc_endpoint_revoke(struct endpoint *ep)
{
	while (!list_empty(&ep->senders))
		finish(ipc_pop(&ep->senders), -E_REVOKED);
	while (!list_empty(&ep->receivers))
		finish(ipc_pop(&ep->receivers), -E_REVOKED);
}

void
ipc_endpoint_drop_reports(struct endpoint *ep)
{
	while (!list_empty(&ep->kmsgs))
		kmsg_free(container_of(list_first(&ep->kmsgs), struct kmsg_node, link));
}

void
ipc_reply_drop(struct reply *r)
{
	struct thread *c = r->caller;

	if (c) { /* dropped unanswered */
		r->caller = NULL;
		c->ipc->saved_reply = NULL;
		finish(c, -E_DEAD);
	}
}

int
ipc_reply_save(struct process *owner, struct reply **out)
{
	struct ipc_state *st = thread_current()->ipc;
	struct thread *c = st->reply_to;
	struct reply *r;

	if (!c)
		return -E_NOENT;
	if (reply_create(owner, c, &r))
		return -E_NOMEM;
	c->ipc->replier = NULL;
	c->ipc->saved_reply = r;
	st->reply_to = NULL;
	*out = r;
	return 0;
}

int
ipc_reply_through(struct reply *r)
{
	struct thread *self = thread_current(), *c = r->caller;

	if (!c)
		return -E_DEAD;
	self->ipc->badge = 0;
	deliver(self, c, c->ipc->grant);
	r->caller = NULL;
	c->ipc->saved_reply = NULL;
	hand_to(c);
	return 0;
}

void
ipc_thread_leave(struct thread *t)
{
	struct ipc_state *st = t->ipc;

	if (!st)
		return;
	if (st->ep) {
		ipc_dequeue(st);
		st->wait = IPC_IDLE;
	}
	drop_reply(st);
	if (st->replier) {
		st->replier->ipc->reply_to = NULL;
		st->replier = NULL;
	}
	if (st->saved_reply) {
		st->saved_reply->caller = NULL;
		st->saved_reply = NULL;
	}
}

void
ipc_thread_free(struct thread *t)
{
	if (t->ipc)
		drop_held(t->ipc);
	kfree(t->ipc);
	t->ipc = NULL;
}
