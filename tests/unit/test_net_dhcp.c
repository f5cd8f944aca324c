/*
 * The DHCP client state machine against server messages crafted here
 * byte by byte (not with dhcp_build): the whole exchange, retransmission
 * with backoff and jitter, renewal, rebinding and expiry, NAKs, and bad
 * input: truncated, wrong cookie, xid or hardware address, options that
 * run past the end or have the wrong length, and random mutations.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <string.h>

#include "net/dhcp.h"
#include "themelios/errno.h"
#include "unit.h"

#define SERVER 0x0a000202u
#define CLIENT 0x0a00020fu

static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

static struct {
	uint8_t msg[DHCP_MSG_MAX];
	size_t len;
	uint32_t dst;
	unsigned sends, bounds, unbounds;
	struct dhcp_lease lease;
	uint32_t rand_next;
} fake;

static void
f_send(void *ctx, const void *msg, size_t len, uint32_t dst)
{
	(void)ctx;
	CHECK(len <= sizeof(fake.msg));
	memcpy(fake.msg, msg, len);
	fake.len = len;
	fake.dst = dst;
	fake.sends++;
}

static void
f_bound(void *ctx, const struct dhcp_lease *l)
{
	(void)ctx;
	fake.lease = *l;
	fake.bounds++;
}

static void
f_unbound(void *ctx)
{
	(void)ctx;
	fake.unbounds++;
}

static uint32_t
f_random(void *ctx)
{
	(void)ctx;
	return fake.rand_next++;
}

static const struct dhcp_ops ops = { f_send, f_bound, f_unbound, f_random };

static void
be32put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A server's reply: fixed part, cookie, type, the extra options, end. */
static size_t
reply(uint8_t *b, uint8_t type, uint32_t xid, uint32_t yiaddr, const uint8_t *opts, size_t n)
{
	memset(b, 0, 576);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	be32put(b + 4, xid);
	be32put(b + 16, yiaddr);
	memcpy(b + 28, mac, 6);
	be32put(b + 236, 0x63825363);
	b[240] = 53;
	b[241] = 1;
	b[242] = type;
	memcpy(b + 243, opts, n);
	b[243 + n] = 255;
	return 244 + n;
}

/* Server id 10.0.2.2, mask /24, router 10.0.2.2, lease 100 s. */
static const uint8_t good_opts[] = { 54, 4, 10, 0, 2, 2, 1,  4, 255, 255, 255, 0,
				     3,	 4, 10, 0, 2, 2, 51, 4, 0,   0,	  0,   100 };

/* The type option of what the client sent last. */
static uint8_t
sent_type(void)
{
	struct dhcp_message m;

	CHECK_EQ(dhcp_parse(fake.msg, fake.len, &m), 0);
	return m.type;
}

static void
start(struct dhcp_client *c)
{
	memset(&fake, 0, sizeof(fake));
	fake.rand_next = 999; /* the xid, then 1000: jitter 1000 % 2001 - 1000 = 0 */
	dhcp_init(c, mac, &ops, NULL);
	dhcp_start(c, 0);
}

/* Discover, offer, request, ack: returns with the client bound at t=10 ms. */
static void
bind(struct dhcp_client *c)
{
	uint8_t b[576];
	size_t n;

	start(c);
	n = reply(b, DHCPOFFER, c->xid, CLIENT, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_input(c, b, n, 5), 0);
	CHECK_EQ(c->state, DHCP_REQUESTING);
	n = reply(b, DHCPACK, c->xid, CLIENT, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_input(c, b, n, 10), 0);
	CHECK_EQ(c->state, DHCP_BOUND);
}

