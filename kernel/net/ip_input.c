/*
 * The receive path: Ethernet -> ARP or IPv4 (reassembled when
 * fragmented) -> ICMP, or the transport protocol registered for the
 * datagram's protocol number.  Everything that is dropped is counted on
 * the interface it came in on; a wrong checksum is counted as such too.
 * Also here: ICMP's own work (echo replies, errors sent and received)
 * and the shell's ping.  Runs in the network thread with net_lock held.
 */
#include "core/printk.h"
#include "core/time.h"
#include "lib/byteorder.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/arp.h"
#include "net/checksum.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/ip_reassembly.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "net/netif.h"
#include "sched/spinlock.h"
#include "sched/wait.h"
#include "themelios/errno.h"

#define REASM_BUDGET	   (256 * 1024)
#define REASM_TIMEOUT_MS   30000
#define ICMP_SOURCE_QUENCH 4
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12

static const struct net_protocol *protocols[256];
static struct ip_reasm reasm;
/* A reassembled datagram: a header built in front of the payload. */
static uint8_t reasm_buf[IPV4_HEADER_LEN + IPV4_MAX_LEN];

/* ---- ping: one echo request at a time waits for its reply ---- */

static struct mutex ping_mutex;
static struct spinlock ping_lock = SPINLOCK_INIT("ping");
static struct wait_queue ping_wq;
static struct {
	bool active, answered;
	uint16_t id, seq;
	uint32_t from;
} ping;

static void *
reasm_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return kmalloc(size);
}

static void
reasm_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)size;
	kfree(p);
}

static const struct ip_reasm_ops reasm_ops = { reasm_alloc, reasm_free };

void
ip_input_init(void)
{
	ip_reasm_init(&reasm, &reasm_ops, NULL, REASM_BUDGET, REASM_TIMEOUT_MS);
	mutex_init(&ping_mutex, "ping");
	wait_queue_init(&ping_wq);
}

/* Under net_lock, as every use of reasm. */
void
ip_input_print_stats(void)
{
	printk("ip: datagrams reassembled %u given up %u (timeouts, conflicts, no room), "
	       "%lu of %lu bytes held\n",
	       reasm.reassembled, reasm.dropped, (unsigned long)reasm.charged,
	       (unsigned long)reasm.budget);
}

void
ip_input_tick(uint64_t now_ms)
{
	ip_reasm_tick(&reasm, now_ms);
	for (unsigned int i = 0; netif_at(i); i++)
		if (!netif_at(i)->loopback)
			arp_cache_tick(&netif_at(i)->arp, now_ms);
}

int
net_protocol_register(uint8_t proto, const struct net_protocol *p)
{
	if (protocols[proto] || proto == IPV4_PROTO_ICMP)
		return -E_BUSY;
	protocols[proto] = p;
	return 0;
}

const struct net_protocol *
net_protocol_get(uint8_t proto)
{
	return protocols[proto];
}

static void
drop(struct netif *nif, bool bad_checksum)
{
	nif->stats.rx_drops++;
	if (bad_checksum)
		nif->stats.csum_errors++;
}

/* After ipv4_parse failed: was it the header checksum? */
static bool
ipv4_checksum_bad(const uint8_t *p, size_t len)
{
	size_t hl;

	if (len < IPV4_HEADER_LEN || (p[0] >> 4) != 4)
		return false;
	hl = (size_t)(p[0] & 0xf) * 4;
	return hl >= IPV4_HEADER_LEN && hl <= len && inet_checksum(p, hl) != 0;
}

void
icmp_send_unreachable(const struct ipv4_header *ip, uint8_t code)
{
	uint8_t msg[ICMP_HEADER_LEN + 60 + 8];
	const uint8_t *raw = ip->payload - ip->header_len;
	int n;

	/* RFC 1122 3.2.2: never about an ICMP error, a non-first fragment,
	 * a datagram to a broadcast or multicast address or from an address
	 * that names no single host. */
	if (ip->frag_offset || !net_is_local(ip->dst) || ip->src == 0 ||
	    ip->src == IPV4_BROADCAST || (ip->src >> 28) == 14 || (ip->dst >> 28) == 14)
		return;
	if (ip->proto == IPV4_PROTO_ICMP && ip->payload_len &&
	    ip->payload[0] != ICMP_ECHO_REQUEST && ip->payload[0] != ICMP_ECHO_REPLY)
		return;
	n = icmp_build_unreachable(msg, sizeof(msg), code, raw, ip->header_len + ip->payload_len);
	if (n > 0)
		ip_output(ip->dst, ip->src, IPV4_PROTO_ICMP, msg, (size_t)n);
}

