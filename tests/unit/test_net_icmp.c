/* ICMP: echo request to reply, destination unreachable, damaged messages, a fuzz. */
#include <string.h>

#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net_craft.h"
#include "themelios/errno.h"
#include "unit.h"

static uint8_t pkt[1600];

/* An echo request (id, seq, len bytes of data) at p; returns its length. */
static size_t
craft_echo(uint8_t *p, uint16_t id, uint16_t seq, size_t len)
{
	p[0] = ICMP_ECHO_REQUEST;
	p[1] = 0;
	craft_put16(p + 2, 0);
	craft_put16(p + 4, id);
	craft_put16(p + 6, seq);
	for (size_t i = 0; i < len; i++)
		p[8 + i] = (uint8_t)(i * 7);
	craft_put16(p + 2, craft_csum(p, len + 8, 0));
	return len + 8;
}

UNIT_TEST(parses_an_echo_request)
{
	struct icmp_message m;
	size_t len = craft_echo(pkt, 0x4242, 3, 56);

	CHECK_EQ(icmp_parse(pkt, len, &m), 0);
	CHECK_EQ(m.type, ICMP_ECHO_REQUEST);
	CHECK_EQ(m.code, 0);
	CHECK_EQ(m.id, 0x4242);
	CHECK_EQ(m.seq, 3);
	CHECK_EQ(m.data_len, 56);
	CHECK(m.data == pkt + 8);
}

UNIT_TEST(truncated_and_bad_checksum)
{
	struct icmp_message m;
	size_t len = craft_echo(pkt, 1, 1, 5); /* odd length */

	for (size_t l = 0; l < 8; l++)
		CHECK_EQ(icmp_parse(pkt, l, &m), -E_CORRUPT);
	CHECK_EQ(icmp_parse(pkt, len, &m), 0);
	CHECK_EQ(icmp_parse(pkt, len - 1, &m), -E_CORRUPT);
	pkt[len - 1] ^= 1;
	CHECK_EQ(icmp_parse(pkt, len, &m), -E_CORRUPT);
}

UNIT_TEST(echo_reply_in_place)
{
	struct icmp_message m, r;
	uint8_t copy[64];
	size_t len = craft_echo(pkt, 9, 10, 33);

	memcpy(copy, pkt, len);
	CHECK_EQ(icmp_parse(pkt, len, &m), 0);
	CHECK_EQ(icmp_build_echo_reply(pkt, sizeof(pkt), &m), (int)len);
	CHECK_EQ(craft_csum(pkt, len, 0), 0);
	CHECK_EQ(icmp_parse(pkt, len, &r), 0);
	CHECK_EQ(r.type, ICMP_ECHO_REPLY);
	CHECK_EQ(r.id, 9);
	CHECK_EQ(r.seq, 10);
	CHECK(memcmp(pkt + 8, copy + 8, 33) == 0);
}

UNIT_TEST(echo_reply_into_another_buffer)
{
	struct icmp_message m;
	uint8_t out[64];
	size_t len = craft_echo(pkt, 1, 2, 40);

	CHECK_EQ(icmp_parse(pkt, len, &m), 0);
	CHECK_EQ(icmp_build_echo_reply(out, 47, &m), -E_RANGE);
	CHECK_EQ(icmp_build_echo_reply(out, 7, &m), -E_RANGE);
	CHECK_EQ(icmp_build_echo_reply(out, 48, &m), 48);
	m.type = ICMP_ECHO_REPLY;
	CHECK_EQ(icmp_build_echo_reply(out, sizeof(out), &m), -E_INVAL);
}

UNIT_TEST(unreachable_quotes_header_and_8_bytes)
{
	struct icmp_message m;
	uint8_t out[128];
	size_t hl = craft_ipv4(pkt, 8, 100, 17, 1, 2, 3, 0, 0);
	int n;

	for (size_t i = 0; i < 100; i++)
		pkt[hl + i] = (uint8_t)i;
	n = icmp_build_unreachable(out, sizeof(out), ICMP_UNREACH_PORT, pkt, hl + 100);
	CHECK_EQ(n, 8 + 28 + 8);
	CHECK_EQ(icmp_parse(out, (size_t)n, &m), 0);
	CHECK_EQ(m.type, ICMP_DEST_UNREACHABLE);
	CHECK_EQ(m.code, ICMP_UNREACH_PORT);
	CHECK_EQ(m.data_len, 36);
	CHECK(memcmp(m.data, pkt, 36) == 0);
	/* A datagram shorter than header + 8 is quoted whole. */
	n = icmp_build_unreachable(out, sizeof(out), ICMP_UNREACH_PROTOCOL, pkt, hl + 3);
	CHECK_EQ(n, 8 + 28 + 3);
	CHECK_EQ(icmp_build_unreachable(out, 43, ICMP_UNREACH_PORT, pkt, hl + 100), -E_RANGE);
}

