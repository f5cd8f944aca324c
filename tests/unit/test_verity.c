/*
 * dm-verity against the real thing: random data, `veritysetup format`
 * run by the test (a separate hash file, --hash-offset in the same
 * file, small hash blocks, one data block, no salt, a long salt), its
 * printed root hash and salt, every block verified, then tampered data
 * and hash blocks and the exact blocks that must fail.  The tree is
 * also rebuilt by a model here and compared byte for byte.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fs/verity.h"
#include "themelios/errno.h"
#include "unit.h"

/* The devices the tree reads from: images in memory, plus a cache of
 * verified hash blocks that keeps their contents, as a page cache would. */
struct dev {
	uint8_t *data; /* the data device */
	size_t data_len;
	uint8_t *hash; /* the hash device (maybe the same file) */
	size_t hash_len;
	uint32_t dbs, hbs;
	long hash_reads, out_of_range;
	bool cache_on;
	uint8_t *cache; /* a copy of the hash device */
	bool *cached;	/* per hash block: the copy is verified */
};

static int
read_data(void *ctx, uint64_t block, uint8_t *buf)
{
	struct dev *d = ctx;

	if (block >= d->data_len / d->dbs) {
		d->out_of_range++;
		return -E_IO;
	}
	memcpy(buf, d->data + block * d->dbs, d->dbs);
	return 0;
}

static int
read_hash(void *ctx, uint64_t block, uint8_t *buf, bool *verified)
{
	struct dev *d = ctx;

	if (block >= d->hash_len / d->hbs) {
		d->out_of_range++;
		return -E_IO;
	}
	if (d->cache_on && d->cached[block]) {
		memcpy(buf, d->cache + block * d->hbs, d->hbs);
		*verified = true;
		return 0;
	}
	d->hash_reads++;
	memcpy(buf, d->hash + block * d->hbs, d->hbs);
	if (d->cache_on)
		memcpy(d->cache + block * d->hbs, buf, d->hbs);
	return 0;
}

static void
mark_verified(void *ctx, uint64_t block)
{
	struct dev *d = ctx;

	d->cached[block] = true;
}

static uint8_t *
load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(*len ? *len : 1);
	if (fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (n < max && sscanf(s + 2 * n, "%2x", &v) == 1)
		out[n++] = (uint8_t)v;
	return n;
}

struct formatted {
	uint8_t root[32];
	uint8_t salt[VERITY_MAX_SALT];
	size_t salt_len;
};

/* Runs veritysetup format and reads the root hash and salt it prints. */
static int
format(const char *args, const char *data, const char *hash, struct formatted *out)
{
	char cmd[1536], line[1024];
	int got = 0;

	snprintf(cmd, sizeof(cmd), "veritysetup format %s %s %s 2>&1", args, data, hash);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	memset(out, 0, sizeof(*out));
	while (fgets(line, sizeof(line), p)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncmp(line, "Root hash:", 10) == 0)
			got += unhex(v, out->root, 32) == 32;
		else if (strncmp(line, "Salt:", 5) == 0) {
			out->salt_len = unhex(v, out->salt, sizeof(out->salt));
			got++;
		}
	}
	if (pclose(p) != 0 || got != 2) {
		printf("  %s: failed\n", cmd);
		return -1;
	}
	return 0;
}

/* The model: builds every level from the data and checks the hash
 * device holds exactly it, level by level, padding included. */
static bool
model_matches(const struct verity_tree *t, const struct dev *d)
{
	uint32_t hbs = t->p.hash_block_size;
	uint64_t n = t->p.data_blocks;
	uint8_t *below = d->data;
	size_t below_size = t->p.data_block_size;
	bool ok = true;

	for (int l = 0; l < t->levels; l++) {
		uint64_t blocks = (n * 32 + hbs - 1) / hbs;
		uint8_t *level = calloc(blocks, hbs);

		CHECK_EQ(blocks, t->level_blocks[l]);
		for (uint64_t i = 0; i < n; i++)
			verity_hash_block(t, below + i * below_size, below_size, level + i * 32);
		if ((t->level_start[l] + blocks) * hbs > d->hash_len ||
		    memcmp(d->hash + t->level_start[l] * hbs, level, blocks * hbs) != 0)
			ok = false;
		if (below != d->data)
			free(below);
		below = level;
		below_size = hbs;
		n = blocks;
	}
	if (below != d->data)
		free(below);
	return ok;
}

/* Verifies every block; returns how many failed, and checks that the
 * failures are exactly those in [bad_first, bad_last]. */
static long
verify_all(const struct verity_tree *t, struct dev *d, uint64_t bad_first, uint64_t bad_last)
{
	uint8_t *buf = malloc(t->p.data_block_size), *scratch = malloc(VERITY_MAX_BLOCK);
	struct verity_io io = { d, read_data, read_hash, d->cache_on ? mark_verified : NULL };
	long failed = 0;

	for (uint64_t i = 0; i < t->p.data_blocks; i++) {
		int r = verity_read(t, &io, i, buf, scratch);
		bool bad = i >= bad_first && i <= bad_last;

		if (r != (bad ? -E_IO : 0)) {
			printf("  block %llu: %d\n", (unsigned long long)i, r);
			CHECK(!"verify result");
		}
		failed += r != 0;
	}
	CHECK_EQ(verity_read(t, &io, t->p.data_blocks, buf, scratch), -E_RANGE);
	free(buf);
	free(scratch);
	return failed;
}

