/*
 * EROFS through vnodes against mkfs.erofs: the test builds a source
 * tree (files of many sizes, a sparse file, a directory of 1,500 names,
 * symbolic and hard links, devices, a FIFO, odd modes, owners and
 * times), makes images of it with several mkfs.erofs options, and walks
 * every name through lookup and readdir, comparing attributes, link
 * targets and contents with the host's, file data read through the
 * read_data callback.  Then erofs_map against known layouts (plain,
 * inline tail, chunks, holes).  Runs as root (devices, owners), as make
 * test does.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fs/erofs.h"
#include "fs/erofs_vnode.h"
#include "themelios/errno.h"
#include "unit.h"

struct image {
	uint8_t *data;
	size_t len;
	long data_reads; /* read_data calls */
	size_t fault_at; /* non-zero: dst cannot be written from here on */
};

static int
image_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct image *im = ctx;

	if (off > im->len || len > im->len - off)
		return -E_IO;
	memcpy(buf, im->data + off, len);
	return 0;
}

static long
image_read_data(void *ctx, uint64_t dev_off, const struct io_buf *dst, size_t at, size_t len)
{
	struct image *im = ctx;

	size_t n = len;
	int r;

	im->data_reads++;
	if (dev_off > im->len || len > im->len - dev_off)
		return -E_IO;
	/* A guard page at fault_at in dst: the part before it, as the page
	 * cache copies it. */
	if (im->fault_at && at + len > im->fault_at)
		n = at < im->fault_at ? im->fault_at - at : 0;
	if (n == 0)
		return -E_FAULT;
	r = io_buf_put(dst, at, im->data + dev_off, n);
	return r ? r : (long)n;
}

static char workdir[] = "/tmp/themelios-erofsv-XXXXXX";
static char src[128];

static bool
load(const char *path, struct image *im)
{
	FILE *f = fopen(path, "rb");

	memset(im, 0, sizeof(*im));
	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	im->len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	im->data = malloc(im->len);
	bool ok = fread(im->data, 1, im->len, f) == im->len;
	fclose(f);
	return ok;
}

static bool
mkfs(const char *opts, const char *from, const char *img)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkfs.erofs --quiet %s %s %s >/dev/null 2>&1", opts, img, from);
	return system(cmd) == 0;
}

static void
put(const char *dir, const char *name, size_t len)
{
	char path[1024];
	uint8_t *buf = malloc(len + 1);

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)unit_rand();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(buf, 1, len, f) == len);
	fclose(f);
	free(buf);
}

