/*
 * A window of a block device seen through the page cache: its 4 KiB
 * pages from a starting byte, read with read-ahead in one request per
 * fill where the frames allow, each page optionally checked by a
 * verifier before anyone sees it (dm-verity for the root image).
 */
#ifndef DEV_BLOCK_CACHE_H
#define DEV_BLOCK_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dev/block.h"
#include "fs/fs_env.h"
#include "mm/page_cache.h"

struct blk_window {
	struct pcache_owner owner;
	struct blk_device *bd;
	uint64_t start; /* byte offset of page 0 on the device, 4 KiB aligned */
	uint64_t bytes; /* bytes in the window */
	/* 0 when page index (data, 4 KiB) is good; -E_IO otherwise.
	 * scratch holds 4 KiB. */
	int (*verify)(void *ctx, uint64_t index, const void *page, void *scratch);
	void *verify_ctx;
};

/* A window of bytes from start; -E_RANGE when it does not fit the device. */
int blk_window_init(struct blk_window *w, struct blk_device *bd, const char *name, uint64_t start,
		    uint64_t bytes);

/* Copies len bytes at off of the window to dst at 'at': the bytes copied
 * (fewer than len as pcache_read says), or -E_RANGE, -E_IO, -E_FAULT. */
long blk_window_read(struct blk_window *w, uint64_t off, const struct io_buf *dst, size_t at,
		     size_t len);

#endif
