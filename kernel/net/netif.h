/*
 * Network interfaces: a device (virtio-net, the loopback) as the stack
 * sees it.  An interface has a name, a MAC address, an IPv4 address
 * with its mask and gateway, an MTU, counters and its own ARP cache.
 * The driver supplies transmit (copy the frame out, or drop it) and poll
 * (hand received frames to netif_input, from the network thread); the
 * stack does the rest.  Interfaces are never removed.
 *
 * Locking: everything here but the counters the driver bumps is
 * protected by the stack's mutex (net_lock, net/net.h).
 */
#ifndef NET_NETIF_H
#define NET_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/arp_cache.h"
#include "net/ethernet.h"

#define NETIF_NAME_MAX 8
#define NETIF_MAX      4
#define ETH_MTU	       1500
#define ETH_FRAME_MAX  (ETH_HEADER_LEN + ETH_MTU)

struct netif;

struct netif_ops {
	/* Sends one whole Ethernet frame (header included, at most
	 * ETH_FRAME_MAX bytes).  The frame stays the caller's: the driver
	 * copies it.  0, or -E_AGAIN (no room: the frame is dropped and
	 * counted), -E_IO (device stopped). */
	int (*transmit)(struct netif *nif, const void *frame, size_t len);
	/* Network thread: passes every received frame to netif_input and
	 * takes back finished transmissions.  True when work may be left
	 * (the thread calls again before sleeping). */
	bool (*poll)(struct netif *nif);
	/* Optional: prints the driver's own state (its rings) for `net`. */
	void (*print)(struct netif *nif);
};

/*
 * Counters.  rx_drops counts every frame or datagram dropped on the way
 * in (malformed, unknown protocol, no room); csum_errors counts those
 * of them whose checksum was wrong, so it is part of rx_drops.
 */
struct netif_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_drops, tx_drops;
	uint64_t csum_errors;
};

enum netif_addr_source {
	NETIF_ADDR_NONE,
	NETIF_ADDR_STATIC, /* the command line */
	NETIF_ADDR_DHCP,
	NETIF_ADDR_LOOPBACK,
};

struct netif {
	char name[NETIF_NAME_MAX];
	uint8_t mac[ETH_ADDR_LEN];
	uint32_t ip, mask, gateway; /* host order; 0: none */
	uint16_t mtu;
	bool loopback; /* no ARP; what it sends comes back in */
	bool link_up;  /* as the device reports it */
	bool failed;   /* the device was stopped */
	enum netif_addr_source addr_source;
	const struct netif_ops *ops;
	void *priv; /* the driver's */
	struct netif_stats stats;
	struct arp_cache arp;
};

/* Adds an interface named prefix plus a number ("eth0"): 0, or -E_NOMEM
 * when NETIF_MAX are there.  Its ARP cache is set up here. */
int netif_register(struct netif *nif, const char *prefix);

/* The i-th interface (NULL past the end) and the first that is not the
 * loopback (NULL when there is no NIC). */
struct netif *netif_at(unsigned int i);
struct netif *netif_first_ethernet(void);

/*
 * Sets (ip != 0) or clears the address, mask and gateway, replaces the
 * interface's routes (the connected subnet, and the default route when
 * there is a gateway) and announces the address with a gratuitous ARP.
 * Stack lock held.
 */
void netif_set_address(struct netif *nif, uint32_t ip, uint32_t mask, uint32_t gateway,
		       enum netif_addr_source source);

/* A frame came in on nif (network thread, stack lock held): counted,
 * parsed and handed on, or dropped and counted. */
void netif_input(struct netif *nif, const void *frame, size_t len);

/* Sends a whole frame and counts it. Stack lock held. */
int netif_transmit(struct netif *nif, const void *frame, size_t len);

/* The loopback interface, "lo", 127.0.0.1/8 (net/loopback.c). */
struct netif *loopback_init(void);

/* For the shell's `net`: every interface with its counters. */
void netif_print_all(void);

#endif