UNIT_TEST(discover_offer_request_ack)
{
	struct dhcp_client c;
	struct dhcp_message m;
	uint8_t b[576];
	size_t n;

	start(&c);
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(fake.sends, 1);
	CHECK_EQ(fake.dst, 0xffffffffu);
	CHECK(fake.len >= 300);
	CHECK_EQ(dhcp_parse(fake.msg, fake.len, &m), 0);
	CHECK(m.type == DHCPDISCOVER && m.op == 1 && m.xid == c.xid && !memcmp(m.chaddr, mac, 6));
	CHECK_EQ(fake.msg[10], 0x80); /* broadcast flag: no address yet */

	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_input(&c, b, n, 5), 0);
	CHECK_EQ(c.state, DHCP_REQUESTING);
	CHECK_EQ(fake.sends, 2);
	CHECK_EQ(sent_type(), DHCPREQUEST);
	/* The request names the offered address (50) and the server (54). */
	CHECK(memmem(fake.msg + 240, fake.len - 240, "\x32\x04\x0a\x00\x02\x0f", 6) != NULL);
	CHECK(memmem(fake.msg + 240, fake.len - 240, "\x36\x04\x0a\x00\x02\x02", 6) != NULL);
	/* A second offer changes nothing. */
	CHECK_EQ(dhcp_input(&c, b, n, 6), 0);
	CHECK_EQ(fake.sends, 2);

	n = reply(b, DHCPACK, c.xid, CLIENT, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_input(&c, b, n, 10), 0);
	CHECK_EQ(c.state, DHCP_BOUND);
	CHECK_EQ(fake.bounds, 1);
	CHECK(fake.lease.ip == CLIENT && fake.lease.mask == 0xffffff00u &&
	      fake.lease.router == SERVER && fake.lease.server == SERVER);
	CHECK(fake.lease.lease_secs == 100 && fake.lease.t1_secs == 50 && fake.lease.t2_secs == 87);
	CHECK_EQ(dhcp_next_event(&c), 5 + 50000); /* T1 from the request */
}

UNIT_TEST(retransmission_backs_off_with_jitter)
{
	struct dhcp_client c;
	uint64_t last = 0;
	const uint64_t expect[] = { 4000, 8000, 16000, 32000, 64000, 64000 };

	start(&c);
	for (unsigned i = 0; i < 6; i++) {
		CHECK_EQ(dhcp_next_event(&c) - last, expect[i]);
		dhcp_tick(&c, dhcp_next_event(&c) - 1); /* not yet */
		CHECK_EQ(fake.sends, i + 1);
		last = dhcp_next_event(&c);
		fake.rand_next = 1000; /* no jitter */
		dhcp_tick(&c, last);
		CHECK_EQ(fake.sends, i + 2);
		CHECK_EQ(sent_type(), DHCPDISCOVER);
	}
	/* The jitter: random 0 takes a second off, 2000 adds one. */
	fake.rand_next = 0;
	last = dhcp_next_event(&c);
	dhcp_tick(&c, last);
	CHECK_EQ(dhcp_next_event(&c) - last, 63000);
	fake.rand_next = 2000;
	last = dhcp_next_event(&c);
	dhcp_tick(&c, last);
	CHECK_EQ(dhcp_next_event(&c) - last, 65000);
}

UNIT_TEST(requesting_gives_up_and_starts_again)
{
	struct dhcp_client c;
	uint8_t b[576];
	size_t n;
	uint32_t xid;

	start(&c);
	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
	dhcp_input(&c, b, n, 0);
	xid = c.xid;
	for (unsigned i = 1; i < DHCP_REQUEST_TRIES; i++) {
		dhcp_tick(&c, dhcp_next_event(&c));
		CHECK_EQ(c.state, DHCP_REQUESTING);
		CHECK_EQ(sent_type(), DHCPREQUEST);
	}
	dhcp_tick(&c, dhcp_next_event(&c));
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(sent_type(), DHCPDISCOVER);
	CHECK(c.xid != xid);
}

