/*
 * Pipes: a byte stream of PIPE_CAPACITY bytes between writers and
 * readers (the Linux personality's pipe and pipe2; docs/linux.md).  The
 * object counts its read and write ends (whoever holds an end calls
 * pipe_end_open and pipe_end_close once each): with no writer left a
 * read sees the end (0), with no reader left a write fails (-E_PIPE).
 * A write of at most PIPE_ATOMIC bytes goes in whole or waits; a longer
 * one may be split between readers.  Its readiness (object/readiness.h)
 * says READABLE (data, or no writer left), WRITABLE (room for
 * PIPE_ATOMIC bytes, or no reader left) and PEER_CLOSED (an end has
 * none left), so a poll or a Notification can wait on it.
 *
 * Locking: the state is under the capability lock; the copies to and
 * from user memory are made without it, straight from and into the
 * ring.  A read also holds the pipe's reading mutex from the copy of a
 * chunk until the chunk leaves the ring; a write reserves the room it
 * copies into (reserved) until the chunk joins the bytes.
 */
#ifndef OBJECT_PIPE_H
#define OBJECT_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "object/object.h"
#include "object/readiness.h"
#include "sched/mutex.h"
#include "sched/wait.h"

#define PIPE_CAPACITY (64u << 10)
#define PIPE_ATOMIC   4096u /* PIPE_BUF */

struct process;

struct pipe {
	struct kobject obj;    /* KOBJ_PIPE */
	struct process *owner; /* charged for it; referenced */
	uint8_t *ring;
	size_t head, len; /* the bytes at ring[head..head+len) modulo the capacity */
	size_t reserved;  /* after them: a writer's chunk being copied in */
	unsigned int readers, writers;
	struct wait_queue readable, writable;
	struct readiness ready;
	struct mutex reading; /* held by the read taking bytes (object/pipe.c) */
};

/* A new pipe charged to owner's pool (refs = 1, the caller's), no end
 * open yet.  Capability lock held; -E_NOMEM. */
int pipe_create(struct process *owner, struct pipe **out);

/* An end opened and closed (capability lock held). */
void pipe_end_open(struct pipe *p, bool write);
void pipe_end_close(struct pipe *p, bool write);

/*
 * Up to len bytes into user memory at ubuf: what is there (at least one
 * byte), waiting for some unless nonblock; 0 once no writer is left and
 * nothing is; -E_AGAIN (nonblock, empty), -E_FAULT, -E_DEAD (the thread
 * is asked to stop).  No capability lock held.
 */
long pipe_read(struct pipe *p, uintptr_t ubuf, size_t len, bool nonblock);

/*
 * len bytes from user memory at ubuf, waiting for room unless nonblock:
 * the count written (all of it, unless stopped early), or -E_PIPE (no
 * reader: nothing more goes in), -E_AGAIN (nonblock, no room),
 * -E_FAULT, -E_DEAD; a count if some went in first.  No capability lock
 * held.
 */
long pipe_write(struct pipe *p, uintptr_t ubuf, size_t len, bool nonblock);

/* Bytes waiting (FIONREAD); capability lock held. */
size_t pipe_pending(const struct pipe *p);

#endif
