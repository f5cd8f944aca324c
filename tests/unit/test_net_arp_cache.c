/* The ARP cache state machine, driven by hand-made packets and a fake clock. */
#include <string.h>

#include "net/arp_cache.h"
#include "themelios/errno.h"
#include "unit.h"

#define US   0x0a00020f
#define PEER 0x0a000202

static const uint8_t our_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };

/* What the cache asked for, in order. */
static struct {
	int arps, sent, dropped;
	uint8_t last_dst[6];
	struct arp_packet last_arp;
	void *sent_pkts[64], *dropped_pkts[64];
	uint8_t sent_mac[6];
} log;

static void
send_arp(void *ctx, const uint8_t dst[6], const struct arp_packet *p)
{
	(void)ctx;
	log.arps++;
	memcpy(log.last_dst, dst, 6);
	log.last_arp = *p;
}

static void
send_queued(void *ctx, void *packet, const uint8_t mac[6])
{
	(void)ctx;
	log.sent_pkts[log.sent++ % 64] = packet;
	memcpy(log.sent_mac, mac, 6);
}

static void
drop_queued(void *ctx, void *packet)
{
	(void)ctx;
	log.dropped_pkts[log.dropped++ % 64] = packet;
}

static const struct arp_cache_ops ops = { send_arp, send_queued, drop_queued };
static struct arp_cache cache;

static void
setup(void)
{
	memset(&log, 0, sizeof(log));
	arp_cache_init(&cache, our_mac, &ops, NULL);
	arp_cache_set_address(&cache, US);
	memset(&log, 0, sizeof(log));
}

static struct arp_packet
packet(uint16_t op, const uint8_t sha[6], uint32_t spa, uint32_t tpa)
{
	struct arp_packet p = { .op = op, .spa = spa, .tpa = tpa };

	memcpy(p.sha, sha, 6);
	return p;
}

UNIT_TEST(gratuitous_arp_on_address_change)
{
	memset(&log, 0, sizeof(log));
	arp_cache_init(&cache, our_mac, &ops, NULL);
	arp_cache_set_address(&cache, US);
	CHECK_EQ(log.arps, 1);
	CHECK(memcmp(log.last_dst, eth_broadcast, 6) == 0);
	CHECK_EQ(log.last_arp.op, ARP_OP_REQUEST);
	CHECK_EQ(log.last_arp.spa, US);
	CHECK_EQ(log.last_arp.tpa, US);
	CHECK(memcmp(log.last_arp.sha, our_mac, 6) == 0);
	arp_cache_set_address(&cache, US); /* unchanged: silent */
	CHECK_EQ(log.arps, 1);
	arp_cache_set_address(&cache, US + 1);
	CHECK_EQ(log.arps, 2);
	CHECK_EQ(log.last_arp.tpa, US + 1);
	arp_cache_set_address(&cache, 0); /* no address: nothing to announce */
	CHECK_EQ(log.arps, 2);
}

UNIT_TEST(answers_requests_for_our_address)
{
	struct arp_packet p = packet(ARP_OP_REQUEST, peer_mac, PEER, US);
	uint8_t mac[6];

	setup();
	arp_cache_input(&cache, &p, 0);
	CHECK_EQ(log.arps, 1);
	CHECK(memcmp(log.last_dst, peer_mac, 6) == 0);
	CHECK_EQ(log.last_arp.op, ARP_OP_REPLY);
	CHECK_EQ(log.last_arp.spa, US);
	CHECK_EQ(log.last_arp.tpa, PEER);
	CHECK(memcmp(log.last_arp.sha, our_mac, 6) == 0);
	CHECK(memcmp(log.last_arp.tha, peer_mac, 6) == 0);
	/* The asker is remembered, as RFC 826 says. */
	CHECK_EQ(arp_cache_lookup(&cache, PEER, 1, mac), 0);
	CHECK(memcmp(mac, peer_mac, 6) == 0);
}

UNIT_TEST(ignores_requests_for_others)
{
	struct arp_packet p = packet(ARP_OP_REQUEST, peer_mac, PEER, US + 5);
	uint8_t mac[6];

	setup();
	arp_cache_input(&cache, &p, 0);
	CHECK_EQ(log.arps, 0);
	CHECK_EQ(arp_cache_lookup(&cache, PEER, 0, mac), -E_NOENT);
}

