/* IPv4 headers: crafted and damaged packets, options, building, a fuzz. */
#include <string.h>

#include "lib/byteorder.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "net_craft.h"
#include "themelios/errno.h"
#include "unit.h"

static uint8_t pkt[1600];

static void
refresh_checksum(uint8_t *p)
{
	size_t hl = (size_t)(p[0] & 0xf) * 4;

	craft_put16(p + 10, 0);
	craft_put16(p + 10, craft_csum(p, hl, 0));
}

UNIT_TEST(parses_a_packet)
{
	struct ipv4_header h;
	size_t hl = craft_ipv4(pkt, 0, 100, 17, 0x0a000202, 0x0a00020f, 0x1234, 0, 0);

	memset(pkt + hl, 0xab, 100);
	CHECK_EQ(ipv4_parse(pkt, hl + 100, &h), 0);
	CHECK_EQ(h.header_len, 20);
	CHECK_EQ(h.total_len, 120);
	CHECK_EQ(h.id, 0x1234);
	CHECK_EQ(h.proto, 17);
	CHECK_EQ(h.ttl, 64);
	CHECK_EQ(h.src, 0x0a000202);
	CHECK_EQ(h.dst, 0x0a00020f);
	CHECK(!h.more_fragments && !h.dont_fragment);
	CHECK_EQ(h.frag_offset, 0);
	CHECK(h.payload == pkt + 20);
	CHECK_EQ(h.payload_len, 100);
}

UNIT_TEST(options_are_skipped)
{
	struct ipv4_header h;
	size_t hl = craft_ipv4(pkt, 40, 8, 1, 1, 2, 7, 0, 0);

	CHECK_EQ(hl, 60);
	CHECK_EQ(ipv4_parse(pkt, hl + 8, &h), 0);
	CHECK_EQ(h.header_len, 60);
	CHECK(h.payload == pkt + 60);
	CHECK_EQ(h.payload_len, 8);
}

UNIT_TEST(trailing_padding_is_ignored)
{
	struct ipv4_header h;
	size_t hl = craft_ipv4(pkt, 0, 6, 1, 1, 2, 7, 0, 0);

	CHECK_EQ(ipv4_parse(pkt, hl + 6 + 20, &h), 0);
	CHECK_EQ(h.payload_len, 6);
}

UNIT_TEST(fragment_fields)
{
	struct ipv4_header h;
	size_t hl = craft_ipv4(pkt, 0, 16, 17, 1, 2, 9, 1480, 1);

	CHECK_EQ(ipv4_parse(pkt, hl + 16, &h), 0);
	CHECK(h.more_fragments);
	CHECK_EQ(h.frag_offset, 1480);
}

UNIT_TEST(truncated_header)
{
	struct ipv4_header h;
	size_t hl = craft_ipv4(pkt, 8, 0, 1, 1, 2, 7, 0, 0);

	for (size_t len = 0; len < hl; len++)
		CHECK_EQ(ipv4_parse(pkt, len, &h), -E_CORRUPT);
	CHECK_EQ(ipv4_parse(pkt, hl, &h), 0);
}

UNIT_TEST(bad_version)
{
	struct ipv4_header h;

	craft_ipv4(pkt, 0, 0, 1, 1, 2, 7, 0, 0);
	pkt[0] = 0x65;
	refresh_checksum(pkt);
	CHECK_EQ(ipv4_parse(pkt, 20, &h), -E_CORRUPT);
}

UNIT_TEST(ihl_below_five)
{
	struct ipv4_header h;

	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		craft_ipv4(pkt, 0, 0, 1, 1, 2, 7, 0, 0);
		pkt[0] = (uint8_t)(0x40 | ihl);
		CHECK_EQ(ipv4_parse(pkt, 20, &h), -E_CORRUPT);
	}
}

UNIT_TEST(options_past_the_buffer)
{
	struct ipv4_header h;

	craft_ipv4(pkt, 0, 0, 1, 1, 2, 7, 0, 0);
	pkt[0] = 0x4f; /* 60-byte header in a 20-byte buffer */
	refresh_checksum(pkt);
	CHECK_EQ(ipv4_parse(pkt, 20, &h), -E_CORRUPT);
}