static void
build_tree(const char *root)
{
	static const size_t sizes[] = { 0, 1, 100, 4095, 4096, 4097, 9000, 65543, 300000 };
	char p[256], q[1024], name[300], h[1024];

	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/files", root);
	mkdir(p, 0755);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "s%zu", sizes[i]);
		put(p, name, sizes[i]);
	}
	snprintf(q, sizeof(q), "%s/sparse", p);
	int fd = open(q, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
	CHECK(pwrite(fd, "middle", 6, 300000) == 6);
	CHECK(pwrite(fd, "end", 3, (1 << 20) - 3) == 3);
	close(fd);
	snprintf(q, sizeof(q), "%s/s100", p);
	chmod(q, 04711);
	CHECK(chown(q, 70000, 80000) == 0);
	struct timespec ts[2] = { { 1234567890, 5 }, { 1234567890, 5 } };
	CHECK(utimensat(AT_FDCWD, q, ts, 0) == 0);
	snprintf(q, sizeof(q), "%s/s1", p);
	chmod(q, 0);
	/* Hard links. */
	snprintf(h, sizeof(h), "%s/s9000", p);
	snprintf(q, sizeof(q), "%s/hard1", root);
	CHECK(link(h, q) == 0);
	snprintf(q, sizeof(q), "%s/hard2", p);
	CHECK(link(h, q) == 0);
	/* A big directory, and nesting. */
	snprintf(p, sizeof(p), "%s/big", root);
	mkdir(p, 0700);
	for (int i = 0; i < 1500; i++) {
		size_t len = 1 + (size_t)(i * 37) % 200;
		size_t digits = (size_t)snprintf(name, sizeof(name), "%d", i);
		if (len < digits)
			len = digits;
		memset(name + digits, 'a' + i % 26, len - digits);
		name[len] = '\0';
		if (i % 300 == 0) {
			snprintf(q, sizeof(q), "%s/%s", p, name);
			mkdir(q, 0750);
		} else {
			put(p, name, (size_t)i % 50);
		}
	}
	snprintf(p, sizeof(p), "%s", root);
	for (int i = 0; i < 6; i++) {
		snprintf(p + strlen(p), 20, "/deep%d", i);
		mkdir(p, 0755);
	}
	put(p, "bottom", 5000);
	/* Links and specials. */
	snprintf(q, sizeof(q), "%s/link", root);
	CHECK(symlink("files/s100", q) == 0);
	snprintf(q, sizeof(q), "%s/dangling", root);
	CHECK(symlink("/no/where", q) == 0);
	char target[4001];
	for (int i = 0; i < 4000; i++)
		target[i] = i % 2 ? '/' : 'x';
	target[4000] = '\0';
	snprintf(q, sizeof(q), "%s/longlink", root);
	CHECK(symlink(target, q) == 0);
	snprintf(q, sizeof(q), "%s/fifo", root);
	CHECK(mkfifo(q, 0640) == 0);
	snprintf(q, sizeof(q), "%s/null", root);
	CHECK(mknod(q, S_IFCHR | 0666, makedev(1, 3)) == 0);
	snprintf(q, sizeof(q), "%s/disk", root);
	CHECK(mknod(q, S_IFBLK | 0660, makedev(259, 70000)) == 0);
}

/* ---- the host's view ---- */

struct entry {
	char *path;
	struct stat st;
};

static struct entry *entries;
static int nentries, cap_entries;
static size_t root_len;

static int
collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	if (nentries == cap_entries) {
		cap_entries = cap_entries ? 2 * cap_entries : 1024;
		entries = realloc(entries, sizeof(*entries) * (size_t)cap_entries);
	}
	entries[nentries].path = strdup(path + root_len);
	entries[nentries].st = *st;
	nentries++;
	return 0;
}

static uint8_t *
host_file(const char *rel, size_t *len)
{
	char path[1024];
	struct image im;

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	CHECK(load(path, &im));
	*len = im.len;
	return im.data;
}

/* ---- the walk ---- */

/* The vnode at path, one lookup per name; NULL (and the error) if not. */
static struct vnode *
walk(struct vfs_fs *fs, const char *path, int *err)
{
	struct vnode *cur = fs->root, *next;
	const char *p = path;

	vnode_ref(cur);
	*err = 0;
	while (*p) {
		size_t len = strcspn(p, "/");

		*err = cur->ops->lookup(cur, p, len, &next);
		vnode_unref(cur);
		if (*err)
			return NULL;
		cur = next;
		p += len;
		if (*p == '/')
			p++;
	}
	return cur;
}

struct variant {
	const char *opts;
	bool all_root, fixed_time;
};

