/*
 * EROFS, uncompressed.  The superblock sits at byte 1024; inode n is at
 * meta_blkaddr * block size + 32 * n (its "nid"), 32 bytes (compact) or
 * 64 (extended), then its xattrs, then either a tail of its data
 * (flat-inline) or its chunk table (chunk-based).  Directories are
 * blocks of sorted entries.  docs/storage.md has the field tables.
 *
 * Nothing from the image is trusted: every offset is checked against
 * fs->size before the read callback sees it, and every loop is bounded
 * by the caller's request or by sizes checked against the image.
 */
#include "fs/erofs.h"

#include "lib/byteorder.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "themelios/errno.h"

#define SB_OFFSET		1024
#define SB_SIZE			128
#define SB_MAGIC		0xe0f5e1e2
#define COMPAT_SB_CHKSUM	0x1
#define INCOMPAT_ZERO_PADDING	0x01 /* of compressed data */
#define INCOMPAT_COMPR_CFGS	0x02
#define INCOMPAT_CHUNKED_FILE	0x04
#define INCOMPAT_DEVICE_TABLE	0x08
#define INCOMPAT_ZTAILPACKING	0x10
#define INCOMPAT_FRAGMENTS	0x20
#define INCOMPAT_XATTR_PREFIXES 0x40 /* only xattrs use it: skipped */
#define INCOMPAT_COMPRESSED \
	(INCOMPAT_ZERO_PADDING | INCOMPAT_COMPR_CFGS | INCOMPAT_ZTAILPACKING | INCOMPAT_FRAGMENTS)
#define INCOMPAT_KNOWN		  (INCOMPAT_CHUNKED_FILE | INCOMPAT_XATTR_PREFIXES)

#define NID_SHIFT		  5 /* nids count 32-byte slots */
#define INODE_COMPACT		  32
#define INODE_EXTENDED		  64
#define FORMAT_EXTENDED		  0x1
#define FORMAT_KNOWN		  0xf /* version bit and three layout bits */
#define LAYOUT_FLAT_PLAIN	  0
#define LAYOUT_COMPRESSED_FULL	  1
#define LAYOUT_FLAT_INLINE	  2
#define LAYOUT_COMPRESSED_COMPACT 3
#define LAYOUT_CHUNK_BASED	  4
#define CHUNK_BLKBITS_MASK	  0x1f
#define CHUNK_INDEXES		  0x20	      /* 8-byte entries, else 4-byte block numbers */
#define NULL_ADDR		  0xffffffffu /* a hole */
#define DIRENT_SIZE		  12

/* The one door to the image: nothing past fs->size gets through. */
static int
image_read(const struct erofs_fs *fs, uint64_t off, void *buf, size_t len)
{
	if (off > fs->size || len > fs->size - off)
		return -E_CORRUPT;
	int r = fs->io.read(fs->io.ctx, off, buf, len);
	return r < 0 ? r : 0;
}

static bool
has_byte(const char *p, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] == c)
			return true;
	return false;
}

static uint64_t
blocks_of(const struct erofs_fs *fs, uint64_t bytes)
{
	uint64_t mask = ((uint64_t)1 << fs->blkszbits) - 1;

	return (bytes >> fs->blkszbits) + ((bytes & mask) != 0);
}

/* Block range [start, start + n) lies inside the image. */
static bool
blocks_inside(const struct erofs_fs *fs, uint64_t start, uint64_t n)
{
	uint64_t total = fs->size >> fs->blkszbits;

	return start <= total && n <= total - start;
}

/* The checksum covers the rest of block 0 from the superblock on, with
 * the checksum field read as zero. */
static int
check_sb_checksum(const struct erofs_fs *fs, uint32_t want)
{
	uint8_t buf[256];
	uint32_t crc = ~0u;
	uint64_t end = (uint64_t)1 << fs->blkszbits;

	for (uint64_t off = SB_OFFSET; off < end; off += sizeof(buf)) {
		int r = image_read(fs, off, buf, sizeof(buf));

		if (r < 0)
			return r;
		if (off == SB_OFFSET)
			memset(buf + 4, 0, 4);
		crc = crc32c(crc, buf, sizeof(buf));
	}
	return crc == want ? 0 : -E_CORRUPT;
}

