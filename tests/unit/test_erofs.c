/*
 * The EROFS reader against mkfs.erofs: the test builds a source tree
 * with every kind of entry (large, small inline and sparse files, a
 * directory of 3,000 names, long names, symbolic and hard links, a
 * FIFO, a socket, devices, odd modes, owners, times and xattrs), makes
 * images of it with several mkfs.erofs options, and compares every
 * path, type, mode, owner, size, time, link target and the SHA-256 of
 * every file with what the host sees.  Then a bounded fuzz: damaged
 * images walked completely under ASan and UBSan.  Runs as root (devices,
 * owners), as make test does.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "fs/erofs.h"
#include "lib/crc32c.h"
#include "lib/sha256.h"
#include "themelios/errno.h"
#include "unit.h"

/* ---- the image, in memory ---- */

struct image {
	uint8_t *data;
	size_t len;
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

static bool
load(const char *path, struct image *im)
{
	FILE *f = fopen(path, "rb");

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

static char workdir[] = "/tmp/themelios-erofs-XXXXXX";
static char src[128], small_src[128];

static bool
mkfs(const char *opts, const char *from, const char *img)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkfs.erofs --quiet %s %s %s >/dev/null 2>&1", opts, img, from);
	if (system(cmd) == 0)
		return true;
	/* Again, to show why. */
	snprintf(cmd, sizeof(cmd), "mkfs.erofs %s %s %s 2>&1 | grep '<E>'", opts, img, from);
	return system(cmd) == 0 && false;
}

/* ---- the source tree ---- */

static void
put(const char *dir, const char *name, size_t len)
{
	char path[1024];
	uint8_t *buf = malloc(len + 1);

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(uint32_t)unit_rand();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(buf, 1, len, f) == len);
	fclose(f);
	free(buf);
}

static void
at(char *out, const char *dir, const char *name)
{
	snprintf(out, 1024, "%s/%s", dir, name);
}

static bool xattrs_made;

