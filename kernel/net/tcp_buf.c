/* Byte rings for the send and receive buffers. */
#include "net/tcp_buf.h"

#include "lib/string.h"

/* Copies between the ring at offset off past head and a flat buffer,
 * in at most two pieces. */
static void
ring_copy(const struct tcp_buf *b, uint32_t off, uint8_t *flat, uint32_t n, int to_ring)
{
	uint32_t pos = (uint32_t)(((uint64_t)b->head + off) % b->cap);

	while (n) {
		uint32_t piece = b->cap - pos < n ? b->cap - pos : n;

		if (to_ring)
			memcpy(b->data + pos, flat, piece);
		else
			memcpy(flat, b->data + pos, piece);
		flat += piece;
		n -= piece;
		pos = 0;
	}
}

uint32_t
tcp_buf_append(struct tcp_buf *b, const void *src, uint32_t n)
{
	if (n > tcp_buf_space(b))
		n = tcp_buf_space(b);
	if (n)
		ring_copy(b, b->len, (uint8_t *)src, n, 1);
	b->len += n;
	return n;
}

void
tcp_buf_peek(const struct tcp_buf *b, uint32_t off, void *dst, uint32_t n)
{
	if (n)
		ring_copy(b, off, dst, n, 0);
}

void
tcp_buf_place(struct tcp_buf *b, uint32_t off, const void *src, uint32_t n)
{
	if (n)
		ring_copy(b, off, (uint8_t *)src, n, 1);
}

void
tcp_buf_consume(struct tcp_buf *b, uint32_t n)
{
	/* head moves even when the ring empties: early data may sit past len. */
	b->len -= n;
	if (b->cap)
		b->head = (uint32_t)(((uint64_t)b->head + n) % b->cap);
}
