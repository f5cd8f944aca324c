/* dm-verity over a cached block device (verity_dev.h). */
#include "fs/verity_dev.h"

#include "core/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "themelios/errno.h"

static int
read_data(void *ctx, uint64_t block, uint8_t *buf)
{
	struct verity_dev *vd = ctx;
	struct io_buf b = io_buf_kernel(buf, PCACHE_PAGE_SIZE);

	/* Straight from the disk: only verity_root_of_device reads data
	 * this way (a tree with no hash level). */
	return blk_read(vd->data.bd, block * (PCACHE_PAGE_SIZE / BLK_SECTOR_SIZE),
			PCACHE_PAGE_SIZE / BLK_SECTOR_SIZE, (void *)b.base);
}

static int
read_hash(void *ctx, uint64_t block, uint8_t *buf, bool *verified)
{
	struct verity_dev *vd = ctx;
	struct pcache_page *p;
	int err;

	if ((err = pcache_get(&vd->hash.owner, block, &p)))
		return err;
	memcpy(buf, p->data, PCACHE_PAGE_SIZE);
	*verified = p->verified;
	pcache_put(p);
	return 0;
}

static void
mark_verified(void *ctx, uint64_t block)
{
	struct verity_dev *vd = ctx;
	struct pcache_page *p = pcache_peek(&vd->hash.owner, block);

	if (p) {
		p->verified = true;
		pcache_put(p);
	}
}

static struct verity_io
io_of(struct verity_dev *vd)
{
	return (struct verity_io){ vd, read_data, read_hash, mark_verified };
}

static int
verify_page(void *ctx, uint64_t index, const void *page, void *scratch)
{
	struct verity_dev *vd = ctx;
	struct verity_io io = io_of(vd);
	int err = verity_verify(&vd->tree, &io, index, page, scratch);

	if (err) {
		__atomic_add_fetch(&vd->failures, 1, __ATOMIC_RELAXED);
		printk("verity: %s: block %lu failed verification (%d)\n", vd->data.bd->name,
		       (unsigned long)index, err);
		return -E_IO;
	}
	return 0;
}

int
verity_dev_open(struct verity_dev *vd, struct blk_device *bd, uint64_t hash_offset,
		const uint8_t root[SHA256_DIGEST_BYTES])
{
	struct verity_params params;
	uint8_t got[SHA256_DIGEST_BYTES];
	struct verity_io io;
	uint8_t *buf;
	int err;

	memset(vd, 0, sizeof(*vd));
	if (hash_offset % PCACHE_PAGE_SIZE ||
	    hash_offset / BLK_SECTOR_SIZE + PCACHE_PAGE_SIZE / BLK_SECTOR_SIZE > bd->sectors)
		return -E_RANGE;
	if (!(buf = kmalloc(PCACHE_PAGE_SIZE)))
		return -E_NOMEM;
	err = blk_read(bd, hash_offset / BLK_SECTOR_SIZE, PCACHE_PAGE_SIZE / BLK_SECTOR_SIZE, buf);
	if (!err)
		err = verity_sb_parse(buf, PCACHE_PAGE_SIZE, hash_offset, &params);
	if (!err && (params.data_block_size != PCACHE_PAGE_SIZE ||
		     params.hash_block_size != PCACHE_PAGE_SIZE))
		err = -E_NOTSUP;
	if (!err)
		err = verity_tree_init(&vd->tree, &params, root);
	if (!err && vd->tree.p.data_blocks * PCACHE_PAGE_SIZE > hash_offset)
		err = -E_CORRUPT; /* data and hash overlap */
	if (!err)
		err = blk_window_init(&vd->data, bd, "verity data", 0,
				      vd->tree.p.data_blocks * PCACHE_PAGE_SIZE);
	if (!err)
		err = blk_window_init(&vd->hash, bd, "verity hash", 0,
				      vd->tree.hash_end * PCACHE_PAGE_SIZE);
	if (err) {
		kfree(buf);
		return err;
	}
	vd->data.verify = verify_page;
	vd->data.verify_ctx = vd;
	io = io_of(vd);
	err = verity_root_of_device(&vd->tree, &io, buf, got);
	kfree(buf);
	if (err)
		return err;
	vd->root_ok = memcmp(got, root, SHA256_DIGEST_BYTES) == 0;
	return vd->root_ok ? 0 : -E_IO;
}