static void
build_tree(const char *root)
{
	static const size_t sizes[] = { 1,    100,  1000, 2000,	 4000,	4095,	4096,
					4097, 8191, 8192, 10000, 65543, 1048699 };
	char p[1024], q[1024], name[300];

	mkdir(root, 0755);
	at(p, root, "files");
	mkdir(p, 0755);
	put(p, "empty", 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "s%zu", sizes[i]);
		put(p, name, sizes[i]);
	}
	/* Sparse: 3 MiB with data in the middle and at the end. */
	at(q, p, "sparse");
	int fd = open(q, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && ftruncate(fd, 3 << 20) == 0);
	CHECK(pwrite(fd, "middle", 6, (1 << 20) + 100) == 6);
	CHECK(pwrite(fd, "end", 3, (3 << 20) - 3) == 3);
	close(fd);

	/* Modes, owners and times compact inodes cannot hold. */
	at(q, p, "s100");
	chmod(q, 0600);
	at(q, p, "s1000");
	chmod(q, 04755);
	CHECK(chown(q, 1000, 2000) == 0);
	at(q, p, "s2000");
	chmod(q, 02711);
	CHECK(chown(q, 70000, 80000) == 0);
	at(q, p, "s4000");
	chmod(q, 0);
	struct timespec ts[2] = { { 1234567890, 123456789 }, { 1234567890, 123456789 } };
	at(q, p, "s4095");
	CHECK(utimensat(AT_FDCWD, q, ts, AT_SYMLINK_NOFOLLOW) == 0);
	ts[0].tv_sec = ts[1].tv_sec = 1LL << 33; /* past 2038 and 32 bits */
	at(q, p, "s4096");
	CHECK(utimensat(AT_FDCWD, q, ts, AT_SYMLINK_NOFOLLOW) == 0);
	xattrs_made = true;
	at(q, p, "s8191");
	xattrs_made &= setxattr(q, "user.themelios", "value", 5, 0) == 0;
	xattrs_made &= setxattr(q, "trusted.themelios.long", p, strlen(p), 0) == 0;
	at(q, p, "s1");
	xattrs_made &= setxattr(q, "user.small", "1", 1, 0) == 0;

	/* Hard links: three names for one inode. */
	at(p, root, "hard");
	mkdir(p, 0750);
	at(q, root, "files/s10000");
	at(name, p, "h1");
	CHECK(link(q, name) == 0);
	at(name, p, "h2");
	CHECK(link(q, name) == 0);

	/* A big directory: 3,000 names of 1 to 254 bytes, a few directories. */
	at(p, root, "bigdir");
	mkdir(p, 0755);
	for (int i = 0; i < 3000; i++) {
		/* mkfs.erofs 1.5 fails on 255-byte names (ENOENT): up to 254. */
		size_t len = 1 + (size_t)(i * 37) % 254;
		size_t digits = (size_t)snprintf(name, sizeof(name), "%d", i);
		if (len < digits)
			len = digits;
		memset(name + digits, 'a' + i % 26, len - digits);
		name[len] = '\0';
		if (i % 500 == 0) {
			at(q, p, name);
			mkdir(q, 0700);
		} else {
			put(p, name, i % 7);
		}
	}

	/* Nesting. */
	strcpy(p, root);
	for (int i = 0; i < 12; i++) {
		snprintf(p + strlen(p), 20, "/deep%d", i);
		mkdir(p, 0755);
	}
	put(p, "bottom", 5000);
	at(p, root, "sticky");
	mkdir(p, 01777);

	/* Symbolic links: relative, absolute, to a directory, dangling,
	 * long, in a loop. */
	at(p, root, "links");
	mkdir(p, 0755);
	at(q, p, "rel");
	CHECK(symlink("../files/s100", q) == 0);
	at(q, p, "abs");
	CHECK(symlink("/files/s4097", q) == 0);
	at(q, p, "dir");
	CHECK(symlink("../deep0/deep1", q) == 0);
	at(q, p, "chain");
	CHECK(symlink("dir/../../links/rel", q) == 0);
	at(q, p, "dangling");
	CHECK(symlink("nowhere/at/all", q) == 0);
	at(q, p, "loop1");
	CHECK(symlink("loop2", q) == 0);
	at(q, p, "loop2");
	CHECK(symlink("loop1", q) == 0);
	char target[4001];
	for (int i = 0; i < 4000; i++)
		target[i] = i % 2 ? '/' : 'x';
	target[3999] = 'y';
	target[4000] = '\0';
	at(q, p, "long");
	CHECK(symlink(target, q) == 0);

	/* Special files. */
	at(p, root, "special");
	mkdir(p, 0755);
	at(q, p, "fifo");
	CHECK(mkfifo(q, 0640) == 0);
	at(q, p, "null");
	CHECK(mknod(q, S_IFCHR | 0666, makedev(1, 3)) == 0);
	at(q, p, "sda1");
	CHECK(mknod(q, S_IFBLK | 0660, makedev(8, 1)) == 0);
	at(q, p, "bigdev");
	CHECK(mknod(q, S_IFCHR | 0600, makedev(300, 70000)) == 0);
	at(q, p, "sock");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, q);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(s);
}

/* A small tree for the fuzz: every layout, a two-block directory. */
static void
build_small_tree(const char *root)
{
	char p[1024], q[1024], name[64];

	mkdir(root, 0755);
	put(root, "inline", 300);
	put(root, "plain", 9000);
	at(p, root, "d");
	mkdir(p, 0755);
	for (int i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "entry-with-a-longer-name-%03d", i);
		put(p, name, (size_t)i % 3);
	}
	at(q, root, "link");
	CHECK(symlink("d/entry-with-a-longer-name-007", q) == 0);
	at(q, root, "hard");
	at(p, root, "plain");
	CHECK(link(p, q) == 0);
	at(q, root, "fifo");
	CHECK(mkfifo(q, 0600) == 0);
	at(q, root, "x");
	setxattr(root, "user.a", "b", 1, 0);
	mkdir(q, 0755);
	put(q, "y", 5000);
}

/* ---- the host's view ---- */

