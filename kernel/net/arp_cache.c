/* The ARP cache state machine (RFC 826's packet reception algorithm). */
#include "net/arp_cache.h"

#include "lib/string.h"
#include "themelios/errno.h"

void
arp_cache_init(struct arp_cache *c, const uint8_t mac[ETH_ADDR_LEN],
	       const struct arp_cache_ops *ops, void *ctx)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->our_mac, mac, ETH_ADDR_LEN);
	c->ops = ops;
	c->ctx = ctx;
}

static void
send_request(struct arp_cache *c, uint32_t target)
{
	struct arp_packet p = { .op = ARP_OP_REQUEST, .spa = c->our_ip, .tpa = target };

	memcpy(p.sha, c->our_mac, ETH_ADDR_LEN);
	c->ops->send_arp(c->ctx, eth_broadcast, &p);
}

/*
 * Empties e's queue before handing the packets out, so that the entry
 * is consistent whatever the callback does with them.
 */
static void
flush_queue(struct arp_cache *c, struct arp_entry *e, bool send)
{
	void *q[ARP_QUEUE_LEN];
	unsigned n = e->queued;
	uint8_t mac[ETH_ADDR_LEN];

	memcpy(q, e->queue, sizeof(q));
	memcpy(mac, e->mac, ETH_ADDR_LEN);
	e->queued = 0;
	for (unsigned i = 0; i < n; i++) {
		if (send)
			c->ops->send_queued(c->ctx, q[i], mac);
		else
			c->ops->drop_queued(c->ctx, q[i]);
	}
}

static void
entry_free(struct arp_cache *c, struct arp_entry *e)
{
	flush_queue(c, e, false);
	e->state = ARP_ENTRY_FREE;
}

static struct arp_entry *
find(struct arp_cache *c, uint32_t ip)
{
	for (unsigned i = 0; i < ARP_CACHE_ENTRIES; i++) {
		if (c->entries[i].state != ARP_ENTRY_FREE && c->entries[i].ip == ip)
			return &c->entries[i];
	}
	return NULL;
}

/* A free entry, or the oldest one emptied. */
static struct arp_entry *
entry_take(struct arp_cache *c, uint32_t ip, uint64_t now)
{
	struct arp_entry *e = NULL;

	for (unsigned i = 0; i < ARP_CACHE_ENTRIES; i++) {
		struct arp_entry *x = &c->entries[i];

		if (x->state == ARP_ENTRY_FREE) {
			e = x;
			break;
		}
		if (!e || x->since < e->since)
			e = x;
	}
	if (e->state != ARP_ENTRY_FREE)
		entry_free(c, e);
	memset(e, 0, sizeof(*e));
	e->ip = ip;
	e->since = now;
	return e;
}

static void
entry_resolve(struct arp_cache *c, struct arp_entry *e, const uint8_t mac[ETH_ADDR_LEN],
	      uint64_t now)
{
	memcpy(e->mac, mac, ETH_ADDR_LEN);
	e->state = ARP_ENTRY_RESOLVED;
	e->since = now;
	flush_queue(c, e, true);
}

static bool
expired(const struct arp_entry *e, uint64_t now)
{
	return e->state == ARP_ENTRY_RESOLVED && now - e->since >= ARP_ENTRY_LIFETIME;
}

void
arp_cache_set_address(struct arp_cache *c, uint32_t ip)
{
	if (ip == c->our_ip)
		return;
	c->our_ip = ip;
	if (ip != 0)
		send_request(c, ip);
}

int
arp_cache_lookup(struct arp_cache *c, uint32_t ip, uint64_t now, uint8_t mac[ETH_ADDR_LEN])
{
	struct arp_entry *e = find(c, ip);

	if (!e || e->state != ARP_ENTRY_RESOLVED)
		return -E_NOENT;
	if (expired(e, now)) {
		entry_free(c, e);
		return -E_NOENT;
	}
	memcpy(mac, e->mac, ETH_ADDR_LEN);
	return 0;
}

int
arp_cache_resolve(struct arp_cache *c, uint32_t ip, void *packet, uint64_t now,
		  uint8_t mac[ETH_ADDR_LEN])
{
	struct arp_entry *e;

	if (ip == 0)
		return -E_INVAL;
	if (arp_cache_lookup(c, ip, now, mac) == 0)
		return 0;
	e = find(c, ip);
	if (!e) {
		e = entry_take(c, ip, now);
		e->state = ARP_ENTRY_PENDING;
		e->requests = 1;
		e->next_request = now + ARP_RETRY_INTERVAL;
		send_request(c, ip);
	}
	if (e->queued == ARP_QUEUE_LEN)
		return -E_NOMEM;
	e->queue[e->queued++] = packet;
	return -E_AGAIN;
}

void
arp_cache_input(struct arp_cache *c, const struct arp_packet *p, uint64_t now)
{
	struct arp_entry *e = NULL;
	bool for_us = c->our_ip != 0 && p->tpa == c->our_ip;

	/* A probe (sender 0) says nothing about the sender, and nobody
	 * else may claim our address: neither enters the cache. */
	if (p->spa != 0 && p->spa != c->our_ip) {
		e = find(c, p->spa);
		if (e)
			entry_resolve(c, e, p->sha, now);
		else if (for_us)
			entry_resolve(c, entry_take(c, p->spa, now), p->sha, now);
	}
	if (for_us && p->op == ARP_OP_REQUEST) {
		struct arp_packet r = { .op = ARP_OP_REPLY, .spa = c->our_ip, .tpa = p->spa };

		memcpy(r.sha, c->our_mac, ETH_ADDR_LEN);
		memcpy(r.tha, p->sha, ETH_ADDR_LEN);
		c->ops->send_arp(c->ctx, p->sha, &r);
	}
}

void
arp_cache_tick(struct arp_cache *c, uint64_t now)
{
	for (unsigned i = 0; i < ARP_CACHE_ENTRIES; i++) {
		struct arp_entry *e = &c->entries[i];

		if (expired(e, now)) {
			entry_free(c, e);
		} else if (e->state == ARP_ENTRY_PENDING && now >= e->next_request) {
			if (e->requests >= ARP_MAX_REQUESTS) {
				entry_free(c, e);
				continue;
			}
			e->requests++;
			e->next_request = now + ARP_RETRY_INTERVAL;
			send_request(c, e->ip);
		}
	}
}
