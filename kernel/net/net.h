/*
 * The network stack's kernel-internal interface (docs/network.md): the
 * one lock, the network thread, IPv4 output, and the hooks by which the
 * transport protocols (UDP here, TCP later) receive datagrams and the
 * ICMP errors about what they sent.  No system calls reach it yet; the
 * socket capabilities will sit on these functions.
 *
 * Locking: net_lock (a mutex) protects the interfaces, the routing
 * table, the ARP caches, reassembly and the UDP table.  The network
 * thread holds it while it takes frames from the drivers, so protocol
 * input functions and hooks run with it held and may call ip_output
 * directly; other threads take it around their calls.  Interrupt
 * handlers never take it: they call net_wake.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"
#include "net/route.h"
#include "sched/mutex.h"

struct netif;

#define IPV4_BROADCAST 0xffffffffu
#define IPV4_LOOPBACK  0x7f000001u

extern struct mutex net_lock;
extern struct route_table net_routes;

/* Brings the stack up (after pci_init, which registered the NICs): the
 * loopback, the network thread, then a static address from the command
 * line (net.ip=A.B.C.D/N net.gw=A.B.C.D) or DHCP on the first NIC. */
void net_init(const char *cmdline);

/* Wakes the network thread (safe from interrupt handlers). */
void net_wake(void);

/*
 * Work for the network thread, run there with net_lock held: for
 * callers that may not sleep (an object's destroy, under the capability
 * lock) and must close a connection.  w is the caller's, embedded in
 * what fn frees.  Safe with interrupts off.
 */
struct net_work {
	struct net_work *next;
	void (*fn)(struct net_work *w);
};
void net_defer(struct net_work *w);
/* Runs the deferred work now, in the calling thread.  Takes net_lock. */
void net_run_deferred(void);

/* Test mode (memory_audit): runs the deferred work now and frees the
 * TCP connections nobody holds, so that what stays is state.  Takes
 * net_lock. */
void net_quiesce(void);

/* The stack's clock: milliseconds since boot. */
uint64_t net_now_ms(void);

/*
 * Sends len bytes of proto payload to dst: routes it, takes src from the
 * outgoing interface when 0, fragments it to the interface's MTU and
 * resolves the next hop by ARP (the packets wait in the ARP cache's
 * bounded queue).  net_lock held.  0, or -E_NOENT (no route),
 * -E_RANGE (over 65515 bytes), -E_NOMEM, or the driver's error; a packet
 * queued for ARP counts as sent.
 */
int ip_output(uint32_t src, uint32_t dst, uint8_t proto, const void *payload, size_t len);

/* The same on a given interface to its link, for DHCP: to
 * 255.255.255.255 by Ethernet broadcast, from src (0 allowed). */
int ip_output_broadcast(struct netif *nif, uint32_t src, uint8_t proto, const void *payload,
			size_t len);

/* An ICMP error that came in about a datagram we sent. */
struct net_icmp_error {
	uint8_t type, code;
	uint32_t reporter;     /* who sent the error */
	uint32_t src, dst;     /* of the quoted datagram: src is ours */
	uint8_t proto;	       /* of the quoted datagram */
	const uint8_t *quoted; /* its transport header's first bytes */
	size_t quoted_len;     /* at least 8 */
};

/*
 * A transport protocol.  input gets a datagram addressed to us (the
 * IPv4 header parsed and checked, reassembled if it was fragmented;
 * ip->payload is the transport header) and checks its own checksum;
 * error gets the ICMP errors quoting that protocol.  Both run in the
 * network thread with net_lock held.  input returns 0, or -E_NOENT when
 * nobody listens (the stack then answers port unreachable, except for
 * TCP, whose engine answers with RST itself), or -E_CORRUPT for a bad
 * checksum or length (counted).
 */
struct net_protocol {
	int (*input)(struct netif *nif, const struct ipv4_header *ip);
	void (*error)(const struct net_icmp_error *err);
};

/* 0, or -E_BUSY when the protocol has a handler already.  TCP plugs in
 * here (IPV4_PROTO_TCP); until then TCP segments are counted and
 * dropped without an answer. */
int net_protocol_register(uint8_t proto, const struct net_protocol *p);

/* Is ip one of our addresses (any interface)?  net_lock held. */
bool net_is_local(uint32_t ip);

/*
 * Sends an echo request to dst and waits up to timeout_ns for the reply:
 * 0 with the round trip in *rtt_ns, -E_TIMEOUT, or ip_output's error.
 * Not with net_lock held.
 */
int net_ping(uint32_t dst, uint16_t seq, size_t data_len, uint64_t timeout_ns, uint64_t *rtt_ns);

/* "10.0.2.15" into buf (16 bytes), and back (0 or -E_INVAL). */
void ipv4_format(uint32_t ip, char buf[16]);
int ipv4_parse_addr(const char *s, uint32_t *ip);

/* The shell's `net` (with TCP's counters), `arp` and `route`. */
void net_print_interfaces(void);
void net_print_arp(void);
void net_print_routes(void);
/* `sockets`: every TCP connection and listener, every UDP endpoint. */
void net_print_sockets(void);

#endif