struct entry {
	char *path; /* relative to the root: "" is the root */
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

static void
host_digest(const char *rel, uint8_t out[32])
{
	char path[1024];
	static uint8_t buf[65536];
	struct sha256_ctx c;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	FILE *f = fopen(path, "rb");
	sha256_init(&c);
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&c, buf, n);
	if (f)
		fclose(f);
	sha256_final(&c, out);
}

/* Reads the whole file in random pieces. */
static bool
image_digest(const struct erofs_fs *fs, const struct erofs_inode *ino, uint8_t out[32])
{
	static uint8_t buf[70000];
	struct sha256_ctx c;
	uint64_t off = 0;

	sha256_init(&c);
	for (;;) {
		size_t want = 1 + (uint32_t)unit_rand() % (sizeof(buf) - 1);
		long n = erofs_read(fs, ino, off, buf, want);

		if (n < 0)
			return false;
		if (n == 0)
			break;
		sha256_update(&c, buf, (size_t)n);
		off += (uint64_t)n;
	}
	sha256_final(&c, out);
	return off == ino->size;
}

static uint32_t
mode_of_type(uint8_t type)
{
	static const uint32_t m[] = { 0,       S_IFREG, S_IFDIR,  S_IFCHR,
				      S_IFBLK, S_IFIFO, S_IFSOCK, S_IFLNK };

	return m[type];
}

/* ---- a bounded walk of the whole image, used by the checks and the fuzz ---- */

struct walk {
	long entries, bytes, errors;
	long max_entries;
	bool strict; /* a valid image: every step must succeed */
};

static void
walk_dir(const struct erofs_fs *fs, const struct erofs_inode *dir, uint64_t parent, int depth,
	 struct walk *w)
{
	struct erofs_dirent d;
	struct erofs_inode ino;
	char prev[EROFS_NAME_MAX + 1] = "";
	static uint8_t buf[8192];
	uint64_t pos = 0;
	int r;

	while ((r = erofs_readdir(fs, dir, &pos, &d)) == 1) {
		if (++w->entries > w->max_entries)
			return;
		if (w->strict) {
			CHECK(strcmp(prev, d.name) < 0); /* sorted, no repeats */
			strcpy(prev, d.name);
		}
		if (strcmp(d.name, ".") == 0 || strcmp(d.name, "..") == 0) {
			if (w->strict)
				CHECK_EQ(d.nid, d.name[1] ? parent : dir->nid);
			continue;
		}
		r = erofs_inode_get(fs, d.nid, &ino);
		if (r < 0) {
			w->errors++;
			CHECK(!w->strict);
			continue;
		}
		if (w->strict)
			CHECK_EQ(mode_of_type(d.type), ino.mode & S_IFMT);
		/* Read up to 64 KiB of anything, at the start and the end. */
		long n = erofs_read(fs, &ino, 0, buf, sizeof(buf));
		if (ino.size > sizeof(buf))
			n = erofs_read(fs, &ino, ino.size - sizeof(buf) / 2, buf, sizeof(buf));
		if (n < 0)
			w->errors++;
		else
			w->bytes += n;
		uint64_t found;
		if (erofs_lookup(fs, dir, d.name, d.name_len, &found) != 0 || found != d.nid) {
			w->errors++;
			CHECK(!w->strict);
		}
		if ((ino.mode & S_IFMT) == S_IFDIR && depth < 40)
			walk_dir(fs, &ino, dir->nid, depth + 1, w);
	}
	if (r < 0) {
		w->errors++;
		CHECK(!w->strict);
	}
}

/* ---- the comparison ---- */

struct variant {
	const char *opts;
	bool all_root, fixed_time;
	int layout; /* one the image must use: 2 inline, 4 chunks */
};