int
erofs_mount(struct erofs_fs *fs, const struct erofs_io *io)
{
	uint8_t sb[SB_SIZE];
	struct erofs_inode root;
	int r;

	memset(fs, 0, sizeof(*fs));
	fs->io = *io;
	r = io->read(io->ctx, SB_OFFSET, sb, sizeof(sb));
	if (r < 0)
		return r;
	if (le32(sb) != SB_MAGIC)
		return -E_CORRUPT;
	fs->feature_compat = le32(sb + 8);
	fs->blkszbits = sb[12];
	fs->root_nid = le16(sb + 14);
	fs->inos = le64(sb + 16);
	fs->build_time = le64(sb + 24);
	fs->build_time_nsec = le32(sb + 32);
	uint32_t blocks = le32(sb + 36);
	uint32_t meta_blkaddr = le32(sb + 40);
	memcpy(fs->uuid, sb + 48, sizeof(fs->uuid));
	memcpy(fs->volume_name, sb + 64, 16);
	fs->feature_incompat = le32(sb + 80);
	/* mkfs.erofs writes 4 KiB blocks; other sizes are newer images. */
	if (fs->blkszbits != 12)
		return -E_NOTSUP;
	/* Compressed data, multiple devices, or features from the future. */
	if (fs->feature_incompat & ~INCOMPAT_KNOWN)
		return -E_NOTSUP;
	if (le16(sb + 86) != 0 || sb[90] != 0) /* extra devices; dirblkbits */
		return -E_NOTSUP;
	if (blocks == 0 || meta_blkaddr >= blocks)
		return -E_CORRUPT;
	fs->size = (uint64_t)blocks << fs->blkszbits;
	fs->meta_base = (uint64_t)meta_blkaddr << fs->blkszbits;
	if (fs->feature_compat & COMPAT_SB_CHKSUM) {
		r = check_sb_checksum(fs, le32(sb + 4));
		if (r < 0)
			return r;
	}
	r = erofs_inode_get(fs, fs->root_nid, &root);
	if (r < 0)
		return r;
	if ((root.mode & EROFS_S_IFMT) != EROFS_S_IFDIR)
		return -E_CORRUPT;
	return 0;
}

static bool
mode_ok(uint16_t mode)
{
	switch (mode & EROFS_S_IFMT) {
	case EROFS_S_IFREG:
	case EROFS_S_IFDIR:
	case EROFS_S_IFLNK:
	case EROFS_S_IFCHR:
	case EROFS_S_IFBLK:
	case EROFS_S_IFIFO:
	case EROFS_S_IFSOCK:
		return true;
	default:
		return false;
	}
}

/* Checks that the data the layout describes lies inside the image, so
 * that map() needs no more checks than the chunk table's. */
static int
check_layout(const struct erofs_fs *fs, struct erofs_inode *ino)
{
	uint64_t bsz = (uint64_t)1 << fs->blkszbits;
	uint64_t nblocks = blocks_of(fs, ino->size);

	switch (ino->layout) {
	case LAYOUT_FLAT_PLAIN:
		if (nblocks && !blocks_inside(fs, ino->raw, nblocks))
			return -E_CORRUPT;
		return 0;
	case LAYOUT_FLAT_INLINE: {
		if (nblocks == 0)
			return 0;
		uint64_t tail = ino->size - (nblocks - 1) * bsz;

		if (nblocks > 1 && !blocks_inside(fs, ino->raw, nblocks - 1))
			return -E_CORRUPT;
		/* The tail follows the inode within the same block. */
		if ((ino->meta_end & (bsz - 1)) + tail > bsz || ino->meta_end + tail > fs->size)
			return -E_CORRUPT;
		return 0;
	}
	case LAYOUT_CHUNK_BASED:
		if (ino->raw & ~(uint32_t)(CHUNK_BLKBITS_MASK | CHUNK_INDEXES))
			return -E_NOTSUP;
		return 0;
	case LAYOUT_COMPRESSED_FULL:
	case LAYOUT_COMPRESSED_COMPACT:
		return 0; /* readable metadata; erofs_read refuses the data */
	default:
		return -E_NOTSUP;
	}
}

