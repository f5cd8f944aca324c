/*
 * The interface registry, addresses and the routes that follow from
 * them, and the counters (netif.h).
 */
#include "net/netif.h"

#include "core/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "net/route.h"
#include "themelios/errno.h"

static struct netif *netifs[NETIF_MAX];
static unsigned int nnetifs;

int
netif_register(struct netif *nif, const char *prefix)
{
	unsigned int same = 0;

	if (nnetifs == NETIF_MAX)
		return -E_NOMEM;
	for (unsigned int i = 0; i < nnetifs; i++)
		if (!strncmp(netifs[i]->name, prefix, strlen(prefix)))
			same++;
	if (!strcmp(prefix, "lo"))
		strlcpy(nif->name, prefix, sizeof(nif->name)); /* there is one */
	else
		fmt_snprintf(nif->name, sizeof(nif->name), "%s%u", prefix, same);
	if (!nif->mtu)
		nif->mtu = ETH_MTU;
	arp_cache_init(&nif->arp, nif->mac, &net_arp_ops, nif);
	netifs[nnetifs++] = nif;
	return 0;
}

struct netif *
netif_at(unsigned int i)
{
	return i < nnetifs ? netifs[i] : NULL;
}

struct netif *
netif_first_ethernet(void)
{
	for (unsigned int i = 0; i < nnetifs; i++)
		if (!netifs[i]->loopback)
			return netifs[i];
	return NULL;
}

static struct netif *
loopback(void)
{
	for (unsigned int i = 0; i < nnetifs; i++)
		if (netifs[i]->loopback)
			return netifs[i];
	return NULL;
}

bool
netif_is_broadcast(const struct netif *nif, uint32_t dst)
{
	if (dst == IPV4_BROADCAST)
		return true;
	return nif->ip && nif->mask != 0xffffffffu && dst == (nif->ip | ~nif->mask);
}

bool
netif_accepts(const struct netif *nif, uint32_t dst)
{
	return !nif->ip || dst == nif->ip || netif_is_broadcast(nif, dst) ||
	       (nif->loopback && net_is_local(dst));
}

bool
net_is_local(uint32_t ip)
{
	for (unsigned int i = 0; i < nnetifs; i++)
		if (netifs[i]->ip &&
		    (netifs[i]->ip == ip || (netifs[i]->loopback && (ip >> 24) == 127)))
			return true;
	return false;
}

void
netif_set_address(struct netif *nif, uint32_t ip, uint32_t mask, uint32_t gateway,
		  enum netif_addr_source source)
{
	struct netif *lo = loopback();

	/* The old address's host route through the loopback goes too. */
	if (nif->ip && lo && lo != nif) {
		for (unsigned int i = 0; i < ROUTE_MAX; i++) {
			struct route *r = &net_routes.r[i];

			if (r->used && r->netif == lo && r->dest == nif->ip &&
			    r->mask == 0xffffffffu)
				r->used = false;
		}
	}
	route_del_netif(&net_routes, nif);
	nif->ip = ip;
	nif->mask = ip ? mask : 0;
	nif->gateway = ip ? gateway : 0;
	nif->addr_source = ip ? source : NETIF_ADDR_NONE;
	if (!nif->loopback)
		arp_cache_set_address(&nif->arp, ip); /* gratuitous ARP when ip != 0 */
	if (!ip)
		return;
	route_add(&net_routes, ip & mask, mask, 0, 0, nif);
	if (gateway && !nif->loopback)
		route_add(&net_routes, 0, 0, gateway, 0, nif);
	/* Datagrams to our own address never leave: the loopback has them. */
	if (lo && lo != nif)
		route_add(&net_routes, ip, 0xffffffffu, 0, 0, lo);
}

int
netif_transmit(struct netif *nif, const void *frame, size_t len)
{
	int err;

	if (nif->failed) {
		nif->stats.tx_drops++;
		return -E_IO;
	}
	err = nif->ops->transmit(nif, frame, len);
	if (err) {
		nif->stats.tx_drops++;
		return err;
	}
	nif->stats.tx_packets++;
	nif->stats.tx_bytes += len;
	return 0;
}

static const char *
source_name(enum netif_addr_source s)
{
	switch (s) {
	case NETIF_ADDR_STATIC:
		return "static";
	case NETIF_ADDR_DHCP:
		return "dhcp";
	case NETIF_ADDR_LOOPBACK:
		return "loopback";
	default:
		return "none";
	}
}

void
netif_print_all(void)
{
	for (unsigned int i = 0; i < nnetifs; i++) {
		struct netif *n = netifs[i];
		const struct netif_stats *s = &n->stats;
		char ip[16], gw[16];

		ipv4_format(n->ip, ip);
		ipv4_format(n->gateway, gw);
		printk("%s: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u link %s%s\n", n->name,
		       n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5], n->mtu,
		       n->link_up ? "up" : "down", n->failed ? " FAILED" : "");
		printk("    inet %s/%d gateway %s (%s)\n", ip,
		       n->ip ? route_prefix_len(n->mask) : 0, gw, source_name(n->addr_source));
		printk("    rx packets %lu bytes %lu drops %lu csum-errors %lu\n",
		       (unsigned long)s->rx_packets, (unsigned long)s->rx_bytes,
		       (unsigned long)s->rx_drops, (unsigned long)s->csum_errors);
		printk("    tx packets %lu bytes %lu drops %lu\n", (unsigned long)s->tx_packets,
		       (unsigned long)s->tx_bytes, (unsigned long)s->tx_drops);
		if (n->ops->print)
			n->ops->print(n);
	}
}
