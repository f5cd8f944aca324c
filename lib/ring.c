#include "lib/ring.h"

#include "themelios/errno.h"

int
ring_init(struct ring *r, void *buf, size_t size)
{
	if (!r || !buf || size < 2 || (size & (size - 1)) != 0)
		return -E_INVAL;
	r->buf = buf;
	r->mask = size - 1;
	r->head = 0;
	r->tail = 0;
	r->dropped = 0;
	return 0;
}

size_t
ring_size(const struct ring *r)
{
	return r->mask + 1;
}

size_t
ring_count(const struct ring *r)
{
	size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	return head - tail;
}

size_t
ring_space(const struct ring *r)
{
	return ring_size(r) - ring_count(r);
}

bool
ring_put(struct ring *r, uint8_t c)
{
	size_t head = r->head;
	size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head - tail > r->mask) {
		r->dropped++;
		return false;
	}
	r->buf[head & r->mask] = c;
	/* The byte is in place before the consumer can see the new head. */
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

size_t
ring_write(struct ring *r, const void *src, size_t len)
{
	const uint8_t *p = src;
	size_t head = r->head;
	size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	size_t space = ring_size(r) - (head - tail);
	size_t n = len < space ? len : space;

	for (size_t i = 0; i < n; i++)
		r->buf[(head + i) & r->mask] = p[i];
	__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
	r->dropped += len - n;
	return n;
}

int
ring_get(struct ring *r)
{
	size_t tail = r->tail;
	size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint8_t c;

	if (head == tail)
		return -1;
	c = r->buf[tail & r->mask];
	/* The byte is read before the producer may overwrite its slot. */
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return c;
}

size_t
ring_read(struct ring *r, void *dst, size_t len)
{
	uint8_t *p = dst;
	size_t tail = r->tail;
	size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	size_t avail = head - tail;
	size_t n = len < avail ? len : avail;

	for (size_t i = 0; i < n; i++)
		p[i] = r->buf[(tail + i) & r->mask];
	__atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);
	return n;
}
