/*
 * Connections by 4-tuple: a fixed array of hash chains, the hash salted
 * with a secret so that a peer cannot aim many connections at one
 * chain.  Listeners sit in a short list of their own, searched for an
 * exact address first, then the wildcard 0.
 */
#include "net/tcp_internal.h"

#include "themelios/errno.h"

static unsigned
bucket(const struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	uint32_t h = s->hash_salt;

	h ^= laddr * 0x9e3779b1u;
	h = (h ^ h >> 15) * 0x85ebca6bu;
	h ^= raddr * 0xc2b2ae35u;
	h = (h ^ h >> 13) * 0x27d4eb2fu;
	h ^= ((uint32_t)lport << 16 | rport) * 0x165667b1u;
	h ^= h >> 16;
	return h % TCP_TABLE_BUCKETS;
}

void
tcp_table_insert(struct tcp_stack *s, struct tcp_conn *c)
{
	struct tcp_conn **head;

	if (c->state == TCP_LISTEN)
		head = &s->listeners;
	else
		head = &s->buckets[bucket(s, c->local_addr, c->local_port, c->remote_addr,
					  c->remote_port)];
	c->next = *head;
	*head = c;
	c->in_table = true;
}

void
tcp_table_remove(struct tcp_stack *s, struct tcp_conn *c)
{
	struct tcp_conn **pp;

	if (!c->in_table)
		return;
	if (c->state == TCP_LISTEN)
		pp = &s->listeners;
	else
		pp = &s->buckets[bucket(s, c->local_addr, c->local_port, c->remote_addr,
					c->remote_port)];
	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	c->next = NULL;
	c->in_table = false;
}

struct tcp_conn *
tcp_table_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport)
{
	struct tcp_conn *c = s->buckets[bucket(s, laddr, lport, raddr, rport)];

	for (; c; c = c->next)
		if (c->local_addr == laddr && c->local_port == lport && c->remote_addr == raddr &&
		    c->remote_port == rport)
			return c;
	return NULL;
}

struct tcp_conn *
tcp_table_listener(struct tcp_stack *s, uint32_t laddr, uint16_t lport)
{
	struct tcp_conn *wild = NULL;

	for (struct tcp_conn *l = s->listeners; l; l = l->next) {
		if (l->local_port != lport)
			continue;
		if (l->local_addr == laddr)
			return l;
		if (l->local_addr == 0)
			wild = l;
	}
	return wild;
}

/* An ephemeral port (49152-65535) not listening and free for this peer. */
int
tcp_table_pick_port(struct tcp_stack *s, uint32_t laddr, uint32_t raddr, uint16_t rport)
{
	for (unsigned tries = 0; tries < 16384; tries++) {
		uint16_t port = s->next_port;

		s->next_port = port == 65535 ? 49152 : (uint16_t)(port + 1);
		if (!tcp_table_listener(s, laddr, port) &&
		    !tcp_table_lookup(s, laddr, port, raddr, rport))
			return port;
	}
	return -E_ADDRINUSE;
}