UNIT_TEST(probes_and_claims_to_our_address_are_not_cached)
{
	struct arp_packet probe = packet(ARP_OP_REQUEST, peer_mac, 0, US);
	struct arp_packet claim = packet(ARP_OP_REPLY, peer_mac, US, US);
	uint8_t mac[6];

	setup();
	arp_cache_input(&cache, &probe, 0);
	CHECK_EQ(log.arps, 1); /* answered, so the prober sees the address is taken */
	CHECK_EQ(arp_cache_lookup(&cache, 0, 0, mac), -E_NOENT);
	arp_cache_input(&cache, &claim, 0);
	CHECK_EQ(arp_cache_lookup(&cache, US, 0, mac), -E_NOENT);
}

UNIT_TEST(resolve_queues_then_sends_on_reply)
{
	int a, b;
	uint8_t mac[6];
	struct arp_packet reply = packet(ARP_OP_REPLY, peer_mac, PEER, US);

	setup();
	CHECK_EQ(arp_cache_resolve(&cache, PEER, &a, 0, mac), -E_AGAIN);
	CHECK_EQ(log.arps, 1);
	CHECK_EQ(log.last_arp.tpa, PEER);
	CHECK(memcmp(log.last_dst, eth_broadcast, 6) == 0);
	CHECK_EQ(arp_cache_resolve(&cache, PEER, &b, 10, mac), -E_AGAIN);
	CHECK_EQ(log.arps, 1); /* one request for both */
	arp_cache_input(&cache, &reply, 20);
	CHECK_EQ(log.sent, 2);
	CHECK(log.sent_pkts[0] == &a && log.sent_pkts[1] == &b);
	CHECK(memcmp(log.sent_mac, peer_mac, 6) == 0);
	CHECK_EQ(arp_cache_resolve(&cache, PEER, &a, 30, mac), 0);
	CHECK(memcmp(mac, peer_mac, 6) == 0);
	CHECK_EQ(log.sent, 2);
	CHECK_EQ(log.dropped, 0);
	CHECK_EQ(arp_cache_resolve(&cache, 0, &a, 30, mac), -E_INVAL);
}

UNIT_TEST(queue_is_bounded)
{
	int pk[ARP_QUEUE_LEN + 1];
	uint8_t mac[6];

	setup();
	for (int i = 0; i < ARP_QUEUE_LEN; i++)
		CHECK_EQ(arp_cache_resolve(&cache, PEER, &pk[i], 0, mac), -E_AGAIN);
	CHECK_EQ(arp_cache_resolve(&cache, PEER, &pk[ARP_QUEUE_LEN], 0, mac), -E_NOMEM);
}

UNIT_TEST(retries_then_gives_up)
{
	int a;
	uint8_t mac[6];

	setup();
	CHECK_EQ(arp_cache_resolve(&cache, PEER, &a, 100, mac), -E_AGAIN);
	arp_cache_tick(&cache, 100 + ARP_RETRY_INTERVAL - 1);
	CHECK_EQ(log.arps, 1);
	arp_cache_tick(&cache, 100 + ARP_RETRY_INTERVAL);
	CHECK_EQ(log.arps, 2);
	arp_cache_tick(&cache, 100 + 2 * ARP_RETRY_INTERVAL);
	CHECK_EQ(log.arps, ARP_MAX_REQUESTS);
	CHECK_EQ(log.dropped, 0);
	arp_cache_tick(&cache, 100 + 3 * ARP_RETRY_INTERVAL);
	CHECK_EQ(log.arps, ARP_MAX_REQUESTS);
	CHECK_EQ(log.dropped, 1);
	CHECK(log.dropped_pkts[0] == &a);
	/* The entry is gone: a new attempt starts over with a request. */
	CHECK_EQ(arp_cache_resolve(&cache, PEER, &a, 5000, mac), -E_AGAIN);
	CHECK_EQ(log.arps, ARP_MAX_REQUESTS + 1);
}

UNIT_TEST(entries_expire)
{
	struct arp_packet p = packet(ARP_OP_REQUEST, peer_mac, PEER, US);
	uint8_t mac[6];

	setup();
	arp_cache_input(&cache, &p, 1000);
	CHECK_EQ(arp_cache_lookup(&cache, PEER, 1000 + ARP_ENTRY_LIFETIME - 1, mac), 0);
	CHECK_EQ(arp_cache_lookup(&cache, PEER, 1000 + ARP_ENTRY_LIFETIME, mac), -E_NOENT);
	arp_cache_input(&cache, &p, 2000);
	arp_cache_tick(&cache, 2000 + ARP_ENTRY_LIFETIME);
	CHECK_EQ(arp_cache_lookup(&cache, PEER, 2000, mac), -E_NOENT);
}

