/*
 * IPv4 reassembly: fragments in every order, duplicates, overlaps,
 * timeouts, too many datagrams, floods against the budget, and a fuzz,
 * with an allocator that counts every byte.
 */
#include <stdlib.h>
#include <string.h>

#include "net/ip_reassembly.h"
#include "net_craft.h"
#include "themelios/errno.h"
#include "unit.h"

#define BUDGET	(64 * 1024)
#define TIMEOUT 30000

static struct {
	size_t live_bytes, peak_bytes;
	long live_blocks;
	int fail; /* fail the allocation after this many more; -1 never */
} mem;

static void *
test_alloc(void *ctx, size_t size)
{
	(void)ctx;
	if (mem.fail == 0)
		return NULL;
	if (mem.fail > 0)
		mem.fail--;
	mem.live_bytes += size;
	mem.live_blocks++;
	if (mem.live_bytes > mem.peak_bytes)
		mem.peak_bytes = mem.live_bytes;
	return malloc(size);
}

static void
test_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	mem.live_bytes -= size;
	mem.live_blocks--;
	free(p);
}

static const struct ip_reasm_ops ops = { test_alloc, test_free };
static struct ip_reasm r;
static uint8_t payload[65536], out[65536];

static void
setup(size_t budget)
{
	memset(&mem, 0, sizeof(mem));
	mem.fail = -1;
	ip_reasm_init(&r, &ops, NULL, budget, TIMEOUT);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 131 + (i >> 8));
}

/* Everything allocated was freed and the books agree. */
static void
teardown(void)
{
	ip_reasm_destroy(&r);
	CHECK_EQ(mem.live_blocks, 0);
	CHECK_EQ(mem.live_bytes, 0);
	CHECK_EQ(r.charged, 0);
}

static int
frag(uint16_t id, const uint8_t *data, uint32_t off, uint32_t len, bool more, uint64_t now)
{
	struct ipv4_header h = {
		.id = id,
		.proto = 17,
		.src = 0x0a000202,
		.dst = 0x0a00020f,
		.more_fragments = more,
		.frag_offset = (uint16_t)off,
		.payload = data + off,
		.payload_len = len,
	};

	return ip_reasm_input(&r, &h, now, out, sizeof(out));
}

/* Sends payload[0, total) in pieces of size piece, in the order given. */
static int
send_order(uint16_t id, uint32_t total, uint32_t piece, const unsigned *order, unsigned n,
	   uint64_t now)
{
	int ret = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t off = order[i] * piece;
		uint32_t len = off + piece < total ? piece : total - off;

		ret = frag(id, payload, off, len, off + len < total, now);
		if (i + 1 < n)
			CHECK_EQ(ret, 0);
	}
	return ret;
}

static bool
delivered(uint32_t total)
{
	return memcmp(out, payload, total) == 0;
}

UNIT_TEST(in_order)
{
	unsigned order[] = { 0, 1, 2, 3, 4 };

	setup(BUDGET);
	memset(out, 0, sizeof(out));
	CHECK_EQ(send_order(1, 4001, 1000, order, 5, 0), 4001);
	CHECK(delivered(4001));
	teardown();
}

UNIT_TEST(reverse_order)
{
	unsigned order[] = { 4, 3, 2, 1, 0 };

	setup(BUDGET);
	memset(out, 0, sizeof(out));
	CHECK_EQ(send_order(2, 3900, 800, order, 5, 0), 3900);
	CHECK(delivered(3900));
	teardown();
}

