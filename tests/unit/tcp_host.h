/*
 * The host side of the TCP engine for the tests: malloc behind the
 * allocator interface, counting what is held so that a test can demand
 * a bound and, at the end, every byte back.
 */
#ifndef TCP_HOST_H
#define TCP_HOST_H

#include <stdlib.h>

struct tcp_host_mem {
	size_t in_use, peak, limit; /* limit 0: none */
	unsigned long allocs, failures;
};

static inline void *
tcp_host_alloc(void *owner, size_t size)
{
	struct tcp_host_mem *m = owner;

	if (m->limit && m->in_use + size > m->limit) {
		m->failures++;
		return NULL;
	}
	m->in_use += size;
	if (m->in_use > m->peak)
		m->peak = m->in_use;
	m->allocs++;
	return malloc(size);
}

static inline void
tcp_host_free(void *owner, void *p, size_t size)
{
	struct tcp_host_mem *m = owner;

	m->in_use -= size;
	free(p);
}

#endif