static void
check_entry(struct vfs_fs *fs, struct image *im, const struct variant *v, const struct entry *e,
	    int *mismatches)
{
	const struct stat *st = &e->st;
	struct vfs_stat vs;
	int err;
	struct vnode *vn = walk(fs, e->path, &err);
	bool ok = true;

	if (!vn) {
		printf("  %s: %d\n", e->path, err);
		(*mismatches)++;
		return;
	}
	CHECK_EQ(vn->ops->getattr(vn, &vs), 0);
	ok &= vs.mode == st->st_mode && vn->mode == st->st_mode;
	ok &= vs.uid == (v->all_root ? 0 : st->st_uid);
	ok &= vs.gid == (v->all_root ? 0 : st->st_gid);
	ok &= vs.nlink == st->st_nlink;
	ok &= vs.dev == 9 && vs.ino == vn->ino;
	ok &= vs.mtime_sec == (v->fixed_time ? 0 : st->st_mtim.tv_sec);
	if (!S_ISDIR(st->st_mode))
		ok &= vs.size == (uint64_t)st->st_size;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		ok &= erofs_major(vs.rdev) == major(st->st_rdev) &&
		      erofs_minor(vs.rdev) == minor(st->st_rdev);
	if (S_ISREG(st->st_mode)) {
		size_t len;
		uint8_t *want = host_file(e->path, &len);
		uint8_t *got = malloc(len + 10);
		size_t off = 0;
		long before = im->data_reads;

		/* The whole file in one read: one copy per extent. */
		struct io_buf all = io_buf_kernel(got, len + 10);
		ok &= vn->ops->read(vn, 0, &all, len + 10) == (long)len;
		ok &= memcmp(got, want, len) == 0;
		if (strcmp(e->path, "files/s300000") == 0 && !strstr(v->opts, "chunksize"))
			ok &= im->data_reads - before == (strstr(v->opts, "noinline") ? 1 : 2);
		/* And in random pieces. */
		memset(got, 0xee, len);
		while (off < len) {
			size_t want_n = 1 + unit_rand() % 70000;
			struct io_buf b = io_buf_kernel(got + off, len + 10 - off);
			long n = vn->ops->read(vn, off, &b, want_n);

			if (n <= 0) {
				ok = false;
				break;
			}
			off += (size_t)n;
		}
		ok &= memcmp(got, want, len) == 0;
		struct io_buf one = io_buf_kernel(got, 1);
		ok &= vn->ops->read(vn, len, &one, 1) == 0;
		free(got);
		free(want);
	} else if (S_ISDIR(st->st_mode)) {
		char c;
		struct io_buf b = io_buf_kernel(&c, 1);
		ok &= vn->ops->read(vn, 0, &b, 1) == -E_ISDIR;
	}
	if (S_ISLNK(st->st_mode)) {
		char hp[1024], host[4096], got[4096];
		snprintf(hp, sizeof(hp), "%s/%s", src, e->path);
		ssize_t n = readlink(hp, host, sizeof(host));
		ok &= vn->ops->readlink(vn, got, sizeof(got)) == n && memcmp(got, host, n) == 0;
		ok &= vn->ops->readlink(vn, got, (size_t)n - 1) == -E_RANGE;
	} else {
		char got[8];
		ok &= vn->ops->readlink(vn, got, sizeof(got)) == -E_INVAL;
	}
	/* Read-only: nothing that changes is there. */
	ok &= !vn->ops->create && !vn->ops->write && !vn->ops->remove && !vn->ops->rename &&
	      !vn->ops->truncate && !vn->ops->setattr && !vn->ops->link && !vn->ops->symlink;
	/* Hard links: the same vnode while both are held. */
	for (int j = 0; st->st_nlink > 1 && !S_ISDIR(st->st_mode) && j < nentries; j++) {
		if (entries[j].st.st_ino != st->st_ino || &entries[j] == e)
			continue;
		struct vnode *other = walk(fs, entries[j].path, &err);
		ok &= other == vn;
		if (other)
			vnode_unref(other);
	}
	if (S_ISDIR(st->st_mode)) {
		/* readdir: every host name once, with its type, no "." or "..". */
		struct vfs_dirent d;
		uint64_t pos = 0;
		int n = 0, want = 0, r;
		size_t plen = strlen(e->path);

		for (int j = 0; j < nentries; j++) {
			const char *p = entries[j].path;
			if (j && strncmp(p, e->path, plen) == 0 && (plen == 0 || p[plen] == '/') &&
			    !strchr(p + plen + (plen != 0), '/'))
				want++;
		}
		while ((r = vn->ops->readdir(vn, &pos, &d)) == 1) {
			struct vnode *child;
			n++;
			ok &= strcmp(d.name, ".") && strcmp(d.name, "..");
			ok &= strlen(d.name) == d.name_len;
			if (vn->ops->lookup(vn, d.name, d.name_len, &child) == 0) {
				ok &= child->ino == d.ino && vfs_mode_to_dt(child->mode) == d.type;
				vnode_unref(child);
			} else {
				ok = false;
			}
		}
		ok &= r == 0 && n == want;
		if (!ok)
			printf("  %s: %d entries, %d wanted, r %d\n", e->path, n, want, r);
	}
	if (!ok && (*mismatches)++ < 5)
		printf("  %s: mode %o/%o uid %u/%u size %llu/%llu nlink %u/%u mtime %lld/%lld\n",
		       e->path, vs.mode, st->st_mode, vs.uid, st->st_uid,
		       (unsigned long long)vs.size, (unsigned long long)st->st_size, vs.nlink,
		       (unsigned)st->st_nlink, (long long)vs.mtime_sec,
		       (long long)st->st_mtim.tv_sec);
	vnode_unref(vn);
}