static void
compare_image(const struct variant *v, const char *img_path)
{
	struct image im = { 0 };
	struct erofs_io io = { &im, image_read };
	struct erofs_fs fs;
	struct erofs_inode ino, root;
	static char scratch[EROFS_PATH_SCRATCH];
	char target[EROFS_SYMLINK_MAX + 1], host_target[EROFS_SYMLINK_MAX + 1];
	uint8_t want[32], got[32];
	int mismatches = 0, layouts[8] = { 0 }, extended = 0;

	printf("  mkfs.erofs %s\n", v->opts);
	if (!mkfs(v->opts, src, img_path) || !load(img_path, &im)) {
		CHECK(!"mkfs.erofs");
		return;
	}
	CHECK_EQ(erofs_mount(&fs, &io), 0);
	CHECK_EQ(fs.size, im.len);
	CHECK_EQ(erofs_inode_get(&fs, fs.root_nid, &root), 0);
	for (int i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		const struct stat *st = &e->st;
		int r = erofs_resolve(&fs, e->path, false, &ino, scratch);

		if (r != 0) {
			printf("  %s: %d\n", e->path, r);
			CHECK(!"resolve");
			continue;
		}
		layouts[ino.layout & 7]++;
		extended += ino.extended;
		bool ok = ino.mode == (st->st_mode & 0177777);
		ok &= ino.uid == (v->all_root ? 0 : st->st_uid);
		ok &= ino.gid == (v->all_root ? 0 : st->st_gid);
		if (!S_ISDIR(st->st_mode))
			ok &= ino.size == (uint64_t)st->st_size;
		ok &= ino.nlink == st->st_nlink;
		if (v->fixed_time)
			ok &= ino.mtime == 0;
		else
			ok &= ino.mtime == st->st_mtim.tv_sec;
		if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
			ok &= erofs_major(ino.rdev) == major(st->st_rdev) &&
			      erofs_minor(ino.rdev) == minor(st->st_rdev);
		if (S_ISREG(st->st_mode)) {
			host_digest(e->path, want);
			ok &= image_digest(&fs, &ino, got) && memcmp(want, got, 32) == 0;
		}
		if (S_ISLNK(st->st_mode)) {
			char hp[1024];
			snprintf(hp, sizeof(hp), "%s/%s", src, e->path);
			ssize_t n = readlink(hp, host_target, sizeof(host_target) - 1);
			host_target[n > 0 ? n : 0] = '\0';
			ok &= erofs_readlink(&fs, &ino, target, sizeof(target)) == n &&
			      strcmp(target, host_target) == 0;
		}
		/* Hard links share the inode. */
		for (int j = 0; j < i && st->st_nlink > 1 && !S_ISDIR(st->st_mode); j++) {
			struct erofs_inode other;
			if (entries[j].st.st_ino == st->st_ino &&
			    erofs_resolve(&fs, entries[j].path, false, &other, scratch) == 0)
				ok &= other.nid == ino.nid;
		}
		if (!ok && mismatches++ < 5)
			printf("  %s: mode %o/%o uid %u/%u size %llu/%llu nlink %u/%u mtime "
			       "%lld/%lld\n",
			       e->path, ino.mode, st->st_mode, ino.uid, st->st_uid,
			       (unsigned long long)ino.size, (unsigned long long)st->st_size,
			       ino.nlink, (unsigned)st->st_nlink, (long long)ino.mtime,
			       (long long)st->st_mtim.tv_sec);
	}
	CHECK_EQ(mismatches, 0);
	printf("    inodes: %d plain, %d inline, %d chunk-based; %d extended\n", layouts[0],
	       layouts[2], layouts[4], extended);
	CHECK(layouts[v->layout] > 0);
	/* The image holds nothing the host does not. */
	struct walk w = { .max_entries = 1000000, .strict = true };
	walk_dir(&fs, &root, root.nid, 0, &w);
	int subdirs = 0;
	for (int i = 0; i < nentries; i++)
		subdirs += S_ISDIR(entries[i].st.st_mode);
	CHECK_EQ(w.entries, nentries - 1 + 2 * subdirs); /* plus "." and ".." */
	CHECK_EQ(w.errors, 0);
	free(im.data);
}

