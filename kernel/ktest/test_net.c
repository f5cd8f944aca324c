/*
 * The network stack in the kernel: frames crafted here go through the
 * receive path of a test interface ("tst0", 192.0.2.1/24, whose
 * transmit keeps the last frame), good ones answered and bad ones
 * counted; UDP through the loopback and the network thread; and a
 * virtio-net device that breaks the ring protocol (the one whose MAC is
 * 52:54:00:00:0b:ad, as tests/system/test_net.py gives it) is stopped.
 */
#include "core/printk.h"
#include "core/time.h"
#include "dev/virtio/virtio_net.h"
#include "ktest/ktest.h"
#include "lib/byteorder.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/arp.h"
#include "net/checksum.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/net.h"
#include "net/netif.h"
#include "net/udp.h"
#include "net/udp_table.h"
#include "sched/thread.h"
#include "themelios/errno.h"

#define US   0xc0000201u /* 192.0.2.1 */
#define PEER 0xc0000202u /* 192.0.2.2 */
#define L2   (ETH_HEADER_LEN)
#define L3   (ETH_HEADER_LEN + IPV4_HEADER_LEN)

static const uint8_t us_mac[ETH_ADDR_LEN] = { 0x02, 0, 0, 0, 0, 1 };
static const uint8_t peer_mac[ETH_ADDR_LEN] = { 0x02, 0, 0, 0, 0, 2 };

static struct netif tst;
static uint8_t sent[ETH_FRAME_MAX];
static size_t sent_len;
static unsigned int sent_count;

static int
tst_transmit(struct netif *nif, const void *frame, size_t len)
{
	(void)nif;
	memcpy(sent, frame, len);
	sent_len = len;
	sent_count++;
	return 0;
}

static const struct netif_ops tst_ops = { .transmit = tst_transmit };

/* Once per boot: interfaces stay. */
static struct netif *
test_netif(void)
{
	if (!tst.ops) {
		memcpy(tst.mac, us_mac, ETH_ADDR_LEN);
		tst.ops = &tst_ops;
		tst.link_up = true;
		if (netif_register(&tst, "tst") != 0)
			return NULL;
		mutex_lock(&net_lock);
		netif_set_address(&tst, US, 0xffffff00u, 0, NETIF_ADDR_STATIC);
		mutex_unlock(&net_lock);
	}
	return &tst;
}

/* An Ethernet + IPv4 + UDP frame from the peer to us: its length. */
static size_t
udp_frame(uint8_t *f, uint16_t dport, size_t n)
{
	struct ipv4_header h = { .id = 77,
				 .ttl = 64,
				 .proto = IPV4_PROTO_UDP,
				 .src = PEER,
				 .dst = US };

	eth_build(f, L2, us_mac, peer_mac, ETH_TYPE_IPV4);
	for (size_t i = 0; i < n; i++)
		f[L3 + UDP_HEADER_LEN + i] = (uint8_t)(i * 3);
	udp_build(f + L3, UDP_HEADER_LEN + n, PEER, US, 4000, dport, n);
	ipv4_build(f + L2, IPV4_HEADER_LEN, &h, UDP_HEADER_LEN + n);
	return L3 + UDP_HEADER_LEN + n;
}

static void
input(struct netif *nif, const uint8_t *f, size_t len)
{
	mutex_lock(&net_lock);
	netif_input(nif, f, len);
	mutex_unlock(&net_lock);
}

