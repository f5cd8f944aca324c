/* Pipes (object/pipe.h). */
#include "object/pipe.h"

#include "cap/lock.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define PIPE_RING_PAGES (PIPE_CAPACITY / 4096)
#define PIPE_CHUNK	PIPE_ATOMIC /* bytes per copy to or from user memory */

static void
pipe_destroy(struct kobject *obj)
{
	struct pipe *p = (struct pipe *)obj;
	struct process *owner = p->owner;

	kfree(p->ring);
	process_uncharge(owner, PIPE_RING_PAGES);
	process_object_free(owner, p);
}

static struct readiness *
pipe_readiness(struct kobject *obj)
{
	return &((struct pipe *)obj)->ready;
}

static const struct kobject_ops pipe_ops = {
	.name = "pipe",
	.destroy = pipe_destroy,
	.readiness = pipe_readiness,
};

/* The signals from the state, and every binding told (capability lock held). */
static void
pipe_signal(struct pipe *p)
{
	uint32_t s = 0;

	if (p->len || !p->writers)
		s |= SIGNAL_READABLE;
	if (PIPE_CAPACITY - p->len >= PIPE_ATOMIC || !p->readers)
		s |= SIGNAL_WRITABLE;
	if (!p->readers || !p->writers)
		s |= SIGNAL_PEER_CLOSED;
	readiness_update(&p->ready, ~s, s);
}

int
pipe_create(struct process *owner, struct pipe **out)
{
	struct pipe *p;

	if (process_charge(owner, PIPE_RING_PAGES))
		return -E_NOMEM;
	p = process_object_new(owner, sizeof(*p), KOBJ_PIPE, &pipe_ops);
	if (!p) {
		process_uncharge(owner, PIPE_RING_PAGES);
		return -E_NOMEM;
	}
	p->ring = kmalloc(PIPE_CAPACITY);
	if (!p->ring) {
		process_uncharge(owner, PIPE_RING_PAGES);
		process_object_free(owner, p);
		return -E_NOMEM;
	}
	p->owner = owner;
	mutex_init(&p->reading, "pipe reading");
	wait_queue_init(&p->readable);
	wait_queue_init(&p->writable);
	readiness_init(&p->ready, SIGNAL_READABLE | SIGNAL_WRITABLE | SIGNAL_PEER_CLOSED);
	*out = p;
	return 0;
}

void
pipe_end_open(struct pipe *p, bool write)
{
	if (write)
		p->writers++;
	else
		p->readers++;
	pipe_signal(p);
}

void
pipe_end_close(struct pipe *p, bool write)
{
	if (write) {
		if (--p->writers == 0)
			wait_queue_wake_all(&p->readable);
	} else {
		if (--p->readers == 0)
			wait_queue_wake_all(&p->writable);
	}
	pipe_signal(p);
}

size_t
pipe_pending(const struct pipe *p)
{
	return p->len;
}

/* Sleeps on wq (capability lock held): 0, or -E_DEAD when the thread is
 * asked to stop. */
static int
pipe_wait(struct wait_queue *wq)
{
	cap_lock_wait(wq);
	return thread_should_stop() ? -E_DEAD : 0;
}

/*
 * Takes up to len bytes into ubuf, a chunk at a time, straight from the
 * ring: each is copied out before it leaves the ring, so a copy that
 * faults (a guard page, say) leaves it for the next read, as on Linux.
 * The chunk stays put while the capability lock is dropped for the
 * copy: writers only add after the bytes there, and p->reading keeps
 * another reader from taking them.  Called holding neither the
 * capability lock nor p->reading.
 */
static long
pipe_take(struct pipe *p, uintptr_t ubuf, size_t len)
{
	unsigned long flags;
	size_t done = 0;
	long r = 0;

	mutex_lock(&p->reading);
	flags = cap_lock_take();
	while (done < len && p->len) {
		size_t n = len - done, head = p->head, first;

		if (n > p->len)
			n = p->len;
		if (n > PIPE_CHUNK)
			n = PIPE_CHUNK;
		first = PIPE_CAPACITY - head < n ? PIPE_CAPACITY - head : n;
		cap_lock_drop(flags);
		r = copy_to_user(ubuf + done, p->ring + head, first);
		if (!r && n > first)
			r = copy_to_user(ubuf + done + first, p->ring, n - first);
		flags = cap_lock_take();
		if (r)
			break;
		/* Still at the head: only a holder of p->reading takes bytes. */
		p->head = (p->head + n) % PIPE_CAPACITY;
		p->len -= n;
		done += n;
		wait_queue_wake_all(&p->writable);
		pipe_signal(p);
	}
	cap_lock_drop(flags);
	mutex_unlock(&p->reading);
	return done ? (long)done : r;
}

long
pipe_read(struct pipe *p, uintptr_t ubuf, size_t len, bool nonblock)
{
	unsigned long flags;
	long r = 0;
	bool empty;

	if (len == 0)
		return 0;
	if (!user_range_ok(ubuf, len))
		return -E_FAULT;
	do {
		flags = cap_lock_take();
		while (p->len == 0 && p->writers && r == 0) {
			if (nonblock)
				r = -E_AGAIN;
			else
				r = pipe_wait(&p->readable);
		}
		empty = p->len == 0;
		cap_lock_drop(flags);
		/* Then what is there, without waiting again; 0 when another
		 * reader took it all first, and this one waits again. */
		if (r == 0 && !empty)
			r = pipe_take(p, ubuf, len);
	} while (r == 0 && !empty);
	return r;
}

/*
 * A chunk at a time straight into the ring: the writer reserves the room
 * after the bytes (p->reserved), copies with the capability lock
 * dropped, and only then adds the chunk to them, so readers never see a
 * part copied and a copy that faults adds nothing.  Another writer waits
 * while a chunk is reserved, as for a full pipe.
 */
long
pipe_write(struct pipe *p, uintptr_t ubuf, size_t len, bool nonblock)
{
	/* A write that fits PIPE_ATOMIC goes in whole: it waits for room for all. */
	size_t need = len <= PIPE_ATOMIC ? len : 1, done = 0;
	long r = 0;

	if (!user_range_ok(ubuf, len))
		return -E_FAULT;
	while (done < len && r == 0) {
		size_t n = len - done < PIPE_CHUNK ? len - done : PIPE_CHUNK, room, tail, first;
		unsigned long flags = cap_lock_take();
		int err;

		while (r == 0 && p->readers && (p->reserved || PIPE_CAPACITY - p->len < need)) {
			if (nonblock)
				r = -E_AGAIN;
			else
				r = pipe_wait(&p->writable);
		}
		if (r == 0 && !p->readers)
			r = -E_PIPE;
		if (r) {
			cap_lock_drop(flags);
			break;
		}
		room = PIPE_CAPACITY - p->len;
		if (n > room)
			n = room;
		tail = (p->head + p->len) % PIPE_CAPACITY;
		first = PIPE_CAPACITY - tail < n ? PIPE_CAPACITY - tail : n;
		p->reserved = n;
		cap_lock_drop(flags);
		err = copy_from_user(p->ring + tail, ubuf + done, first);
		if (!err && n > first)
			err = copy_from_user(p->ring, ubuf + done + first, n - first);
		flags = cap_lock_take();
		p->reserved = 0;
		wait_queue_wake_all(&p->writable); /* a writer waiting for the reservation */
		if (err) {
			cap_lock_drop(flags);
			r = -E_FAULT;
			break;
		}
		p->len += n;
		wait_queue_wake_all(&p->readable);
		pipe_signal(p);
		cap_lock_drop(flags);
		done += n;
	}
	return done ? (long)done : r;
}