int
erofs_inode_get(const struct erofs_fs *fs, uint64_t nid, struct erofs_inode *ino)
{
	uint8_t raw[INODE_EXTENDED];
	uint64_t off;
	int r;

	if (nid > (fs->size - fs->meta_base) >> NID_SHIFT)
		return -E_CORRUPT;
	off = fs->meta_base + (nid << NID_SHIFT);
	r = image_read(fs, off, raw, INODE_COMPACT);
	if (r < 0)
		return r;
	uint16_t format = le16(raw);
	if (format & ~FORMAT_KNOWN)
		return -E_NOTSUP;
	memset(ino, 0, sizeof(*ino));
	ino->nid = nid;
	ino->extended = format & FORMAT_EXTENDED;
	ino->layout = (uint8_t)(format >> 1 & 7);
	uint16_t xattr_count = le16(raw + 2);
	ino->mode = le16(raw + 4);
	ino->raw = le32(raw + 16);
	ino->ino = le32(raw + 20);
	if (ino->extended) {
		r = image_read(fs, off + INODE_COMPACT, raw + INODE_COMPACT,
			       INODE_EXTENDED - INODE_COMPACT);
		if (r < 0)
			return r;
		ino->size = le64(raw + 8);
		ino->uid = le32(raw + 24);
		ino->gid = le32(raw + 28);
		ino->mtime = (int64_t)le64(raw + 32);
		ino->mtime_nsec = le32(raw + 40);
		ino->nlink = le32(raw + 44);
	} else {
		ino->nlink = le16(raw + 6);
		ino->size = le32(raw + 8);
		ino->uid = le16(raw + 24);
		ino->gid = le16(raw + 26);
		ino->mtime = (int64_t)fs->build_time;
		ino->mtime_nsec = fs->build_time_nsec;
	}
	/* A 12-byte xattr header and 4-byte slots; skipped, not read. */
	uint64_t xattr_size = xattr_count ? 12 + 4 * ((uint64_t)xattr_count - 1) : 0;
	ino->meta_end = off + (ino->extended ? INODE_EXTENDED : INODE_COMPACT) + xattr_size;
	if (ino->meta_end > fs->size || !mode_ok(ino->mode))
		return -E_CORRUPT;
	uint16_t type = ino->mode & EROFS_S_IFMT;
	if (type == EROFS_S_IFCHR || type == EROFS_S_IFBLK)
		ino->rdev = ino->raw;
	/* A directory holds at least "." and ".." and never more than the
	 * image; a link target is a path. */
	if (type == EROFS_S_IFDIR && (ino->size < 2 * DIRENT_SIZE || ino->size > fs->size))
		return -E_CORRUPT;
	if (type == EROFS_S_IFLNK && (ino->size == 0 || ino->size > EROFS_SYMLINK_MAX))
		return -E_CORRUPT;
	if (type != EROFS_S_IFREG && type != EROFS_S_IFDIR && type != EROFS_S_IFLNK)
		return 0; /* no data to find */
	return check_layout(fs, ino);
}

/*
 * Where the byte at off (< size) lives: *phys, or UINT64_MAX for a hole,
 * and how many bytes from there are contiguous.
 */