static void
compare_image(const struct variant *v, const char *img)
{
	struct image im;
	struct erofs_io io = { &im, image_read };
	struct erofs_fs efs;
	struct vfs_fs *fs;
	int mismatches = 0;

	printf("  mkfs.erofs %s\n", v->opts);
	if (!mkfs(v->opts, src, img) || !load(img, &im)) {
		CHECK(!"mkfs.erofs");
		return;
	}
	CHECK_EQ(erofs_mount(&efs, &io), 0);
	struct erofs_vfs_args a = { &efs, image_read_data, &im, 9, "vda" };
	CHECK_EQ(erofs_vfs_mount(&a, &fs), 0);
	CHECK(fs->read_only);
	CHECK(strcmp(fs->type, "erofs") == 0 && strcmp(fs->source, "vda") == 0);
	for (int i = 0; i < nentries; i++)
		check_entry(fs, &im, v, &entries[i], &mismatches);
	CHECK_EQ(mismatches, 0);
	/* Only the root is left: released vnodes left the table. */
	CHECK_EQ(erofs_vfs_vnodes(fs), 1);
	/* Errors through the vnodes. */
	struct vnode *vn, *root = fs->root;
	CHECK_EQ(root->ops->lookup(root, "nothing", 7, &vn), -E_NOENT);
	CHECK_EQ(root->ops->lookup(root, "a/b", 3, &vn), -E_INVAL);
	CHECK_EQ(root->ops->lookup(root, "..", 2, &vn), -E_INVAL);
	CHECK_EQ(root->ops->lookup(root, "fifo", 4, &vn), 0);
	struct vnode *x;
	CHECK_EQ(vn->ops->lookup(vn, "x", 1, &x), -E_NOTDIR);
	uint64_t pos = 0;
	struct vfs_dirent d;
	CHECK_EQ(vn->ops->readdir(vn, &pos, &d), -E_NOTDIR);
	char c;
	struct io_buf b = io_buf_kernel(&c, 1);
	CHECK_EQ(vn->ops->read(vn, 0, &b, 1), -E_INVAL);
	vnode_unref(vn);
	pos = 5; /* inside an entry */
	CHECK_EQ(root->ops->readdir(root, &pos, &d), -E_INVAL);
	/* A device error reaches the reader. */
	CHECK_EQ(root->ops->lookup(root, "files", 5, &vn), 0);
	CHECK_EQ(vn->ops->lookup(vn, "s65543", 6, &x), 0);
	size_t keep = im.len;
	uint8_t buf[100];
	b = io_buf_kernel(buf, sizeof(buf));
	im.len = 0;
	CHECK_EQ(x->ops->read(x, 0, &b, sizeof(buf)), -E_IO);
	im.len = keep;
	CHECK_EQ(x->ops->read(x, 0, &b, sizeof(buf)), 100);
	/* A buffer that runs into a guard: the bytes before it, the rest
	 * untouched. */
	uint8_t whole[100];
	memcpy(whole, buf, sizeof(whole));
	memset(buf, 0, sizeof(buf));
	im.fault_at = 40;
	CHECK_EQ(x->ops->read(x, 0, &b, sizeof(buf)), 40);
	CHECK(memcmp(buf, whole, 40) == 0 && buf[40] == 0 && buf[99] == 0);
	im.fault_at = 1;
	CHECK_EQ(x->ops->read(x, 1, &b, 10), 1);
	CHECK(buf[0] == whole[1]);
	im.fault_at = 0;
	vnode_unref(x);
	vnode_unref(vn);
	erofs_vfs_unmount(fs);
	free(im.data);
}

