/*
 * dm-verity hash trees as `veritysetup format` writes them (format
 * version 1, SHA-256): the superblock, the level layout, the root hash
 * and the verification of one data block.  Pure code over read
 * callbacks, so the block layer and the host tests drive it alike;
 * docs/storage.md describes the format.
 */
#ifndef FS_VERITY_H
#define FS_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sha256.h"

#define VERITY_SB_SIZE	  512 /* the superblock's bytes */
#define VERITY_MAX_SALT	  256
#define VERITY_MAX_LEVELS 16 /* 64 bits / 4 bits per level of 512-byte blocks */
#define VERITY_MIN_BLOCK  512
#define VERITY_MAX_BLOCK  65536

struct verity_params {
	uint32_t data_block_size; /* powers of two, 512..65536 */
	uint32_t hash_block_size;
	uint64_t data_blocks;
	uint64_t hash_offset; /* byte offset of the superblock on the hash device */
	uint16_t salt_size;
	uint8_t salt[VERITY_MAX_SALT];
	uint8_t uuid[16];
};

/* The tree's shape, computed once from the parameters and trusted after. */
struct verity_tree {
	struct verity_params p;
	uint8_t root[SHA256_DIGEST_BYTES];	 /* the expected root hash */
	int levels;				 /* 0 when there is one data block */
	unsigned per_block_bits;		 /* log2(hashes in a hash block) */
	uint64_t level_start[VERITY_MAX_LEVELS]; /* level 0 is the bottom */
	uint64_t level_blocks[VERITY_MAX_LEVELS];
	uint64_t hash_end; /* one past the last hash block */
};

/*
 * How the tree reaches its devices.  Block numbers are in units of the
 * respective block size from the start of each device.  Reads return 0
 * or a negative error (-E_IO).
 *
 * read_hash sets *verified when the buffer comes from memory that an
 * earlier mark_verified covered and that has not been re-read from the
 * device since: a cache must drop the mark when it drops the contents.
 * mark_verified may be NULL (no cache); then read_hash never sets it.
 */
struct verity_io {
	void *ctx;
	int (*read_data)(void *ctx, uint64_t block, uint8_t *buf);
	int (*read_hash)(void *ctx, uint64_t block, uint8_t *buf, bool *verified);
	void (*mark_verified)(void *ctx, uint64_t block);
};

/*
 * Parses the superblock in sb (at least VERITY_SB_SIZE bytes, read from
 * hash_offset): "verity" signature, version 1, hash type 1 (salt
 * first), "sha256", block sizes, salt.  -E_CORRUPT when malformed,
 * -E_NOTSUP for another version, hash type or algorithm.
 */
int verity_sb_parse(const uint8_t *sb, size_t len, uint64_t hash_offset, struct verity_params *p);

/*
 * Lays out the tree for p and remembers the root hash to trust.
 * -E_CORRUPT for zero data blocks, bad block sizes or a tree past 2^64.
 */
int verity_tree_init(struct verity_tree *t, const struct verity_params *p,
		     const uint8_t root[SHA256_DIGEST_BYTES]);

/* SHA-256(salt || block), the hash of every data and hash block. */
void verity_hash_block(const struct verity_tree *t, const uint8_t *block, size_t len,
		       uint8_t out[SHA256_DIGEST_BYTES]);

/*
 * The root hash of the tree as stored: the hash of the top hash block,
 * or of data block 0 when there is no hash level.  scratch holds a
 * block of the larger block size.
 */
int verity_root_of_device(const struct verity_tree *t, const struct verity_io *io, uint8_t *scratch,
			  uint8_t out[SHA256_DIGEST_BYTES]);

/*
 * Checks data (data_block_size bytes, block number index) against the
 * tree, climbing until a block the cache marked verified or the root;
 * then marks the hash blocks it verified.  -E_IO on any mismatch,
 * -E_RANGE for an index past the data.  scratch holds a hash block.
 */
int verity_verify(const struct verity_tree *t, const struct verity_io *io, uint64_t index,
		  const uint8_t *data, uint8_t *scratch);

/* Reads data block index into buf and verifies it. */
int verity_read(const struct verity_tree *t, const struct verity_io *io, uint64_t index,
		uint8_t *buf, uint8_t *scratch);

#endif