UNIT_TEST(setup)
{
	CHECK(mkdtemp(workdir) != NULL);
	snprintf(src, sizeof(src), "%s/src", workdir);
	snprintf(small_src, sizeof(small_src), "%s/small", workdir);
	umask(0);
	build_tree(src);
	build_small_tree(small_src);
	root_len = strlen(src) + 1;
	CHECK(nftw(src, collect, 16, FTW_PHYS) == 0);
	entries[0].path[0] = '\0'; /* the root itself */
	printf("  %d entries, xattrs %s\n", nentries, xattrs_made ? "set" : "not supported here");
}

static const struct variant variants[] = {
	{ "", false, false, 2 },
	{ "-T0 --all-root", true, true, 2 },
	{ "-E noinline_data", false, false, 0 },
	{ "--chunksize=4096", false, false, 4 },
	{ "--chunksize=65536 -E force-chunk-indexes", false, false, 4 },
	{ "-E force-inode-extended", false, false, 2 },
	/* Compact inodes hold no 32-bit owners or per-file times. */
	{ "-E force-inode-compact -T0 --all-root", true, true, 2 },
	{ "-x -1", false, false, 2 },
};

UNIT_TEST(images_match_the_tree)
{
	char img[256];

	snprintf(img, sizeof(img), "%s/image", workdir);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		compare_image(&variants[i], img);
}

static bool
mount_variant(const char *opts, const char *from, struct image *im, struct erofs_fs *fs)
{
	char img[256];
	struct erofs_io io = { im, image_read };

	snprintf(img, sizeof(img), "%s/image", workdir);
	memset(im, 0, sizeof(*im));
	if (!mkfs(opts, from, img) || !load(img, im))
		return false;
	return erofs_mount(fs, &io) == 0;
}

UNIT_TEST(paths_and_errors)
{
	struct image im;
	struct erofs_fs fs;
	struct erofs_inode ino, file, dir;
	static char scratch[EROFS_PATH_SCRATCH];
	char buf[300], name[300];
	uint64_t pos = 0, nid;
	struct erofs_dirent d;

	if (!mount_variant("", src, &im, &fs)) {
		CHECK(!"mount");
		return;
	}
	/* Links are followed on the way, and at the end when asked. */
	CHECK_EQ(erofs_resolve(&fs, "/links/rel", true, &ino, scratch), 0);
	CHECK_EQ(ino.size, 100);
	CHECK_EQ(erofs_resolve(&fs, "links/abs", true, &ino, scratch), 0);
	CHECK_EQ(ino.size, 4097);
	CHECK_EQ(erofs_resolve(&fs, "links/chain", true, &ino, scratch), 0);
	CHECK_EQ(ino.size, 100);
	CHECK_EQ(erofs_resolve(&fs, "links/dir/deep2/deep3", false, &ino, scratch), 0);
	CHECK_EQ(ino.mode & S_IFMT, S_IFDIR);
	CHECK_EQ(erofs_resolve(&fs, "links/rel", false, &ino, scratch), 0);
	CHECK_EQ(ino.mode & S_IFMT, S_IFLNK);
	CHECK_EQ(erofs_resolve(&fs, "/../../files/./s1", false, &file, scratch), 0);
	CHECK_EQ(file.size, 1);
	CHECK_EQ(erofs_resolve(&fs, "", false, &dir, scratch), 0);
	CHECK_EQ(dir.nid, fs.root_nid);
	/* The errors. */
	CHECK_EQ(erofs_resolve(&fs, "files/none", false, &ino, scratch), -E_NOENT);
	CHECK_EQ(erofs_resolve(&fs, "links/dangling", true, &ino, scratch), -E_NOENT);
	CHECK_EQ(erofs_resolve(&fs, "links/dangling", false, &ino, scratch), 0);
	CHECK_EQ(erofs_resolve(&fs, "files/s1/x", false, &ino, scratch), -E_NOTDIR);
	CHECK_EQ(erofs_resolve(&fs, "links/loop1", true, &ino, scratch), -E_LOOP);
	CHECK_EQ(erofs_resolve(&fs, "links/loop1/x", false, &ino, scratch), -E_LOOP);
	CHECK_EQ(erofs_resolve(&fs, "links/loop1", false, &ino, scratch), 0);
	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK_EQ(erofs_resolve(&fs, name, false, &ino, scratch), -E_NAMETOOLONG);
	static char longpath[EROFS_PATH_SCRATCH + 10];
	memset(longpath, 'p', sizeof(longpath) - 1);
	CHECK_EQ(erofs_resolve(&fs, longpath, false, &ino, scratch), -E_NAMETOOLONG);
	CHECK_EQ(erofs_lookup(&fs, &file, "x", 1, &nid), -E_NOTDIR);
	CHECK_EQ(erofs_lookup(&fs, &dir, "", 0, &nid), -E_NOENT);
	CHECK_EQ(erofs_readdir(&fs, &file, &pos, &d), -E_NOTDIR);
	pos = 5;
	CHECK_EQ(erofs_readdir(&fs, &dir, &pos, &d), -E_INVAL);
	CHECK_EQ(erofs_readlink(&fs, &file, buf, sizeof(buf)), -E_INVAL);
	CHECK_EQ(erofs_resolve(&fs, "links/abs", false, &ino, scratch), 0);
	CHECK_EQ(erofs_readlink(&fs, &ino, buf, 12), -E_RANGE);
	CHECK_EQ(erofs_readlink(&fs, &ino, buf, 13), 12);
	CHECK_EQ(erofs_read(&fs, &file, 1, buf, 10), 0);
	CHECK_EQ(erofs_read(&fs, &file, UINT64_MAX, buf, 10), 0);
	CHECK_EQ(erofs_resolve(&fs, "special/null", false, &ino, scratch), 0);
	CHECK_EQ(erofs_read(&fs, &ino, 0, buf, 10), 0);
	CHECK_EQ(erofs_inode_get(&fs, UINT64_MAX, &ino), -E_CORRUPT);
	CHECK_EQ(erofs_inode_get(&fs, fs.size / 32, &ino), -E_CORRUPT);
	free(im.data);
}

