/* The Internet checksum against RFC 1071's example and a plain reference sum. */
#include <string.h>

#include "lib/byteorder.h"
#include "net/checksum.h"
#include "unit.h"

/* The textbook definition, one word at a time, folded at every step. */
static uint16_t
reference(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i < len; i += 2) {
		s += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
		s = (s & 0xffff) + (s >> 16);
	}
	return (uint16_t)~s;
}

UNIT_TEST(rfc1071_example)
{
	/* RFC 1071 section 3: these bytes sum to ddf2, so the checksum is 220d. */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK_EQ(inet_checksum(b, sizeof(b)), 0x220d);
	CHECK_EQ(inet_checksum(b, 0), 0xffff);
}

UNIT_TEST(odd_lengths_pad_with_zero)
{
	static const uint8_t b[] = { 0x12, 0x34, 0x56 };

	CHECK_EQ(inet_checksum(b, 3), (uint16_t) ~(0x1234 + 0x5600));
	CHECK_EQ(inet_checksum(b, 1), (uint16_t)~0x1200);
}

UNIT_TEST(carries_wrap_around)
{
	uint8_t b[4096];

	memset(b, 0xff, sizeof(b));
	CHECK_EQ(inet_checksum(b, sizeof(b)), 0);
	memset(b, 0xfe, sizeof(b));
	CHECK_EQ(inet_checksum(b, sizeof(b)), reference(b, sizeof(b)));
}

UNIT_TEST(random_buffers_match_reference)
{
	static uint8_t b[2000];

	unit_srand(1071);
	for (int round = 0; round < 500; round++) {
		size_t len = unit_rand() % sizeof(b);

		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)unit_rand();
		CHECK_EQ(inet_checksum(b, len), reference(b, len));
	}
}

UNIT_TEST(long_unaligned_buffers_match_reference)
{
	static uint8_t b[65536 + 8];

	unit_srand(6);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(0xf0 | unit_rand()); /* high bytes: many carries */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 65536 - 9; len <= 65536; len++)
			CHECK_EQ(inet_checksum(b + off, len), reference(b + off, len));
}

UNIT_TEST(incremental_over_uneven_pieces)
{
	static uint8_t b[1500];

	unit_srand(815);
	for (int round = 0; round < 300; round++) {
		size_t len = unit_rand() % sizeof(b), pos = 0;
		struct inet_csum c;

		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)unit_rand();
		inet_csum_init(&c);
		while (pos < len) {
			size_t n = unit_rand() % 7; /* pieces of 0 to 6 bytes, odd ones too */

			if (n > len - pos)
				n = len - pos;
			inet_csum_add(&c, b + pos, n);
			pos += n;
		}
		CHECK_EQ(inet_csum_result(&c), reference(b, len));
	}
}

UNIT_TEST(stored_checksum_verifies_to_zero)
{
	uint8_t b[64];

	unit_srand(791);
	for (int round = 0; round < 100; round++) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)unit_rand();
		put_be16(b + 10, 0);
		put_be16(b + 10, inet_checksum(b, sizeof(b)));
		CHECK_EQ(inet_checksum(b, sizeof(b)), 0);
	}
}

UNIT_TEST(pseudo_header_equals_contiguous_bytes)
{
	uint8_t all[12 + 8 + 5] = {
		10,   0,    2,	  15,	10,   0,    2,	  2,	0, 17, 0, 13, /* pseudo-header */
		0x30, 0x39, 0x00, 0x35, 0x00, 0x0d, 0x00, 0x00,		      /* UDP header */
		'h',  'e',  'l',  'l',	'o',
	};
	struct inet_csum c;

	inet_csum_init(&c);
	inet_csum_add_pseudo(&c, 0x0a00020f, 0x0a000202, 17, 13);
	inet_csum_add(&c, all + 12, 13);
	CHECK_EQ(inet_csum_result(&c), reference(all, sizeof(all)));
}

UNIT_MAIN();