UNIT_TEST(total_length_out_of_range)
{
	struct ipv4_header h;

	craft_ipv4(pkt, 0, 100, 1, 1, 2, 7, 0, 0);
	CHECK_EQ(ipv4_parse(pkt, 119, &h), -E_CORRUPT); /* past the buffer */
	craft_put16(pkt + 2, 19);			/* below the header */
	refresh_checksum(pkt);
	CHECK_EQ(ipv4_parse(pkt, 120, &h), -E_CORRUPT);
}

UNIT_TEST(bad_checksum)
{
	struct ipv4_header h;

	craft_ipv4(pkt, 4, 0, 1, 1, 2, 7, 0, 0);
	pkt[10] ^= 1;
	CHECK_EQ(ipv4_parse(pkt, 24, &h), -E_CORRUPT);
	pkt[10] ^= 1;
	pkt[21] ^= 0x80; /* the checksum covers the options */
	CHECK_EQ(ipv4_parse(pkt, 24, &h), -E_CORRUPT);
}

UNIT_TEST(reserved_flag)
{
	struct ipv4_header h;

	craft_ipv4(pkt, 0, 0, 1, 1, 2, 7, 0, 0);
	pkt[6] |= 0x80;
	refresh_checksum(pkt);
	CHECK_EQ(ipv4_parse(pkt, 20, &h), -E_CORRUPT);
}

UNIT_TEST(fragment_past_64k)
{
	struct ipv4_header h;

	craft_ipv4(pkt, 0, 16, 1, 1, 2, 7, 65512, 0);
	CHECK_EQ(ipv4_parse(pkt, 36, &h), -E_CORRUPT);
	craft_ipv4(pkt, 0, 8, 1, 1, 2, 7, 65504, 0);
	CHECK_EQ(ipv4_parse(pkt, 28, &h), 0);
}

UNIT_TEST(build_then_parse)
{
	struct ipv4_header in = { .tos = 0x10,
				  .id = 77,
				  .dont_fragment = true,
				  .ttl = 32,
				  .proto = IPV4_PROTO_UDP,
				  .src = 0xc0a80001,
				  .dst = 0xc0a80002 };
	struct ipv4_header out;

	CHECK_EQ(ipv4_build(pkt, sizeof(pkt), &in, 50), 20);
	CHECK_EQ(craft_csum(pkt, 20, 0), 0); /* the host's sum agrees */
	CHECK_EQ(ipv4_parse(pkt, 70, &out), 0);
	CHECK_EQ(out.tos, 0x10);
	CHECK_EQ(out.id, 77);
	CHECK(out.dont_fragment);
	CHECK_EQ(out.ttl, 32);
	CHECK_EQ(out.total_len, 70);
	CHECK_EQ(out.src, 0xc0a80001);
	CHECK_EQ(out.dst, 0xc0a80002);
	in.more_fragments = true;
	in.frag_offset = 800;
	CHECK_EQ(ipv4_build(pkt, sizeof(pkt), &in, 8), 20);
	CHECK_EQ(ipv4_parse(pkt, 28, &out), 0);
	CHECK(out.more_fragments);
	CHECK_EQ(out.frag_offset, 800);
	in.frag_offset = 801;
	CHECK_EQ(ipv4_build(pkt, sizeof(pkt), &in, 8), -E_INVAL);
	CHECK_EQ(ipv4_build(pkt, 19, &in, 8), -E_RANGE);
	in.frag_offset = 0;
	CHECK_EQ(ipv4_build(pkt, sizeof(pkt), &in, 65516), -E_RANGE);
}

UNIT_TEST(fuzz_mutated_packets)
{
	static uint8_t b[128];
	struct ipv4_header h;
	int ok = 0;

	unit_srand(791);
	for (int i = 0; i < 20000; i++) {
		size_t opt = (unit_rand() % 3) * 4, len;
		size_t hl = craft_ipv4(b, opt, 40, 6, 1, 2, (uint16_t)i, 0, 0);

		len = hl + 40;
		for (int n = (int)(unit_rand() % 4); n >= 0; n--)
			b[unit_rand() % len] ^= (uint8_t)(1u << (unit_rand() % 8));
		if (unit_rand() % 2)
			refresh_checksum(b); /* reach the checks past the checksum */
		len = unit_rand() % (len + 1);
		if (ipv4_parse(b, len, &h) == 0) {
			ok++;
			CHECK(h.header_len >= 20 && h.header_len <= len);
			CHECK(h.payload + h.payload_len <= b + len);
		}
	}
	CHECK(ok > 0);
}

UNIT_MAIN();
