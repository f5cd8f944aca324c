/*
 * IPC system calls: the user's struct ipc_msg is checked and copied into
 * the thread's kernel buffer before the operation and out after it, so
 * the rendezvous itself (ipc/ipc.c) never touches user memory.
 */
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "core/time.h"
#include "ipc/ipc.h"
#include "object/notification.h"
#include "lib/string.h"
#include "object/address_space.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/mutex.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define MSG_HEADER offsetof(struct ipc_msg, data)

/* The user's message into the thread's buffer: -E_FAULT, -E_RANGE. */
static int
msg_in(uint64_t umsg, struct ipc_state *st)
{
	struct ipc_msg hdr;
	int err = copy_from_user(&hdr, umsg, MSG_HEADER);

	if (err)
		return err;
	if (hdr.len > IPC_DATA_MAX)
		return -E_RANGE;
	st->msg.label = hdr.label;
	memcpy(st->msg.words, hdr.words, sizeof(hdr.words));
	st->msg.len = hdr.len;
	st->msg.cap_slot = hdr.cap;
	st->recv_slot = hdr.cap;
	return copy_from_user(st->msg.data, umsg + MSG_HEADER, hdr.len);
}

/* The received message out to the user. */
static int
msg_out(uint64_t umsg, const struct ipc_state *st)
{
	struct ipc_msg hdr;
	int err;

	memset(&hdr, 0, MSG_HEADER);
	hdr.label = st->msg.label;
	memcpy(hdr.words, st->msg.words, sizeof(hdr.words));
	hdr.len = st->msg.len;
	hdr.flags = st->msg.flags;
	hdr.cap = st->msg.cap_slot;
	hdr.badge = st->msg.badge;
	err = copy_to_user(umsg, &hdr, MSG_HEADER);
	if (!err)
		err = copy_to_user(umsg + MSG_HEADER, st->msg.data, st->msg.len);
	return err;
}

/*
 * For the operations that receive: the whole message must be writable
 * before anything happens, and stay so until it is copied out, so a bad
 * pointer fails the call instead of losing a message already taken from
 * its sender.  Under the address space's lock the buffer is pinned (unmap
 * and protect then refuse it, -E_BUSY) and probed: read one byte of each
 * page and write it back.  msg_unpin after the copy, on every path.
 */
static int
probe_byte(uint64_t at)
{
	uint8_t b;
	int err = copy_from_user(&b, at, 1);

	return err ? err : copy_to_user(at, &b, 1);
}

static int
msg_pin(uint64_t umsg, struct ipc_state *st)
{
	struct process *p = process_current();
	int err;

	if (!user_range_ok(umsg, sizeof(struct ipc_msg)))
		return -E_FAULT;
	mutex_lock(&p->as->lock);
	__atomic_store_n(&st->pinned_buf, umsg, __ATOMIC_RELAXED);
	/* The message spans at most two pages: one byte of each will do. */
	err = probe_byte(umsg);
	if (!err)
		err = probe_byte(umsg + sizeof(struct ipc_msg) - 1);
	if (err)
		__atomic_store_n(&st->pinned_buf, 0, __ATOMIC_RELAXED);
	mutex_unlock(&p->as->lock);
	return err;
}

static void
msg_unpin(struct ipc_state *st)
{
	__atomic_store_n(&st->pinned_buf, 0, __ATOMIC_RELAXED);
}

static long
flags_ok(uint64_t f)
{
	return (f & ~(uint64_t)IPC_NONBLOCK) ? -E_INVAL : 0;
}

/* A new object from make(), installed in the caller's empty slot dst. */
static long
install_new(uint64_t dst, int (*make)(struct process *owner, struct kobject **out))
{
	struct process *p = process_current();
	struct kobject *obj;
	struct cap *slot;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup_empty(p->cs, dst, &slot);

	if (!err)
		err = make(p, &obj);
	if (!err) {
		err = cap_install(p->cs, dst, obj, CAP_RIGHTS_ALL, 0);
		kobject_unref(obj); /* the capability holds it now */
	}
	cap_lock_drop(flags);
	return err;
}