static int
map(const struct erofs_fs *fs, const struct erofs_inode *ino, uint64_t off, uint64_t *phys,
    uint64_t *len)
{
	uint64_t bsz = (uint64_t)1 << fs->blkszbits;

	switch (ino->layout) {
	case LAYOUT_FLAT_PLAIN:
		*phys = ((uint64_t)ino->raw << fs->blkszbits) + off;
		*len = ino->size - off;
		return 0;
	case LAYOUT_FLAT_INLINE: {
		uint64_t tail_start = (blocks_of(fs, ino->size) - 1) * bsz;

		if (off < tail_start) {
			*phys = ((uint64_t)ino->raw << fs->blkszbits) + off;
			*len = tail_start - off;
		} else {
			*phys = ino->meta_end + (off - tail_start);
			*len = ino->size - off;
		}
		return 0;
	}
	case LAYOUT_CHUNK_BASED: {
		unsigned bits = fs->blkszbits + (ino->raw & CHUNK_BLKBITS_MASK);
		uint64_t chunk = off >> bits, unit = ino->raw & CHUNK_INDEXES ? 8 : 4;
		uint64_t table = (ino->meta_end + unit - 1) & ~(unit - 1);
		uint64_t in_chunk = off & (((uint64_t)1 << bits) - 1);
		uint64_t chunk_len = (uint64_t)1 << bits;
		uint8_t e[8];
		uint32_t blkaddr;
		int r;

		/* chunk < 2^52, so the entry's offset cannot wrap. */
		r = image_read(fs, table + unit * chunk, e, unit);
		if (r < 0)
			return r;
		if (unit == 8) {
			if (le16(e + 2) != 0) /* another device: none exists */
				return -E_CORRUPT;
			blkaddr = le32(e + 4);
		} else {
			blkaddr = le32(e);
		}
		*len = chunk_len - in_chunk;
		if (*len > ino->size - off)
			*len = ino->size - off;
		if (blkaddr == NULL_ADDR) {
			*phys = UINT64_MAX;
			return 0;
		}
		if (!blocks_inside(fs, blkaddr, blocks_of(fs, in_chunk + *len)))
			return -E_CORRUPT;
		*phys = ((uint64_t)blkaddr << fs->blkszbits) + in_chunk;
		return 0;
	}
	default:
		return -E_NOTSUP; /* compressed */
	}
}

int
erofs_map(const struct erofs_fs *fs, const struct erofs_inode *ino, uint64_t off,
	  struct erofs_extent *out)
{
	uint64_t phys, len;
	int r;

	if (off >= ino->size)
		return -E_RANGE;
	r = map(fs, ino, off, &phys, &len);
	if (r < 0)
		return r;
	out->len = len;
	out->dev_off = phys == UINT64_MAX ? 0 : phys;
	if (phys == UINT64_MAX)
		out->kind = EROFS_EXTENT_HOLE;
	else if (ino->layout == LAYOUT_FLAT_INLINE && off >= (blocks_of(fs, ino->size) - 1)
								      << fs->blkszbits)
		out->kind = EROFS_EXTENT_INLINE;
	else
		out->kind = EROFS_EXTENT_DATA;
	return 0;
}

long
erofs_read(const struct erofs_fs *fs, const struct erofs_inode *ino, uint64_t off, void *buf,
	   size_t len)
{
	uint8_t *p = buf;
	size_t done = 0;

	if (off >= ino->size)
		return 0;
	if (len > ino->size - off)
		len = (size_t)(ino->size - off);
	if (len > (size_t)1 << 30)
		len = (size_t)1 << 30; /* the count must fit the return value */
	while (done < len) {
		uint64_t phys, n;
		int r = map(fs, ino, off + done, &phys, &n);

		if (r < 0)
			return r;
		if (n > len - done)
			n = len - done;
		if (phys == UINT64_MAX) {
			memset(p + done, 0, (size_t)n);
		} else {
			r = image_read(fs, phys, p + done, (size_t)n);
			if (r < 0)
				return r;
		}
		done += (size_t)n;
	}
	return (long)done;
}

/* Reads exactly len bytes of the inode's data, or fails. */
static int
read_exact(const struct erofs_fs *fs, const struct erofs_inode *ino, uint64_t off, void *buf,
	   size_t len)
{
	long n = erofs_read(fs, ino, off, buf, len);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -E_CORRUPT;
}

