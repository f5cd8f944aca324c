/* Socket objects (socket.h). */
#include "object/socket.h"

#include "cap/lock.h"
#include "lib/string.h"
#include "net/netif.h"
#include "net/tcp_internal.h"
#include "net/udp_table.h"
#include "object/memory.h"
#include "object/process.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define SOCK_SIGNALS (SIGNAL_READABLE | SIGNAL_WRITABLE | SIGNAL_PEER_CLOSED | SIGNAL_ERROR)

/* ---- signals and waiting ---- */

/* The signals s's state asserts.  TCP: net_lock held. */
static uint32_t
sock_signals(struct socket_object *s)
{
	struct tcp_conn *c = s->conn;
	uint32_t sig = 0;

	if (s->kind == SOCK_UDP) {
		if (!s->ep)
			return 0;
		sig = SIGNAL_WRITABLE;
		if (udp_queued(s->ep))
			sig |= SIGNAL_READABLE;
		if (__atomic_load_n(&s->ep->error, __ATOMIC_RELAXED))
			sig |= SIGNAL_READABLE | SIGNAL_ERROR;
		return sig;
	}
	if (!c)
		return 0;
	if (c->state == TCP_LISTEN)
		return c->accept_head ? SIGNAL_READABLE : 0;
	if (c->error)
		sig |= SIGNAL_ERROR | SIGNAL_READABLE | SIGNAL_WRITABLE | SIGNAL_PEER_CLOSED;
	if (tcp_readable(c) || c->fin_rcvd)
		sig |= SIGNAL_READABLE;
	if (c->fin_rcvd)
		sig |= SIGNAL_PEER_CLOSED;
	if (s->connected && c->state == TCP_CLOSED)
		sig |= SIGNAL_READABLE | SIGNAL_PEER_CLOSED;
	if ((c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) && tcp_writable(c))
		sig |= SIGNAL_WRITABLE;
	return sig;
}

/*
 * Brings the readiness state up to date; fire: signals asserted again
 * by an event (a second packet before the read), so that their
 * bindings fire even when the signal was up already.  The state is
 * read under the capability lock, so that of two refreshes racing the
 * later one wins with what is true now.
 */
static void
sock_refresh(struct socket_object *s, uint32_t fire)
{
	unsigned long flags = cap_lock_take();
	uint32_t now = s->closed ? 0 : sock_signals(s);
	uint32_t old = s->readiness.signals;

	readiness_update(&s->readiness, old & ~now, now & (~old | fire));
	cap_lock_drop(flags);
}

static void
sock_wake(struct socket_object *s)
{
	unsigned long flags = spin_lock_irqsave(&s->wait_lock);

	s->seq++;
	wait_queue_wake_all(&s->waiters);
	spin_unlock_irqrestore(&s->wait_lock, flags);
}

static uint64_t
sock_seq(struct socket_object *s)
{
	return __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
}

/* Sleeps until s changes after seq: 0, -E_DEAD (killed), -E_REVOKED. */
static int
sock_wait(struct socket_object *s, uint64_t seq)
{
	unsigned long flags = spin_lock_irqsave(&s->wait_lock);
	int err = 0;

	while (s->seq == seq && !s->closed) {
		if (thread_should_stop()) {
			err = -E_DEAD;
			break;
		}
		wait_queue_wait(&s->waiters, &s->wait_lock, 0);
	}
	if (!err && s->closed)
		err = -E_REVOKED;
	spin_unlock_irqrestore(&s->wait_lock, flags);
	if (!err && thread_should_stop())
		err = -E_DEAD;
	return err;
}

/* The engine's events (net_lock held, in any thread that called it). */
static void
sock_tcp_event(struct net_tcp_owner *o, struct tcp_conn *c, unsigned events)
{
	struct socket_object *s = container_of(o, struct socket_object, owner);
	uint32_t fire = 0;

	if (c != s->conn)
		return;
	if (events & (TCP_EV_READABLE | TCP_EV_ACCEPT))
		fire |= SIGNAL_READABLE;
	if (events & (TCP_EV_WRITABLE | TCP_EV_ESTABLISHED))
		fire |= SIGNAL_WRITABLE;
	if (events & TCP_EV_CLOSED)
		fire |= SOCK_SIGNALS;
	sock_refresh(s, fire);
	sock_wake(s);
}