static void
ping_reply(uint32_t from, const struct icmp_message *m)
{
	unsigned long flags = spin_lock_irqsave(&ping_lock);

	if (ping.active && !ping.answered && m->id == ping.id && m->seq == ping.seq &&
	    from == ping.from) {
		ping.answered = true;
		wait_queue_wake_all(&ping_wq);
	}
	spin_unlock_irqrestore(&ping_lock, flags);
}

int
net_ping(uint32_t dst, uint16_t seq, size_t data_len, uint64_t timeout_ns, uint64_t *rtt_ns)
{
	static uint16_t next_id = 0x5400;
	size_t len = ICMP_HEADER_LEN + data_len;
	uint8_t *msg;
	unsigned long flags;
	uint64_t start, deadline;
	int err;

	if (data_len > IPV4_MAX_LEN - IPV4_HEADER_LEN - ICMP_HEADER_LEN)
		return -E_RANGE;
	msg = kcalloc(1, len);
	if (!msg)
		return -E_NOMEM;
	mutex_lock(&ping_mutex);
	flags = spin_lock_irqsave(&ping_lock);
	ping.active = true;
	ping.answered = false;
	ping.id = next_id++;
	ping.seq = seq;
	ping.from = dst;
	spin_unlock_irqrestore(&ping_lock, flags);

	msg[0] = ICMP_ECHO_REQUEST;
	put_be16(msg + 4, ping.id);
	put_be16(msg + 6, seq);
	for (size_t i = 0; i < data_len; i++)
		msg[ICMP_HEADER_LEN + i] = (uint8_t)i;
	put_be16(msg + 2, inet_checksum(msg, len));
	start = time_now_ns();
	deadline = start + timeout_ns;
	mutex_lock(&net_lock);
	err = ip_output(0, dst, IPV4_PROTO_ICMP, msg, len);
	mutex_unlock(&net_lock);
	kfree(msg);

	flags = spin_lock_irqsave(&ping_lock);
	while (!err && !ping.answered)
		if (wait_queue_wait_until(&ping_wq, &ping_lock, deadline) == -E_TIMEOUT &&
		    !ping.answered)
			err = -E_TIMEOUT;
	ping.active = false;
	spin_unlock_irqrestore(&ping_lock, flags);
	if (!err && rtt_ns)
		*rtt_ns = time_now_ns() - start;
	mutex_unlock(&ping_mutex);
	return err;
}

/* ---- ICMP ---- */

/* An error quoting a datagram of ours goes to its protocol. */
static void
icmp_error_input(const struct ipv4_header *ip, const struct icmp_message *m)
{
	const uint8_t *q = m->data;
	struct net_icmp_error e;
	const struct net_protocol *p;
	size_t hl;

	if (m->data_len < IPV4_HEADER_LEN || (q[0] >> 4) != 4)
		return;
	hl = (size_t)(q[0] & 0xf) * 4;
	if (hl < IPV4_HEADER_LEN || m->data_len < hl + 8)
		return;
	e = (struct net_icmp_error){
		.type = m->type,
		.code = m->code,
		.reporter = ip->src,
		.src = be32(q + 12),
		.dst = be32(q + 16),
		.proto = q[9],
		.quoted = q + hl,
		.quoted_len = m->data_len - hl,
	};
	if (!net_is_local(e.src))
		return;
	p = net_protocol_get(e.proto);
	if (p && p->error)
		p->error(&e);
}