UNIT_TEST(updates_known_senders_only)
{
	static const uint8_t new_mac[6] = { 2, 0, 0, 0, 0, 9 };
	struct arp_packet to_us = packet(ARP_OP_REQUEST, peer_mac, PEER, US);
	struct arp_packet gratuitous = packet(ARP_OP_REQUEST, new_mac, PEER, PEER);
	struct arp_packet stranger = packet(ARP_OP_REQUEST, new_mac, PEER + 1, PEER + 1);
	uint8_t mac[6];

	setup();
	arp_cache_input(&cache, &to_us, 0);
	arp_cache_input(&cache, &gratuitous, 10); /* the peer moved to a new card */
	CHECK_EQ(arp_cache_lookup(&cache, PEER, 10, mac), 0);
	CHECK(memcmp(mac, new_mac, 6) == 0);
	arp_cache_input(&cache, &stranger, 10);
	CHECK_EQ(arp_cache_lookup(&cache, PEER + 1, 10, mac), -E_NOENT);
}

UNIT_TEST(full_table_evicts_the_oldest)
{
	/* Addresses clear of ours, which is never cached. */
	const uint32_t OTHER = 0x0a000300;
	uint8_t mac[6], m[6] = { 2, 0, 0, 0, 0, 0 };
	int queued;

	setup();
	/* A pending entry, the oldest, with a packet waiting. */
	CHECK_EQ(arp_cache_resolve(&cache, 0x0b000000, &queued, 0, mac), -E_AGAIN);
	for (unsigned i = 1; i < ARP_CACHE_ENTRIES; i++) {
		struct arp_packet p;

		m[5] = (uint8_t)i;
		p = packet(ARP_OP_REQUEST, m, OTHER + i, US);
		arp_cache_input(&cache, &p, i);
	}
	CHECK_EQ(log.dropped, 0);
	{
		struct arp_packet p = packet(ARP_OP_REQUEST, peer_mac, OTHER + 100, US);

		arp_cache_input(&cache, &p, 500);
	}
	CHECK_EQ(log.dropped, 1); /* the oldest's packet handed back */
	CHECK(log.dropped_pkts[0] == &queued);
	CHECK_EQ(arp_cache_lookup(&cache, OTHER + 100, 500, mac), 0);
	CHECK_EQ(arp_cache_lookup(&cache, OTHER + 1, 500, mac), 0);
	/* Next to go is OTHER + 1, made at time 1. */
	{
		struct arp_packet p = packet(ARP_OP_REQUEST, peer_mac, OTHER + 101, US);

		arp_cache_input(&cache, &p, 501);
	}
	CHECK_EQ(arp_cache_lookup(&cache, OTHER + 1, 501, mac), -E_NOENT);
	CHECK_EQ(arp_cache_lookup(&cache, OTHER + 2, 501, mac), 0);
}

UNIT_TEST(random_events_keep_packets_accounted)
{
	static int pkts[100000];
	int handed = 0;
	uint64_t now = 0;
	uint8_t mac[6];

	setup();
	unit_srand(826);
	for (int i = 0; i < 100000; i++) {
		uint32_t ip = PEER + (uint32_t)(unit_rand() % 40);
		uint8_t m[6] = { 2, 0, 0, 0, 0, (uint8_t)ip };

		now += unit_rand() % 300;
		switch (unit_rand() % 4) {
		case 0: {
			int r = arp_cache_resolve(&cache, ip, &pkts[i], now, mac);

			if (r == -E_AGAIN)
				handed++;
			else
				CHECK(r == 0 || r == -E_NOMEM);
			break;
		}
		case 1: {
			struct arp_packet p = packet((uint16_t)(1 + unit_rand() % 2), m, ip,
						     unit_rand() % 2 ? US : ip);

			arp_cache_input(&cache, &p, now);
			break;
		}
		default:
			arp_cache_tick(&cache, now);
		}
	}
	/* Every packet the cache took is either waiting or was handed back. */
	{
		int waiting = 0;

		for (unsigned i = 0; i < ARP_CACHE_ENTRIES; i++)
			waiting += (int)cache.entries[i].queued;
		CHECK_EQ(handed, waiting + log.sent + log.dropped);
	}
}

UNIT_MAIN();