/* A datagram or an ICMP error for a UDP socket (network thread). */
static void
sock_udp_notify(void *ctx)
{
	struct socket_object *s = ctx;

	sock_refresh(s, SIGNAL_READABLE);
	sock_wake(s);
}

/*
 * Runs try until it does not answer -E_AGAIN, sleeping between tries
 * unless nonblock.  TCP tries run under net_lock, and the readiness
 * state is refreshed after each.
 */
static long
sock_block(struct socket_object *s, bool nonblock, long (*try)(struct socket_object *, void *),
	   void *arg)
{
	for (;;) {
		bool tcp = s->kind == SOCK_TCP;
		uint64_t seq;
		long r;

		if (tcp)
			mutex_lock(&net_lock);
		seq = sock_seq(s);
		r = try(s, arg);
		sock_refresh(s, 0);
		if (tcp) {
			net_tcp_kick();
			mutex_unlock(&net_lock);
		}
		if (r != -E_AGAIN || nonblock || s->nonblock)
			return r;
		r = sock_wait(s, seq);
		if (r)
			return r;
	}
}

/* ---- the object ---- */

static void
sock_last_cap(struct kobject *obj)
{
	struct socket_object *s = (struct socket_object *)obj;
	unsigned long flags = spin_lock_irqsave(&s->wait_lock);

	s->closed = true;
	wait_queue_wake_all(&s->waiters);
	spin_unlock_irqrestore(&s->wait_lock, flags);
}

/* The network thread, net_lock held: close and free. */
static void
sock_close_work(struct net_work *w)
{
	struct socket_object *s = container_of(w, struct socket_object, close_work);
	unsigned long flags;

	if (s->conn) {
		s->conn->owner = NULL; /* it may outlive us: no more events */
		tcp_close(s->conn, net_tcp_now());
	}
	if (s->ep)
		udp_close_locked(s->ep);
	flags = cap_lock_take();
	kobject_unref(&s->owner.pool->obj);
	process_object_free(s->proc, s);
	cap_lock_drop(flags);
}

static void
sock_destroy(struct kobject *obj)
{
	struct socket_object *s = (struct socket_object *)obj;

	s->close_work.fn = sock_close_work;
	net_defer(&s->close_work);
}

static struct readiness *
sock_readiness(struct kobject *obj)
{
	return &((struct socket_object *)obj)->readiness;
}

static int
sock_info(struct kobject *obj, struct object_info *info)
{
	struct socket_object *s = (struct socket_object *)obj;
	struct socket_info si;

	socket_info(s, &si);
	info->id = si.local_port;
	info->size = si.readable;
	return 0;
}

static const struct kobject_ops socket_ops = {
	.name = "socket",
	.last_cap = sock_last_cap,
	.destroy = sock_destroy,
	.info = sock_info,
	.readiness = sock_readiness,
};

int
socket_object_create(struct process *owner, uint32_t kind, bool nonblock,
		     struct socket_object **out)
{
	struct socket_object *s;

	if (kind != SOCK_TCP && kind != SOCK_UDP)
		return -E_INVAL;
	s = process_object_new(owner, sizeof(*s), KOBJ_SOCKET, &socket_ops);
	if (!s)
		return -E_NOMEM;
	readiness_init(&s->readiness, SOCK_SIGNALS);
	s->proc = owner;
	s->kind = kind;
	s->nonblock = nonblock;
	s->owner.pool = owner->pool;
	kobject_ref(&owner->pool->obj);
	s->owner.event = sock_tcp_event;
	s->wait_lock = (struct spinlock)SPINLOCK_INIT("socket");
	wait_queue_init(&s->waiters);
	*out = s;
	return 0;
}

int
socket_open(struct socket_object *s)
{
	if (s->kind != SOCK_TCP)
		return 0;
	mutex_lock(&net_lock);
	s->conn = tcp_open(&net_tcp, &s->owner);
	mutex_unlock(&net_lock);
	return s->conn ? 0 : -E_NOMEM;
}

/* ---- TCP ---- */