UNIT_TEST(compressed_image_refused)
{
	struct image im;
	struct erofs_fs fs;
	char img[256];
	struct erofs_io io = { &im, image_read };

	snprintf(img, sizeof(img), "%s/image", workdir);
	CHECK(mkfs("-zlz4hc", small_src, img) && load(img, &im));
	CHECK_EQ(erofs_mount(&fs, &io), -E_NOTSUP);
	free(im.data);
}

/* Recomputes the superblock checksum, so damage reaches past the mount. */
static void
fix_checksum(struct image *im)
{
	if (im->len < 4096 || !(im->data[1024 + 8] & 1))
		return;
	memset(im->data + 1028, 0, 4);
	uint32_t c = crc32c(~0u, im->data + 1024, 4096 - 1024);
	for (int i = 0; i < 4; i++)
		im->data[1028 + i] = (uint8_t)(c >> 8 * i);
}

UNIT_TEST(superblock_damage)
{
	struct image im, copy;
	struct erofs_fs fs;
	struct erofs_io io = { &copy, image_read };

	if (!mount_variant("", small_src, &im, &fs)) {
		CHECK(!"mount");
		return;
	}
	copy.data = malloc(im.len);
	struct {
		int off;
		uint8_t val;
		int want;
		bool fix;
	} cases[] = {
		{ 1024, 0, -E_CORRUPT, false },	     /* magic */
		{ 1024 + 60, 1, -E_CORRUPT, false }, /* checksum mismatch */
		{ 1024 + 12, 9, -E_NOTSUP, true },   /* 512-byte blocks */
		{ 1024 + 80, 1, -E_NOTSUP, true },   /* compressed */
		{ 1024 + 80, 8, -E_NOTSUP, true },   /* device table */
		{ 1024 + 83, 1, -E_NOTSUP, true },   /* a future feature */
		{ 1024 + 90, 1, -E_NOTSUP, true },   /* directory block bits */
		{ 1024 + 36, 0, -E_CORRUPT, true },  /* blocks (low byte 0) */
		{ 1024 + 14, 1, -E_CORRUPT, true },  /* root nid: not a directory */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(copy.data, im.data, im.len);
		copy.len = im.len;
		copy.data[cases[i].off] = cases[i].val;
		if (cases[i].off == 1024 + 36)
			memset(copy.data + 1024 + 36, 0, 4);
		if (cases[i].fix)
			fix_checksum(&copy);
		int r = erofs_mount(&fs, &io);
		if (r != cases[i].want)
			printf("  case %zu: %d\n", i, r);
		CHECK_EQ(r, cases[i].want);
	}
	/* An image cut short reads fail with the device's error. */
	memcpy(copy.data, im.data, im.len);
	copy.len = 1100;
	CHECK_EQ(erofs_mount(&fs, &io), -E_IO);
	free(copy.data);
	free(im.data);
}