KTEST(net_rx_path_answers_and_counts)
{
	struct netif *nif = test_netif();
	uint8_t *f = kcalloc(1, 2048);
	struct udp_endpoint *ep = NULL;
	struct arp_packet a = { ARP_OP_REQUEST, { 0 }, PEER, { 0 }, US };
	struct netif_stats before;
	struct ipv4_header ip;
	struct udp_meta from;
	char got[64];
	size_t n;

	KTEST_CHECK(nif != NULL && f != NULL);
	if (!nif || !f)
		return;
	/* An ARP request for us: answered, and the asker cached. */
	memcpy(a.sha, peer_mac, ETH_ADDR_LEN);
	eth_build(f, L2, eth_broadcast, peer_mac, ETH_TYPE_ARP);
	arp_build(f + L2, ARP_PACKET_LEN, &a);
	sent_count = 0;
	input(nif, f, 60);
	KTEST_CHECK_EQ(sent_count, 1);
	KTEST_CHECK(be16(sent + 12) == ETH_TYPE_ARP && be16(sent + L2 + 6) == ARP_OP_REPLY);
	KTEST_CHECK(!memcmp(sent, peer_mac, ETH_ADDR_LEN));

	/* An echo request: answered with the same data. */
	{
		struct ipv4_header h = { .id = 5,
					 .ttl = 64,
					 .proto = IPV4_PROTO_ICMP,
					 .src = PEER,
					 .dst = US };
		uint8_t *icmp = f + L3;

		memset(f, 0, 2048);
		eth_build(f, L2, us_mac, peer_mac, ETH_TYPE_IPV4);
		icmp[0] = ICMP_ECHO_REQUEST;
		put_be16(icmp + 4, 0x1234);
		put_be16(icmp + 6, 9);
		memcpy(icmp + 8, "ping data", 9);
		put_be16(icmp + 2, inet_checksum(icmp, 17));
		ipv4_build(f + L2, IPV4_HEADER_LEN, &h, 17);
		sent_count = 0;
		input(nif, f, L3 + 17);
		KTEST_CHECK_EQ(sent_count, 1);
		KTEST_CHECK_EQ(ipv4_parse(sent + L2, sent_len - L2, &ip), 0);
		KTEST_CHECK(ip.src == US && ip.dst == PEER && ip.proto == IPV4_PROTO_ICMP);
		KTEST_CHECK(ip.payload_len == 17 && ip.payload[0] == ICMP_ECHO_REPLY &&
			    !memcmp(ip.payload + 8, "ping data", 9));
	}

	/* UDP to a closed port: port unreachable quoting it. */
	n = udp_frame(f, 9999, 20);
	sent_count = 0;
	before = nif->stats;
	input(nif, f, n);
	KTEST_CHECK_EQ(sent_count, 1);
	KTEST_CHECK_EQ(ipv4_parse(sent + L2, sent_len - L2, &ip), 0);
	KTEST_CHECK(ip.proto == IPV4_PROTO_ICMP && ip.payload[0] == ICMP_DEST_UNREACHABLE &&
		    ip.payload[1] == ICMP_UNREACH_PORT);
	KTEST_CHECK_EQ(nif->stats.rx_drops, before.rx_drops + 1);

	/* UDP to a bound port: queued for the reader. */
	KTEST_CHECK_EQ(udp_bind(5000, NULL, &ep), 0);
	if (!ep)
		goto out;
	KTEST_CHECK_EQ(udp_bind(5000, NULL, &(struct udp_endpoint *){ NULL }), -E_BUSY);
	n = udp_frame(f, 5000, 30);
	input(nif, f, n);
	KTEST_CHECK_EQ(udp_recvfrom(ep, got, sizeof(got), &from, 0), 30);
	KTEST_CHECK(from.src == PEER && from.src_port == 4000 && got[29] == (char)(29 * 3));
	KTEST_CHECK_EQ(udp_recvfrom(ep, got, sizeof(got), &from, 0), -E_AGAIN);

	/* The same datagram in two fragments: reassembled, then queued. */
	{
		uint8_t *g = kcalloc(1, 2048);
		struct ipv4_header h = { .id = 78,
					 .ttl = 64,
					 .proto = IPV4_PROTO_UDP,
					 .src = PEER,
					 .dst = US };
		size_t total = UDP_HEADER_LEN + 30, first = 16;

		KTEST_CHECK(g != NULL);
		if (g) {
			memcpy(g, f, n); /* f holds the whole datagram */
			h.more_fragments = true;
			ipv4_build(g + L2, IPV4_HEADER_LEN, &h, first);
			input(nif, g, L3 + first);
			KTEST_CHECK_EQ(udp_queued(ep), 0);
			memcpy(g + L3, f + L3 + first, total - first);
			h.more_fragments = false;
			h.frag_offset = (uint16_t)first;
			ipv4_build(g + L2, IPV4_HEADER_LEN, &h, total - first);
			input(nif, g, L3 + total - first);
			KTEST_CHECK_EQ(udp_recvfrom(ep, got, sizeof(got), &from, 0), 30);
			KTEST_CHECK(got[29] == (char)(29 * 3));
			kfree(g);
		}
	}

	/* Bad frames: dropped and counted, with the checksum errors apart. */
	before = nif->stats;
	sent_count = 0;
	input(nif, f, 10); /* truncated Ethernet */
	n = udp_frame(f, 5000, 30);
	f[L2 + 10] ^= 0x40; /* IP header checksum */
	input(nif, f, n);
	n = udp_frame(f, 5000, 30);
	put_be16(f + L3 + 4, 200); /* UDP length past the datagram */
	input(nif, f, n);
	n = udp_frame(f, 5000, 30);
	f[L3 + UDP_HEADER_LEN + 3] ^= 1; /* UDP data under the checksum */
	input(nif, f, n);
	n = udp_frame(f, 5000, 30);
	input(nif, f, L3 + 4); /* IP total length past the frame */
	KTEST_CHECK_EQ(nif->stats.rx_packets, before.rx_packets + 5);
	KTEST_CHECK_EQ(nif->stats.rx_drops, before.rx_drops + 5);
	KTEST_CHECK_EQ(nif->stats.csum_errors, before.csum_errors + 2);
	KTEST_CHECK_EQ(udp_queued(ep), 0);
	KTEST_CHECK_EQ(sent_count, 0); /* no ICMP about damaged datagrams */
	printk("ktest: net: 5 bad frames dropped, 2 of them checksum errors\n");
	udp_close(ep);
out:
	kfree(f);
}

