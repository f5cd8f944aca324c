/*
 * The routing table (route.h): a small array, searched whole on every
 * lookup; ROUTE_MAX entries keep that cheap.
 */
#include "net/route.h"

#include "lib/string.h"
#include "themelios/errno.h"

void
route_init(struct route_table *t)
{
	memset(t, 0, sizeof(*t));
}

int
route_prefix_len(uint32_t mask)
{
	uint32_t inv = ~mask;
	int len = 32;

	/* Leading ones then trailing zeros: the complement is 2^k - 1. */
	if (inv & (inv + 1))
		return -1;
	for (; inv; inv >>= 1)
		len--;
	return len;
}

int
route_add(struct route_table *t, uint32_t dest, uint32_t mask, uint32_t gateway, unsigned metric,
	  void *netif)
{
	struct route *slot = NULL;

	if (!netif || route_prefix_len(mask) < 0 || (dest & ~mask))
		return -E_INVAL;
	for (unsigned i = 0; i < ROUTE_MAX; i++) {
		struct route *r = &t->r[i];

		if (!r->used) {
			if (!slot)
				slot = r;
		} else if (r->dest == dest && r->mask == mask && r->netif == netif) {
			return -E_EXIST;
		}
	}
	if (!slot)
		return -E_NOMEM;
	*slot = (struct route){ true, dest, mask, gateway, metric, netif };
	return 0;
}

int
route_del_netif(struct route_table *t, void *netif)
{
	int n = 0;

	for (unsigned i = 0; i < ROUTE_MAX; i++)
		if (t->r[i].used && t->r[i].netif == netif) {
			t->r[i].used = false;
			n++;
		}
	return n;
}

int
route_lookup(const struct route_table *t, uint32_t dst, struct route *out)
{
	const struct route *best = NULL;

	for (unsigned i = 0; i < ROUTE_MAX; i++) {
		const struct route *r = &t->r[i];

		if (!r->used || (dst & r->mask) != r->dest)
			continue;
		/* Longer masks are larger numbers: compare the masks. */
		if (!best || r->mask > best->mask ||
		    (r->mask == best->mask && r->metric < best->metric))
			best = r;
	}
	if (!best)
		return -E_NOENT;
	*out = *best;
	return 0;
}