struct listen_args {
	uint16_t port;
	unsigned backlog;
};

static long
try_listen(struct socket_object *s, void *arg)
{
	struct listen_args *a = arg;

	return tcp_listen(s->conn, 0, a->port, a->backlog);
}

int
socket_listen(struct socket_object *s, uint16_t port, unsigned backlog)
{
	struct listen_args a = { port, backlog };

	if (s->kind != SOCK_TCP)
		return -E_TYPE;
	if (port == 0 || backlog == 0)
		return -E_INVAL;
	return (int)sock_block(s, true, try_listen, &a);
}

static long
try_accept(struct socket_object *s, void *arg)
{
	struct socket_object *child = arg;
	struct tcp_conn *c;
	int err;

	c = tcp_accept(s->conn, &err);
	if (!c)
		return err;
	c->owner = &child->owner;
	child->conn = c;
	child->connected = true;
	sock_refresh(child, 0);
	return 0;
}

int
socket_accept(struct socket_object *s, struct socket_object *child, bool nonblock)
{
	if (s->kind != SOCK_TCP)
		return -E_TYPE;
	return (int)sock_block(s, nonblock, try_accept, child);
}

struct connect_args {
	uint32_t addr;
	uint16_t port;
	bool started;
};

/* The first try sends the SYN; the next ones wait for the handshake. */
static long
try_connect(struct socket_object *s, void *arg)
{
	struct connect_args *a = arg;
	struct tcp_conn *c = s->conn;
	uint32_t src;
	int err;

	if (!a->started) {
		if (net_source_addr(a->addr, &src) != 0)
			return -E_NOENT;
		/* On the loopback (MTU 16384) a larger MSS pays. */
		if (net_is_local(a->addr))
			tcp_setopt(c, TCP_SO_MSS, TCP_MAX_MSS);
		err = tcp_connect(c, src, 0, a->addr, a->port, net_tcp_now());
		if (err)
			return err;
		a->started = true;
		s->connected = true;
	}
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
		return -E_AGAIN;
	if (c->state == TCP_CLOSED)
		return c->error ? -c->error : -E_CONNREFUSED;
	return 0;
}

int
socket_connect(struct socket_object *s, uint32_t addr, uint16_t port)
{
	struct connect_args a = { addr, port, false };
	long r;

	if (s->kind != SOCK_TCP)
		return -E_TYPE;
	if (!addr || !port)
		return -E_INVAL;
	r = sock_block(s, false, try_connect, &a);
	/* Non-blocking: the SYN is out; WRITABLE or ERROR will tell. */
	if (r == -E_AGAIN && a.started)
		return 0;
	return (int)r;
}

struct io_args {
	void *buf;
	size_t len;
};

static long
try_send(struct socket_object *s, void *arg)
{
	struct io_args *a = arg;

	return tcp_send(s->conn, a->buf, a->len, net_tcp_now());
}

static long
try_recv(struct socket_object *s, void *arg)
{
	struct io_args *a = arg;

	return tcp_recv(s->conn, a->buf, a->len, net_tcp_now());
}

long
socket_send(struct socket_object *s, const void *buf, size_t len, bool nonblock)
{
	struct io_args a = { (void *)buf, len };

	if (s->kind != SOCK_TCP)
		return -E_TYPE;
	return sock_block(s, nonblock, try_send, &a);
}

long
socket_recv(struct socket_object *s, void *buf, size_t len, bool nonblock)
{
	struct io_args a = { buf, len };

	if (s->kind != SOCK_TCP)
		return -E_TYPE;
	return sock_block(s, nonblock, try_recv, &a);
}

static long
try_shutdown(struct socket_object *s, void *arg)
{
	(void)arg;
	return tcp_shutdown(s->conn, net_tcp_now());
}

int
socket_shutdown(struct socket_object *s)
{
	if (s->kind != SOCK_TCP)
		return -E_TYPE;
	return (int)sock_block(s, true, try_shutdown, NULL);
}

struct opt_args {
	uint32_t opt;
	uint64_t value;
};

