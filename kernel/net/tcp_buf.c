/* Byte queues in chunks for the send and receive buffers. */
#include "net/tcp_buf.h"

#include "lib/string.h"

void
tcp_buf_init(struct tcp_buf *b, uint32_t cap, uint32_t max,
	     void *(*alloc)(void *owner, size_t size),
	     void (*free)(void *owner, void *p, size_t size), void *owner)
{
	uint32_t per = (max + TCP_BUF_SLOTS - 2) / (TCP_BUF_SLOTS - 1);

	memset(b, 0, sizeof(*b));
	b->alloc = alloc;
	b->free = free;
	b->owner = owner;
	/* Larger chunks only for a maximum the ring could not address. */
	b->csize = per > TCP_BUF_CHUNK ? per : TCP_BUF_CHUNK;
	tcp_buf_resize(b, cap);
}

uint32_t
tcp_buf_resize(struct tcp_buf *b, uint32_t cap)
{
	if (cap > tcp_buf_max(b))
		cap = tcp_buf_max(b);
	if (cap < b->hi)
		cap = b->hi;
	b->cap = cap;
	return cap;
}

static uint32_t
slot_of(const struct tcp_buf *b, uint32_t pos)
{
	return (b->first + pos / b->csize) % TCP_BUF_SLOTS;
}

static void
free_slot(struct tcp_buf *b, uint32_t slot)
{
	if (b->chunk[slot]) {
		b->free(b->owner, b->chunk[slot], b->csize);
		b->chunk[slot] = NULL;
		b->nchunks--;
	}
}

/*
 * Copies between the queue at off past head and a flat buffer, chunk by
 * chunk.  Storing allocates missing chunks (false when one could not
 * be had); reading a missing one gives zeros.
 */
static bool
copy(struct tcp_buf *b, uint32_t off, uint8_t *flat, uint32_t n, bool store)
{
	uint32_t pos = b->head + off;

	while (n) {
		uint32_t slot = slot_of(b, pos), in = pos % b->csize;
		uint32_t piece = b->csize - in < n ? b->csize - in : n;

		if (!b->chunk[slot]) {
			if (!store) {
				memset(flat, 0, piece);
				goto next;
			}
			b->chunk[slot] = b->alloc(b->owner, b->csize);
			if (!b->chunk[slot])
				return false;
			b->nchunks++;
		}
		if (store)
			memcpy(b->chunk[slot] + in, flat, piece);
		else
			memcpy(flat, b->chunk[slot] + in, piece);
next:
		flat += piece;
		n -= piece;
		pos += piece;
	}
	return true;
}

uint32_t
tcp_buf_append(struct tcp_buf *b, const void *src, uint32_t n)
{
	const uint8_t *p = src;
	uint32_t done = 0;

	if (n > tcp_buf_space(b))
		n = tcp_buf_space(b);
	/* A chunk at a time, so a failed allocation keeps what fitted. */
	while (done < n) {
		uint32_t in = (b->head + b->len) % b->csize;
		uint32_t piece = b->csize - in < n - done ? b->csize - in : n - done;

		if (!copy(b, b->len, (uint8_t *)p + done, piece, true))
			break;
		b->len += piece;
		done += piece;
	}
	if (b->hi < b->len)
		b->hi = b->len;
	return done;
}

void
tcp_buf_peek(const struct tcp_buf *b, uint32_t off, void *dst, uint32_t n)
{
	copy((struct tcp_buf *)b, off, dst, n, false);
}

int
tcp_buf_place(struct tcp_buf *b, uint32_t off, const void *src, uint32_t n)
{
	if (!copy(b, off, (uint8_t *)src, n, true))
		return -1;
	if (n && b->hi < off + n)
		b->hi = off + n;
	return 0;
}

void
tcp_buf_consume(struct tcp_buf *b, uint32_t n)
{
	/* Early data past len keeps its place: offsets drop by n as head
	 * moves by n. */
	b->len -= n;
	b->hi = b->hi > n ? b->hi - n : 0;
	if (b->hi < b->len)
		b->hi = b->len;
	b->head += n;
	while (b->head >= b->csize) {
		free_slot(b, b->first);
		b->first = (b->first + 1) % TCP_BUF_SLOTS;
		b->head -= b->csize;
	}
	if (b->hi == 0) {
		/* Empty: keep the chunk at head for the next bytes, start it
		 * afresh, and free any other (early data given up). */
		for (uint32_t i = 1; i < TCP_BUF_SLOTS; i++)
			free_slot(b, (b->first + i) % TCP_BUF_SLOTS);
		b->head = 0;
	}
}

void
tcp_buf_release(struct tcp_buf *b)
{
	for (uint32_t i = 0; i < TCP_BUF_SLOTS; i++)
		free_slot(b, i);
	b->first = b->head = b->len = b->hi = 0;
}