#define NONE UINT64_MAX

static void
run_case(const char *name, uint32_t dbs, uint32_t hbs, uint64_t nblocks, bool same_file,
	 const char *extra)
{
	char dir[] = "/tmp/themelios-verity-XXXXXX", data[128], hash[128], args[1024], cmd[256];
	struct formatted f;
	struct verity_params p;
	struct verity_tree t;
	struct dev d = { 0 };
	uint8_t root[32], *scratch = malloc(VERITY_MAX_BLOCK);
	uint64_t offset = same_file ? nblocks * dbs : 0;

	printf("  case %s\n", name);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(hash, sizeof(hash), "%s/%s", dir, same_file ? "data" : "hash");
	uint8_t *img = malloc(nblocks * dbs);
	for (size_t i = 0; i < nblocks * dbs; i++)
		img[i] = (uint8_t)(uint32_t)unit_rand();
	FILE *fp = fopen(data, "wb");
	CHECK(fp && fwrite(img, 1, nblocks * dbs, fp) == nblocks * dbs);
	fclose(fp);
	free(img);
	snprintf(args, sizeof(args),
		 "--data-block-size=%u --hash-block-size=%u --data-blocks=%llu %s", dbs, hbs,
		 (unsigned long long)nblocks, extra);
	if (same_file)
		snprintf(args + strlen(args), sizeof(args) - strlen(args), " --hash-offset=%llu",
			 (unsigned long long)offset);
	if (format(args, data, hash, &f) != 0) {
		CHECK(!"veritysetup format");
		goto out;
	}
	d.data = load(data, &d.data_len);
	d.hash = same_file ? d.data : load(hash, &d.hash_len);
	if (same_file)
		d.hash_len = d.data_len;
	d.dbs = dbs;
	d.hbs = hbs;
	CHECK(d.data && d.hash);

	/* The superblock says what veritysetup printed. */
	CHECK_EQ(verity_sb_parse(d.hash + offset, d.hash_len - offset, offset, &p), 0);
	CHECK_EQ(p.data_blocks, nblocks);
	CHECK_EQ(p.data_block_size, dbs);
	CHECK_EQ(p.hash_block_size, hbs);
	CHECK_EQ(p.salt_size, f.salt_len);
	CHECK(memcmp(p.salt, f.salt, f.salt_len) == 0);
	CHECK_EQ(verity_tree_init(&t, &p, f.root), 0);
	/* The tree ends where the hash device ends. */
	CHECK_EQ(t.hash_end * hbs, d.hash_len);
	struct verity_io io = { &d, read_data, read_hash, NULL };
	CHECK_EQ(verity_root_of_device(&t, &io, scratch, root), 0);
	CHECK(memcmp(root, f.root, 32) == 0);
	CHECK(model_matches(&t, &d));

	/* Every block verifies, with and without the cache. */
	d.hash_reads = 0;
	CHECK_EQ(verify_all(&t, &d, NONE, NONE), 0);
	long uncached = d.hash_reads;
	CHECK_EQ(uncached, (long)(nblocks * (uint64_t)t.levels));
	d.cache_on = true;
	d.cache = calloc(1, d.hash_len);
	d.cached = calloc(d.hash_len / hbs, sizeof(bool));
	d.hash_reads = 0;
	CHECK_EQ(verify_all(&t, &d, NONE, NONE), 0);
	/* Each hash block read once, then trusted from the cache. */
	uint64_t tree_blocks = 0;
	for (int l = 0; l < t.levels; l++)
		tree_blocks += t.level_blocks[l];
	CHECK_EQ(d.hash_reads, (long)tree_blocks);
	d.cache_on = false;

	/* A wrong root hash fails every block. */
	struct verity_tree wrong = t;
	wrong.root[(uint32_t)unit_rand() % 32] ^= (uint8_t)(1u << (uint32_t)unit_rand() % 8);
	d.hash_reads = 0;
	CHECK_EQ(verify_all(&wrong, &d, 0, nblocks - 1), (long)nblocks);

	/* A flipped bit in a data block fails that block only. */
	uint64_t victim = (uint32_t)unit_rand() % nblocks;
	size_t bit = (uint32_t)unit_rand() % (dbs * 8);
	d.data[victim * dbs + bit / 8] ^= (uint8_t)(1u << bit % 8);
	CHECK_EQ(verify_all(&t, &d, victim, victim), 1);
	d.data[victim * dbs + bit / 8] ^= (uint8_t)(1u << bit % 8);

	/* A flipped bit in each hash block in turn (slots and padding):
	 * the blocks below it fail, the others pass. */
	for (int l = 0; l < t.levels; l++) {
		uint64_t span = (uint64_t)1 << (t.per_block_bits * (unsigned)(l + 1));
		for (uint64_t b = 0; b < t.level_blocks[l]; b += 1 + t.level_blocks[l] / 3) {
			uint64_t first = b * span, last = first + span - 1;
			size_t at =
				(size_t)(t.level_start[l] + b) * hbs + (uint32_t)unit_rand() % hbs;

			if (last >= nblocks)
				last = nblocks - 1;
			d.hash[at] ^= 0x10;
			CHECK_EQ(verify_all(&t, &d, first, last), (long)(last - first + 1));
			d.hash[at] ^= 0x10;
		}
	}
	/* Nothing changed the tree; nothing read out of range. */
	CHECK_EQ(verify_all(&t, &d, NONE, NONE), 0);
	CHECK_EQ(d.out_of_range, 0);

	/* A hash device cut short: reads fail with the reader's error. */
	if (t.levels > 0) {
		d.hash_len = t.level_start[0] * hbs;
		uint8_t *buf = malloc(dbs);
		CHECK_EQ(verity_read(&t, &io, 0, buf, scratch), -E_IO);
		free(buf);
	}
	free(d.cache);
	free(d.cached);
	free(d.data);
	if (!same_file)
		free(d.hash);
out:
	free(scratch);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

UNIT_TEST(separate_hash_file)
{
	run_case("separate", 4096, 4096, 200, false, "");
}

UNIT_TEST(hash_offset_same_file)
{
	run_case("hash-offset", 4096, 4096, 150, true, "");
}

UNIT_TEST(three_levels)
{
	/* 512-byte hash blocks hold 16 hashes: 300 blocks need 3 levels. */
	run_case("small hash blocks", 1024, 512, 290, false, "");
}

UNIT_TEST(one_block_no_levels)
{
	run_case("one block", 4096, 4096, 1, false, "");
}

UNIT_TEST(no_salt)
{
	run_case("no salt", 4096, 4096, 129, false, "--salt=-");
}

UNIT_TEST(long_salt)
{
	char arg[600] = "--salt=";

	for (int i = 0; i < 256; i++)
		snprintf(arg + strlen(arg), 3, "%02x", (unsigned)(uint32_t)unit_rand() & 0xff);
	run_case("256-byte salt", 4096, 4096, 130, true, arg);
}

static void
good_sb(uint8_t *sb)
{
	memset(sb, 0, VERITY_SB_SIZE);
	memcpy(sb, "verity\0\0", 8);
	sb[8] = 1;  /* version */
	sb[12] = 1; /* hash type */
	memcpy(sb + 32, "sha256", 6);
	sb[65] = 0x10; /* 4096 */
	sb[69] = 0x10;
	sb[72] = 100; /* data blocks */
	sb[80] = 32;  /* salt size */
}

UNIT_TEST(malformed_superblocks)
{
	uint8_t sb[VERITY_SB_SIZE];
	struct verity_params p;
	struct verity_tree t;
	uint8_t root[32] = { 0 };

	good_sb(sb);
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), 0);
	CHECK_EQ(verity_tree_init(&t, &p, root), 0);
	CHECK_EQ(t.levels, 1);
	CHECK_EQ(t.level_start[0], 1);
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb) - 1, 0, &p), -E_CORRUPT);
	good_sb(sb);
	sb[0] = 'V';
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_CORRUPT);
	good_sb(sb);
	sb[8] = 2;
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_NOTSUP);
	good_sb(sb);
	sb[12] = 0; /* Chrome OS order */
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_NOTSUP);
	good_sb(sb);
	memcpy(sb + 32, "sha1\0\0", 6);
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_NOTSUP);
	good_sb(sb);
	sb[38] = 'x'; /* "sha256x" */
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_NOTSUP);
	good_sb(sb);
	sb[65] = 0x0f; /* 3840: not a power of two */
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_CORRUPT);
	good_sb(sb);
	sb[69] = 0;
	sb[68] = 0x80; /* 128: too small */
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_CORRUPT);
	good_sb(sb);
	sb[66] = 0x02; /* 128 KiB + 4 KiB */
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_CORRUPT);
	good_sb(sb);
	sb[72] = 0; /* no data */
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_CORRUPT);
	good_sb(sb);
	sb[80] = 0x01;
	sb[81] = 0x01; /* 257-byte salt */
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), -E_CORRUPT);

	/* Trees that cannot exist fail cleanly instead of overflowing. */
	good_sb(sb);
	CHECK_EQ(verity_sb_parse(sb, sizeof(sb), 0, &p), 0);
	p.data_blocks = UINT64_MAX;
	CHECK_EQ(verity_tree_init(&t, &p, root), -E_CORRUPT);
	p.hash_block_size = 512;
	CHECK_EQ(verity_tree_init(&t, &p, root), -E_CORRUPT);
	p.data_blocks = (uint64_t)1 << 40;
	CHECK_EQ(verity_tree_init(&t, &p, root), 0);
	CHECK_EQ(t.levels, 10);
	p.hash_offset = UINT64_MAX - 100;
	CHECK_EQ(verity_tree_init(&t, &p, root), -E_CORRUPT);
}

UNIT_MAIN();
