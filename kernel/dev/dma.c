/* DMA memory (dma.h): whole frames from the frame allocator. */
#include "dev/dma.h"

#include "lib/string.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "themelios/errno.h"

#define DMA_PAGE 4096

int
dma_alloc(size_t bytes, struct dma_buf *buf)
{
	size_t pages = (bytes + DMA_PAGE - 1) / DMA_PAGE;

	if (!pages || pmm_alloc_frames(pages, 1, &buf->phys) != 0)
		return -E_NOMEM;
	buf->pages = pages;
	buf->va = phys_to_virt(buf->phys);
	memset(buf->va, 0, pages * DMA_PAGE);
	return 0;
}

void
dma_free(struct dma_buf *buf)
{
	if (buf->pages)
		pmm_free_frames(buf->phys, buf->pages);
	buf->pages = 0;
	buf->va = NULL;
}
