/* Ethernet II headers: parsing, building, short and unsupported frames, a fuzz. */
#include <string.h>

#include "net/ethernet.h"
#include "themelios/errno.h"
#include "unit.h"

static const uint8_t us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t them[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

UNIT_TEST(parses_a_frame)
{
	uint8_t f[60] = { 0 };
	struct eth_frame e;

	memcpy(f, us, 6);
	memcpy(f + 6, them, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	CHECK_EQ(eth_parse(f, sizeof(f), &e), 0);
	CHECK(memcmp(e.dst, us, 6) == 0);
	CHECK(memcmp(e.src, them, 6) == 0);
	CHECK_EQ(e.type, ETH_TYPE_ARP);
	CHECK(e.payload == f + 14);
	CHECK_EQ(e.payload_len, 46);
}

UNIT_TEST(build_then_parse)
{
	uint8_t f[14];
	struct eth_frame e;

	CHECK_EQ(eth_build(f, sizeof(f), eth_broadcast, us, ETH_TYPE_IPV4), 14);
	CHECK_EQ(eth_parse(f, sizeof(f), &e), 0);
	CHECK(memcmp(e.dst, eth_broadcast, 6) == 0);
	CHECK_EQ(e.type, ETH_TYPE_IPV4);
	CHECK_EQ(e.payload_len, 0);
	CHECK_EQ(eth_build(f, 13, eth_broadcast, us, ETH_TYPE_IPV4), -E_RANGE);
}

UNIT_TEST(truncated_header)
{
	uint8_t f[14] = { 0 };
	struct eth_frame e;

	f[12] = 0x08;
	for (size_t len = 0; len < 14; len++)
		CHECK_EQ(eth_parse(f, len, &e), -E_CORRUPT);
	CHECK_EQ(eth_parse(f, 14, &e), 0);
}

UNIT_TEST(length_field_and_vlan_unsupported)
{
	uint8_t f[20] = { 0 };
	struct eth_frame e;

	f[12] = 0x05;
	f[13] = 0xdc; /* 1500: an 802.3 length */
	CHECK_EQ(eth_parse(f, sizeof(f), &e), -E_NOTSUP);
	f[12] = 0x81;
	f[13] = 0x00;
	CHECK_EQ(eth_parse(f, sizeof(f), &e), -E_NOTSUP);
}

UNIT_TEST(fuzz_random_frames)
{
	uint8_t f[64];
	struct eth_frame e;

	unit_srand(14);
	for (int i = 0; i < 5000; i++) {
		size_t len = unit_rand() % sizeof(f);

		for (size_t j = 0; j < len; j++)
			f[j] = (uint8_t)unit_rand();
		if (eth_parse(f, len, &e) == 0)
			CHECK(e.payload + e.payload_len == f + len);
	}
}

UNIT_MAIN();
