/*
 * The UDP endpoint table (udp_table.h) and UDP's place in the stack:
 * its input and ICMP error handlers are registered for protocol 17.
 * The table is an array searched by port under net_lock; each queue has
 * its own spinlock so that readers never need net_lock.
 */
#include "net/udp_table.h"

#include "core/printk.h"
#include "core/time.h"
#include "lib/byteorder.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "object/memory.h"
#include "net/ipv4.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "net/netif.h"
#include "net/udp.h"
#include "themelios/errno.h"

#define UDP_CHARGE_PAGE 4096u

struct udp_queued {
	struct udp_queued *next;
	struct udp_meta meta;
	size_t len;
	uint8_t data[];
};

static struct udp_endpoint *endpoints[UDP_ENDPOINTS_MAX];
static uint16_t next_ephemeral = UDP_EPHEMERAL_FIRST;

static struct udp_endpoint *
find(uint16_t port)
{
	for (unsigned int i = 0; i < UDP_ENDPOINTS_MAX; i++)
		if (endpoints[i] && endpoints[i]->port == port)
			return endpoints[i];
	return NULL;
}

/* net_lock held. */
static uint16_t
free_ephemeral(void)
{
	for (unsigned int tries = 0; tries < 65536 - UDP_EPHEMERAL_FIRST; tries++) {
		uint16_t p = next_ephemeral;

		next_ephemeral = p == 65535 ? UDP_EPHEMERAL_FIRST : (uint16_t)(p + 1);
		if (!find(p))
			return p;
	}
	return 0;
}

/* ep->lock held: charges ep->pool for mem bytes queued, whole pages;
 * false when the pool cannot pay (nothing changes then). */
static bool
charge_to(struct udp_endpoint *ep, size_t mem)
{
	uint64_t need = (mem + UDP_CHARGE_PAGE - 1) / UDP_CHARGE_PAGE;

	if (ep->pool && need > ep->charged && mempool_charge(ep->pool, need - ep->charged))
		return false;
	if (ep->pool && need < ep->charged)
		mempool_uncharge(ep->pool, ep->charged - need);
	ep->charged = need;
	ep->mem = mem;
	return true;
}

static int
bind_endpoint(uint16_t port, udp_input_fn fn, void *ctx, struct mempool *pool,
	      struct udp_endpoint **out)
{
	struct udp_endpoint *ep = kcalloc(1, sizeof(*ep));
	int slot = -1, err = 0;

	if (!ep)
		return -E_NOMEM;
	mutex_lock(&net_lock);
	for (unsigned int i = 0; i < UDP_ENDPOINTS_MAX && slot < 0; i++)
		if (!endpoints[i])
			slot = (int)i;
	if (port == 0)
		port = free_ephemeral();
	if (slot < 0 || port == 0)
		err = -E_NOMEM;
	else if (find(port))
		err = -E_BUSY;
	if (!err) {
		ep->port = port;
		ep->input = fn;
		ep->ctx = ctx;
		ep->pool = pool;
		ep->lock = (struct spinlock)SPINLOCK_INIT("udp");
		wait_queue_init(&ep->readers);
		ep->tail = &ep->head;
		endpoints[slot] = ep;
	}
	mutex_unlock(&net_lock);
	if (err) {
		kfree(ep);
		return err;
	}
	*out = ep;
	return 0;
}

int
udp_bind(uint16_t port, struct mempool *pool, struct udp_endpoint **out)
{
	return bind_endpoint(port, NULL, NULL, pool, out);
}

int
udp_bind_input(uint16_t port, udp_input_fn fn, void *ctx, struct udp_endpoint **out)
{
	return bind_endpoint(port, fn, ctx, NULL, out);
}

void
udp_close(struct udp_endpoint *ep)
{
	mutex_lock(&net_lock);
	udp_close_locked(ep);
	mutex_unlock(&net_lock);
}

void
udp_close_locked(struct udp_endpoint *ep)
{
	for (unsigned int i = 0; i < UDP_ENDPOINTS_MAX; i++)
		if (endpoints[i] == ep)
			endpoints[i] = NULL;
	while (ep->head) {
		struct udp_queued *q = ep->head;

		ep->head = q->next;
		kfree(q);
	}
	if (ep->pool && ep->charged)
		mempool_uncharge(ep->pool, ep->charged);
	kfree(ep);
}

int
udp_recvfrom(struct udp_endpoint *ep, void *buf, size_t cap, struct udp_meta *from,
	     uint64_t timeout_ns)
{
	uint64_t deadline = time_deadline_after(timeout_ns);
	struct udp_queued *q;
	unsigned long flags;
	int len;

	if (ep->input)
		return -E_INVAL;
	flags = spin_lock_irqsave(&ep->lock);
	while (!ep->head) {
		if (timeout_ns == 0) {
			spin_unlock_irqrestore(&ep->lock, flags);
			return -E_AGAIN;
		}
		if (wait_queue_wait_until(&ep->readers, &ep->lock, deadline) == -E_TIMEOUT &&
		    !ep->head) {
			spin_unlock_irqrestore(&ep->lock, flags);
			return -E_TIMEOUT;
		}
	}
	q = ep->head;
	ep->head = q->next;
	if (!ep->head)
		ep->tail = &ep->head;
	ep->count--;
	ep->bytes -= q->len;
	charge_to(ep, ep->mem - (sizeof(*q) + q->len)); /* a smaller charge: cannot fail */
	spin_unlock_irqrestore(&ep->lock, flags);
	memcpy(buf, q->data, q->len < cap ? q->len : cap);
	if (from)
		*from = q->meta;
	len = (int)q->len;
	kfree(q);
	return len;
}

