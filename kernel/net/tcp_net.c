/*
 * TCP in the stack (tcp_net.h): the engine's callbacks and its place in
 * the receive path.  Segments leave through ip_output; the ISN and
 * cookie keys come from the kernel's random source; memory is charged
 * to the owner's pool in whole pages (as every kernel object is), with a
 * small header that remembers the pool.
 */
#include "net/tcp_net.h"

#include "cap/lock.h"
#include "core/random.h"
#include "core/time.h"
#include "mm/kmalloc.h"
#include "net/checksum.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "net/netif.h"
#include "net/tcp_internal.h"
#include "object/memory.h"
#include "themelios/errno.h"

#define CHARGE_PAGE 4096u

struct tcp_stack net_tcp;
static uint64_t armed = UINT64_MAX; /* when the network thread will run the timers */

/* In front of every allocation the engine makes. */
struct charge {
	struct mempool *pool; /* referenced */
	uint64_t pages;
};

uint64_t
net_tcp_now(void)
{
	return time_now_ns();
}

static void
tcp_net_output(void *ctx, uint32_t src, uint32_t dst, const void *seg, size_t len)
{
	(void)ctx;
	ip_output(src, dst, IPV4_PROTO_TCP, seg, len);
}

static void
tcp_net_event(void *ctx, struct tcp_conn *c, unsigned events)
{
	struct net_tcp_owner *o = tcp_owner(c);

	(void)ctx;
	if (o && o->event)
		o->event(o, c, events);
}

static void *
tcp_net_alloc(void *owner, size_t size)
{
	struct net_tcp_owner *o = owner;
	struct charge *h;
	uint64_t pages = (size + sizeof(*h) + CHARGE_PAGE - 1) / CHARGE_PAGE;
	unsigned long flags;

	if (!o || !o->pool || mempool_charge(o->pool, pages))
		return NULL;
	h = kmalloc(sizeof(*h) + size);
	if (!h) {
		mempool_uncharge(o->pool, pages);
		return NULL;
	}
	h->pool = o->pool;
	h->pages = pages;
	flags = cap_lock_take();
	kobject_ref(&h->pool->obj);
	cap_lock_drop(flags);
	return h + 1;
}

static void
tcp_net_free(void *owner, void *p, size_t size)
{
	struct charge *h = (struct charge *)p - 1;
	unsigned long flags;

	(void)owner;
	(void)size;
	mempool_uncharge(h->pool, h->pages);
	flags = cap_lock_take();
	kobject_unref(&h->pool->obj);
	cap_lock_drop(flags);
	kfree(h);
}

static const struct tcp_ops tcp_net_ops = {
	.output = tcp_net_output,
	.event = tcp_net_event,
	.alloc = tcp_net_alloc,
	.free = tcp_net_free,
};

/* A segment for us: its checksum is counted here (the engine drops a
 * bad one too, but cannot tell the interface). */
static int
tcp_net_input(struct netif *nif, const struct ipv4_header *ip)
{
	struct inet_csum c;

	if (ip->payload_len < 20)
		return -E_CORRUPT;
	inet_csum_init(&c);
	inet_csum_add_pseudo(&c, ip->src, ip->dst, IPV4_PROTO_TCP, (uint16_t)ip->payload_len);
	inet_csum_add(&c, ip->payload, ip->payload_len);
	if (inet_csum_result(&c) != 0) {
		nif->stats.csum_errors++;
		return -E_CORRUPT;
	}
	/* Broadcasts are no connection's (RFC 1122 4.2.3.10). */
	if (netif_is_broadcast(nif, ip->dst))
		return -E_CORRUPT;
	return tcp_input(&net_tcp, ip->src, ip->dst, ip->payload, ip->payload_len, net_tcp_now());
}

/*
 * ICMP errors about our segments.  The engine has no entry for them
 * (RFC 5461 treats them as soft errors anyway); they are counted, and
 * a connection still in SYN_SENT whose peer is reported unreachable
 * ends with E_CONNREFUSED rather than waiting out its retries.
 */
static void
tcp_net_error(const struct net_icmp_error *err)
{
	const uint8_t *q = err->quoted;
	struct tcp_conn *c;

	if (err->type != 3 || err->quoted_len < 8)
		return;
	c = tcp_table_lookup(&net_tcp, err->src, (uint16_t)(q[0] << 8 | q[1]), err->dst,
			     (uint16_t)(q[2] << 8 | q[3]));
	if (c && c->state == TCP_SYN_SENT && (err->code == 1 || err->code == 3))
		tcp_conn_drop(c, E_CONNREFUSED);
}

static const struct net_protocol tcp_protocol = {
	.input = tcp_net_input,
	.error = tcp_net_error,
};

void
net_tcp_init(void)
{
	uint8_t key[32];

	random_fill(key, sizeof(key));
	tcp_stack_init(&net_tcp, &tcp_net_ops, NULL, key);
	random_state_wipe(key, sizeof(key));
	net_protocol_register(IPV4_PROTO_TCP, &tcp_protocol);
}

uint64_t
net_tcp_timers(uint64_t now)
{
	if (tcp_next_deadline(&net_tcp) <= now)
		tcp_timer_run(&net_tcp, now);
	tcp_reap(&net_tcp);
	armed = tcp_next_deadline(&net_tcp);
	return armed;
}

void
net_tcp_kick(void)
{
	uint64_t next = tcp_next_deadline(&net_tcp);

	tcp_reap(&net_tcp);
	if (next < armed) {
		armed = next;
		net_wake();
	}
}

int
net_source_addr(uint32_t dst, uint32_t *src)
{
	struct route r;
	const struct netif *nif;

	if (net_is_local(dst)) {
		*src = dst;
		return 0;
	}
	if (route_lookup(&net_routes, dst, &r) != 0)
		return -E_NOENT;
	nif = r.netif;
	if (!nif->ip)
		return -E_NOENT;
	*src = nif->ip;
	return 0;
}

void
net_tcp_drop_orphans(void)
{
	uint64_t now = net_tcp_now();

	for (struct tcp_conn *c = net_tcp.all; c; c = c->all_next)
		if (c->user_closed && c->state != TCP_CLOSED) {
			if (c->state != TCP_TIME_WAIT)
				tcp_send_rst(c, now, TCP_RST_ORPHAN);
			tcp_conn_drop(c, 0);
		}
	net_tcp.need_reap = true;
	tcp_reap(&net_tcp);
}
