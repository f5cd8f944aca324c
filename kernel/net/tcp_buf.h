/*
 * The byte rings behind a connection's send and receive buffers.  The
 * memory comes from the connection owner's allocator (tcp.h), once, at
 * the size the buffer is given; nothing grows afterwards.
 */
#ifndef NET_TCP_BUF_H
#define NET_TCP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct tcp_buf {
	uint8_t *data;
	uint32_t cap;  /* 0: not allocated */
	uint32_t head; /* the first byte held */
	uint32_t len;  /* bytes held, from head */
};

static inline uint32_t
tcp_buf_space(const struct tcp_buf *b)
{
	return b->cap - b->len;
}

/* Appends up to n bytes; returns how many fitted. */
uint32_t tcp_buf_append(struct tcp_buf *b, const void *src, uint32_t n);

/* Copies n bytes starting off bytes past head (off + n <= cap). */
void tcp_buf_peek(const struct tcp_buf *b, uint32_t off, void *dst, uint32_t n);

/* Stores n bytes off bytes past head, beyond len or not (off + n <= cap);
 * len is unchanged, so this places data that arrived early. */
void tcp_buf_place(struct tcp_buf *b, uint32_t off, const void *src, uint32_t n);

/* Drops n bytes (n <= len) from the front. */
void tcp_buf_consume(struct tcp_buf *b, uint32_t n);

#endif