static int
make_endpoint(struct process *owner, struct kobject **out)
{
	struct endpoint *ep;
	int err = endpoint_create(owner, &ep);

	*out = err ? NULL : &ep->obj;
	return err;
}

static int
make_notification(struct process *owner, struct kobject **out)
{
	struct notification *n;
	int err = notification_create(owner, &n);

	*out = err ? NULL : &n->obj;
	return err;
}

long
sys_endpoint_create(struct syscall_args *a)
{
	return install_new(a->a[0], make_endpoint);
}

long
sys_notification_create(struct syscall_args *a)
{
	return install_new(a->a[0], make_notification);
}

static long
send_common(struct syscall_args *a, bool call)
{
	struct ipc_state *st = thread_current()->ipc;
	unsigned long flags;
	long err;

	if ((err = flags_ok(a->a[2])))
		return err;
	if (call && (err = msg_pin(a->a[1], st)))
		return err;
	err = msg_in(a->a[1], st);
	if (!err) {
		if (!call)
			st->recv_slot = 0;
		flags = cap_lock_take();
		err = ipc_send(a->a[0], (unsigned int)a->a[2], call);
		cap_lock_drop(flags);
	}
	if (!err && call)
		err = msg_out(a->a[1], st);
	msg_unpin(st);
	return err;
}

long
sys_send(struct syscall_args *a)
{
	return send_common(a, false);
}

long
sys_call(struct syscall_args *a)
{
	return send_common(a, true);
}

static long
recv_common(uint64_t slot, uint64_t umsg, uint64_t f, bool reply_first)
{
	struct ipc_state *st = thread_current()->ipc;
	unsigned long flags;
	long err;

	if ((err = flags_ok(f)))
		return err;
	if ((err = msg_pin(umsg, st)))
		return err;
	if (reply_first) {
		/* msg.cap is the receive slot: this reply carries no capability
		 * (sys_reply can send one). */
		err = msg_in(umsg, st);
		st->msg.cap_slot = 0;
	} else {
		uint64_t cap = 0;

		err = copy_from_user(&cap, umsg + offsetof(struct ipc_msg, cap), sizeof(cap));
		st->recv_slot = cap;
	}
	if (err) {
		msg_unpin(st);
		return err;
	}
	flags = cap_lock_take();
	if (reply_first) {
		err = ipc_reply();
		/* reply_recv without a caller waiting is a plain receive. */
		if (err == -E_NOENT)
			err = 0;
	}
	if (!err)
		err = ipc_recv(slot, (unsigned int)f);
	cap_lock_drop(flags);
	if (!err)
		err = msg_out(umsg, st);
	msg_unpin(st);
	return err;
}

long
sys_recv(struct syscall_args *a)
{
	return recv_common(a->a[0], a->a[1], a->a[2], false);
}

long
sys_reply_recv(struct syscall_args *a)
{
	return recv_common(a->a[0], a->a[1], a->a[2], true);
}

long
sys_reply(struct syscall_args *a)
{
	struct ipc_state *st = thread_current()->ipc;
	unsigned long flags;
	long err;

	if ((err = msg_in(a->a[0], st)))
		return err;
	flags = cap_lock_take();
	err = ipc_reply();
	cap_lock_drop(flags);
	return err;
}

long
sys_signal(struct syscall_args *a)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_NOTIFICATION, CAP_RIGHT_WRITE, &c);

	/* The badge says who signalled, as bits of the word. */
	if (!err)
		notification_signal((struct notification *)c->obj, a->a[1] | c->badge);
	cap_lock_drop(flags);
	return err;
}

/* wait and wait_until: the word of the notification in slot, to word_out. */
static long
wait_common(uint64_t slot, bool block, uint64_t deadline, uint64_t word_out)
{
	struct process *p = process_current();
	uint64_t word = 0;
	unsigned long flags;
	struct cap *c;
	long err;

	if (!user_range_ok(word_out, sizeof(word)))
		return -E_FAULT;
	flags = cap_lock_take();
	err = cspace_lookup(p->cs, slot, KOBJ_NOTIFICATION, CAP_RIGHT_READ, &c);
	if (!err)
		err = notification_wait((struct notification *)c->obj, block, deadline, &word);
	cap_lock_drop(flags);
	if (err)
		return err;
	return copy_to_user(word_out, &word, sizeof(word));
}

