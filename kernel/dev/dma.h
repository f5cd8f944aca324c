/*
 * Memory a device reads and writes by itself (rings, request headers,
 * buffers): physically contiguous, zeroed pages, reached by the kernel
 * through the direct map and by the device at their physical address.
 * QEMU's devices are cache-coherent on both architectures, so plain
 * memory barriers order the CPU's accesses with the device's.
 */
#ifndef DEV_DMA_H
#define DEV_DMA_H

#include <stddef.h>
#include <stdint.h>

struct dma_buf {
	void *va;
	uint64_t phys;
	size_t pages;
};

/* 0 or -E_NOMEM. */
int dma_alloc(size_t bytes, struct dma_buf *buf);
void dma_free(struct dma_buf *buf);

#endif
