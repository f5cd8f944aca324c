/*
 * UDP endpoints: the kernel side of what UDP sockets will be.  An
 * endpoint is bound to a local port (on every address) and either
 * queues what comes in, up to UDP_QUEUE_MAX datagrams and
 * UDP_QUEUE_BYTES bytes (beyond that a datagram is dropped and
 * counted), for a thread that waits in udp_recvfrom, or hands each
 * datagram to a callback in the network thread (kernel services such
 * as the DHCP client).  A datagram to a port nobody has bound is
 * answered with ICMP port unreachable; the ICMP errors about what an
 * endpoint sent are kept for it (udp_take_error).
 */
#ifndef NET_UDP_TABLE_H
#define NET_UDP_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sched/spinlock.h"
#include "sched/wait.h"

#define UDP_ENDPOINTS_MAX   64
#define UDP_QUEUE_MAX	    32
#define UDP_QUEUE_BYTES	    (128 * 1024)
#define UDP_EPHEMERAL_FIRST 49152
#define UDP_DATA_MAX	    (65535 - 20 - 8)

struct netif;

struct udp_meta {
	uint32_t src, dst; /* host order */
	uint16_t src_port, dst_port;
};

typedef void (*udp_input_fn)(void *ctx, struct netif *nif, const struct udp_meta *m,
			     const uint8_t *data, size_t len);

struct udp_queued;

struct udp_endpoint {
	uint16_t port;
	udp_input_fn input; /* NULL: queue */
	void *ctx;
	struct spinlock lock; /* the queue, the error, the notify hook */
	struct wait_queue readers;
	struct udp_queued *head, **tail;
	unsigned int count;
	size_t bytes;
	uint64_t drops; /* queue full, or its Memory cannot pay */
	/* What the queue costs is charged here (whole pages of the bytes
	 * queued with their headers), or nothing for the kernel's own. */
	struct mempool *pool; /* the caller of udp_bind keeps it alive */
	size_t mem;	      /* bytes held: datagrams and their headers */
	uint64_t charged;     /* pages charged to pool for mem */
	int error;	      /* the last ICMP error: type << 8 | code, 0: none */
	/* Called (in the network thread, lock held) when a datagram or an
	 * error arrives: the hook readiness notifications will use. */
	void (*notify)(void *ctx);
	void *notify_ctx;
};

struct mempool;

/*
 * Binds port (0: a free ephemeral port) to a new queueing endpoint in
 * *out, whose queued datagrams are charged to pool (which the caller
 * keeps alive until udp_close; NULL for the kernel's own endpoints).  0, -E_BUSY (the
 * port is taken), -E_NOMEM (no memory, or UDP_ENDPOINTS_MAX endpoints).
 * Takes net_lock.
 */
int udp_bind(uint16_t port, struct mempool *pool, struct udp_endpoint **out);

/* The same for an endpoint whose datagrams go to fn(ctx, ...) in the
 * network thread, net_lock held.  Takes net_lock. */
int udp_bind_input(uint16_t port, udp_input_fn fn, void *ctx, struct udp_endpoint **out);

/* Unbinds and frees ep with what is queued.  Nobody may be waiting in
 * udp_recvfrom on it.  Takes net_lock. */
void udp_close(struct udp_endpoint *ep);

/* The same with net_lock held. */
void udp_close_locked(struct udp_endpoint *ep);

/* The shell's `sockets`: every endpoint.  net_lock held. */
void udp_print_endpoints(void);

/*
 * The oldest queued datagram: copies up to cap bytes (the rest of a
 * longer one is lost, as with recvfrom) and returns its whole length,
 * with where it came from in *from (may be NULL).  Waits up to
 * timeout_ns (0: not at all, -E_AGAIN; WAIT_FOREVER: for ever), then
 * -E_TIMEOUT.  Not for callback endpoints (-E_INVAL).
 */
int udp_recvfrom(struct udp_endpoint *ep, void *buf, size_t cap, struct udp_meta *from,
		 uint64_t timeout_ns);

/* Sends len bytes from ep's port to dst:port.  0, -E_RANGE (over
 * UDP_DATA_MAX), -E_NOENT (no route), -E_NOMEM.  Takes net_lock. */
int udp_sendto(struct udp_endpoint *ep, uint32_t dst, uint16_t port, const void *data, size_t len);

/* The same with net_lock held, from any source address and port (src 0:
 * the outgoing interface's). */
int udp_output(uint32_t src, uint16_t src_port, uint32_t dst, uint16_t dst_port, const void *data,
	       size_t len);

/* The last ICMP error about ep's datagrams (type << 8 | code), cleared; 0: none. */
int udp_take_error(struct udp_endpoint *ep);

/* Datagrams queued now (for tests and the shell). */
unsigned int udp_queued(struct udp_endpoint *ep);

#endif