long
sys_wait(struct syscall_args *a)
{
	long err = flags_ok(a->a[1]);

	return err ? err : wait_common(a->a[0], !(a->a[1] & IPC_NONBLOCK), UINT64_MAX, a->a[2]);
}

/*
 * wait with a deadline (time_now_ns, as clock_ns reads it); with no
 * notification (slot 0) a sleep until the deadline.
 */
long
sys_wait_until(struct syscall_args *a)
{
	uint64_t deadline = a->a[1];

	if (a->a[0] == CAP_SLOT_NULL) {
		while (time_now_ns() < deadline && !thread_should_stop())
			thread_sleep_until(deadline);
		return 0;
	}
	return wait_common(a->a[0], true, deadline, a->a[2]);
}

/*
 * The register path: a label and four words in registers, no memory to
 * check or copy (docs/syscalls.md).  A message with data or a
 * capability reaches a register receiver without them.
 */
static void
words_in(struct ipc_state *st, const struct syscall_args *a)
{
	st->msg.label = a->a[1];
	for (unsigned int i = 0; i < IPC_WORDS; i++)
		st->msg.words[i] = a->a[2 + i];
	st->msg.len = 0;
	st->msg.cap_slot = 0;
	st->recv_slot = 0;
}

/* badge, label, words: into the result registers. */
static void
words_out(const struct ipc_state *st, struct syscall_args *a, bool badge)
{
	unsigned int n = 0;

	if (badge)
		a->ret[n++] = st->msg.badge;
	a->ret[n++] = st->msg.label;
	for (unsigned int i = 0; i < IPC_WORDS; i++)
		a->ret[n++] = st->msg.words[i];
	a->nret = n;
}

long
sys_call_words(struct syscall_args *a)
{
	struct ipc_state *st = thread_current()->ipc;
	long err;

	words_in(st, a);
	err = ipc_fast_call(a->a[0]);
	if (!err)
		words_out(st, a, false);
	return err;
}

long
sys_recv_words(struct syscall_args *a)
{
	struct ipc_state *st = thread_current()->ipc;
	unsigned long flags;
	long err;

	st->recv_slot = 0;
	flags = cap_lock_take();
	err = ipc_recv(a->a[0], 0);
	cap_lock_drop(flags);
	if (!err)
		words_out(st, a, true);
	return err;
}

long
sys_reply_recv_words(struct syscall_args *a)
{
	struct ipc_state *st = thread_current()->ipc;
	long err;

	words_in(st, a);
	err = ipc_fast_reply_recv(a->a[0]);
	if (!err)
		words_out(st, a, true);
	return err;
}

long
sys_reply_save(struct syscall_args *a)
{
	struct process *p = process_current();
	struct reply *r;
	struct cap *dst;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup_empty(p->cs, a->a[0], &dst);

	if (!err)
		err = ipc_reply_save(p, &r);
	if (!err) {
		/* One-shot: no COPY, so it cannot be duplicated. */
		err = cap_install(p->cs, a->a[0], &r->obj, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT, 0);
		kobject_unref(&r->obj);
	}
	cap_lock_drop(flags);
	return err;
}

long
sys_reply_with(struct syscall_args *a)
{
	struct process *p = process_current();
	struct ipc_state *st = thread_current()->ipc;
	unsigned long flags;
	struct cap *c;
	long err;

	if ((err = msg_in(a->a[1], st)))
		return err;
	flags = cap_lock_take();
	err = cspace_lookup(p->cs, a->a[0], KOBJ_REPLY, CAP_RIGHT_WRITE, &c);
	if (!err)
		err = ipc_reply_through((struct reply *)c->obj);
	/* Used (or its caller gone): the capability has served. */
	if (!err || err == -E_DEAD)
		cap_delete(p->cs, a->a[0]);
	cap_lock_drop(flags);
	return err;
}
