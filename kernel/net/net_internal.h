/*
 * What the stack's own files share and nothing outside kernel/net
 * should call (net.h is the interface for the rest of the kernel).
 * Everything here runs with net_lock held.
 */
#ifndef NET_NET_INTERNAL_H
#define NET_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "net/arp_cache.h"
#include "net/ipv4.h"
#include "net/net.h"

struct netif;

/* The ARP cache's callbacks: frames out through the interface (ip_output.c). */
extern const struct arp_cache_ops net_arp_ops;

/* An IPv4 packet that came in on nif (Ethernet header removed). */
void ip_input(struct netif *nif, const uint8_t *pkt, size_t len, bool link_broadcast);

/* ICMP for a datagram addressed to us (ip_input.c). */
void icmp_input(struct netif *nif, const struct ipv4_header *ip);

/* Answers an offending datagram with ICMP destination unreachable,
 * unless RFC 1122 forbids it (an ICMP error, a broadcast, a fragment
 * other than the first, a source that is no host). */
void icmp_send_unreachable(const struct ipv4_header *ip, uint8_t code);

/* The protocol table (ip_input.c). */
const struct net_protocol *net_protocol_get(uint8_t proto);

/* Is dst an address nif takes datagrams for: its own, a broadcast, or
 * anything while it has no address (DHCP's replies)? */
bool netif_accepts(const struct netif *nif, uint32_t dst);
bool netif_is_broadcast(const struct netif *nif, uint32_t dst);

/* Timers: reassembly and the ARP caches. */
void ip_input_init(void);
void ip_input_tick(uint64_t now_ms);
void ip_input_print_stats(void);

/* The DHCP client on nif (dhcp_client.c). */
void dhcp_client_start(struct netif *nif);
void dhcp_client_tick(uint64_t now_ms);
void dhcp_client_print(void);

/* UDP (udp_table.c). */
void udp_table_init(void);

#endif
