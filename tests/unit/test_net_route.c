/*
 * The routing table: longest prefix first, then the lowest metric, the
 * default route last; bad masks and prefixes refused; a full table; and
 * random tables against a plain search.
 */
#include <stdint.h>

#include "net/route.h"
#include "themelios/errno.h"
#include "unit.h"

static int eth0, eth1, lo;

UNIT_TEST(longest_prefix_then_metric_then_default)
{
	struct route_table t;
	struct route r;

	route_init(&t);
	CHECK_EQ(route_lookup(&t, 0x0a00020f, &r), -E_NOENT);
	CHECK_EQ(route_add(&t, 0, 0, 0x0a000202, 0, &eth0), 0);
	CHECK_EQ(route_add(&t, 0x0a000200, 0xffffff00, 0, 0, &eth0), 0);
	CHECK_EQ(route_add(&t, 0x7f000000, 0xff000000, 0, 0, &lo), 0);
	CHECK_EQ(route_add(&t, 0x0a00020f, 0xffffffff, 0, 0, &lo), 0);
	CHECK_EQ(route_add(&t, 0x0a000200, 0xffffff00, 0, 5, &eth1), 0);

	CHECK_EQ(route_lookup(&t, 0x08080808, &r), 0); /* default */
	CHECK(r.netif == &eth0 && r.mask == 0 && route_next_hop(&r, 0x08080808) == 0x0a000202);
	CHECK_EQ(route_lookup(&t, 0x0a000203, &r), 0); /* the subnet, lower metric */
	CHECK(r.netif == &eth0 && route_next_hop(&r, 0x0a000203) == 0x0a000203);
	CHECK_EQ(route_lookup(&t, 0x0a00020f, &r), 0); /* the host route */
	CHECK(r.netif == &lo);
	CHECK_EQ(route_lookup(&t, 0x7f000001, &r), 0);
	CHECK(r.netif == &lo);

	CHECK_EQ(route_del_netif(&t, &eth0), 2);
	CHECK_EQ(route_lookup(&t, 0x0a000203, &r), 0);
	CHECK(r.netif == &eth1);
	CHECK_EQ(route_lookup(&t, 0x08080808, &r), -E_NOENT);
}

UNIT_TEST(bad_routes_refused_and_table_full)
{
	struct route_table t;

	route_init(&t);
	CHECK_EQ(route_add(&t, 0x0a000200, 0xff00ff00, 0, 0, &eth0), -E_INVAL); /* holes */
	CHECK_EQ(route_add(&t, 0x0a000201, 0xffffff00, 0, 0, &eth0), -E_INVAL); /* host bits */
	CHECK_EQ(route_add(&t, 0x0a000200, 0xffffff00, 0, 0, NULL), -E_INVAL);
	CHECK_EQ(route_add(&t, 0x0a000200, 0xffffff00, 0, 0, &eth0), 0);
	CHECK_EQ(route_add(&t, 0x0a000200, 0xffffff00, 0, 0, &eth0), -E_EXIST);
	for (unsigned i = 1; i < ROUTE_MAX; i++)
		CHECK_EQ(route_add(&t, i << 24, 0xff000000, 0, 0, &eth0), 0);
	CHECK_EQ(route_add(&t, 0xc0000000, 0xff000000, 0, 0, &eth0), -E_NOMEM);
}

UNIT_TEST(masks_and_prefixes)
{
	for (unsigned p = 0; p <= 32; p++)
		CHECK_EQ(route_prefix_len(route_mask(p)), (int)p);
	CHECK_EQ(route_prefix_len(0xffff00ff), -1);
	CHECK_EQ(route_prefix_len(0x00ffffff), -1);
	CHECK_EQ(route_mask(24), 0xffffff00u);
}

/* Random tables against a search that tries every prefix length. */
UNIT_TEST(random_tables_match_a_plain_search)
{
	unit_srand(11);
	for (int round = 0; round < 2000; round++) {
		struct route_table t;
		struct route r;

		route_init(&t);
		for (int i = 0; i < ROUTE_MAX; i++) {
			unsigned p = (unsigned)(unit_rand() % 33);
			uint32_t m = route_mask(p);

			route_add(&t, (uint32_t)unit_rand() & m & 0xc30000ffu, m, 0,
				  (unsigned)(unit_rand() % 3), (unit_rand() & 1) ? &eth0 : &eth1);
		}
		for (int k = 0; k < 20; k++) {
			uint32_t dst = (uint32_t)unit_rand() & 0xc30000ffu;
			const struct route *want = NULL;
			int err;

			for (int i = 0; i < ROUTE_MAX; i++) {
				const struct route *c = &t.r[i];

				if (!c->used || (dst & c->mask) != c->dest)
					continue;
				if (!want || c->mask > want->mask ||
				    (c->mask == want->mask && c->metric < want->metric))
					want = c;
			}
			err = route_lookup(&t, dst, &r);
			CHECK_EQ(err, want ? 0 : -E_NOENT);
			if (want && !err)
				CHECK(r.dest == want->dest && r.mask == want->mask &&
				      r.metric == want->metric);
		}
	}
}

UNIT_MAIN()
