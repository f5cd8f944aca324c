/*
 * TCP headers: crafted segments parsed, every malformed case refused,
 * the builder against crafted bytes, and thousands of mutated and
 * truncated segments that must parse or be refused, never overrun.
 * Also sequence arithmetic across the wrap.
 */
#include <string.h>

#include "net/tcp_header.h"
#include "net/tcp_seq.h"
#include "net_craft.h"
#include "themelios/errno.h"
#include "unit.h"

#define SRC 0x0a000202
#define DST 0x0a00020f

static uint8_t b[2048];

/* A segment crafted by hand: header, optlen bytes of options from opts,
 * data_len bytes of data; the checksum over the pseudo-header. */
static size_t
craft_tcp(uint8_t *p, const uint8_t *opts, size_t optlen, size_t data_len, uint8_t flags)
{
	size_t hl = 20 + ((optlen + 3) & ~(size_t)3), len = hl + data_len;
	uint8_t ph[12];
	uint32_t s = 0;

	memset(p, 0, hl);
	craft_put16(p, 1234);
	craft_put16(p + 2, 80);
	craft_put32(p + 4, 0x01020304);
	craft_put32(p + 8, 0x05060708);
	p[12] = (uint8_t)(hl / 4 << 4);
	p[13] = flags;
	craft_put16(p + 14, 4096);
	if (optlen)
		memcpy(p + 20, opts, optlen);
	for (size_t i = 0; i < data_len; i++)
		p[hl + i] = (uint8_t)(i * 7);
	craft_put32(ph, SRC);
	craft_put32(ph + 4, DST);
	ph[8] = 0;
	ph[9] = 6;
	craft_put16(ph + 10, (unsigned)len);
	for (int i = 0; i < 12; i += 2)
		s += (uint32_t)ph[i] << 8 | ph[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	craft_put16(p + 16, craft_csum(p, len, s));
	return len;
}

UNIT_TEST(parses_a_crafted_segment)
{
	static const uint8_t opts[] = { 2, 4,  0x05, 0xb4, 1, 3, 3, 7, 4, 2,
					8, 10, 0,    0,	   0, 9, 0, 0, 0, 3 };
	struct tcp_segment s;
	size_t len = craft_tcp(b, opts, sizeof(opts), 10, TCP_SYN | TCP_ACK);

	CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), 0);
	CHECK_EQ(s.src_port, 1234);
	CHECK_EQ(s.dst_port, 80);
	CHECK_EQ(s.seq, 0x01020304);
	CHECK_EQ(s.ack, 0x05060708);
	CHECK_EQ(s.flags, TCP_SYN | TCP_ACK);
	CHECK_EQ(s.window, 4096);
	CHECK_EQ(s.data_len, 10);
	CHECK_EQ(s.data[3], 21);
	CHECK(s.opt.has_mss && s.opt.mss == 1460);
	CHECK(s.opt.has_wscale && s.opt.wscale == 7);
	CHECK(s.opt.sack_permitted);
	CHECK(s.opt.has_ts && s.opt.ts_val == 9 && s.opt.ts_ecr == 3);
}

UNIT_TEST(parses_sack_blocks_and_skips_unknown_options)
{
	static const uint8_t opts[] = { 1, 1, 5, 18, 0, 0, 0, 1, 0,  0, 0,    2,
					0, 0, 0, 5,  0, 0, 0, 9, 30, 4, 0xaa, 0xbb };
	struct tcp_segment s;
	size_t len = craft_tcp(b, opts, sizeof(opts), 0, TCP_ACK);

	CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), 0);
	CHECK_EQ(s.opt.nsack, 2);
	CHECK_EQ(s.opt.sack[1].start, 5);
	CHECK_EQ(s.opt.sack[1].end, 9);
	CHECK(!s.opt.has_mss);
}

UNIT_TEST(a_wscale_above_14_counts_as_14)
{
	static const uint8_t opts[] = { 3, 3, 20, 0 };
	struct tcp_segment s;
	size_t len = craft_tcp(b, opts, sizeof(opts), 0, TCP_SYN);

	CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), 0);
	CHECK_EQ(s.opt.wscale, 14);
}

UNIT_TEST(refuses_malformed_segments)
{
	static const struct {
		uint8_t opts[8];
		size_t len;
	} bad[] = {
		{ { 2, 0 }, 4 },	     /* length 0 */
		{ { 2, 1 }, 4 },	     /* length 1 */
		{ { 2, 3, 5, 0 }, 4 },	     /* MSS of length 3 */
		{ { 3, 4, 1, 0 }, 4 },	     /* window scale of length 4 */
		{ { 4, 3, 0, 0 }, 4 },	     /* SACK-permitted of length 3 */
		{ { 8, 9, 0, 0 }, 4 },	     /* timestamps of length 9 */
		{ { 5, 6, 0, 0, 0, 0 }, 8 }, /* SACK shorter than a block */
		{ { 5, 11, 0, 0 }, 4 },	     /* SACK past the header */
		{ { 1, 1, 1, 2 }, 4 },	     /* a kind with no room for its length */
		{ { 30, 40, 0, 0 }, 4 },     /* unknown kind running past the end */
	};
	struct tcp_segment s;
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = craft_tcp(b, bad[i].opts, bad[i].len, 4, TCP_ACK);
		CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), -E_CORRUPT);
	}
	len = craft_tcp(b, NULL, 0, 4, TCP_ACK);
	CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), 0);
	CHECK_EQ(tcp_parse(b, 19, SRC, DST, &s), -E_CORRUPT);	   /* truncated */
	CHECK_EQ(tcp_parse(b, len, SRC + 1, DST, &s), -E_CORRUPT); /* another pseudo-header */
	b[12] = 4 << 4;						   /* data offset below 5 */
	CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), -E_CORRUPT);
	b[12] = 15 << 4; /* past the segment */
	CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), -E_CORRUPT);
	len = craft_tcp(b, NULL, 0, 4, TCP_ACK);
	b[len - 1] ^= 1;
	CHECK_EQ(tcp_parse(b, len, SRC, DST, &s), -E_CORRUPT);
}