void
icmp_input(struct netif *nif, const struct ipv4_header *ip)
{
	struct icmp_message m;
	uint8_t *reply;
	int n;

	if (icmp_parse(ip->payload, ip->payload_len, &m) != 0) {
		drop(nif, ip->payload_len >= ICMP_HEADER_LEN);
		return;
	}
	switch (m.type) {
	case ICMP_ECHO_REQUEST:
		if (!net_is_local(ip->dst))
			return; /* no answers to broadcast pings */
		reply = kmalloc(ip->payload_len);
		if (!reply) {
			drop(nif, false);
			return;
		}
		n = icmp_build_echo_reply(reply, ip->payload_len, &m);
		if (n > 0)
			ip_output(ip->dst, ip->src, IPV4_PROTO_ICMP, reply, (size_t)n);
		kfree(reply);
		return;
	case ICMP_ECHO_REPLY:
		ping_reply(ip->src, &m);
		return;
	case ICMP_DEST_UNREACHABLE:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAM_PROBLEM:
		icmp_error_input(ip, &m);
		return;
	default:
		return;
	}
}

/* ---- IPv4 and Ethernet ---- */

static void
deliver(struct netif *nif, const struct ipv4_header *ip)
{
	const struct net_protocol *p;
	int err;

	if (ip->proto == IPV4_PROTO_ICMP) {
		icmp_input(nif, ip);
		return;
	}
	p = net_protocol_get(ip->proto);
	if (!p) {
		drop(nif, false);
		/* TCP without its engine: silence, not an ICMP error. */
		if (ip->proto != IPV4_PROTO_TCP)
			icmp_send_unreachable(ip, ICMP_UNREACH_PROTOCOL);
		return;
	}
	err = p->input(nif, ip);
	if (err == -E_NOENT) {
		drop(nif, false);
		if (ip->proto != IPV4_PROTO_TCP)
			icmp_send_unreachable(ip, ICMP_UNREACH_PORT);
	} else if (err) {
		drop(nif, false); /* the protocol counted a bad checksum itself */
	}
}

void
ip_input(struct netif *nif, const uint8_t *pkt, size_t len, bool link_broadcast)
{
	struct ipv4_header h;
	int n;

	(void)link_broadcast;
	if (ipv4_parse(pkt, len, &h) != 0) {
		drop(nif, ipv4_checksum_bad(pkt, len));
		return;
	}
	if (!netif_accepts(nif, h.dst)) {
		drop(nif, false); /* we do not forward */
		return;
	}
	if (h.more_fragments || h.frag_offset) {
		struct ipv4_header whole = h;

		n = ip_reasm_input(&reasm, &h, net_now_ms(), reasm_buf + IPV4_HEADER_LEN,
				   sizeof(reasm_buf) - IPV4_HEADER_LEN);
		if (n < 0)
			drop(nif, false);
		if (n <= 0)
			return;
		whole.more_fragments = false;
		whole.frag_offset = 0;
		if (ipv4_build(reasm_buf, IPV4_HEADER_LEN, &whole, (size_t)n) < 0 ||
		    ipv4_parse(reasm_buf, IPV4_HEADER_LEN + (size_t)n, &h) != 0) {
			drop(nif, false);
			return;
		}
	}
	deliver(nif, &h);
}

void
netif_input(struct netif *nif, const void *frame, size_t len)
{
	struct eth_frame e;
	struct arp_packet a;
	bool broadcast;

	nif->stats.rx_packets++;
	nif->stats.rx_bytes += len;
	if (eth_parse(frame, len, &e) != 0) {
		drop(nif, false);
		return;
	}
	broadcast = !memcmp(e.dst, eth_broadcast, ETH_ADDR_LEN);
	if (!nif->loopback && !broadcast && memcmp(e.dst, nif->mac, ETH_ADDR_LEN) != 0) {
		drop(nif, false); /* multicast, or for someone else */
		return;
	}
	switch (e.type) {
	case ETH_TYPE_ARP:
		if (nif->loopback || arp_parse(e.payload, e.payload_len, &a) != 0) {
			drop(nif, false);
			return;
		}
		arp_cache_input(&nif->arp, &a, net_now_ms());
		return;
	case ETH_TYPE_IPV4:
		ip_input(nif, e.payload, e.payload_len, broadcast);
		return;
	default:
		drop(nif, false);
		return;
	}
}
