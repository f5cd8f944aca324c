/*
 * A split virtqueue (virtio 1.x, 2.7): the descriptor table, the
 * available ring the driver fills and the used ring the device fills,
 * all in one block of DMA memory.  This is the bookkeeping only, pure
 * and host-tested: which descriptors are free, which chains are in
 * flight, and a check of everything the device writes.  The device is
 * not trusted: a used index that runs ahead by more than the ring, an id
 * that is no chain in flight, or a length past what the chain let the
 * device write is -E_CORRUPT, and the caller stops the device.
 */
#ifndef DEV_VIRTIO_VIRTQUEUE_H
#define DEV_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_MAX_SIZE		   256 /* descriptors; a power of two */

#define VIRTQ_DESC_F_NEXT	   1
#define VIRTQ_DESC_F_WRITE	   2
#define VIRTQ_DESC_F_INDIRECT	   4
#define VIRTQ_INDIRECT_MAX	   64 /* buffers of one chain in an indirect table */
#define VIRTQ_USED_F_NO_NOTIFY	   1
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* One buffer of a request: the device reads it, or writes it. */
struct virtq_buf {
	uint64_t phys;
	uint32_t len;
	bool device_writes;
};

struct virtq {
	uint16_t size;
	uint16_t num_free;
	uint16_t free_head;
	uint16_t last_used; /* used entries consumed so far */
	uint16_t avail_idx; /* our copy of avail->idx */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint64_t desc_phys, avail_phys, used_phys;
	/* Per head of a chain in flight: its owner's cookie, length and
	 * how much the device may write. */
	void *cookie[VIRTQ_MAX_SIZE];
	uint16_t chain_len[VIRTQ_MAX_SIZE];
	uint32_t writable[VIRTQ_MAX_SIZE];
	bool in_flight[VIRTQ_MAX_SIZE];
	/* The free list and chains, kept here: the descriptor table is
	 * device-writable memory, so its next fields are never read back. */
	uint16_t next[VIRTQ_MAX_SIZE];
	/* VIRTIO_RING_F_INDIRECT_DESC: a table of VIRTQ_INDIRECT_MAX
	 * descriptors per ring descriptor, so a chain of many buffers takes
	 * one ring slot.  NULL when not negotiated. */
	struct virtq_desc *indirect;
	uint64_t indirect_phys;
	/* VIRTIO_RING_F_EVENT_IDX: the device says from which available
	 * index on it wants a notification, and the driver from which used
	 * index on it wants an interrupt, instead of the flags. */
	bool event_idx;
	bool interrupts_off;
	uint16_t kicked_idx; /* avail_idx at the last notification decision */
};

/* Bytes of memory a queue of size entries needs (16-byte aligned). */
size_t virtq_mem_size(uint16_t size);

/* Lays the queue out in zeroed memory at mem (physical mem_phys).
 * -E_INVAL unless size is a power of two from 1 to VIRTQ_MAX_SIZE. */
int virtq_init(struct virtq *q, uint16_t size, void *mem, uint64_t mem_phys);

/*
 * Makes a chain of n buffers (device-readable ones first, as virtio
 * wants) available to the device; cookie comes back with it from
 * virtq_get_used.  The head's index, -E_AGAIN (not enough free
 * descriptors) or -E_INVAL (n 0, or a readable buffer after a writable
 * one).  The device still has to be notified.
 */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned int n, void *cookie);

/* Bytes of DMA memory virtq_set_indirect needs for a queue of size. */
size_t virtq_indirect_size(uint16_t size);

/* Chains of 2 to VIRTQ_INDIRECT_MAX buffers go through indirect tables
 * in mem (zeroed, virtq_indirect_size bytes, physical mem_phys) from
 * now on: the device offered VIRTIO_RING_F_INDIRECT_DESC. */
void virtq_set_indirect(struct virtq *q, void *mem, uint64_t mem_phys);

/* The device and driver use event indexes (VIRTIO_RING_F_EVENT_IDX). */
void virtq_set_event_idx(struct virtq *q);

/*
 * Whether the device wants a notification for what was added since the
 * last call: the flag (VIRTQ_USED_F_NO_NOTIFY), or with event indexes
 * whether the new available index passed the device's avail_event.
 */
bool virtq_should_notify(struct virtq *q);

/*
 * Takes the next used chain: 1 with *cookie and *len (bytes the device
 * wrote) set, and its descriptors free again; 0 when there is none;
 * -E_CORRUPT when the device broke the protocol (nothing is consumed).
 */
int virtq_get_used(struct virtq *q, void **cookie, uint32_t *len);

/*
 * Interrupt suppression for a driver that drains the used ring from a
 * thread: virtq_disable_interrupts asks the device not to interrupt (a
 * hint, 2.7.7); virtq_enable_interrupts asks again for interrupts and
 * then says whether used entries arrived meanwhile, which the driver
 * must take itself, since no interrupt may come for them.
 */
void virtq_disable_interrupts(struct virtq *q);
bool virtq_enable_interrupts(struct virtq *q);

/* True when the device has returned chains not yet taken. */
bool virtq_has_used(const struct virtq *q);

/* Forgets every chain in flight (after a device reset): each cookie is
 * passed to fn so its owner can be told. */
void virtq_drain(struct virtq *q, void (*fn)(void *cookie, void *ctx), void *ctx);

#endif
