/*
 * libFuzzer target for the EROFS reader: the input is the image.  It
 * mounts, walks every directory (bounded depth and entries), resolves
 * each name and reads the start and end of everything.  Built by
 * `make fuzz` with clang; run as build/fuzz/fuzz_erofs [corpus dir].
 * The superblock checksum is not enforced here (the input's own is
 * replaced), so the fuzzer reaches past the mount.
 */
#include <stdint.h>
#include <string.h>

#include "fs/erofs.h"
#include "lib/crc32c.h"
#include "themelios/errno.h"

struct image {
	const uint8_t *data;
	size_t len;
};

static int
image_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (off > im->len || len > im->len - off)
		return -E_IO;
	memcpy(buf, im->data + off, len);
	return 0;
}

static long budget;

static void
walk(const struct erofs_fs *fs, const struct erofs_inode *dir, int depth)
{
	static uint8_t buf[8192];
	struct erofs_dirent d;
	struct erofs_inode ino;
	uint64_t pos = 0, nid;

	while (budget-- > 0 && erofs_readdir(fs, dir, &pos, &d) == 1) {
		if (erofs_lookup(fs, dir, d.name, d.name_len, &nid) != 0)
			continue;
		if (erofs_inode_get(fs, d.nid, &ino) != 0)
			continue;
		erofs_read(fs, &ino, 0, buf, sizeof(buf));
		if (ino.size > sizeof(buf))
			erofs_read(fs, &ino, ino.size - 100, buf, sizeof(buf));
		if ((ino.mode & EROFS_S_IFMT) == EROFS_S_IFDIR && depth < 16 && d.name[0] != '.')
			walk(fs, &ino, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[1 << 20];
	static char scratch[EROFS_PATH_SCRATCH];
	struct image im = { copy, size };
	struct erofs_io io = { &im, image_read };
	struct erofs_fs fs;
	struct erofs_inode root, ino;

	if (size > sizeof(copy))
		return 0;
	memcpy(copy, data, size);
	if (size >= 4096) {
		uint32_t c;

		memset(copy + 1028, 0, 4);
		c = crc32c(~0u, copy + 1024, 4096 - 1024);
		for (int i = 0; i < 4; i++)
			copy[1028 + i] = (uint8_t)(c >> 8 * i);
	}
	if (erofs_mount(&fs, &io) != 0 || erofs_inode_get(&fs, fs.root_nid, &root) != 0)
		return 0;
	budget = 10000;
	walk(&fs, &root, 0);
	erofs_resolve(&fs, "a/b/../c", true, &ino, scratch);
	return 0;
}