UNIT_TEST(builds_what_is_crafted)
{
	static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
					    0, 9, 0,	0,    0, 0, 1, 3,  3, 7 };
	uint8_t want[128];
	struct tcp_segment s;
	size_t len = craft_tcp(want, syn_opts, sizeof(syn_opts), 0, TCP_SYN);
	int n;

	memset(&s, 0, sizeof(s));
	s.src_port = 1234;
	s.dst_port = 80;
	s.seq = 0x01020304;
	s.ack = 0x05060708;
	s.flags = TCP_SYN;
	s.window = 4096;
	s.opt.has_mss = s.opt.has_wscale = s.opt.sack_permitted = s.opt.has_ts = true;
	s.opt.mss = 1460;
	s.opt.wscale = 7;
	s.opt.ts_val = 9;
	n = tcp_build(b, sizeof(b), SRC, DST, &s, NULL, 0);
	CHECK_EQ(n, (int)len);
	CHECK(memcmp(b, want, len) == 0);
	CHECK_EQ(tcp_build(b, len - 1, SRC, DST, &s, NULL, 0), -E_RANGE);
	/* Data, SACK blocks beside timestamps, and a parse of the result. */
	memset(&s.opt, 0, sizeof(s.opt));
	s.flags = TCP_ACK;
	s.opt.has_ts = true;
	s.opt.nsack = 3;
	for (unsigned i = 0; i < 3; i++) {
		s.opt.sack[i].start = 100 * i;
		s.opt.sack[i].end = 100 * i + 50;
	}
	n = tcp_build(b, sizeof(b), SRC, DST, &s, "hello", 5);
	CHECK_EQ(n, 20 + 12 + 28 + 5);
	{
		struct tcp_segment p;

		CHECK_EQ(tcp_parse(b, (size_t)n, SRC, DST, &p), 0);
		CHECK_EQ(p.opt.nsack, 3);
		CHECK_EQ(p.opt.sack[2].end, 250);
		CHECK(p.data_len == 5 && memcmp(p.data, "hello", 5) == 0);
	}
	s.opt.nsack = 4; /* 12 + 36 > 40 */
	CHECK_EQ(tcp_build(b, sizeof(b), SRC, DST, &s, NULL, 0), -E_RANGE);
}

UNIT_TEST(mutated_segments_parse_or_are_refused)
{
	static const uint8_t opts[] = { 2, 4, 5, 0xb4, 1, 3, 3, 7,  4, 2, 8, 10, 0, 0, 0, 9,
					0, 0, 0, 3,    1, 1, 5, 10, 0, 0, 0, 1,	 0, 0, 0, 2 };
	uint8_t seg[256];
	size_t base = craft_tcp(seg, opts, sizeof(opts), 40, TCP_ACK);
	unsigned ok = 0;

	unit_srand(11);
	for (int i = 0; i < 50000; i++) {
		uint8_t *m = malloc(base);
		size_t len = base - unit_rand() % 16;
		struct tcp_segment s;

		memcpy(m, seg, base);
		for (int k = unit_rand() % 4; k >= 0; k--)
			m[20 + unit_rand() % sizeof(opts)] = (uint8_t)unit_rand();
		if (unit_rand() % 4 == 0)
			m[12] = (uint8_t)unit_rand();
		if (unit_rand() % 2) {
			/* A valid checksum, so the option walk is reached. */
			uint8_t ph[12];
			uint32_t sum = 0;

			craft_put32(ph, SRC);
			craft_put32(ph + 4, DST);
			ph[8] = 0, ph[9] = 6;
			craft_put16(ph + 10, (unsigned)len);
			for (int j = 0; j < 12; j += 2)
				sum += (uint32_t)ph[j] << 8 | ph[j + 1];
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			craft_put16(m + 16, 0);
			craft_put16(m + 16, craft_csum(m, len, sum));
		}
		if (tcp_parse(m, len, SRC, DST, &s) == 0) {
			ok++;
			CHECK(s.data >= m && s.data + s.data_len == m + len);
			CHECK(s.opt.nsack <= TCP_MAX_SACK);
		}
		free(m);
	}
	CHECK(ok > 1000);
}

UNIT_TEST(sequence_arithmetic_wraps)
{
	CHECK(seq_lt(0xfffffff0u, 0x10));
	CHECK(seq_gt(0x10, 0xfffffff0u));
	CHECK(seq_leq(5, 5) && seq_geq(5, 5));
	CHECK(seq_in(2, 0xfffffff0u, 10));
	CHECK(!seq_in(10, 0xfffffff0u, 10));
	CHECK_EQ(seq_max(0xfffffff0u, 3), 3);
	CHECK_EQ(seq_min(0xfffffff0u, 3), 0xfffffff0u);
}

UNIT_MAIN();
