/*
 * IPv4 fragment reassembly (RFC 791, with RFC 815's view of holes) in
 * bounded memory.  At most IP_REASM_SLOTS datagrams are in progress at
 * once (a new one takes the place of the oldest), each of at most
 * IP_REASM_MAX_FRAGS fragments, and all fragments together, each
 * charged its data plus its bookkeeping, stay within the byte budget
 * given at init (the oldest other datagrams go first, then the one the
 * fragment belongs to).  A datagram not complete within the timeout
 * after its first fragment is dropped.  Fragments overlapping with the
 * same bytes are accepted (a retransmission); overlapping with
 * different bytes drops the whole datagram, since either version might
 * be the forged one.
 *
 * Memory for fragments comes from the caller's alloc callback, the
 * clock is the caller's (milliseconds, monotonic), so the host tests
 * run it as they like.
 */
#ifndef NET_IP_REASSEMBLY_H
#define NET_IP_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"

#define IP_REASM_SLOTS	   4
#define IP_REASM_MAX_FRAGS 64

struct ip_reasm_ops {
	void *(*alloc)(void *ctx, size_t size); /* NULL when out of memory */
	void (*free)(void *ctx, void *p, size_t size);
};

struct ip_frag;

struct ip_reasm_datagram {
	bool used;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	bool have_last;	  /* the fragment without MF came: total is known */
	uint32_t total;	  /* payload length, once have_last */
	uint64_t started; /* first fragment's arrival: the timeout counts from it */
	unsigned nfrags;
	size_t charged;	       /* bytes of the budget this datagram holds */
	struct ip_frag *frags; /* sorted by offset; may overlap, with equal bytes */
};

struct ip_reasm {
	const struct ip_reasm_ops *ops;
	void *ctx;
	size_t budget;
	size_t charged; /* sum over the slots */
	uint64_t timeout;
	unsigned dropped;     /* datagrams given up, for statistics */
	unsigned reassembled; /* datagrams completed */
	struct ip_reasm_datagram slots[IP_REASM_SLOTS];
};

void ip_reasm_init(struct ip_reasm *r, const struct ip_reasm_ops *ops, void *ctx, size_t budget,
		   uint64_t timeout);

/*
 * One fragment, parsed by ipv4_parse (MF set or a non-zero offset;
 * -E_INVAL otherwise).  Returns the datagram's payload length when this
 * fragment completes it, with the payload copied to out; 0 when the
 * fragment is kept (or was a duplicate).  Errors drop the fragment:
 * -E_CORRUPT for an empty fragment or one with MF whose length is not a
 * multiple of 8, and (dropping the datagram too) for a conflicting
 * overlap or an end that contradicts the last fragment; -E_NOMEM when
 * memory or the budget runs out; -E_RANGE (the datagram dropped) when
 * the complete payload does not fit in cap.
 */
int ip_reasm_input(struct ip_reasm *r, const struct ipv4_header *h, uint64_t now, void *out,
		   size_t cap);

/* Drop the datagrams whose time is up. */
void ip_reasm_tick(struct ip_reasm *r, uint64_t now);

/* Free everything in progress. */
void ip_reasm_destroy(struct ip_reasm *r);

#endif
