/* UDP: crafted datagrams, bad lengths and checksums, building, a fuzz. */
#include <string.h>

#include "net/udp.h"
#include "net_craft.h"
#include "themelios/errno.h"
#include "unit.h"

#define SRC 0x0a000202
#define DST 0x0a00020f

static uint8_t b[2048];

UNIT_TEST(parses_a_datagram)
{
	struct udp_datagram u;

	memcpy(b + 8, "hello", 5);
	craft_udp(b, SRC, DST, 12345, 53, 5);
	CHECK_EQ(udp_parse(b, 13, SRC, DST, &u), 0);
	CHECK_EQ(u.src_port, 12345);
	CHECK_EQ(u.dst_port, 53);
	CHECK_EQ(u.data_len, 5);
	CHECK(memcmp(u.data, "hello", 5) == 0);
	CHECK_EQ(udp_parse(b, 20, SRC, DST, &u), 0); /* trailing bytes ignored */
	CHECK_EQ(u.data_len, 5);
}

UNIT_TEST(zero_checksum_means_none)
{
	struct udp_datagram u;

	craft_udp(b, SRC, DST, 1, 2, 4);
	b[6] = b[7] = 0;
	CHECK_EQ(udp_parse(b, 12, SRC, DST, &u), 0);
}

UNIT_TEST(bad_checksum)
{
	struct udp_datagram u;

	memcpy(b + 8, "data", 4);
	craft_udp(b, SRC, DST, 1, 2, 4);
	b[9] ^= 4;
	CHECK_EQ(udp_parse(b, 12, SRC, DST, &u), -E_CORRUPT);
	b[9] ^= 4;
	/* The pseudo-header is covered: the wrong addresses fail. */
	CHECK_EQ(udp_parse(b, 12, SRC, DST + 1, &u), -E_CORRUPT);
	CHECK_EQ(udp_parse(b, 12, SRC, DST, &u), 0);
}

UNIT_TEST(bad_lengths)
{
	struct udp_datagram u;

	craft_udp(b, SRC, DST, 1, 2, 10);
	for (size_t len = 0; len < 18; len++)
		CHECK_EQ(udp_parse(b, len, SRC, DST, &u), -E_CORRUPT);
	craft_put16(b + 4, 7);
	b[6] = b[7] = 0;
	CHECK_EQ(udp_parse(b, 18, SRC, DST, &u), -E_CORRUPT);
}

UNIT_TEST(build_matches_the_host)
{
	uint8_t mine[64], ref[64];
	struct udp_datagram u;

	unit_srand(768);
	for (int i = 0; i < 200; i++) {
		size_t len = unit_rand() % 56;
		uint32_t s = (uint32_t)unit_rand(), d = (uint32_t)unit_rand();

		for (size_t j = 0; j < len; j++)
			mine[8 + j] = ref[8 + j] = (uint8_t)unit_rand();
		CHECK_EQ(udp_build(mine, sizeof(mine), s, d, 7, 9, len), (int)(len + 8));
		craft_udp(ref, s, d, 7, 9, len);
		CHECK(memcmp(mine, ref, len + 8) == 0);
		CHECK_EQ(udp_parse(mine, len + 8, s, d, &u), 0);
		CHECK_EQ(u.data_len, len);
	}
	CHECK_EQ(udp_build(mine, 15, SRC, DST, 1, 2, 8), -E_RANGE);
	CHECK_EQ(udp_build(b, sizeof(b), SRC, DST, 1, 2, 65508), -E_RANGE);
}

UNIT_TEST(computed_zero_is_sent_as_ffff)
{
	struct udp_datagram u;
	uint8_t p[10];

	/* Choose the data so that the sum is ffff, making the checksum 0. */
	for (unsigned v = 0; v < 0x10000; v++) {
		craft_put16(p + 8, v);
		CHECK_EQ(udp_build(p, sizeof(p), 0, 0, 0, 0, 2), 10);
		if (p[6] == 0xff && p[7] == 0xff) {
			CHECK_EQ(udp_parse(p, 10, 0, 0, &u), 0);
			return;
		}
	}
	CHECK(!"no value gave a zero checksum");
}

UNIT_TEST(fuzz_mutated_datagrams)
{
	uint8_t p[64];
	struct udp_datagram u;
	int ok = 0;

	unit_srand(17);
	for (int i = 0; i < 20000; i++) {
		size_t len = 8 + unit_rand() % 40;

		craft_udp(p, SRC, DST, 5, 6, len - 8);
		for (int n = (int)(unit_rand() % 3); n >= 0; n--)
			p[unit_rand() % len] ^= (uint8_t)unit_rand();
		len = unit_rand() % (len + 1);
		if (udp_parse(p, len, SRC, DST, &u) == 0) {
			ok++;
			CHECK(u.data + u.data_len <= p + len);
		}
	}
	CHECK(ok > 0);
}

UNIT_MAIN();
