/*
 * Sockets, Ports and the Network (docs/network.md): decode, check the
 * capabilities, copy, then call object/socket.c with no capability lock
 * held.  Listening and binding need a Port capability covering the port
 * (slot 0: none, -E_PERM); connecting and sending to an address need the
 * Network capability with WRITE (slot 0: -E_PERM).  Bytes move through a
 * kernel bounce buffer of at most SOCK_CHUNK bytes per call, so a call
 * may move fewer bytes than asked (as a stream's write may).
 */
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "mm/kmalloc.h"
#include "net/udp_table.h"
#include "object/network.h"
#include "object/ops.h"
#include "object/port.h"
#include "object/process.h"
#include "object/socket.h"
#include "proc/uaccess.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define SOCK_CHUNK	 (64 * 1024)
#define SOCK_BACKLOG_MAX 128

_Static_assert(sizeof(struct socket_info) == 40, "socket_info layout");
_Static_assert(sizeof(struct sock_addr) == 8, "sock_addr layout");

static int
sock_get(uint64_t slot, uint32_t rights, struct socket_object **s)
{
	return cap_get(slot, KOBJ_SOCKET, rights, (struct kobject **)s);
}

/* May the caller listen on or bind port for protocol? */
static int
port_check(uint64_t slot, uint64_t port, uint32_t protocol)
{
	struct kobject *obj;
	int err;

	if (slot == 0)
		return -E_PERM;
	if (port == 0 || port > 65535)
		return -E_INVAL;
	err = cap_get(slot, KOBJ_PORT, CAP_RIGHTS_NONE, &obj);
	if (err)
		return err;
	if (!port_object_allows((struct port_object *)obj, (uint16_t)port, protocol))
		err = -E_PERM;
	cap_put(obj);
	return err;
}

static int
network_check(uint64_t slot)
{
	struct kobject *obj;
	int err;

	if (slot == 0)
		return -E_PERM;
	err = cap_get(slot, KOBJ_NETWORK, CAP_RIGHT_WRITE, &obj);
	if (!err)
		cap_put(obj);
	return err;
}

/* A new socket object, not yet in any slot (refs = 1). */
static int
sock_new(uint32_t kind, bool nonblock, struct socket_object **out)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	int err = socket_object_create(p, kind, nonblock, out);

	cap_lock_drop(flags);
	if (err)
		return err;
	err = socket_open(*out);
	if (err) {
		flags = cap_lock_take();
		kobject_unref(&(*out)->obj);
		cap_lock_drop(flags);
	}
	return err;
}

/* Installs s in slot (checked empty again) and drops the creator's reference. */
static int
sock_install(struct socket_object *s, uint64_t slot)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *dst;
	int err = cspace_lookup_empty(p->cs, slot, &dst);

	if (!err)
		err = cap_install(
			p->cs, slot, &s->obj,
			CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_COPY | CAP_RIGHT_GRANT, 0);
	kobject_unref(&s->obj);
	cap_lock_drop(flags);
	return err;
}

static int
slot_empty(uint64_t slot)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *dst;
	int err = cspace_lookup_empty(p->cs, slot, &dst);

	cap_lock_drop(flags);
	return err;
}

long
sys_socket_create(struct syscall_args *a)
{
	struct socket_object *s;
	int err;

	if (a->a[0] != SOCK_TCP && a->a[0] != SOCK_UDP)
		return -E_INVAL;
	if (a->a[1] & ~(uint64_t)SOCK_NONBLOCK)
		return -E_INVAL;
	if ((err = slot_empty(a->a[2])))
		return err;
	if ((err = sock_new((uint32_t)a->a[0], a->a[1] & SOCK_NONBLOCK, &s)))
		return err;
	return sock_install(s, a->a[2]);
}

long
sys_socket_listen(struct syscall_args *a)
{
	struct socket_object *s;
	int err;

	if (a->a[3] == 0 || a->a[3] > SOCK_BACKLOG_MAX)
		return -E_INVAL;
	if ((err = sock_get(a->a[0], CAP_RIGHT_WRITE, &s)))
		return err;
	err = s->kind == SOCK_TCP ? port_check(a->a[1], a->a[2], PORT_TCP) : -E_TYPE;
	if (!err)
		err = socket_listen(s, (uint16_t)a->a[2], (unsigned)a->a[3]);
	cap_put(&s->obj);
	return err;
}

