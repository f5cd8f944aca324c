/*
 * A byte ring buffer for one producer and one consumer, e.g. an
 * interrupt handler that fills it and a thread that drains it.  The
 * capacity is a power of two; head and tail run freely and are masked
 * on use, so a full ring holds all size bytes.  Each index is written
 * by one side only, with release/acquire ordering, so on one CPU (or
 * one producer and one consumer CPU) no lock is needed.  Pure code,
 * unit-tested on the host.
 */
#ifndef LIB_RING_H
#define LIB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	size_t mask;	  /* size - 1 */
	size_t head;	  /* next write; producer only */
	size_t tail;	  /* next read; consumer only */
	uint64_t dropped; /* bytes refused because the ring was full */
};

/* size must be a power of two, at least 2: -E_INVAL otherwise. */
int ring_init(struct ring *r, void *buf, size_t size);

/* Producer side.  ring_put returns false (and counts a drop) when full;
 * ring_write stores as many bytes as fit and returns that count. */
bool ring_put(struct ring *r, uint8_t c);
size_t ring_write(struct ring *r, const void *src, size_t len);

/* Consumer side.  ring_get returns a byte, or -1 when empty; ring_read
 * copies up to len bytes and returns how many. */
int ring_get(struct ring *r);
size_t ring_read(struct ring *r, void *dst, size_t len);

/* Bytes waiting and free space: exact for the side that asks, a lower
 * bound of the truth for the other side. */
size_t ring_count(const struct ring *r);
size_t ring_space(const struct ring *r);
size_t ring_size(const struct ring *r);

#endif