/*
 * A directory block starts with its entries (nid, name offset, type),
 * and the first entry's name offset gives their count; the names
 * follow, unterminated, each ending where the next begins and the last
 * at the block's end or its first NUL.  This reads entry i of block blk
 * and checks all of that.
 */
static int
dir_entry(const struct erofs_fs *fs, const struct erofs_inode *dir, uint64_t blk, unsigned i,
	  unsigned *count, struct erofs_dirent *d)
{
	uint64_t base = blk << fs->blkszbits;
	uint64_t block_len = dir->size - base;
	uint8_t e[2 * DIRENT_SIZE];
	int r;

	if (block_len > (uint64_t)1 << fs->blkszbits)
		block_len = (uint64_t)1 << fs->blkszbits;
	if (block_len < DIRENT_SIZE)
		return -E_CORRUPT;
	r = read_exact(fs, dir, base, e, DIRENT_SIZE);
	if (r < 0)
		return r;
	unsigned first = le16(e + 8);
	if (first % DIRENT_SIZE != 0 || first == 0 || first >= block_len)
		return -E_CORRUPT;
	*count = first / DIRENT_SIZE;
	if (i >= *count)
		return -E_INVAL;
	bool last = i + 1 == *count;
	r = read_exact(fs, dir, base + i * DIRENT_SIZE, e, last ? DIRENT_SIZE : 2 * DIRENT_SIZE);
	if (r < 0)
		return r;
	unsigned start = le16(e + 8);
	unsigned end = last ? (unsigned)block_len : le16(e + DIRENT_SIZE + 8);
	if (start < first || start >= end || end > block_len)
		return -E_CORRUPT;
	size_t len = end - start;
	if (len > EROFS_NAME_MAX) {
		if (!last)
			return -E_CORRUPT;
		len = EROFS_NAME_MAX + 1; /* padding may follow the last name */
	}
	r = read_exact(fs, dir, base + start, d->name, len);
	if (r < 0)
		return r;
	len = strnlen(d->name, len);
	if (len == 0 || len > EROFS_NAME_MAX || has_byte(d->name, len, '/'))
		return -E_CORRUPT;
	d->name[len] = '\0';
	d->name_len = (uint16_t)len;
	d->nid = le64(e);
	d->type = e[10];
	if (d->type > EROFS_FT_SYMLINK)
		return -E_CORRUPT;
	return 0;
}

int
erofs_readdir(const struct erofs_fs *fs, const struct erofs_inode *dir, uint64_t *pos,
	      struct erofs_dirent *d)
{
	uint64_t mask = ((uint64_t)1 << fs->blkszbits) - 1;
	unsigned count;
	int r;

	if ((dir->mode & EROFS_S_IFMT) != EROFS_S_IFDIR)
		return -E_NOTDIR;
	if (*pos >= dir->size)
		return 0;
	if ((*pos & mask) % DIRENT_SIZE != 0)
		return -E_INVAL;
	r = dir_entry(fs, dir, *pos >> fs->blkszbits, (unsigned)((*pos & mask) / DIRENT_SIZE),
		      &count, d);
	if (r < 0)
		return r;
	*pos += DIRENT_SIZE;
	if ((*pos & mask) / DIRENT_SIZE >= count)
		*pos = (*pos | mask) + 1; /* the next block */
	return 1;
}

static int
name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * Names are sorted across blocks and within them: a binary search over
 * the blocks' first names, then one within the block.  A damaged order
 * can only make a name unfindable.
 */