/* UDP from one endpoint to another through lo and the network thread. */
KTEST(net_loopback_udp)
{
	struct udp_endpoint *a = NULL, *b = NULL;
	static char big[4000];
	static char back[4000];
	struct udp_meta from;

	KTEST_CHECK_EQ(udp_bind(0, NULL, &a), 0);
	KTEST_CHECK_EQ(udp_bind(6001, NULL, &b), 0);
	if (!a || !b)
		return;
	KTEST_CHECK(a->port >= UDP_EPHEMERAL_FIRST);
	for (unsigned int i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	KTEST_CHECK_EQ(udp_sendto(a, IPV4_LOOPBACK, 6001, big, sizeof(big)), 0);
	KTEST_CHECK_EQ(udp_recvfrom(b, back, sizeof(back), &from, NSEC_PER_SEC), sizeof(big));
	KTEST_CHECK(!memcmp(big, back, sizeof(big)));
	KTEST_CHECK(from.src == IPV4_LOOPBACK && from.src_port == a->port);
	KTEST_CHECK_EQ(udp_recvfrom(b, back, sizeof(back), &from, 10 * NSEC_PER_MSEC), -E_TIMEOUT);
	/* A closed port answers port unreachable; a's endpoint hears of it. */
	udp_close(b);
	KTEST_CHECK_EQ(udp_sendto(a, IPV4_LOOPBACK, 6001, "x", 1), 0);
	for (int i = 0; i < 100 && !a->error; i++)
		thread_sleep_ns(NSEC_PER_MSEC);
	KTEST_CHECK_EQ(udp_take_error(a), ICMP_DEST_UNREACHABLE << 8 | ICMP_UNREACH_PORT);
	udp_close(a);
	printk("ktest: net: %u bytes through lo, and port unreachable heard\n",
	       (unsigned int)sizeof(big));
}

/* A notification lost (QEMU 7.2 was seen to lose one under load): the
 * transmit watchdog notifies the device again, and the frame goes. */
KTEST(net_virtio_lost_notification_is_recovered)
{
	static const uint8_t bad_mac[ETH_ADDR_LEN] = { 0x52, 0x54, 0, 0, 0x0b, 0xad };
	struct netif *nif;

	for (unsigned int i = 0; (nif = netif_at(i)); i++) {
		/* To nobody: broadcast, of the IEEE's local experimental type,
		 * which QEMU's user networking drops. */
		uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		uint64_t before = 0;
		int waited = 0;

		if (!virtio_net_is(nif) || nif->failed || !memcmp(nif->mac, bad_mac, ETH_ADDR_LEN))
			continue;
		memcpy(frame + 6, nif->mac, ETH_ADDR_LEN);
		frame[12] = 0x88;
		frame[13] = 0xb5;
		/* With net_lock held nothing else sends, and nothing polls. */
		mutex_lock(&net_lock);
		while (virtio_net_tx_in_flight(nif) && waited++ < 1000) {
			mutex_unlock(&net_lock);
			thread_sleep_ns(NSEC_PER_MSEC);
			mutex_lock(&net_lock);
		}
		KTEST_CHECK_EQ(virtio_net_tx_in_flight(nif), 0);
		before = virtio_net_tx_renotified(nif);
		KTEST_CHECK_EQ(virtio_net_test_send_unannounced(nif, frame, sizeof(frame)), 0);
		thread_sleep_ns(200 * NSEC_PER_MSEC);
		KTEST_CHECK_EQ(virtio_net_tx_in_flight(nif), 1); /* nobody told the device */
		virtio_net_tx_watchdog(nif); /* as the network thread's next poll */
		KTEST_CHECK_EQ(virtio_net_tx_renotified(nif), before + 1);
		mutex_unlock(&net_lock);
		for (waited = 0; virtio_net_tx_in_flight(nif) && waited < 2000; waited++)
			thread_sleep_ns(NSEC_PER_MSEC);
		KTEST_CHECK_EQ(virtio_net_tx_in_flight(nif), 0);
		printk("ktest: %s: a frame queued without a notification went after %d ms\n",
		       nif->name, waited);
		return;
	}
}

/* A receive notification lost (QEMU before 9.1 could wait for one it
 * had missed): the device ran out of buffers, they came back without a
 * notification, and the frames it holds arrive only after the receive
 * watchdog's.  slirp answers every ARP request for its gateway. */
KTEST(net_virtio_lost_rx_notification_is_recovered)
{
	static const uint8_t bad_mac[ETH_ADDR_LEN] = { 0x52, 0x54, 0, 0, 0x0b, 0xad };
	struct netif *nif;

	for (unsigned int i = 0; (nif = netif_at(i)); i++) {
		struct arp_packet a = { ARP_OP_REQUEST, { 0 }, 0x0a00020f, { 0 }, 0x0a000202 };
		uint8_t frame[60] = { 0 };
		unsigned int got, size = 0, asked = 0, waited;
		uint64_t before;

		if (!virtio_net_is(nif) || nif->failed || !memcmp(nif->mac, bad_mac, ETH_ADDR_LEN))
			continue;
		memcpy(a.sha, nif->mac, ETH_ADDR_LEN);
		if (nif->ip)
			a.spa = nif->ip;
		eth_build(frame, L2, eth_broadcast, nif->mac, ETH_TYPE_ARP);
		arp_build(frame + L2, ARP_PACKET_LEN, &a);
		/* With net_lock held nothing polls: the answers fill the
		 * receive queue, and the rest wait in QEMU for buffers. */
		mutex_lock(&net_lock);
		for (unsigned int k = 0; k < 96; k++)
			if (netif_transmit(nif, frame, sizeof(frame)) == 0)
				asked++;
		thread_sleep_ns(400 * NSEC_PER_MSEC);
		got = virtio_net_test_rx_recycle_unannounced(nif, &size);
		KTEST_CHECK(asked > size);
		KTEST_CHECK_EQ(got, size); /* the device ran out of buffers */
		thread_sleep_ns(300 * NSEC_PER_MSEC);
		KTEST_CHECK_EQ(virtio_net_rx_pending(nif), 0); /* nobody told it */
		before = virtio_net_rx_renotified(nif);
		virtio_net_rx_watchdog(nif); /* as the next poll, 700 ms without a frame */
		KTEST_CHECK_EQ(virtio_net_rx_renotified(nif), before + 1);
		for (waited = 0; !virtio_net_rx_pending(nif) && waited < 2000; waited++)
			thread_sleep_ns(NSEC_PER_MSEC);
		KTEST_CHECK(virtio_net_rx_pending(nif) > 0);
		mutex_unlock(&net_lock);
		printk("ktest: %s: frames held back by a lost receive notification came %u ms "
		       "after the watchdog's\n",
		       nif->name, waited);
		return;
	}
}

KTEST(net_virtio_broken_device_is_stopped)
{
	static const uint8_t bad_mac[ETH_ADDR_LEN] = { 0x52, 0x54, 0, 0, 0x0b, 0xad };
	struct netif *nif;

	for (unsigned int i = 0; (nif = netif_at(i)); i++) {
		uint8_t frame[60] = { 0 };

		if (!virtio_net_is(nif) || memcmp(nif->mac, bad_mac, ETH_ADDR_LEN) != 0)
			continue;
		mutex_lock(&net_lock);
		virtio_net_test_corrupt(nif);
		KTEST_CHECK(nif->failed);
		KTEST_CHECK_EQ(netif_transmit(nif, frame, sizeof(frame)), -E_IO);
		mutex_unlock(&net_lock);
		printk("ktest: %s: stopped after a bad used index; sends get -E_IO\n", nif->name);
	}
	for (unsigned int i = 0; (nif = netif_at(i)); i++)
		if (virtio_net_is(nif) && memcmp(nif->mac, bad_mac, ETH_ADDR_LEN) != 0)
			KTEST_CHECK(!nif->failed);
}