UNIT_TEST(setup)
{
	CHECK(mkdtemp(workdir) != NULL);
	snprintf(src, sizeof(src), "%s/src", workdir);
	umask(0);
	unit_srand(11);
	build_tree(src);
	root_len = strlen(src) + 1;
	CHECK(nftw(src, collect, 16, FTW_PHYS) == 0);
	entries[0].path[0] = '\0';
	printf("  %d entries\n", nentries);
}

static const struct variant variants[] = {
	{ "", false, false },
	{ "-E noinline_data", false, false },
	{ "--chunksize=4096", false, false },
	{ "--chunksize=65536 -E force-chunk-indexes", false, false },
	{ "-E force-inode-extended", false, false },
	{ "-E force-inode-compact -T0 --all-root", true, true },
};

UNIT_TEST(vnodes_match_the_tree)
{
	char img[256];

	snprintf(img, sizeof(img), "%s/image", workdir);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		compare_image(&variants[i], img);
}

/* ---- erofs_map ---- */

struct mapped {
	struct image im;
	struct erofs_fs fs;
	struct erofs_io io;
};

static bool
map_image(struct mapped *m, const char *opts, const char *img)
{
	m->io = (struct erofs_io){ &m->im, image_read };
	if (!mkfs(opts, src, img) || !load(img, &m->im))
		return false;
	return erofs_mount(&m->fs, &m->io) == 0;
}

/* Walks the file's extents; checks each against the host's bytes and
 * counts the kinds. */
static void
walk_extents(struct mapped *m, const char *rel, int kinds[3], int *extents)
{
	static char scratch[EROFS_PATH_SCRATCH];
	struct erofs_inode ino;
	struct erofs_extent x;
	size_t len;
	uint8_t *want = host_file(rel, &len);
	uint64_t off = 0;

	kinds[0] = kinds[1] = kinds[2] = 0;
	*extents = 0;
	CHECK_EQ(erofs_resolve(&m->fs, rel, false, &ino, scratch), 0);
	while (off < len) {
		CHECK_EQ(erofs_map(&m->fs, &ino, off, &x), 0);
		CHECK(x.len > 0 && x.len <= len - off && x.kind <= 2);
		if (x.len == 0 || x.len > len - off || x.kind > 2)
			break;
		kinds[x.kind]++;
		(*extents)++;
		if (x.kind == EROFS_EXTENT_HOLE) {
			for (uint64_t i = 0; i < x.len; i++)
				if (want[off + i]) {
					CHECK(!"a hole over data");
					break;
				}
		} else {
			CHECK(x.dev_off + x.len <= m->im.len);
			CHECK(memcmp(m->im.data + x.dev_off, want + off, x.len) == 0);
		}
		/* Asking in the middle gives the rest of the same extent. */
		struct erofs_extent mid;
		if (x.len > 1) {
			CHECK_EQ(erofs_map(&m->fs, &ino, off + x.len / 2, &mid), 0);
			CHECK_EQ(mid.kind, x.kind);
			CHECK_EQ(mid.len, x.len - x.len / 2);
		}
		off += x.len;
	}
	CHECK_EQ(erofs_map(&m->fs, &ino, len, &x), -E_RANGE);
	free(want);
}