int
erofs_lookup(const struct erofs_fs *fs, const struct erofs_inode *dir, const char *name, size_t len,
	     uint64_t *nid)
{
	struct erofs_dirent d;
	uint64_t lo = 0, hi, blk = 0;
	unsigned count;
	int r;

	if ((dir->mode & EROFS_S_IFMT) != EROFS_S_IFDIR)
		return -E_NOTDIR;
	if (len > EROFS_NAME_MAX)
		return -E_NAMETOOLONG;
	if (len == 0)
		return -E_NOENT;
	hi = blocks_of(fs, dir->size);
	while (lo < hi) { /* the last block whose first name <= name */
		uint64_t mid = lo + (hi - lo) / 2;

		r = dir_entry(fs, dir, mid, 0, &count, &d);
		if (r < 0)
			return r;
		int c = name_cmp(name, len, d.name, d.name_len);
		if (c == 0) {
			*nid = d.nid;
			return 0;
		}
		if (c < 0) {
			hi = mid;
		} else {
			blk = mid;
			lo = mid + 1;
		}
	}
	r = dir_entry(fs, dir, blk, 0, &count, &d);
	if (r < 0)
		return r;
	unsigned a = 0, b = count;
	while (a < b) {
		unsigned mid = a + (b - a) / 2;

		r = dir_entry(fs, dir, blk, mid, &count, &d);
		if (r < 0)
			return r;
		int c = name_cmp(name, len, d.name, d.name_len);
		if (c == 0) {
			*nid = d.nid;
			return 0;
		}
		if (c < 0)
			b = mid;
		else
			a = mid + 1;
	}
	return -E_NOENT;
}

long
erofs_readlink(const struct erofs_fs *fs, const struct erofs_inode *ino, char *buf, size_t size)
{
	int r;

	if ((ino->mode & EROFS_S_IFMT) != EROFS_S_IFLNK)
		return -E_INVAL;
	if (ino->size >= size)
		return -E_RANGE;
	r = read_exact(fs, ino, 0, buf, (size_t)ino->size);
	if (r < 0)
		return r;
	buf[ino->size] = '\0';
	return (long)ino->size;
}

/*
 * The rest of the path lives in scratch; a symbolic link's target
 * replaces the link's name in front of the rest, so every step either
 * consumes a name or spends one of EROFS_FOLLOW_MAX expansions.
 */
int
erofs_resolve(const struct erofs_fs *fs, const char *path, bool follow_last,
	      struct erofs_inode *out, char *scratch)
{
	struct erofs_inode cur, next;
	size_t plen = strnlen(path, EROFS_PATH_SCRATCH);
	char *rest = scratch;
	int links = 0, r;

	if (plen >= EROFS_PATH_SCRATCH)
		return -E_NAMETOOLONG;
	memcpy(scratch, path, plen + 1);
	r = erofs_inode_get(fs, fs->root_nid, &cur);
	if (r < 0)
		return r;
	for (;;) {
		while (*rest == '/')
			rest++;
		if (*rest == '\0')
			break;
		const char *name = rest;
		size_t len = 0;
		uint64_t nid;

		while (rest[len] && rest[len] != '/')
			len++;
		rest += len;
		r = erofs_lookup(fs, &cur, name, len, &nid);
		if (r < 0)
			return r;
		r = erofs_inode_get(fs, nid, &next);
		if (r < 0)
			return r;
		const char *after = rest;
		while (*after == '/')
			after++;
		if ((next.mode & EROFS_S_IFMT) != EROFS_S_IFLNK ||
		    (*after == '\0' && !follow_last)) {
			cur = next;
			continue;
		}
		if (++links > EROFS_FOLLOW_MAX)
			return -E_LOOP;
		/* target + '/' + rest, in place: move the rest, then read. */
		size_t tlen = (size_t)next.size, rlen = strlen(rest);
		if (tlen + 1 + rlen + 1 > EROFS_PATH_SCRATCH)
			return -E_NAMETOOLONG;
		memmove(scratch + tlen + 1, rest, rlen + 1);
		r = read_exact(fs, &next, 0, scratch, tlen);
		if (r < 0)
			return r;
		scratch[tlen] = '/';
		if (has_byte(scratch, tlen, '\0'))
			return -E_CORRUPT;
		rest = scratch;
		if (scratch[0] == '/') {
			r = erofs_inode_get(fs, fs->root_nid, &cur);
			if (r < 0)
				return r;
		}
	}
	*out = cur;
	return 0;
}