static long
try_setopt(struct socket_object *s, void *arg)
{
	static const enum tcp_sockopt map[] = {
		[SOCKOPT_NODELAY] = TCP_SO_NODELAY,   [SOCKOPT_KEEPALIVE] = TCP_SO_KEEPALIVE,
		[SOCKOPT_SNDBUF] = TCP_SO_SNDBUF,     [SOCKOPT_RCVBUF] = TCP_SO_RCVBUF,
		[SOCKOPT_KEEPIDLE] = TCP_SO_KEEPIDLE,
	};
	struct opt_args *a = arg;

	if (a->opt == SOCKOPT_REUSEADDR) {
		s->reuseaddr = a->value != 0;
		return 0;
	}
	if (a->opt == SOCKOPT_NONBLOCK) {
		s->nonblock = a->value != 0;
		return 0;
	}
	if (s->kind != SOCK_TCP || a->opt == 0 || a->opt >= sizeof(map) / sizeof(map[0]) ||
	    a->opt == SOCKOPT_REUSEADDR || a->opt == SOCKOPT_NONBLOCK)
		return -E_INVAL;
	return tcp_setopt(s->conn, map[a->opt], a->value);
}

int
socket_setopt(struct socket_object *s, uint32_t opt, uint64_t value)
{
	struct opt_args a = { opt, value };

	return (int)sock_block(s, true, try_setopt, &a);
}

void
socket_info(struct socket_object *s, struct socket_info *info)
{
	memset(info, 0, sizeof(*info));
	info->kind = s->kind;
	mutex_lock(&net_lock);
	if (s->conn) {
		struct tcp_conn *c = s->conn;

		info->state = c->state;
		info->local_addr = c->local_addr;
		info->remote_addr = c->remote_addr;
		info->local_port = c->local_port;
		info->remote_port = c->remote_port;
		info->error = c->error ? -c->error : 0;
		info->readable = tcp_readable(c);
		info->writable = tcp_writable(c);
	} else if (s->ep) {
		info->state = 1;
		info->local_port = s->ep->port;
		info->readable = udp_queued(s->ep);
		info->writable = UDP_DATA_MAX;
	}
	mutex_unlock(&net_lock);
}

/* ---- UDP ---- */

int
socket_bind(struct socket_object *s, uint16_t port)
{
	struct udp_endpoint *ep;
	int err;

	if (s->kind != SOCK_UDP)
		return -E_TYPE;
	if (s->ep)
		return -E_ISCONN;
	err = udp_bind(port, s->owner.pool, &ep);
	if (err == -E_BUSY)
		return -E_ADDRINUSE;
	if (err)
		return err;
	mutex_lock(&net_lock);
	if (s->ep) {
		mutex_unlock(&net_lock);
		udp_close(ep);
		return -E_ISCONN;
	}
	ep->notify_ctx = s;
	ep->notify = sock_udp_notify;
	s->ep = ep;
	mutex_unlock(&net_lock);
	sock_refresh(s, 0);
	return 0;
}

long
socket_sendto(struct socket_object *s, uint32_t addr, uint16_t port, const void *buf, size_t len)
{
	int err;

	if (s->kind != SOCK_UDP)
		return -E_TYPE;
	if (!addr || !port)
		return -E_INVAL;
	if (!s->ep && (err = socket_bind(s, 0)) != 0 && err != -E_ISCONN)
		return err;
	err = udp_sendto(s->ep, addr, port, buf, len);
	return err ? err : (long)len;
}

struct from_args {
	void *buf;
	size_t len;
	struct udp_meta *from;
};

static long
try_recvfrom(struct socket_object *s, void *arg)
{
	struct from_args *a = arg;
	int e = udp_take_error(s->ep);

	/* An ICMP error about what we sent: port or host unreachable. */
	if (e)
		return (e & 0xff) == 3 ? -E_CONNREFUSED : -E_NOENT;
	return udp_recvfrom(s->ep, a->buf, a->len, a->from, 0);
}

long
socket_recvfrom(struct socket_object *s, void *buf, size_t len, struct udp_meta *from,
		bool nonblock)
{
	struct from_args a = { buf, len, from };

	if (s->kind != SOCK_UDP)
		return -E_TYPE;
	if (!s->ep)
		return -E_NOTCONN;
	return sock_block(s, nonblock, try_recvfrom, &a);
}
