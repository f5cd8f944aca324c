/*
 * The IPv4 routing table: destination prefix, mask, gateway (0: on the
 * link) and interface.  A lookup takes the longest matching prefix and,
 * among equal prefixes, the lowest metric; the default route is the one
 * with mask 0.  Pure: the interface is an opaque pointer, so the host
 * tests drive it without a stack.
 */
#ifndef NET_ROUTE_H
#define NET_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#define ROUTE_MAX 16

struct route {
	bool used;
	uint32_t dest, mask, gateway; /* host order */
	unsigned metric;
	void *netif;
};

struct route_table {
	struct route r[ROUTE_MAX];
};

void route_init(struct route_table *t);

/*
 * Adds a route.  -E_INVAL when the mask is not a run of leading ones,
 * dest has bits outside the mask or netif is NULL; -E_EXIST when the
 * same prefix, mask and interface are there already; -E_NOMEM when the
 * table is full.
 */
int route_add(struct route_table *t, uint32_t dest, uint32_t mask, uint32_t gateway,
	      unsigned metric, void *netif);

/* Removes every route through netif; returns how many. */
int route_del_netif(struct route_table *t, void *netif);

/* The route for dst into *out: 0, or -E_NOENT (no route, no default). */
int route_lookup(const struct route_table *t, uint32_t dst, struct route *out);

/* Where a packet for dst goes next on out's link: the gateway, or dst. */
static inline uint32_t
route_next_hop(const struct route *r, uint32_t dst)
{
	return r->gateway ? r->gateway : dst;
}

/* A mask from a prefix length (0-32). */
static inline uint32_t
route_mask(unsigned prefix)
{
	return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

/* The prefix length of a contiguous mask; -1 when it is not one. */
int route_prefix_len(uint32_t mask);

#endif