/*
 * The fuzz: bit flips, random bytes in the superblock, the inodes and
 * the directory blocks, and truncations, each image walked completely
 * (every directory, the first and last 64 KiB of everything).  Half of
 * the images get a recomputed superblock checksum.
 */
#define FUZZ_ITERATIONS 4000
#define FUZZ_SECONDS	3

static void
mutate(struct image *im, size_t full_len, const struct erofs_fs *fs)
{
	size_t meta = (size_t)fs->meta_base, n = 1 + (uint32_t)unit_rand() % 8;

	for (size_t k = 0; k < n; k++) {
		size_t at;

		switch ((uint32_t)unit_rand() % 5) {
		case 0: /* the superblock */
			at = 1024 + (uint32_t)unit_rand() % 128;
			break;
		case 1: /* the inodes, near the root */
			at = meta + (size_t)fs->root_nid * 32 + (uint32_t)unit_rand() % 8192;
			break;
		default: /* anywhere */
			at = (uint32_t)unit_rand() % full_len;
			break;
		}
		if (at >= full_len)
			continue;
		if ((uint32_t)unit_rand() % 2)
			im->data[at] ^= (uint8_t)(1u << (uint32_t)unit_rand() % 8);
		else
			im->data[at] = (uint8_t)(uint32_t)unit_rand();
	}
	if ((uint32_t)unit_rand() % 10 == 0)
		im->len = (uint32_t)unit_rand() % full_len;
	if ((uint32_t)unit_rand() % 2)
		fix_checksum(im);
}

static void
fuzz_variant(const char *opts, long *iterations, long *mounted, time_t deadline)
{
	struct image im, copy;
	struct erofs_fs fs;
	struct erofs_io io = { &copy, image_read };

	if (!mount_variant(opts, small_src, &im, &fs)) {
		CHECK(!"mount");
		return;
	}
	struct erofs_fs clean = fs;
	copy.data = malloc(im.len);
	for (int i = 0; i < FUZZ_ITERATIONS / 4 && time(NULL) < deadline; i++) {
		struct erofs_inode root;
		struct walk w = { .max_entries = 20000 };

		memcpy(copy.data, im.data, im.len);
		copy.len = im.len;
		mutate(&copy, im.len, &clean);
		(*iterations)++;
		if (erofs_mount(&fs, &io) != 0)
			continue;
		(*mounted)++;
		if (erofs_inode_get(&fs, fs.root_nid, &root) == 0)
			walk_dir(&fs, &root, root.nid, 0, &w);
	}
	free(copy.data);
	free(im.data);
}

UNIT_TEST(fuzz_damaged_images)
{
	long iterations = 0, mounted = 0;
	time_t deadline = time(NULL) + FUZZ_SECONDS;

	fuzz_variant("", &iterations, &mounted, deadline);
	fuzz_variant("--chunksize=4096", &iterations, &mounted, deadline);
	fuzz_variant("--chunksize=8192 -E force-chunk-indexes", &iterations, &mounted, deadline);
	fuzz_variant("-E force-inode-extended,noinline_data", &iterations, &mounted, deadline);
	printf("  %ld damaged images, %ld mounted and walked\n", iterations, mounted);
	CHECK(iterations > 100);
	CHECK(mounted > iterations / 10);
}

UNIT_TEST(cleanup)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
	CHECK(system(cmd) == 0);
}

UNIT_MAIN();