UNIT_TEST(renew_rebind_and_expire)
{
	struct dhcp_client c;
	struct dhcp_message m;
	uint8_t b[576];
	size_t n;

	bind(&c);
	/* T1 (50 s from the request at 5 ms): renew, unicast to the server. */
	dhcp_tick(&c, 50004);
	CHECK_EQ(c.state, DHCP_BOUND);
	dhcp_tick(&c, 50005);
	CHECK_EQ(c.state, DHCP_RENEWING);
	CHECK_EQ(fake.dst, SERVER);
	CHECK_EQ(dhcp_parse(fake.msg, fake.len, &m), 0);
	CHECK(m.type == DHCPREQUEST && m.ciaddr == CLIENT);
	/* The ACK renews: the lease counts from the renewal. */
	n = reply(b, DHCPACK, c.xid, CLIENT, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_input(&c, b, n, 50100), 0);
	CHECK_EQ(c.state, DHCP_BOUND);
	CHECK_EQ(fake.lease.start, 50005);
	CHECK_EQ(fake.bounds, 2);
	CHECK_EQ(fake.unbounds, 0);

	/* No answers this time: renewing, then rebinding at T2, by broadcast. */
	dhcp_tick(&c, 100005);
	CHECK_EQ(c.state, DHCP_RENEWING);
	for (int i = 0; i < 10 && c.state == DHCP_RENEWING; i++)
		dhcp_tick(&c, dhcp_next_event(&c));
	CHECK_EQ(c.state, DHCP_REBINDING);
	CHECK_EQ(fake.dst, 0xffffffffu);
	CHECK(dhcp_next_event(&c) <= 50005 + 100000);
	/* Expiry: the address goes, discovery starts again. */
	for (int i = 0; i < 10 && c.state == DHCP_REBINDING; i++)
		dhcp_tick(&c, dhcp_next_event(&c));
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(fake.unbounds, 1);
	CHECK_EQ(sent_type(), DHCPDISCOVER);
}

UNIT_TEST(nak_starts_over)
{
	struct dhcp_client c;
	uint8_t b[576];
	size_t n;

	start(&c);
	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
	dhcp_input(&c, b, n, 0);
	n = reply(b, DHCPNAK, c.xid, 0, good_opts, 6);
	dhcp_input(&c, b, n, 1);
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(c.naks, 1);
	CHECK_EQ(fake.unbounds, 0);

	bind(&c);
	dhcp_tick(&c, dhcp_next_event(&c));
	CHECK_EQ(c.state, DHCP_RENEWING);
	n = reply(b, DHCPNAK, c.xid, 0, good_opts, 6);
	dhcp_input(&c, b, n, 60000);
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(fake.unbounds, 1);
}

UNIT_TEST(bad_messages_are_refused_or_ignored)
{
	struct dhcp_client c;
	struct dhcp_message m;
	uint8_t b[576];
	size_t n;

	start(&c);
	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_parse(b, n, &m), 0);
	/* Truncated: the fixed part, the cookie, the options. */
	CHECK_EQ(dhcp_input(&c, b, 100, 1), -E_CORRUPT);
	CHECK_EQ(dhcp_input(&c, b, 239, 1), -E_CORRUPT);
	CHECK_EQ(dhcp_input(&c, b, n - 1, 1), -E_CORRUPT); /* no end option */
	CHECK_EQ(dhcp_input(&c, b, 241, 1), -E_CORRUPT);   /* a length byte missing */
	b[236] ^= 1;
	CHECK_EQ(dhcp_input(&c, b, n, 1), -E_CORRUPT); /* cookie */
	b[236] ^= 1;
	b[1] = 6;
	CHECK_EQ(dhcp_input(&c, b, n, 1), -E_CORRUPT); /* not Ethernet */
	b[1] = 1;
	CHECK_EQ(c.state, DHCP_SELECTING);

	/* Options: overlong, wrong sizes. */
	{
		const uint8_t overlong[] = { 54, 200, 10, 0, 2, 2 };
		const uint8_t short_mask[] = { 54, 4, 10, 0, 2, 2, 1, 3, 255, 255, 255 };
		const uint8_t odd_router[] = { 54, 4, 10, 0, 2, 2, 3, 5, 10, 0, 2, 2, 9 };
		const uint8_t long_server[] = { 54, 8, 10, 0, 2, 2, 10, 0, 2, 3 };

		n = reply(b, DHCPOFFER, c.xid, CLIENT, overlong, sizeof(overlong));
		CHECK_EQ(dhcp_input(&c, b, n, 1), -E_CORRUPT);
		n = reply(b, DHCPOFFER, c.xid, CLIENT, short_mask, sizeof(short_mask));
		CHECK_EQ(dhcp_input(&c, b, n, 1), -E_CORRUPT);
		n = reply(b, DHCPOFFER, c.xid, CLIENT, odd_router, sizeof(odd_router));
		CHECK_EQ(dhcp_input(&c, b, n, 1), -E_CORRUPT);
		n = reply(b, DHCPOFFER, c.xid, CLIENT, long_server, sizeof(long_server));
		CHECK_EQ(dhcp_input(&c, b, n, 1), -E_CORRUPT);
		n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
		b[242] = 9; /* no such message type */
		CHECK_EQ(dhcp_input(&c, b, n, 1), -E_CORRUPT);
	}
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(c.bad_messages, 11);

	/* Well formed but not for us, or not usable: ignored. */
	n = reply(b, DHCPOFFER, c.xid + 1, CLIENT, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_input(&c, b, n, 1), 0);
	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
	b[33] ^= 1; /* another client's hardware address */
	CHECK_EQ(dhcp_input(&c, b, n, 1), 0);
	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
	b[0] = 1; /* a request, not a reply */
	CHECK_EQ(dhcp_input(&c, b, n, 1), 0);
	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts + 6,
		  sizeof(good_opts) - 6); /* no server id */
	CHECK_EQ(dhcp_input(&c, b, n, 1), 0);
	n = reply(b, DHCPACK, c.xid, CLIENT, good_opts,
		  sizeof(good_opts)); /* ACK while selecting */
	CHECK_EQ(dhcp_input(&c, b, n, 1), 0);
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(fake.sends, 1);

	/* An ACK without a lease time, or for another address: ignored. */
	n = reply(b, DHCPOFFER, c.xid, CLIENT, good_opts, sizeof(good_opts));
	dhcp_input(&c, b, n, 2);
	n = reply(b, DHCPACK, c.xid, CLIENT, good_opts, sizeof(good_opts) - 6);
	CHECK_EQ(dhcp_input(&c, b, n, 3), 0);
	n = reply(b, DHCPACK, c.xid, CLIENT + 1, good_opts, sizeof(good_opts));
	CHECK_EQ(dhcp_input(&c, b, n, 3), 0);
	CHECK_EQ(c.state, DHCP_REQUESTING);
	CHECK_EQ(fake.bounds, 0);
}

