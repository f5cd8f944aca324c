/*
 * A block device checked by dm-verity: the data area read through the
 * page cache with every 4 KiB block verified against the hash tree
 * before anyone sees it, and the hash blocks read through the cache
 * too, where a verified one stays marked (so a warm read climbs no
 * further than the first marked block).  A block that fails is -E_IO
 * to the reader and logged with its number.
 */
#ifndef FS_VERITY_DEV_H
#define FS_VERITY_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/block_cache.h"
#include "fs/verity.h"

struct verity_dev {
	struct verity_tree tree;
	struct blk_window data; /* the verified blocks */
	struct blk_window hash; /* the hash device (the same disk), unverified */
	uint64_t failures;	/* blocks that failed verification */
	bool root_ok;		/* the stored tree's root matched the expected one */
};

/*
 * Reads the verity superblock at hash_offset on bd, lays out the tree
 * and compares the root of the stored tree with root.  0 when it
 * matches; -E_IO when it does not (vd is still usable and fails every
 * read, as dm-verity's ignore mode); -E_CORRUPT / -E_NOTSUP for a bad
 * superblock; -E_RANGE when the tree does not fit the disk.
 */
int verity_dev_open(struct verity_dev *vd, struct blk_device *bd, uint64_t hash_offset,
		    const uint8_t root[SHA256_DIGEST_BYTES]);

#endif
