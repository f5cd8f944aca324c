/*
 * The DHCP client on the first NIC: dhcp.c's state machine given the
 * stack's clock, the kernel's random numbers, UDP port 68 and the
 * interface's address.  Runs in the network thread with net_lock held.
 */
#include "core/printk.h"
#include "core/random.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/dhcp.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "net/netif.h"
#include "net/udp.h"
#include "net/udp_table.h"
#include "themelios/errno.h"

static struct dhcp_client client;
static struct netif *dhcp_nif;
static struct udp_endpoint *dhcp_ep;

static void
dhcp_send(void *ctx, const void *msg, size_t len, uint32_t dst)
{
	struct netif *nif = ctx;
	uint8_t buf[UDP_HEADER_LEN + DHCP_MSG_MAX];
	uint32_t src = nif->addr_source == NETIF_ADDR_DHCP ? nif->ip : 0;

	if (len > DHCP_MSG_MAX)
		return;
	memcpy(buf + UDP_HEADER_LEN, msg, len);
	if (udp_build(buf, sizeof(buf), src, dst, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, len) < 0)
		return;
	if (dst == IPV4_BROADCAST)
		ip_output_broadcast(nif, src, IPV4_PROTO_UDP, buf, UDP_HEADER_LEN + len);
	else
		ip_output(src, dst, IPV4_PROTO_UDP, buf, UDP_HEADER_LEN + len);
}

static void
dhcp_bound(void *ctx, const struct dhcp_lease *l)
{
	struct netif *nif = ctx;
	uint32_t mask = l->mask;
	char ip[16], gw[16], server[16];

	/* No mask option: the class's, as RFC 1122 3.3.1.1 (10.x: /8)
	 * would have it, is a guess; /24 is the usual one. */
	if (!mask || route_prefix_len(mask) < 0)
		mask = 0xffffff00u;
	if (nif->ip != l->ip || nif->mask != mask || nif->gateway != l->router ||
	    nif->addr_source != NETIF_ADDR_DHCP)
		netif_set_address(nif, l->ip, mask, l->router, NETIF_ADDR_DHCP);
	ipv4_format(l->ip, ip);
	ipv4_format(l->router, gw);
	ipv4_format(l->server, server);
	pr_info("dhcp: %s bound to %s/%d gateway %s from %s, lease %u s\n", nif->name, ip,
		route_prefix_len(mask), gw, server, l->lease_secs);
}

static void
dhcp_unbound(void *ctx)
{
	struct netif *nif = ctx;

	pr_info("dhcp: %s lost its lease\n", nif->name);
	netif_set_address(nif, 0, 0, 0, NETIF_ADDR_NONE);
}

static uint32_t
dhcp_random(void *ctx)
{
	uint32_t r;

	(void)ctx;
	random_fill(&r, sizeof(r));
	return r;
}

static const struct dhcp_ops dhcp_ops = {
	.send = dhcp_send,
	.bound = dhcp_bound,
	.unbound = dhcp_unbound,
	.random = dhcp_random,
};

static void
dhcp_udp_input(void *ctx, struct netif *nif, const struct udp_meta *m, const uint8_t *data,
	       size_t len)
{
	(void)ctx;
	if (nif != dhcp_nif || m->src_port != DHCP_SERVER_PORT)
		return;
	if (dhcp_input(&client, data, len, net_now_ms()) != 0)
		pr_warn("dhcp: malformed message from the server port ignored\n");
}

/* net_lock NOT held: binding takes it. */
void
dhcp_client_start(struct netif *nif)
{
	if (udp_bind_input(DHCP_CLIENT_PORT, dhcp_udp_input, NULL, &dhcp_ep) != 0) {
		pr_err("dhcp: cannot bind port %u\n", DHCP_CLIENT_PORT);
		return;
	}
	mutex_lock(&net_lock);
	dhcp_nif = nif;
	dhcp_init(&client, nif->mac, &dhcp_ops, nif);
	pr_info("dhcp: %s: discovering\n", nif->name);
	dhcp_start(&client, net_now_ms());
	mutex_unlock(&net_lock);
}

void
dhcp_client_tick(uint64_t now_ms)
{
	if (dhcp_nif)
		dhcp_tick(&client, now_ms);
}

void
dhcp_client_print(void)
{
	uint64_t now = net_now_ms();
	const struct dhcp_lease *l = &client.lease;
	char server[16];

	if (!dhcp_nif) {
		printk("dhcp: not running\n");
		return;
	}
	ipv4_format(l->server, server);
	printk("dhcp: %s %s", dhcp_nif->name, dhcp_state_name(client.state));
	if (client.state >= DHCP_BOUND) {
		uint64_t end = l->start + (uint64_t)l->lease_secs * 1000;

		printk(", lease %u s from %s, %lu s left", l->lease_secs, server,
		       (unsigned long)(end > now ? (end - now) / 1000 : 0));
	}
	printk(", %u NAKs, %u malformed\n", client.naks, client.bad_messages);
}