UNIT_TEST(random_order)
{
	setup(BUDGET);
	unit_srand(815);
	for (int round = 0; round < 200; round++) {
		unsigned order[64];
		uint32_t piece = 8 * (uint32_t)(1 + unit_rand() % 64);
		uint32_t total = (uint32_t)(piece + 1 + unit_rand() % (piece * 20));
		unsigned n = (total + piece - 1) / piece;

		for (unsigned i = 0; i < n; i++)
			order[i] = i;
		for (unsigned i = n - 1; i > 0; i--) {
			unsigned j = (unsigned)(unit_rand() % (i + 1)), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		memset(out, 0, total);
		CHECK_EQ(send_order((uint16_t)round, total, piece, order, n, (uint64_t)round),
			 (int)total);
		CHECK(delivered(total));
	}
	teardown();
}

UNIT_TEST(duplicates_are_harmless)
{
	size_t charged;

	setup(BUDGET);
	CHECK_EQ(frag(3, payload, 0, 800, true, 0), 0);
	charged = r.charged;
	CHECK_EQ(frag(3, payload, 0, 800, true, 1), 0);
	CHECK_EQ(frag(3, payload, 0, 400, true, 1), 0); /* inside what we hold */
	CHECK_EQ(r.charged, charged);			/* nothing new stored */
	CHECK_EQ(frag(3, payload, 1600, 100, false, 2), 0);
	CHECK_EQ(frag(3, payload, 1600, 100, false, 3), 0);
	CHECK_EQ(frag(3, payload, 800, 800, true, 4), 1700);
	CHECK(delivered(1700));
	/* A late duplicate starts a new datagram, which times out harmlessly. */
	CHECK_EQ(frag(3, payload, 800, 800, true, 5), 0);
	ip_reasm_tick(&r, 5 + TIMEOUT);
	CHECK_EQ(r.charged, 0);
	teardown();
}

UNIT_TEST(consistent_overlap_is_accepted)
{
	setup(BUDGET);
	memset(out, 0, sizeof(out));
	CHECK_EQ(frag(4, payload, 0, 992, true, 0), 0);	   /* 0..992 */
	CHECK_EQ(frag(4, payload, 496, 1000, true, 0), 0); /* 496..1496 */
	CHECK_EQ(frag(4, payload, 1496, 4, false, 0), 1500);
	CHECK(delivered(1500));
	teardown();
}

UNIT_TEST(conflicting_overlap_drops_the_datagram)
{
	uint8_t forged[2000];

	setup(BUDGET);
	memcpy(forged, payload, sizeof(forged));
	forged[900] ^= 0xff;
	CHECK_EQ(frag(5, payload, 0, 800, true, 0), 0);
	CHECK_EQ(frag(5, payload, 1600, 100, false, 0), 0);
	/* Without an overlap a forgery cannot be told from data. */
	CHECK_EQ(frag(5, forged, 800, 800, true, 0), 1700);
	CHECK_EQ(r.charged, 0);
	/* Now with the overlap: the forged one arrives over the real one. */
	CHECK_EQ(frag(6, payload, 0, 1000, true, 0), 0);
	CHECK_EQ(frag(6, forged, 800, 800, true, 0), -E_CORRUPT);
	CHECK_EQ(r.charged, 0);
	CHECK_EQ(r.dropped, 1);
	/* What follows starts afresh and cannot complete from the old pieces. */
	CHECK_EQ(frag(6, payload, 1600, 100, false, 0), 0);
	teardown();
}

UNIT_TEST(contradicting_ends_drop_the_datagram)
{
	setup(BUDGET);
	CHECK_EQ(frag(7, payload, 800, 96, false, 0), 0);	    /* ends at 896 */
	CHECK_EQ(frag(7, payload, 800, 104, false, 0), -E_CORRUPT); /* a second end */
	CHECK_EQ(r.charged, 0);
	CHECK_EQ(frag(8, payload, 800, 96, false, 0), 0);
	CHECK_EQ(frag(8, payload, 888, 16, true, 0), -E_CORRUPT); /* past the end */
	CHECK_EQ(frag(9, payload, 800, 800, true, 0), 0);
	CHECK_EQ(frag(9, payload, 0, 1000, false, 0), -E_INVAL);   /* offset 0 and no MF */
	CHECK_EQ(frag(9, payload, 800, 96, false, 0), -E_CORRUPT); /* before held data */
	CHECK_EQ(r.charged, 0);
	teardown();
}

UNIT_TEST(malformed_fragments)
{
	setup(BUDGET);
	CHECK_EQ(frag(10, payload, 0, 0, true, 0), -E_CORRUPT);	     /* empty */
	CHECK_EQ(frag(10, payload, 0, 801, true, 0), -E_CORRUPT);    /* MF, not 8-aligned */
	CHECK_EQ(frag(10, payload, 65512, 8, false, 0), -E_CORRUPT); /* past 65515 */
	CHECK_EQ(r.charged, 0);
	teardown();
}

UNIT_TEST(missing_last_fragment_times_out)
{
	setup(BUDGET);
	CHECK_EQ(frag(11, payload, 0, 800, true, 100), 0);
	CHECK_EQ(frag(11, payload, 800, 800, true, 200), 0);
	ip_reasm_tick(&r, 100 + TIMEOUT - 1);
	CHECK(r.charged > 0);
	ip_reasm_tick(&r, 100 + TIMEOUT); /* counted from the first fragment */
	CHECK_EQ(r.charged, 0);
	CHECK_EQ(r.dropped, 1);
	/* Expiry also happens on input, and the late last fragment finds nothing. */
	CHECK_EQ(frag(12, payload, 0, 800, true, 0), 0);
	CHECK_EQ(frag(12, payload, 800, 8, false, TIMEOUT), 0);
	CHECK_EQ(frag(12, payload, 0, 800, true, TIMEOUT), 808);
	teardown();
}

UNIT_TEST(too_many_datagrams_drop_the_oldest)
{
	setup(BUDGET);
	for (uint16_t id = 0; id < IP_REASM_SLOTS; id++)
		CHECK_EQ(frag(id, payload, 0, 800, true, id), 0);
	CHECK_EQ(frag(100, payload, 0, 800, true, 50), 0); /* id 0 goes */
	CHECK_EQ(r.dropped, 1);
	CHECK_EQ(frag(0, payload, 800, 8, false, 51), 0);   /* cannot complete */
	CHECK_EQ(r.dropped, 2);				    /* and pushed out id 1 */
	CHECK_EQ(frag(2, payload, 800, 8, false, 52), 808); /* id 2 survived */
	CHECK(delivered(808));
	teardown();
}

UNIT_TEST(endless_fragments_stay_within_budget)
{
	const size_t budget = 16 * 1024;

	setup(budget);
	unit_srand(5722);
	/* One datagram that never ends: the same range again and again
	 * with equal bytes, and fresh ranges; then many datagrams. */
	for (int i = 0; i < 20000; i++) {
		uint16_t id = (uint16_t)(i < 10000 ? 1 : unit_rand());
		uint32_t off = 8 * (uint32_t)(unit_rand() % 8000);
		uint32_t len = 8 * (uint32_t)(1 + unit_rand() % 150);

		if (off + len > 65000)
			continue;
		(void)frag(id, payload, off, len, true, (uint64_t)i);
		CHECK(r.charged <= budget);
		CHECK(mem.live_bytes <= budget);
	}
	CHECK(mem.peak_bytes <= budget);
	teardown();
}

UNIT_TEST(fragment_count_is_bounded)
{
	setup(1 << 20);
	for (uint32_t i = 0; i < IP_REASM_MAX_FRAGS; i++)
		CHECK_EQ(frag(13, payload, 16 * i, 8, true, 0), 0); /* holes between */
	CHECK_EQ(frag(13, payload, 16 * IP_REASM_MAX_FRAGS, 8, true, 0), -E_NOMEM);
	CHECK_EQ(r.charged, 0);
	teardown();
}

UNIT_TEST(allocation_failure)
{
	setup(BUDGET);
	mem.fail = 0;
	CHECK_EQ(frag(14, payload, 0, 800, true, 0), -E_NOMEM);
	CHECK_EQ(r.charged, 0);
	mem.fail = 1;
	CHECK_EQ(frag(14, payload, 0, 800, true, 0), 0);
	CHECK_EQ(frag(14, payload, 800, 8, false, 0), -E_NOMEM);
	mem.fail = -1;
	CHECK_EQ(frag(14, payload, 800, 8, false, 0), 808); /* a retransmission completes it */
	CHECK_EQ(r.reassembled, 1);
	teardown();
}

UNIT_TEST(output_too_small)
{
	struct ipv4_header h = { .id = 15,
				 .more_fragments = false,
				 .frag_offset = 800,
				 .payload = payload + 800,
				 .payload_len = 8 };

	setup(BUDGET);
	CHECK_EQ(frag(15, payload, 0, 800, true, 0), 0);
	h.src = 0x0a000202;
	h.dst = 0x0a00020f;
	h.proto = 17;
	CHECK_EQ(ip_reasm_input(&r, &h, 0, out, 807), -E_RANGE);
	CHECK_EQ(r.charged, 0);
	teardown();
}

UNIT_TEST(not_a_fragment)
{
	setup(BUDGET);
	CHECK_EQ(frag(16, payload, 0, 100, false, 0), -E_INVAL);
	teardown();
}

UNIT_TEST(parsed_fragments_reassemble)
{
	static uint8_t wire[1600];
	unsigned order[] = { 2, 0, 3, 1 };
	int ret = 0;

	setup(BUDGET);
	memset(out, 0, sizeof(out));
	/* 3000 bytes in fragments of 800 bytes, the first two with options. */
	for (unsigned i = 0; i < 4; i++) {
		uint32_t off = order[i] * 800, len = off + 800 < 3000 ? 800 : 3000 - off;
		size_t opt = order[i] < 2 ? 8 : 0;
		size_t hl = craft_ipv4(wire, opt, len, 17, 0x0a000202, 0x0a00020f, 77, off,
				       off + len < 3000);
		struct ipv4_header h;

		memcpy(wire + hl, payload + off, len);
		CHECK_EQ(ipv4_parse(wire, hl + len, &h), 0);
		ret = ip_reasm_input(&r, &h, 0, out, sizeof(out));
		CHECK_EQ(ret, i < 3 ? 0 : 3000);
	}
	CHECK(delivered(3000));
	teardown();
}

/*
 * Real datagrams cut into fragments, then shuffled, duplicated, lost or
 * damaged.  Whatever completes untouched must be the datagram, and
 * nothing may leak or outgrow the budget.
 */
UNIT_TEST(fuzz_mutated_sequences)
{
	static uint8_t damaged[65536];
	const size_t budget = 48 * 1024;
	int completed = 0;

	setup(budget);
	unit_srand(20231);
	for (int round = 0; round < 3000; round++) {
		struct {
			uint32_t off, len;
			bool more, bad;
		} f[80];
		uint32_t piece = 8 * (uint32_t)(8 + unit_rand() % 40);
		uint32_t total = piece + (uint32_t)(1 + unit_rand() % 6000);
		unsigned n = 0, m;
		bool tampered = false, whole = true;
		int ret = 0;

		for (uint32_t off = 0; off < total && n < 40; off += piece, n++) {
			f[n].off = off;
			f[n].len = off + piece < total ? piece : total - off;
			f[n].more = off + f[n].len < total;
			f[n].bad = false;
		}
		if (f[n - 1].more)
			whole = false; /* cut short: can never complete */
		m = n;
		for (unsigned i = 0; i < n && m < 80; i++) { /* duplicates */
			if (unit_rand() % 5 == 0)
				f[m++] = f[i];
		}
		for (unsigned i = m - 1; i > 0; i--) { /* shuffle */
			unsigned j = (unsigned)(unit_rand() % (i + 1));
			__typeof__(f[0]) t = f[i];

			f[i] = f[j];
			f[j] = t;
		}
		for (unsigned i = 0; i < m; i++) {
			switch (unit_rand() % 100) {
			case 0:
				f[i].len = f[i].len ? f[i].len - 1 : 0; /* misaligned */
				tampered = true;
				break;
			case 1:
				f[i].off += 8; /* shifted: overlaps with other bytes */
				tampered = true;
				break;
			case 2:
				f[i].bad = true; /* bytes changed */
				tampered = true;
				break;
			case 3:
				f[i].more = !f[i].more;
				tampered = true;
				break;
			}
		}
		memcpy(damaged, payload, sizeof(damaged));
		for (size_t i = 0; i < 64; i++)
			damaged[unit_rand() % sizeof(damaged)] ^= 0x55;
		for (unsigned i = 0; i < m; i++) {
			if (unit_rand() % 100 == 0) { /* lost */
				tampered = true;
				continue;
			}
			ret = frag((uint16_t)round, f[i].bad ? damaged : payload, f[i].off,
				   f[i].len, f[i].more, (uint64_t)round * 100);
			CHECK(ret >= -E_MAX && ret <= 65515);
			CHECK(r.charged <= budget);
			CHECK_EQ(r.charged, mem.live_bytes);
			if (ret > 0) {
				completed++;
				if (!tampered && whole) {
					CHECK_EQ(ret, (int)total);
					CHECK(delivered(total));
				}
				break;
			}
		}
		if (!tampered && whole)
			CHECK_EQ(ret, (int)total);
	}
	CHECK(completed > 1000);
	teardown();
}

UNIT_TEST(fuzz_fragment_sequences)
{
	static uint8_t noise[4096];
	int completed = 0;

	setup(32 * 1024);
	unit_srand(791815);
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (uint8_t)unit_rand();
	for (int i = 0; i < 100000; i++) {
		uint16_t id = (uint16_t)(unit_rand() % 6);
		uint32_t off = 8 * (uint32_t)(unit_rand() % 300);
		uint32_t len = (uint32_t)(unit_rand() % 1200);
		bool more = unit_rand() % 4 != 0;
		const uint8_t *src = unit_rand() % 8 ? payload : noise;
		int ret;

		if (src == noise && off + len > sizeof(noise))
			continue;
		ret = frag(id, src, off, len, more, (uint64_t)i * 7);
		CHECK(ret >= -E_MAX && ret <= 65515);
		if (ret > 0)
			completed++;
		CHECK(r.charged <= 32 * 1024);
		CHECK_EQ(r.charged, mem.live_bytes);
	}
	CHECK(completed > 0);
	teardown();
}

UNIT_MAIN();