long
sys_socket_accept(struct syscall_args *a)
{
	struct socket_object *s, *child;
	int err;

	if (a->a[2] & ~(uint64_t)SOCK_NONBLOCK)
		return -E_INVAL;
	if ((err = sock_get(a->a[0], CAP_RIGHT_READ, &s)))
		return err;
	if (s->kind != SOCK_TCP)
		err = -E_TYPE;
	if (!err)
		err = slot_empty(a->a[1]);
	/* The accepted connection's socket, made first: accepting cannot
	 * then fail for memory with the connection in hand. */
	if (!err) {
		unsigned long flags = cap_lock_take();

		err = socket_object_create(process_current(), SOCK_TCP, s->nonblock, &child);
		cap_lock_drop(flags);
	}
	if (!err) {
		err = socket_accept(s, child, a->a[2] & SOCK_NONBLOCK);
		if (!err) {
			err = sock_install(child, a->a[1]);
		} else {
			unsigned long flags = cap_lock_take();

			kobject_unref(&child->obj);
			cap_lock_drop(flags);
		}
	}
	cap_put(&s->obj);
	return err;
}

long
sys_socket_connect(struct syscall_args *a)
{
	struct socket_object *s;
	int err;

	if ((err = sock_get(a->a[0], CAP_RIGHT_WRITE, &s)))
		return err;
	if ((err = network_check(a->a[1])) == 0) {
		if (a->a[2] > UINT32_MAX || a->a[3] == 0 || a->a[3] > 65535)
			err = -E_INVAL;
		else
			err = socket_connect(s, (uint32_t)a->a[2], (uint16_t)a->a[3]);
	}
	cap_put(&s->obj);
	return err;
}

/* send and sendto: at most SOCK_CHUNK bytes through a bounce buffer. */
static long
send_common(struct syscall_args *a, bool to)
{
	uintptr_t ubuf = to ? a->a[2] : a->a[1];
	size_t len = to ? a->a[3] : a->a[2];
	struct socket_object *s;
	void *kbuf = NULL;
	long err;

	if (!to && (a->a[3] & ~(uint64_t)SOCK_NONBLOCK))
		return -E_INVAL;
	if ((err = sock_get(a->a[0], CAP_RIGHT_WRITE, &s)))
		return err;
	if (to && (err = network_check(a->a[1])))
		goto out;
	if (to && (a->a[4] > UINT32_MAX || a->a[5] == 0 || a->a[5] > 65535)) {
		err = -E_INVAL;
		goto out;
	}
	if (to && len > UDP_DATA_MAX) {
		err = -E_RANGE;
		goto out;
	}
	if (!user_range_ok(ubuf, len)) {
		err = -E_FAULT;
		goto out;
	}
	if (len > SOCK_CHUNK)
		len = SOCK_CHUNK;
	if (len && !(kbuf = kmalloc(len))) {
		err = -E_NOMEM;
		goto out;
	}
	if (len && (err = copy_from_user(kbuf, ubuf, len)))
		goto out;
	if (to)
		err = socket_sendto(s, (uint32_t)a->a[4], (uint16_t)a->a[5], kbuf, len);
	else
		err = socket_send(s, kbuf, len, a->a[3] & SOCK_NONBLOCK);
out:
	kfree(kbuf);
	cap_put(&s->obj);
	return err;
}

long
sys_socket_send(struct syscall_args *a)
{
	return send_common(a, false);
}

long
sys_socket_sendto(struct syscall_args *a)
{
	return send_common(a, true);
}

