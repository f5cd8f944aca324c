/*
 * IPv4 output: route, source address, fragmentation to the interface's
 * MTU, and the next hop's Ethernet address from the ARP cache.  A frame
 * is built whole in memory of its own (struct net_pkt), so that it can
 * wait in the ARP cache's queue while the next hop is resolved; it is
 * freed once sent or given up.
 */
#include "core/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/arp.h"
#include "net/ethernet.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "net/netif.h"
#include "themelios/errno.h"

struct net_pkt {
	size_t len;
	uint8_t frame[];
};

static uint16_t ip_next_id;

static void
arp_send(void *ctx, const uint8_t dst[ETH_ADDR_LEN], const struct arp_packet *p)
{
	struct netif *nif = ctx;
	uint8_t frame[60] = { 0 }; /* the Ethernet minimum, padded with zeros */

	eth_build(frame, sizeof(frame), dst, nif->mac, ETH_TYPE_ARP);
	arp_build(frame + ETH_HEADER_LEN, sizeof(frame) - ETH_HEADER_LEN, p);
	netif_transmit(nif, frame, sizeof(frame));
}

static void
arp_send_queued(void *ctx, void *packet, const uint8_t mac[ETH_ADDR_LEN])
{
	struct net_pkt *pkt = packet;

	memcpy(pkt->frame, mac, ETH_ADDR_LEN);
	netif_transmit(ctx, pkt->frame, pkt->len);
	kfree(pkt);
}

static void
arp_drop_queued(void *ctx, void *packet)
{
	struct netif *nif = ctx;

	nif->stats.tx_drops++;
	kfree(packet);
}

const struct arp_cache_ops net_arp_ops = {
	.send_arp = arp_send,
	.send_queued = arp_send_queued,
	.drop_queued = arp_drop_queued,
};

/* Sends a finished frame whose destination MAC is still to be found. */
static int
send_to(struct netif *nif, struct net_pkt *pkt, uint32_t next_hop, bool broadcast)
{
	uint8_t mac[ETH_ADDR_LEN];
	int err;

	if (nif->loopback || broadcast) {
		memcpy(pkt->frame, nif->loopback ? nif->mac : eth_broadcast, ETH_ADDR_LEN);
		err = netif_transmit(nif, pkt->frame, pkt->len);
		kfree(pkt);
		return err;
	}
	err = arp_cache_resolve(&nif->arp, next_hop, pkt, net_now_ms(), mac);
	if (err == -E_AGAIN)
		return 0; /* the cache has it now */
	if (err == 0) {
		memcpy(pkt->frame, mac, ETH_ADDR_LEN);
		err = netif_transmit(nif, pkt->frame, pkt->len);
	} else {
		nif->stats.tx_drops++;
	}
	kfree(pkt);
	return err;
}

/* One fragment (or the whole datagram): off and n in payload bytes. */
static int
send_piece(struct netif *nif, const struct ipv4_header *h, const uint8_t *payload, size_t off,
	   size_t n, bool more, uint32_t next_hop, bool broadcast)
{
	struct ipv4_header fh = *h;
	struct net_pkt *pkt = kmalloc(sizeof(*pkt) + ETH_HEADER_LEN + IPV4_HEADER_LEN + n);
	int err;

	if (!pkt) {
		nif->stats.tx_drops++;
		return -E_NOMEM;
	}
	fh.more_fragments = more;
	fh.frag_offset = (uint16_t)off;
	pkt->len = ETH_HEADER_LEN + IPV4_HEADER_LEN + n;
	eth_build(pkt->frame, pkt->len, eth_broadcast, nif->mac, ETH_TYPE_IPV4);
	err = ipv4_build(pkt->frame + ETH_HEADER_LEN, IPV4_HEADER_LEN + n, &fh, n);
	if (err < 0) {
		kfree(pkt);
		return err;
	}
	memcpy(pkt->frame + ETH_HEADER_LEN + IPV4_HEADER_LEN, payload + off, n);
	return send_to(nif, pkt, next_hop, broadcast);
}

static int
output_on(struct netif *nif, uint32_t src, uint32_t dst, uint32_t next_hop, bool broadcast,
	  uint8_t proto, const void *payload, size_t len)
{
	struct ipv4_header h = {
		.id = ip_next_id++,
		.ttl = IPV4_DEFAULT_TTL,
		.proto = proto,
		.src = src,
		.dst = dst,
	};
	size_t room = nif->mtu - IPV4_HEADER_LEN;
	size_t piece = room & ~(size_t)7; /* fragments but the last: 8-byte units */
	int err = 0;

	if (len > IPV4_MAX_LEN - IPV4_HEADER_LEN)
		return -E_RANGE;
	if (len <= room)
		return send_piece(nif, &h, payload, 0, len, false, next_hop, broadcast);
	for (size_t off = 0; off < len && !err; off += piece) {
		size_t n = len - off < piece ? len - off : piece;

		err = send_piece(nif, &h, payload, off, n, off + n < len, next_hop, broadcast);
	}
	return err;
}

int
ip_output(uint32_t src, uint32_t dst, uint8_t proto, const void *payload, size_t len)
{
	struct route r;
	struct netif *nif;

	if (route_lookup(&net_routes, dst, &r) != 0)
		return -E_NOENT;
	nif = r.netif;
	if (nif->failed)
		return -E_IO;
	if (!src)
		src = net_is_local(dst) ? dst : nif->ip;
	return output_on(nif, src, dst, route_next_hop(&r, dst), netif_is_broadcast(nif, dst),
			 proto, payload, len);
}

int
ip_output_broadcast(struct netif *nif, uint32_t src, uint8_t proto, const void *payload, size_t len)
{
	return output_on(nif, src, IPV4_BROADCAST, IPV4_BROADCAST, true, proto, payload, len);
}
