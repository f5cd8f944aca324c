/*
 * Split virtqueue bookkeeping (virtqueue.h).  The free descriptors form
 * a list through their next fields.  Memory layout in one block:
 * descriptors (16-byte aligned), then the available ring, then the used
 * ring at a 4-byte boundary, as 2.7 requires for virtio 1.x.
 *
 * Ordering: the descriptors and the ring slot must be visible before
 * the index that publishes them, and the used index must be read before
 * the entries it covers; the fences give both (QEMU's devices are
 * cache-coherent, so no cache maintenance is needed).
 */
#include "dev/virtio/virtqueue.h"

#include "lib/string.h"
#include "themelios/errno.h"

static size_t
avail_off(uint16_t size)
{
	return sizeof(struct virtq_desc) * size;
}

static size_t
used_off(uint16_t size)
{
	/* flags, idx, ring[size], used_event */
	return (avail_off(size) + 6 + 2u * size + 3) & ~(size_t)3;
}

size_t
virtq_mem_size(uint16_t size)
{
	/* flags, idx, ring[size], avail_event */
	return used_off(size) + 6 + 8u * size;
}

int
virtq_init(struct virtq *q, uint16_t size, void *mem, uint64_t mem_phys)
{
	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return -E_INVAL;
	memset(q, 0, sizeof(*q));
	q->size = size;
	q->num_free = size;
	q->desc = mem;
	q->avail = (struct virtq_avail *)((uint8_t *)mem + avail_off(size));
	q->used = (struct virtq_used *)((uint8_t *)mem + used_off(size));
	q->desc_phys = mem_phys;
	q->avail_phys = mem_phys + avail_off(size);
	q->used_phys = mem_phys + used_off(size);
	for (uint16_t i = 0; i < size; i++)
		q->next[i] = (uint16_t)(i + 1);
	return 0;
}

size_t
virtq_indirect_size(uint16_t size)
{
	return (size_t)size * VIRTQ_INDIRECT_MAX * sizeof(struct virtq_desc);
}

void
virtq_set_indirect(struct virtq *q, void *mem, uint64_t mem_phys)
{
	q->indirect = mem;
	q->indirect_phys = mem_phys;
}

void
virtq_set_event_idx(struct virtq *q)
{
	q->event_idx = true;
}

/* The extra words after each ring (2.7.10): the driver's used_event
 * after the available ring, the device's avail_event after the used. */
static volatile uint16_t *
used_event(const struct virtq *q)
{
	return &q->avail->ring[q->size];
}

static volatile uint16_t *
avail_event(const struct virtq *q)
{
	return (volatile uint16_t *)&q->used->ring[q->size];
}

/* A chain of n buffers in the indirect table of ring slot head. */
static void
add_indirect(struct virtq *q, uint16_t head, const struct virtq_buf *bufs, unsigned int n)
{
	struct virtq_desc *t = q->indirect + (size_t)head * VIRTQ_INDIRECT_MAX;
	struct virtq_desc *d = &q->desc[head];

	for (unsigned int k = 0; k < n; k++) {
		t[k].addr = bufs[k].phys;
		t[k].len = bufs[k].len;
		t[k].next = (uint16_t)(k + 1);
		t[k].flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
					(k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
	}
	d->addr = q->indirect_phys + (uint64_t)head * VIRTQ_INDIRECT_MAX * sizeof(*t);
	d->len = (uint32_t)(n * sizeof(*t));
	d->flags = VIRTQ_DESC_F_INDIRECT;
	d->next = 0;
}

int
virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned int n, void *cookie)
{
	uint16_t head = q->free_head, i = head, last = head;
	uint32_t writable = 0;
	bool indirect;

	if (n == 0)
		return -E_INVAL;
	for (unsigned int k = 1; k < n; k++)
		if (bufs[k - 1].device_writes && !bufs[k].device_writes)
			return -E_INVAL;
	indirect = q->indirect && n > 1 && n <= VIRTQ_INDIRECT_MAX;
	if ((indirect ? 1 : n) > q->num_free)
		return -E_AGAIN;
	if (indirect) {
		for (unsigned int k = 0; k < n; k++)
			if (bufs[k].device_writes)
				writable += bufs[k].len;
		add_indirect(q, head, bufs, n);
		n = 1;
	}
	for (unsigned int k = 0; k < n && !indirect; k++) {
		struct virtq_desc *d = &q->desc[i];

		d->addr = bufs[k].phys;
		d->len = bufs[k].len;
		d->next = q->next[i];
		d->flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		if (bufs[k].device_writes)
			writable += bufs[k].len;
		last = i;
		i = q->next[i];
	}
	q->free_head = q->next[last];
	q->num_free = (uint16_t)(q->num_free - n);
	q->cookie[head] = cookie;
	q->chain_len[head] = (uint16_t)n;
	q->writable[head] = writable;
	q->in_flight[head] = true;

	q->avail->ring[q->avail_idx % q->size] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->avail_idx++;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return head;
}

