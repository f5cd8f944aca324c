/*
 * The byte queues behind a connection's send and receive buffers.  A
 * buffer has a size (cap, which the engine may grow) but holds memory
 * only for the bytes in it: chunks come from the owner's allocator
 * (tcp.h) as bytes are stored and go back as they are consumed, so an
 * idle connection with a large buffer costs almost nothing.  The chunk
 * pointers form a ring; offsets count from head, the first byte held.
 */
#ifndef NET_TCP_BUF_H
#define NET_TCP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_BUF_SLOTS 72
/* 16 KiB less room for an allocator's header: four pages a chunk. */
#define TCP_BUF_CHUNK (16384u - 64)

struct tcp_buf {
	uint8_t *chunk[TCP_BUF_SLOTS];
	void *(*alloc)(void *owner, size_t size);
	void (*free)(void *owner, void *p, size_t size);
	void *owner;
	uint32_t csize;	  /* bytes a chunk; 0: no buffer (tcp_buf_init not called) */
	uint32_t first;	  /* the slot of the chunk holding head */
	uint32_t head;	  /* head's offset in that chunk */
	uint32_t len;	  /* bytes held, from head */
	uint32_t hi;	  /* the end of the furthest byte stored, from head (>= len) */
	uint32_t cap;	  /* the size: len and hi stay within it */
	uint32_t nchunks; /* chunks allocated */
};

/* A buffer of size cap that may grow to max (which fixes the chunk
 * size); it allocates nothing yet. */
void tcp_buf_init(struct tcp_buf *b, uint32_t cap, uint32_t max,
		  void *(*alloc)(void *owner, size_t size),
		  void (*free)(void *owner, void *p, size_t size), void *owner);

static inline bool
tcp_buf_ready(const struct tcp_buf *b)
{
	return b->csize != 0;
}

static inline uint32_t
tcp_buf_space(const struct tcp_buf *b)
{
	return b->cap > b->len ? b->cap - b->len : 0;
}

/* The largest size the chunk ring can address. */
static inline uint32_t
tcp_buf_max(const struct tcp_buf *b)
{
	return (TCP_BUF_SLOTS - 1) * b->csize;
}

/* Sets the size, never below hi nor above tcp_buf_max; returns it. */
uint32_t tcp_buf_resize(struct tcp_buf *b, uint32_t cap);

/* Appends up to n bytes; returns how many fitted (fewer when the size
 * is reached or a chunk could not be allocated). */
uint32_t tcp_buf_append(struct tcp_buf *b, const void *src, uint32_t n);

/* Copies n bytes starting off bytes past head (off + n <= hi); bytes
 * never stored read as zero. */
void tcp_buf_peek(const struct tcp_buf *b, uint32_t off, void *dst, uint32_t n);

/* Stores n bytes off bytes past head, beyond len or not (off + n <= cap);
 * len is unchanged, so this places data that arrived early.  0, or -1
 * when a chunk could not be allocated (the bytes may be partly stored). */
int tcp_buf_place(struct tcp_buf *b, uint32_t off, const void *src, uint32_t n);

/* Drops n bytes (n <= len) from the front, freeing the chunks passed;
 * once nothing is held, all but one chunk. */
void tcp_buf_consume(struct tcp_buf *b, uint32_t n);

/* Frees every chunk; the buffer is empty and stays usable. */
void tcp_buf_release(struct tcp_buf *b);

#endif