UNIT_TEST(unreachable_rejects_bad_quotes)
{
	uint8_t out[128];

	craft_ipv4(pkt, 0, 8, 17, 1, 2, 3, 0, 0);
	CHECK_EQ(icmp_build_unreachable(out, sizeof(out), 3, pkt, 19), -E_CORRUPT);
	pkt[0] = 0x4f; /* 60-byte header, 28 bytes given */
	CHECK_EQ(icmp_build_unreachable(out, sizeof(out), 3, pkt, 28), -E_CORRUPT);
	pkt[0] = 0x44;
	CHECK_EQ(icmp_build_unreachable(out, sizeof(out), 3, pkt, 28), -E_CORRUPT);
	pkt[0] = 0x65;
	CHECK_EQ(icmp_build_unreachable(out, sizeof(out), 3, pkt, 28), -E_CORRUPT);
}

/*
 * A ping as it comes off the wire, answered the way the stack will:
 * each layer parsed, the reply built into a fresh frame, and the frame
 * parsed back.
 */
UNIT_TEST(ping_answered_through_every_layer)
{
	static const uint8_t us[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	static const uint8_t them[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };
	uint8_t in[128], reply[128];
	struct eth_frame e;
	struct ipv4_header ip, rip;
	struct icmp_message m;
	size_t icmp_len, hl;
	int n, total;

	memcpy(in, us, 6);
	memcpy(in + 6, them, 6);
	craft_put16(in + 12, ETH_TYPE_IPV4);
	icmp_len = craft_echo(in + 14 + 20, 0x77, 5, 32);
	hl = craft_ipv4(in + 14, 0, icmp_len, 1, 0x0a000202, 0x0a00020f, 99, 0, 0);
	CHECK_EQ(hl, 20);

	CHECK_EQ(eth_parse(in, 14 + 20 + icmp_len, &e), 0);
	CHECK_EQ(e.type, ETH_TYPE_IPV4);
	CHECK_EQ(ipv4_parse(e.payload, e.payload_len, &ip), 0);
	CHECK_EQ(ip.proto, IPV4_PROTO_ICMP);
	CHECK_EQ(icmp_parse(ip.payload, ip.payload_len, &m), 0);

	n = icmp_build_echo_reply(reply + 34, sizeof(reply) - 34, &m);
	CHECK_EQ(n, (int)icmp_len);
	rip = (struct ipv4_header){ .id = 1,
				    .ttl = IPV4_DEFAULT_TTL,
				    .proto = IPV4_PROTO_ICMP,
				    .src = ip.dst,
				    .dst = ip.src };
	CHECK_EQ(ipv4_build(reply + 14, sizeof(reply) - 14, &rip, (size_t)n), 20);
	CHECK_EQ(eth_build(reply, sizeof(reply), e.src, us, ETH_TYPE_IPV4), 14);
	total = 14 + 20 + n;

	CHECK_EQ(eth_parse(reply, (size_t)total, &e), 0);
	CHECK(memcmp(e.dst, them, 6) == 0);
	CHECK_EQ(ipv4_parse(e.payload, e.payload_len, &ip), 0);
	CHECK_EQ(ip.src, 0x0a00020f);
	CHECK_EQ(ip.dst, 0x0a000202);
	CHECK_EQ(craft_csum(reply + 14, 20, 0), 0);
	CHECK_EQ(icmp_parse(ip.payload, ip.payload_len, &m), 0);
	CHECK_EQ(m.type, ICMP_ECHO_REPLY);
	CHECK_EQ(m.id, 0x77);
	CHECK_EQ(m.seq, 5);
	CHECK(memcmp(m.data, in + 14 + 20 + 8, 32) == 0);
}

UNIT_TEST(fuzz_mutated_messages)
{
	uint8_t p[80], out[96];
	struct icmp_message m;
	int ok = 0;

	unit_srand(792);
	for (int i = 0; i < 20000; i++) {
		size_t len = craft_echo(p, (uint16_t)i, 1, unit_rand() % 64);

		for (int n = (int)(unit_rand() % 3); n >= 0; n--)
			p[unit_rand() % len] ^= (uint8_t)unit_rand();
		len = unit_rand() % (len + 1);
		if (icmp_parse(p, len, &m) == 0) {
			ok++;
			CHECK(m.data + m.data_len == p + len);
			if (icmp_build_echo_reply(out, sizeof(out), &m) > 0)
				CHECK_EQ(craft_csum(out, len, 0), 0);
		}
		(void)icmp_build_unreachable(out, sizeof(out), 1, p, len);
	}
	CHECK(ok > 0);
}

UNIT_MAIN();
