/*
 * dm-verity, format version 1.  The hash device holds a 512-byte
 * superblock at hash_offset, padded to a hash block, then the tree with
 * its top level first.  Level 0 holds the hashes of the data blocks,
 * level i+1 those of level i's blocks; each level starts on a fresh
 * hash block and the top level is one block.  Every hash is
 * SHA-256(salt || block), and the root hash is the top block's.
 */
#include "fs/verity.h"

#include "lib/byteorder.h"
#include "lib/string.h"
#include "themelios/errno.h"

static bool
block_size_ok(uint32_t size)
{
	return size >= VERITY_MIN_BLOCK && size <= VERITY_MAX_BLOCK && (size & (size - 1)) == 0;
}

/* x >> s without the undefined shifts by 64 or more. */
static uint64_t
shr(uint64_t x, unsigned s)
{
	return s >= 64 ? 0 : x >> s;
}

int
verity_sb_parse(const uint8_t *sb, size_t len, uint64_t hash_offset, struct verity_params *p)
{
	static const char algorithm[32] = "sha256";

	if (len < VERITY_SB_SIZE || memcmp(sb, "verity\0\0", 8) != 0)
		return -E_CORRUPT;
	/* Version 1 with hash type 1 is the format with the salt first;
	 * type 0 is Chrome OS's, with the salt after the block. */
	if (le32(sb + 8) != 1 || le32(sb + 12) != 1)
		return -E_NOTSUP;
	if (memcmp(sb + 32, algorithm, sizeof(algorithm)) != 0)
		return -E_NOTSUP;
	memset(p, 0, sizeof(*p));
	memcpy(p->uuid, sb + 16, sizeof(p->uuid));
	p->data_block_size = le32(sb + 64);
	p->hash_block_size = le32(sb + 68);
	p->data_blocks = le64(sb + 72);
	p->salt_size = (uint16_t)(sb[80] | sb[81] << 8);
	p->hash_offset = hash_offset;
	if (!block_size_ok(p->data_block_size) || !block_size_ok(p->hash_block_size) ||
	    p->data_blocks == 0 || p->salt_size > VERITY_MAX_SALT)
		return -E_CORRUPT;
	memcpy(p->salt, sb + 88, p->salt_size);
	return 0;
}

int
verity_tree_init(struct verity_tree *t, const struct verity_params *p,
		 const uint8_t root[SHA256_DIGEST_BYTES])
{
	uint32_t hbs = p->hash_block_size;
	uint64_t pos;

	if (!block_size_ok(p->data_block_size) || !block_size_ok(hbs) || p->data_blocks == 0 ||
	    p->salt_size > VERITY_MAX_SALT || p->hash_offset > UINT64_MAX - VERITY_SB_SIZE - hbs)
		return -E_CORRUPT;
	memset(t, 0, sizeof(*t));
	t->p = *p;
	memcpy(t->root, root, SHA256_DIGEST_BYTES);
	for (t->per_block_bits = 0;
	     ((uint32_t)SHA256_DIGEST_BYTES << (t->per_block_bits + 1)) <= hbs;)
		t->per_block_bits++;
	/* As many levels as it takes to fold the data blocks into one. */
	while (t->per_block_bits * (unsigned)t->levels < 64 &&
	       shr(p->data_blocks - 1, t->per_block_bits * (unsigned)t->levels) != 0)
		t->levels++;
	if (t->levels > VERITY_MAX_LEVELS)
		return -E_CORRUPT;
	/* The tree starts on the hash block after the superblock. */
	pos = (p->hash_offset + VERITY_SB_SIZE + hbs - 1) / hbs;
	for (int i = t->levels - 1; i >= 0; i--) {
		uint64_t n = shr(p->data_blocks - 1, t->per_block_bits * (unsigned)(i + 1)) + 1;

		if (pos > UINT64_MAX - n)
			return -E_CORRUPT;
		t->level_start[i] = pos;
		t->level_blocks[i] = n;
		pos += n;
	}
	if (pos > UINT64_MAX / hbs)
		return -E_CORRUPT;
	t->hash_end = pos;
	return 0;
}

void
verity_hash_block(const struct verity_tree *t, const uint8_t *block, size_t len,
		  uint8_t out[SHA256_DIGEST_BYTES])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, t->p.salt, t->p.salt_size);
	sha256_update(&c, block, len);
	sha256_final(&c, out);
}

int
verity_root_of_device(const struct verity_tree *t, const struct verity_io *io, uint8_t *scratch,
		      uint8_t out[SHA256_DIGEST_BYTES])
{
	bool verified = false;
	int r;

	if (t->levels == 0) {
		r = io->read_data(io->ctx, 0, scratch);
		if (r < 0)
			return r;
		verity_hash_block(t, scratch, t->p.data_block_size, out);
		return 0;
	}
	r = io->read_hash(io->ctx, t->level_start[t->levels - 1], scratch, &verified);
	if (r < 0)
		return r;
	verity_hash_block(t, scratch, t->p.hash_block_size, out);
	return 0;
}

int
verity_verify(const struct verity_tree *t, const struct verity_io *io, uint64_t index,
	      const uint8_t *data, uint8_t *scratch)
{
	uint8_t want[SHA256_DIGEST_BYTES];
	uint64_t pending[VERITY_MAX_LEVELS];
	unsigned bits = t->per_block_bits;
	uint64_t slot_mask = ((uint64_t)1 << bits) - 1;
	int npending = 0;

	if (index >= t->p.data_blocks)
		return -E_RANGE;
	verity_hash_block(t, data, t->p.data_block_size, want);
	/*
	 * Climb: the hash just computed must sit in its slot of the block
	 * one level up.  A block the cache vouches for ends the climb;
	 * otherwise the chain must reach the trusted root.
	 */
	for (int l = 0; l < t->levels; l++) {
		uint64_t block = t->level_start[l] + shr(index, bits * (unsigned)(l + 1));
		uint64_t slot = shr(index, bits * (unsigned)l) & slot_mask;
		bool verified = false;
		int r = io->read_hash(io->ctx, block, scratch, &verified);

		if (r < 0)
			return r;
		if (memcmp(scratch + slot * SHA256_DIGEST_BYTES, want, SHA256_DIGEST_BYTES) != 0)
			return -E_IO;
		if (verified && io->mark_verified)
			goto good;
		verity_hash_block(t, scratch, t->p.hash_block_size, want);
		pending[npending++] = block;
	}
	if (memcmp(want, t->root, SHA256_DIGEST_BYTES) != 0)
		return -E_IO;
good:
	if (io->mark_verified)
		for (int i = 0; i < npending; i++)
			io->mark_verified(io->ctx, pending[i]);
	return 0;
}

int
verity_read(const struct verity_tree *t, const struct verity_io *io, uint64_t index, uint8_t *buf,
	    uint8_t *scratch)
{
	int r;

	if (index >= t->p.data_blocks)
		return -E_RANGE;
	r = io->read_data(io->ctx, index, buf);
	if (r < 0)
		return r;
	return verity_verify(t, io, index, buf, scratch);
}