bool
virtq_should_notify(struct virtq *q)
{
	uint16_t old = q->kicked_idx, event;

	q->kicked_idx = q->avail_idx;
	if (!q->event_idx)
		return !(__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) &
			 VIRTQ_USED_F_NO_NOTIFY);
	/* 2.7.10: notify when avail_event lies in (old, new]. */
	event = __atomic_load_n(avail_event(q), __ATOMIC_ACQUIRE);
	return (uint16_t)(q->avail_idx - event - 1) < (uint16_t)(q->avail_idx - old);
}

int
virtq_get_used(struct virtq *q, void **cookie, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(idx - q->last_used);
	struct virtq_used_elem e;
	uint16_t head, i;

	if (pending == 0)
		return 0;
	/* More used than could ever be in flight. */
	if (pending > q->size - q->num_free)
		return -E_CORRUPT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	e = q->used->ring[q->last_used % q->size];
	if (e.id >= q->size || !q->in_flight[e.id] || e.len > q->writable[e.id])
		return -E_CORRUPT;
	head = (uint16_t)e.id;
	/* The chain goes back on the free list whole. */
	i = head;
	for (uint16_t k = 1; k < q->chain_len[head]; k++)
		i = q->next[i];
	q->next[i] = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + q->chain_len[head]);
	q->in_flight[head] = false;
	q->last_used++;
	/* With event indexes, interrupts on means "tell me about the next
	 * one": move used_event along as entries are taken. */
	if (q->event_idx && !q->interrupts_off)
		__atomic_store_n(used_event(q), q->last_used, __ATOMIC_RELEASE);
	*cookie = q->cookie[head];
	*len = e.len;
	return 1;
}

void
virtq_disable_interrupts(struct virtq *q)
{
	q->interrupts_off = true;
	if (q->event_idx) /* an index already passed: no interrupt until it wraps */
		__atomic_store_n(used_event(q), (uint16_t)(q->last_used - 1), __ATOMIC_RELEASE);
	else
		__atomic_store_n(&q->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELEASE);
}

bool
virtq_has_used(const struct virtq *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used;
}

bool
virtq_enable_interrupts(struct virtq *q)
{
	q->interrupts_off = false;
	if (q->event_idx)
		__atomic_store_n(used_event(q), q->last_used, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&q->avail->flags, 0, __ATOMIC_RELEASE);
	/* The flag must be visible before the used index is read again, or
	 * an entry the device adds in between goes without an interrupt. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_has_used(q);
}

void
virtq_drain(struct virtq *q, void (*fn)(void *cookie, void *ctx), void *ctx)
{
	for (uint16_t i = 0; i < q->size; i++)
		if (q->in_flight[i]) {
			q->in_flight[i] = false;
			fn(q->cookie[i], ctx);
		}
}