void
udp_print_endpoints(void)
{
	for (unsigned int i = 0; i < UDP_ENDPOINTS_MAX; i++) {
		const struct udp_endpoint *ep = endpoints[i];

		if (ep)
			printk("udp  0.0.0.0:%-5u %s queued %u drops %lu\n", ep->port,
			       ep->input ? "(kernel)" : "", ep->count, (unsigned long)ep->drops);
	}
}

unsigned int
udp_queued(struct udp_endpoint *ep)
{
	return __atomic_load_n(&ep->count, __ATOMIC_RELAXED);
}

int
udp_take_error(struct udp_endpoint *ep)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	int e = ep->error;

	ep->error = 0;
	spin_unlock_irqrestore(&ep->lock, flags);
	return e;
}

int
udp_output(uint32_t src, uint16_t src_port, uint32_t dst, uint16_t dst_port, const void *data,
	   size_t len)
{
	uint8_t *buf;
	struct route r;
	int err;

	if (len > UDP_DATA_MAX)
		return -E_RANGE;
	if (!src) {
		/* The checksum covers the source: pick it as ip_output would. */
		if (route_lookup(&net_routes, dst, &r) != 0)
			return -E_NOENT;
		src = net_is_local(dst) ? dst : ((struct netif *)r.netif)->ip;
	}
	buf = kmalloc(UDP_HEADER_LEN + len);
	if (!buf)
		return -E_NOMEM;
	memcpy(buf + UDP_HEADER_LEN, data, len);
	err = udp_build(buf, UDP_HEADER_LEN + len, src, dst, src_port, dst_port, len);
	if (err > 0)
		err = ip_output(src, dst, IPV4_PROTO_UDP, buf, (size_t)err);
	kfree(buf);
	return err;
}

int
udp_sendto(struct udp_endpoint *ep, uint32_t dst, uint16_t port, const void *data, size_t len)
{
	int err;

	mutex_lock(&net_lock);
	err = udp_output(0, ep->port, dst, port, data, len);
	mutex_unlock(&net_lock);
	return err;
}

/* After udp_parse failed: a length that fits and a checksum that does not? */
static bool
udp_checksum_bad(const uint8_t *p, size_t len)
{
	size_t ulen;

	if (len < UDP_HEADER_LEN)
		return false;
	ulen = be16(p + 4);
	return ulen >= UDP_HEADER_LEN && ulen <= len && be16(p + 6) != 0;
}

static int
udp_input(struct netif *nif, const struct ipv4_header *ip)
{
	struct udp_datagram d;
	struct udp_endpoint *ep;
	struct udp_queued *q;
	struct udp_meta m;
	unsigned long flags;

	if (udp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, &d) != 0) {
		if (udp_checksum_bad(ip->payload, ip->payload_len))
			nif->stats.csum_errors++;
		return -E_CORRUPT;
	}
	m = (struct udp_meta){ ip->src, ip->dst, d.src_port, d.dst_port };
	ep = find(d.dst_port);
	if (!ep)
		return -E_NOENT;
	if (ep->input) {
		ep->input(ep->ctx, nif, &m, d.data, d.data_len);
		return 0;
	}
	q = kmalloc(sizeof(*q) + d.data_len);
	flags = spin_lock_irqsave(&ep->lock);
	if (!q || ep->count >= UDP_QUEUE_MAX || ep->bytes + d.data_len > UDP_QUEUE_BYTES ||
	    !charge_to(ep, ep->mem + sizeof(*q) + d.data_len)) {
		ep->drops++;
		spin_unlock_irqrestore(&ep->lock, flags);
		kfree(q);
		return -E_AGAIN;
	}
	q->next = NULL;
	q->meta = m;
	q->len = d.data_len;
	memcpy(q->data, d.data, d.data_len);
	*ep->tail = q;
	ep->tail = &q->next;
	ep->count++;
	ep->bytes += d.data_len;
	wait_queue_wake_all(&ep->readers);
	if (ep->notify)
		ep->notify(ep->notify_ctx);
	spin_unlock_irqrestore(&ep->lock, flags);
	return 0;
}

static void
udp_error(const struct net_icmp_error *e)
{
	struct udp_endpoint *ep = find(be16(e->quoted));
	unsigned long flags;

	if (!ep)
		return;
	flags = spin_lock_irqsave(&ep->lock);
	ep->error = e->type << 8 | e->code;
	if (ep->notify)
		ep->notify(ep->notify_ctx);
	spin_unlock_irqrestore(&ep->lock, flags);
}

static const struct net_protocol udp_protocol = {
	.input = udp_input,
	.error = udp_error,
};

void
udp_table_init(void)
{
	net_protocol_register(IPV4_PROTO_UDP, &udp_protocol);
}