/* recv and recvfrom: the datagram or bytes, then the source. */
static long
recv_common(struct syscall_args *a, bool from)
{
	uint64_t flags = from ? a->a[4] : a->a[3];
	uintptr_t ubuf = a->a[1];
	size_t len = a->a[2];
	struct socket_object *s;
	struct udp_meta meta;
	void *kbuf = NULL;
	long n;

	if (flags & ~(uint64_t)SOCK_NONBLOCK)
		return -E_INVAL;
	if ((n = sock_get(a->a[0], CAP_RIGHT_READ, &s)))
		return n;
	if (!user_range_ok(ubuf, len) ||
	    (from && a->a[3] && !user_range_ok(a->a[3], sizeof(struct sock_addr)))) {
		n = -E_FAULT;
		goto out;
	}
	if (len > SOCK_CHUNK)
		len = SOCK_CHUNK;
	if (len && !(kbuf = kmalloc(len))) {
		n = -E_NOMEM;
		goto out;
	}
	if (from)
		n = socket_recvfrom(s, kbuf, len, &meta, flags & SOCK_NONBLOCK);
	else
		n = socket_recv(s, kbuf, len, flags & SOCK_NONBLOCK);
	if (n > 0 && copy_to_user(ubuf, kbuf, (size_t)n < len ? (size_t)n : len))
		n = -E_FAULT;
	if (n >= 0 && from && a->a[3]) {
		struct sock_addr sa = { meta.src, meta.src_port, 0 };

		if (copy_to_user(a->a[3], &sa, sizeof(sa)))
			n = -E_FAULT;
	}
out:
	kfree(kbuf);
	cap_put(&s->obj);
	return n;
}

long
sys_socket_recv(struct syscall_args *a)
{
	return recv_common(a, false);
}

long
sys_socket_recvfrom(struct syscall_args *a)
{
	return recv_common(a, true);
}

long
sys_socket_shutdown(struct syscall_args *a)
{
	struct socket_object *s;
	int err = sock_get(a->a[0], CAP_RIGHT_WRITE, &s);

	if (err)
		return err;
	err = socket_shutdown(s);
	cap_put(&s->obj);
	return err;
}

/*
 * Deletes the capability; the last one closes the socket (gracefully).
 * The close itself is the network thread's work (the object's destroy
 * cannot sleep); it is run here at once, so that a port is free again
 * when this returns.
 */
long
sys_socket_close(struct syscall_args *a)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_SOCKET, CAP_RIGHTS_NONE, &c);

	if (!err)
		err = cap_delete(p->cs, a->a[0]);
	cap_lock_drop(flags);
	if (!err)
		net_run_deferred();
	return err;
}

long
sys_socket_bind(struct syscall_args *a)
{
	struct socket_object *s;
	int err;

	if ((err = sock_get(a->a[0], CAP_RIGHT_WRITE, &s)))
		return err;
	err = s->kind == SOCK_UDP ? port_check(a->a[1], a->a[2], PORT_UDP) : -E_TYPE;
	if (!err)
		err = socket_bind(s, (uint16_t)a->a[2]);
	cap_put(&s->obj);
	return err;
}

long
sys_socket_setopt(struct syscall_args *a)
{
	struct socket_object *s;
	int err;

	if (a->a[1] > UINT32_MAX)
		return -E_INVAL;
	if ((err = sock_get(a->a[0], CAP_RIGHT_WRITE, &s)))
		return err;
	err = socket_setopt(s, (uint32_t)a->a[1], a->a[2]);
	cap_put(&s->obj);
	return err;
}

long
sys_socket_info(struct syscall_args *a)
{
	struct socket_object *s;
	struct socket_info info;
	int err = sock_get(a->a[0], CAP_RIGHT_READ, &s);

	if (err)
		return err;
	socket_info(s, &info);
	cap_put(&s->obj);
	return copy_to_user(a->a[1], &info, sizeof(info));
}

/* A Port capability for [first, first + count) from the Network (WRITE). */
long
sys_port_create(struct syscall_args *a)
{
	struct process *p = process_current();
	struct port_object *port;
	struct cap *dst;
	unsigned long flags;
	int err = network_check(a->a[0]);

	if (err)
		return err;
	if (a->a[1] > 65535 || a->a[2] > 65536 || a->a[3] > UINT32_MAX)
		return -E_INVAL;
	flags = cap_lock_take();
	err = cspace_lookup_empty(p->cs, a->a[4], &dst);
	if (!err)
		err = port_object_create(p, (uint32_t)a->a[1], (uint32_t)a->a[2], (uint32_t)a->a[3],
					 &port);
	if (!err) {
		err = cap_install(p->cs, a->a[4], &port->obj, CAP_RIGHTS_ALL, 0);
		kobject_unref(&port->obj);
	}
	cap_lock_drop(flags);
	return err;
}
