/*
 * The ARP cache: which Ethernet address answers for which IPv4 address
 * on the link (RFC 826).  A pure state machine: the caller passes the
 * time (any monotonic clock, in milliseconds) into every call, and
 * everything the cache wants sent goes out through the callbacks in
 * struct arp_cache_ops, so the host tests drive it without a network.
 *
 * An entry is pending (requests sent, no answer yet, up to
 * ARP_QUEUE_LEN packets waiting for it) or resolved (an address, good
 * for ARP_ENTRY_LIFETIME after it was last confirmed).  A pending entry
 * asks again every ARP_RETRY_INTERVAL and gives up after
 * ARP_MAX_REQUESTS requests, dropping what waited.  When the table is
 * full a new entry takes the place of the oldest one.
 */
#ifndef NET_ARP_CACHE_H
#define NET_ARP_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/arp.h"
#include "net/ethernet.h"

#define ARP_CACHE_ENTRIES  16
#define ARP_QUEUE_LEN	   4
#define ARP_RETRY_INTERVAL 1000
#define ARP_MAX_REQUESTS   3
#define ARP_ENTRY_LIFETIME 60000

enum arp_entry_state {
	ARP_ENTRY_FREE,
	ARP_ENTRY_PENDING,
	ARP_ENTRY_RESOLVED,
};

struct arp_entry {
	enum arp_entry_state state;
	uint32_t ip;
	uint8_t mac[ETH_ADDR_LEN];
	uint64_t since;	       /* made, or last confirmed: expiry and eviction */
	uint64_t next_request; /* pending only */
	unsigned requests;     /* pending only: requests sent so far */
	unsigned queued;
	void *queue[ARP_QUEUE_LEN]; /* opaque packets, oldest first */
};

/*
 * The callbacks run inside cache calls and must not call back into the
 * cache.
 */
struct arp_cache_ops {
	/* Send p in an Ethernet frame to dst (broadcast for requests). */
	void (*send_arp)(void *ctx, const uint8_t dst[ETH_ADDR_LEN], const struct arp_packet *p);
	/* A packet that waited can go now, to mac; it is the caller's again. */
	void (*send_queued)(void *ctx, void *packet, const uint8_t mac[ETH_ADDR_LEN]);
	/* A packet that waited is given up (no answer, or its entry evicted). */
	void (*drop_queued)(void *ctx, void *packet);
};

struct arp_cache {
	uint8_t our_mac[ETH_ADDR_LEN];
	uint32_t our_ip; /* 0 until arp_cache_set_address */
	const struct arp_cache_ops *ops;
	void *ctx;
	struct arp_entry entries[ARP_CACHE_ENTRIES];
};

void arp_cache_init(struct arp_cache *c, const uint8_t mac[ETH_ADDR_LEN],
		    const struct arp_cache_ops *ops, void *ctx);

/*
 * Our IPv4 address changes to ip: announce it with a gratuitous ARP
 * request (sender and target both ip), so that neighbours replace what
 * they cached for it.
 */
void arp_cache_set_address(struct arp_cache *c, uint32_t ip);

/* The resolved address of ip into mac; -E_NOENT when none is current. */
int arp_cache_lookup(struct arp_cache *c, uint32_t ip, uint64_t now, uint8_t mac[ETH_ADDR_LEN]);

/*
 * Where to send packet, bound for ip on the link.  0: mac is filled in
 * and the packet stays the caller's.  -E_AGAIN: the packet waits in the
 * cache (a request went out if the entry is new) until send_queued or
 * drop_queued hands it back.  -E_NOMEM: the entry's queue is full and
 * the packet stays the caller's.  -E_INVAL for address 0.
 */
int arp_cache_resolve(struct arp_cache *c, uint32_t ip, void *packet, uint64_t now,
		      uint8_t mac[ETH_ADDR_LEN]);

/*
 * A parsed ARP packet came in: update the sender's entry if we have one
 * (sending what waited for it), add it if the packet was for us, and
 * reply to a request for our address.
 */
void arp_cache_input(struct arp_cache *c, const struct arp_packet *p, uint64_t now);

/* Repeat requests, give up on silent addresses, expire old entries. */
void arp_cache_tick(struct arp_cache *c, uint64_t now);

#endif
