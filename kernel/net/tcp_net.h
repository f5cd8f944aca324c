/*
 * TCP in the stack: the one engine (net/tcp.h) wired to IPv4, the
 * network thread's clock and timers, the kernel's random source and the
 * owners' Memory.  Everything here runs with net_lock held, which
 * serialises every call into the engine.
 *
 * An owner (a socket) embeds a struct net_tcp_owner and passes it to
 * tcp_open: its pool is charged for the connection and its buffers,
 * and its event hook hears the engine's TCP_EV_* bits.  Each
 * allocation remembers the pool it was charged to (and references
 * it), so a connection that outlives its owner (FIN_WAIT, TIME_WAIT
 * after close) still gives its memory back to the right pool.
 */
#ifndef NET_TCP_NET_H
#define NET_TCP_NET_H

#include <stdint.h>

#include "net/tcp.h"

struct mempool;

struct net_tcp_owner {
	struct mempool *pool; /* charged; NULL: allocations fail */
	/* In engine calls, net_lock held; must not call the engine. */
	void (*event)(struct net_tcp_owner *o, struct tcp_conn *c, unsigned events);
};

extern struct tcp_stack net_tcp;

/* Registers TCP for protocol 6 with a random ISN key (net_init). */
void net_tcp_init(void);

/* The engine's clock: nanoseconds since boot. */
uint64_t net_tcp_now(void);

/* Runs the timers that are due; returns the next deadline (ns, or
 * UINT64_MAX).  The network thread. */
uint64_t net_tcp_timers(uint64_t now);

/* After a call into the engine from outside the network thread (net_lock
 * held): wakes the thread when a timer is now due before it meant to
 * wake (a retransmission timer armed by a send). */
void net_tcp_kick(void);

/* The source address for a connection to dst: dst itself when it is
 * ours, else the outgoing interface's.  0 or -E_NOENT (no route). */
int net_source_addr(uint32_t dst, uint32_t *src);

/* Test mode (memory_audit): frees the connections nobody holds any
 * more (TIME_WAIT, closing handshakes), with a reset where one is due. */
void net_tcp_drop_orphans(void);

#endif
