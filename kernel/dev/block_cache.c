/* A block device window through the page cache (block_cache.h). */
#include "dev/block_cache.h"

#include "core/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "themelios/errno.h"

#define SECTORS_PER_PAGE (PCACHE_PAGE_SIZE / BLK_SECTOR_SIZE)

/* Reads pages [first, first + count) that lie in one buffer. */
static int
read_run(struct blk_window *w, uint64_t first, size_t count, uint8_t *buf)
{
	uint64_t off = first * PCACHE_PAGE_SIZE, len = count * PCACHE_PAGE_SIZE;

	/* The last page of a window may be partial: zero its tail. */
	if (off + len > w->bytes) {
		uint64_t have = w->bytes - off;

		memset(buf + have, 0, len - have);
		len = (have + BLK_SECTOR_SIZE - 1) & ~(uint64_t)(BLK_SECTOR_SIZE - 1);
	}
	return blk_read(w->bd, (w->start + off) / BLK_SECTOR_SIZE, len / BLK_SECTOR_SIZE, buf);
}

static long
window_fill(struct pcache_owner *o, uint64_t first, size_t count, void *const *pages)
{
	struct blk_window *w = (struct blk_window *)o;
	void *scratch = NULL;
	size_t i = 0, good;
	int err = 0;

	/* One request for frames that follow one another, else one each. */
	while (i < count && !err) {
		size_t run = 1;

		while (i + run < count &&
		       (uint8_t *)pages[i + run] == (uint8_t *)pages[i] + run * PCACHE_PAGE_SIZE)
			run++;
		err = read_run(w, first + i, run, pages[i]);
		if (err && run > 1) {
			/* A failed read-ahead costs the reader only the bad
			 * page: read the run again a page at a time, up to it. */
			size_t k = 0;

			while (k < run && !(err = read_run(w, first + i + k, 1, pages[i + k])))
				k++;
			i += k;
			continue;
		}
		if (!err)
			i += run;
	}
	good = i;
	if (good == 0)
		return err;
	if (w->verify) {
		if (!(scratch = kmalloc(PCACHE_PAGE_SIZE)))
			return -E_NOMEM;
		for (i = 0; i < good; i++)
			if (w->verify(w->verify_ctx, first + i, pages[i], scratch))
				break;
		kfree(scratch);
		good = i;
		if (good == 0)
			return -E_IO;
	}
	return good;
}

static const struct pcache_owner_ops window_ops = { .fill = window_fill };

int
blk_window_init(struct blk_window *w, struct blk_device *bd, const char *name, uint64_t start,
		uint64_t bytes)
{
	uint64_t dev_bytes = bd->sectors * BLK_SECTOR_SIZE;

	if (start % PCACHE_PAGE_SIZE || start > dev_bytes || bytes > dev_bytes - start)
		return -E_RANGE;
	w->bd = bd;
	w->start = start;
	w->bytes = bytes;
	w->verify = NULL;
	w->verify_ctx = NULL;
	pcache_owner_init(&w->owner, &window_ops, name,
			  (bytes + PCACHE_PAGE_SIZE - 1) / PCACHE_PAGE_SIZE);
	return 0;
}

long
blk_window_read(struct blk_window *w, uint64_t off, const struct io_buf *dst, size_t at, size_t len)
{
	if (off > w->bytes || len > w->bytes - off)
		return -E_RANGE;
	return pcache_read(&w->owner, off, dst, at, len);
}