/* Marks the file's first chunk a hole (block 0xFFFFFFFF) in the image. */
static void
punch_first_chunk(struct mapped *m, const char *rel, unsigned unit)
{
	static char scratch[EROFS_PATH_SCRATCH];
	struct erofs_inode ino;

	CHECK_EQ(erofs_resolve(&m->fs, rel, false, &ino, scratch), 0);
	CHECK_EQ(ino.layout, 4);
	uint64_t table = (ino.meta_end + unit - 1) & ~(uint64_t)(unit - 1);
	memset(m->im.data + table + unit - 4, 0xff, 4);
}

UNIT_TEST(erofs_map_layouts)
{
	char img[256];
	struct mapped m;
	int kinds[3], n;

	snprintf(img, sizeof(img), "%s/map", workdir);
	/* Flat plain: one extent for the whole file. */
	CHECK(map_image(&m, "-E noinline_data", img));
	walk_extents(&m, "files/s9000", kinds, &n);
	CHECK(n == 1 && kinds[EROFS_EXTENT_DATA] == 1);
	walk_extents(&m, "files/s300000", kinds, &n);
	CHECK(n == 1 && kinds[EROFS_EXTENT_DATA] == 1);
	free(m.im.data);
	/* Flat inline: the blocks, then the tail in the metadata. */
	CHECK(map_image(&m, "", img));
	walk_extents(&m, "files/s9000", kinds, &n);
	CHECK(n == 2 && kinds[EROFS_EXTENT_DATA] == 1 && kinds[EROFS_EXTENT_INLINE] == 1);
	walk_extents(&m, "files/s100", kinds, &n);
	CHECK(n == 1 && kinds[EROFS_EXTENT_INLINE] == 1);
	walk_extents(&m, "files/s4096", kinds, &n);
	CHECK(n == 1 && kinds[EROFS_EXTENT_INLINE] == 0);
	free(m.im.data);
	/* Chunks of 4 KiB: an extent each; the sparse file has holes. */
	CHECK(map_image(&m, "--chunksize=4096", img));
	walk_extents(&m, "files/s65543", kinds, &n);
	CHECK_EQ(n, 17);
	CHECK_EQ(kinds[EROFS_EXTENT_DATA], 17);
	/* mkfs.erofs 1.5 writes no hole chunks: make chunk 0 (zeros) one. */
	punch_first_chunk(&m, "files/sparse", 4);
	walk_extents(&m, "files/sparse", kinds, &n);
	CHECK_EQ(kinds[EROFS_EXTENT_HOLE], 1);
	CHECK_EQ(kinds[EROFS_EXTENT_DATA], 255);
	free(m.im.data);
	CHECK(map_image(&m, "--chunksize=65536 -E force-chunk-indexes", img));
	walk_extents(&m, "files/s300000", kinds, &n);
	CHECK_EQ(n, 5);
	punch_first_chunk(&m, "files/sparse", 8);
	walk_extents(&m, "files/sparse", kinds, &n);
	CHECK_EQ(kinds[EROFS_EXTENT_HOLE], 1);
	CHECK_EQ(kinds[EROFS_EXTENT_DATA], 15);
	free(m.im.data);
	/* Compressed data: refused. */
	CHECK(mkfs("-zlz4hc", src, img));
	struct image zim;
	CHECK(load(img, &zim));
	struct erofs_io zio = { &zim, image_read };
	CHECK(erofs_mount(&m.fs, &zio) == -E_NOTSUP);
	free(zim.data);
}

UNIT_TEST(cleanup)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
	CHECK(system(cmd) == 0);
	for (int i = 0; i < nentries; i++)
		free(entries[i].path);
	free(entries);
}

UNIT_MAIN();
