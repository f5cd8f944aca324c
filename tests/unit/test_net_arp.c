/* ARP packets: parsing crafted and damaged packets, building, a fuzz. */
#include <string.h>

#include "net/arp.h"
#include "themelios/errno.h"
#include "unit.h"

static const uint8_t request[28] = {
	0x00, 0x01, 0x08, 0x00, 6,  4, 0x00, 0x01, 0x52, 0x55,
	0x0a, 0x00, 0x02, 0x02, 10, 0, 2,    2,		     /* sender */
	0,    0,    0,	  0,	0,  0, 10,   0,	   2,	 15, /* target */
};

UNIT_TEST(parses_a_request)
{
	struct arp_packet a;

	CHECK_EQ(arp_parse(request, sizeof(request), &a), 0);
	CHECK_EQ(a.op, ARP_OP_REQUEST);
	CHECK_EQ(a.spa, 0x0a000202);
	CHECK_EQ(a.tpa, 0x0a00020f);
	CHECK_EQ(a.sha[0], 0x52);
	CHECK_EQ(a.sha[5], 0x02);
}

UNIT_TEST(build_is_byte_exact)
{
	struct arp_packet a;
	uint8_t b[40];

	CHECK_EQ(arp_parse(request, sizeof(request), &a), 0);
	CHECK_EQ(arp_build(b, sizeof(b), &a), ARP_PACKET_LEN);
	CHECK(memcmp(b, request, sizeof(request)) == 0);
	CHECK_EQ(arp_build(b, 27, &a), -E_RANGE);
}

UNIT_TEST(padding_is_ignored)
{
	uint8_t b[46] = { 0 };
	struct arp_packet a;

	memcpy(b, request, sizeof(request));
	CHECK_EQ(arp_parse(b, sizeof(b), &a), 0);
}

UNIT_TEST(truncated)
{
	struct arp_packet a;

	for (size_t len = 0; len < 28; len++)
		CHECK_EQ(arp_parse(request, len, &a), -E_CORRUPT);
}

UNIT_TEST(bad_fields)
{
	struct arp_packet a;
	uint8_t b[28];
	static const int offsets[] = { 1, 2, 3, 4, 5 };

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		memcpy(b, request, sizeof(b));
		b[offsets[i]] ^= 0x40;
		CHECK_EQ(arp_parse(b, sizeof(b), &a), -E_NOTSUP);
	}
	memcpy(b, request, sizeof(b));
	b[7] = 3; /* RARP request */
	CHECK_EQ(arp_parse(b, sizeof(b), &a), -E_CORRUPT);
	b[7] = 0;
	CHECK_EQ(arp_parse(b, sizeof(b), &a), -E_CORRUPT);
	b[7] = 2;
	CHECK_EQ(arp_parse(b, sizeof(b), &a), 0);
	CHECK_EQ(a.op, ARP_OP_REPLY);
}

UNIT_TEST(fuzz_mutated_packets)
{
	uint8_t b[28];
	struct arp_packet a;
	int ok = 0;

	unit_srand(826);
	for (int i = 0; i < 5000; i++) {
		memcpy(b, request, sizeof(b));
		for (int n = (int)(unit_rand() % 3); n >= 0; n--)
			b[unit_rand() % sizeof(b)] = (uint8_t)unit_rand();
		if (arp_parse(b, unit_rand() % 29, &a) == 0)
			ok++;
	}
	CHECK(ok > 0);
}

UNIT_MAIN();