UNIT_TEST(odd_lease_times_are_put_right)
{
	struct dhcp_client c;
	uint8_t b[576];
	/* T1 past T2, T2 past the lease: both taken from the lease instead. */
	const uint8_t opts[] = { 54, 4, 10, 0, 2, 2,  51, 4, 0, 0, 0, 100,
				 58, 4, 0,  0, 0, 90, 59, 4, 0, 0, 0, 200 };
	size_t n;

	start(&c);
	n = reply(b, DHCPOFFER, c.xid, CLIENT, opts, sizeof(opts));
	dhcp_input(&c, b, n, 0);
	n = reply(b, DHCPACK, c.xid, CLIENT, opts, sizeof(opts));
	dhcp_input(&c, b, n, 0);
	CHECK_EQ(c.state, DHCP_BOUND);
	CHECK(fake.lease.t1_secs == 50 && fake.lease.t2_secs == 87);
	CHECK_EQ(fake.lease.mask, 0); /* none given: the caller picks */
}

/* Random damage to good messages in every state: no crash, no state
 * that makes no sense, every send a well-formed message. */
UNIT_TEST(random_mutations)
{
	struct dhcp_client c;
	uint8_t b[576];

	unit_srand(2131);
	for (int round = 0; round < 20000; round++) {
		size_t n;
		uint8_t type = (uint8_t)(1 + unit_rand() % 7);

		if (round % 500 == 0)
			start(&c);
		n = reply(b, type, c.xid, CLIENT, good_opts, sizeof(good_opts));
		for (int k = (int)(unit_rand() % 4); k > 0; k--)
			b[unit_rand() % n] = (uint8_t)unit_rand();
		if (unit_rand() % 4 == 0)
			n = (size_t)(unit_rand() % (n + 1));
		dhcp_input(&c, b, n, (uint64_t)round * 1000);
		if (unit_rand() % 8 == 0)
			dhcp_tick(&c, dhcp_next_event(&c));
		CHECK(c.state >= DHCP_SELECTING && c.state <= DHCP_REBINDING);
		if (fake.sends) {
			struct dhcp_message m;

			CHECK_EQ(dhcp_parse(fake.msg, fake.len, &m), 0);
		}
	}
}

UNIT_MAIN()
