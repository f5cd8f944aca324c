/*
 * tmpfs through its vnode operations: every operation and every error
 * path, the quota (a charge that refuses mid-write keeps what was
 * written), unlinked-but-open files, a directory of thousands of names
 * listed while entries go, the overlay's primitives (whiteouts, opaque
 * directories, replacing creates and renames), and a seeded random run
 * against a model.  Leaks show as ASan reports and as pages still
 * charged at unmount.
 */
#include <string.h>

#include "fs/tmpfs.h"
#include "themelios/errno.h"
#include "unit.h"

struct quota {
	int64_t used, limit; /* limit < 0: none */
	long calls;
};

static int
charge(void *ctx, uint64_t pages)
{
	struct quota *q = ctx;

	q->calls++;
	if (q->limit >= 0 && q->used + (int64_t)pages > q->limit)
		return -E_NOMEM;
	q->used += (int64_t)pages;
	return 0;
}

static void
uncharge(void *ctx, uint64_t pages)
{
	struct quota *q = ctx;

	q->used -= (int64_t)pages;
}

static int64_t clock_sec = 1000;

static void
now(void *ctx, int64_t *sec, uint32_t *nsec)
{
	(void)ctx;
	*sec = clock_sec;
	*nsec = 7;
}

static struct quota quota;

static struct vfs_fs *
mount(int64_t limit, uint64_t max_pages)
{
	struct tmpfs_args a = {
		.charge = { &quota, charge, uncharge },
		.max_pages = max_pages,
		.now = now,
		.dev = 42,
		.hash_seed = 0x1234,
	};
	struct vfs_fs *fs = NULL;

	quota = (struct quota){ 0, limit, 0 };
	CHECK_EQ(tmpfs_mount(&a, &fs), 0);
	return fs;
}

static void
unmount(struct vfs_fs *fs)
{
	tmpfs_unmount(fs);
	CHECK_EQ(quota.used, 0); /* everything paid for came back */
}

static struct vnode *
mk(struct vnode *dir, const char *name, uint32_t mode)
{
	struct vnode *vn = NULL;
	int r = dir->ops->create(dir, name, strlen(name), mode, 0, &vn);

	CHECK_EQ(r, 0);
	return r == 0 ? vn : NULL;
}

static struct vnode *
look(struct vnode *dir, const char *name)
{
	struct vnode *vn = NULL;

	return dir->ops->lookup(dir, name, strlen(name), &vn) == 0 ? vn : NULL;
}

static int
lookup_err(struct vnode *dir, const char *name)
{
	struct vnode *vn = NULL;
	int r = dir->ops->lookup(dir, name, strlen(name), &vn);

	if (r == 0)
		vnode_unref(vn);
	return r;
}

static long
wr(struct vnode *vn, uint64_t off, const void *p, size_t len)
{
	struct io_buf b = io_buf_kernel((void *)p, len);

	return vn->ops->write(vn, off, &b, len);
}

static long
rd(struct vnode *vn, uint64_t off, void *p, size_t len)
{
	struct io_buf b = io_buf_kernel(p, len);

	return vn->ops->read(vn, off, &b, len);
}

static int
rm(struct vnode *dir, const char *name, bool want_dir)
{
	return dir->ops->remove(dir, name, strlen(name), want_dir);
}

static int
mv(struct vnode *od, const char *on, struct vnode *nd, const char *nn)
{
	return od->ops->rename(od, on, strlen(on), nd, nn, strlen(nn));
}

static struct vfs_stat
stat_of(struct vnode *vn)
{
	struct vfs_stat st;

	CHECK_EQ(vn->ops->getattr(vn, &st), 0);
	return st;
}

static int
count_entries(struct vnode *dir)
{
	struct vfs_dirent d;
	uint64_t pos = 0;
	int n = 0, r;

	while ((r = dir->ops->readdir(dir, &pos, &d)) == 1)
		n++;
	CHECK_EQ(r, 0);
	return n;
}

UNIT_TEST(names_are_checked)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root, *vn;
	char name[300];

	memset(name, 'n', sizeof(name));
	CHECK_EQ(root->ops->create(root, "", 0, VFS_S_IFREG | 0644, 0, &vn), -E_INVAL);
	CHECK_EQ(root->ops->create(root, name, 256, VFS_S_IFREG | 0644, 0, &vn), -E_NAMETOOLONG);
	CHECK_EQ(root->ops->create(root, "a/b", 3, VFS_S_IFREG | 0644, 0, &vn), -E_INVAL);
	CHECK_EQ(root->ops->create(root, "a\0b", 3, VFS_S_IFREG | 0644, 0, &vn), -E_INVAL);
	CHECK_EQ(root->ops->create(root, ".", 1, VFS_S_IFREG | 0644, 0, &vn), -E_INVAL);
	CHECK_EQ(root->ops->create(root, "..", 2, VFS_S_IFREG | 0644, 0, &vn), -E_INVAL);
	CHECK_EQ(root->ops->create(root, "x", 1, 0644, 0, &vn), -E_INVAL); /* no type */
	CHECK_EQ(root->ops->create(root, "x", 1, VFS_S_IFLNK | 0644, 0, &vn), -E_INVAL);
	CHECK_EQ(root->ops->symlink(root, name, 256, "t", 1, &vn), -E_NAMETOOLONG);
	CHECK_EQ(root->ops->lookup(root, name, 256, &vn), -E_NAMETOOLONG);
	CHECK_EQ(root->ops->lookup(root, "", 0, &vn), -E_INVAL);
	CHECK_EQ(root->ops->remove(root, "a/b", 3, false), -E_INVAL);
	CHECK_EQ(root->ops->rename(root, "a", 1, root, name, 256), -E_NAMETOOLONG);
	/* 255 bytes is the longest name. */
	CHECK_EQ(root->ops->create(root, name, 255, VFS_S_IFREG | 0644, 0, &vn), 0);
	vnode_unref(vn);
	CHECK_EQ(root->ops->lookup(root, name, 255, &vn), 0);
	vnode_unref(vn);
	struct vfs_dirent d;
	uint64_t pos = 0;
	CHECK_EQ(root->ops->readdir(root, &pos, &d), 1);
	CHECK_EQ(d.name_len, 255);
	CHECK_EQ(strlen(d.name), 255);
	CHECK_EQ(root->ops->readdir(root, &pos, &d), 0);
	CHECK_EQ(count_entries(root), 1);
	unmount(fs);
}

UNIT_TEST(namespace_errors)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root, *vn;
	struct vnode *f = mk(root, "f", VFS_S_IFREG | 0644);
	struct vnode *d = mk(root, "d", VFS_S_IFDIR | 0755);
	char buf[8];

	CHECK_EQ(root->ops->create(root, "f", 1, VFS_S_IFREG, 0, &vn), -E_EXIST);
	CHECK_EQ(root->ops->create(root, "d", 1, VFS_S_IFDIR, 0, &vn), -E_EXIST);
	CHECK_EQ(root->ops->symlink(root, "f", 1, "x", 1, &vn), -E_EXIST);
	CHECK_EQ(root->ops->link(root, "d", 1, f), -E_EXIST);
	CHECK_EQ(lookup_err(root, "missing"), -E_NOENT);
	CHECK_EQ(rm(root, "missing", false), -E_NOENT);
	CHECK_EQ(mv(root, "missing", root, "x"), -E_NOENT);
	/* A file is no directory. */
	CHECK_EQ(lookup_err(f, "x"), -E_NOTDIR);
	CHECK_EQ(f->ops->create(f, "x", 1, VFS_S_IFREG, 0, &vn), -E_NOTDIR);
	CHECK_EQ(f->ops->remove(f, "x", 1, false), -E_NOTDIR);
	uint64_t pos = 0;
	struct vfs_dirent de;
	CHECK_EQ(f->ops->readdir(f, &pos, &de), -E_NOTDIR);
	CHECK_EQ(rm(root, "f", true), -E_NOTDIR);
	CHECK_EQ(mv(f, "a", root, "b"), -E_NOTDIR);
	/* A directory is no file. */
	CHECK_EQ(rm(root, "d", false), -E_ISDIR);
	CHECK_EQ(rd(d, 0, buf, 1), -E_ISDIR);
	CHECK_EQ(wr(d, 0, "x", 1), -E_ISDIR);
	CHECK_EQ(d->ops->truncate(d, 0), -E_ISDIR);
	CHECK_EQ(root->ops->link(root, "dl", 2, d), -E_PERM);
	CHECK_EQ(d->ops->readlink(d, buf, sizeof(buf)), -E_INVAL);
	/* Not empty; then empty. */
	vnode_unref(mk(d, "inner", VFS_S_IFREG | 0600));
	CHECK_EQ(rm(root, "d", true), -E_NOTEMPTY);
	CHECK_EQ(rm(d, "inner", false), 0);
	CHECK_EQ(rm(root, "d", true), 0);
	CHECK_EQ(lookup_err(root, "d"), -E_NOENT);
	/* A removed directory takes no names, and says it is gone. */
	CHECK_EQ(d->ops->create(d, "x", 1, VFS_S_IFREG, 0, &vn), -E_NOENT);
	CHECK_EQ(stat_of(d).nlink, 0);
	CHECK_EQ(count_entries(d), 0);
	/* Bad readdir positions. */
	pos = 1000;
	CHECK_EQ(root->ops->readdir(root, &pos, &de), -E_INVAL);
	vnode_unref(d);
	vnode_unref(f);
	unmount(fs);
}

UNIT_TEST(file_data_holes_and_truncate)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *f = mk(fs->root, "f", VFS_S_IFREG | 0644);
	static uint8_t big[3 * 4096 + 100], back[sizeof(big)];
	uint64_t base = tmpfs_pages_used(fs);

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ(wr(f, 10, big, sizeof(big)), sizeof(big));
	CHECK_EQ(stat_of(f).size, 10 + sizeof(big));
	memset(back, 0xee, sizeof(back));
	CHECK_EQ(rd(f, 10, back, sizeof(back)), sizeof(big));
	CHECK(memcmp(back, big, sizeof(big)) == 0);
	CHECK_EQ(rd(f, 0, back, 10), 10);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(back[i], 0);
	/* Reads stop at the end. */
	CHECK_EQ(rd(f, 10 + sizeof(big) - 5, back, 100), 5);
	CHECK_EQ(rd(f, 10 + sizeof(big), back, 100), 0);
	CHECK_EQ(rd(f, 1ull << 50, back, 100), 0);
	/* A hole far away costs a few pages, and reads as zeros. */
	uint64_t far = (1ull << 40) + 123;
	CHECK_EQ(wr(f, far, "far", 3), 3);
	CHECK_EQ(stat_of(f).size, far + 3);
	CHECK(tmpfs_pages_used(fs) - base < 16);
	memset(back, 0xee, 8192);
	CHECK_EQ(rd(f, far - 8000, back, 8192), 8003);
	for (int i = 0; i < 8000; i++)
		CHECK_EQ(back[i], 0);
	CHECK(memcmp(back + 8000, "far", 3) == 0);
	/* Past the largest size. */
	CHECK_EQ(wr(f, TMPFS_FILE_MAX, "x", 1), -E_RANGE);
	CHECK_EQ(wr(f, TMPFS_FILE_MAX - 1, "xy", 2), 1);
	CHECK_EQ(f->ops->truncate(f, TMPFS_FILE_MAX + 1), -E_RANGE);
	/* Shrinking frees pages and zeros the tail; growing shows zeros. */
	CHECK_EQ(f->ops->truncate(f, 4096 + 20), 0);
	CHECK(tmpfs_pages_used(fs) - base <= 2 + 5);
	CHECK_EQ(stat_of(f).blocks, 2 * 8);
	CHECK_EQ(f->ops->truncate(f, 3 * 4096), 0);
	memset(back, 0xee, sizeof(back));
	CHECK_EQ(rd(f, 0, back, sizeof(back)), 3 * 4096);
	CHECK(memcmp(back + 10, big, 4096 + 10) == 0);
	for (int i = 4096 + 20; i < 3 * 4096; i++)
		if (back[i] != 0) {
			CHECK_EQ(back[i], 0);
			break;
		}
	CHECK_EQ(f->ops->truncate(f, 0), 0);
	CHECK_EQ(stat_of(f).blocks, 0);
	CHECK_EQ(rd(f, 0, back, 10), 0);
	/* Zero-length writes and reads. */
	CHECK_EQ(wr(f, 5, "", 0), 0);
	CHECK_EQ(stat_of(f).size, 0);
	CHECK_EQ(f->ops->fsync(f), 0);
	/* A buffer shorter than the request: the copy refuses. */
	struct io_buf small = io_buf_kernel(back, 4);
	CHECK_EQ(f->ops->write(f, 0, &small, 8), -E_RANGE);
	CHECK_EQ(f->ops->read(f, 0, &small, 8), 0);
	CHECK_EQ(stat_of(f).size, 0);
	vnode_unref(f);
	unmount(fs);
}

UNIT_TEST(symlinks_and_special_nodes)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root, *vn;
	char buf[VFS_SYMLINK_MAX + 2];

	CHECK_EQ(root->ops->symlink(root, "l", 1, "../target", 9, &vn), 0);
	CHECK_EQ(vn->ops->readlink(vn, buf, sizeof(buf)), 9);
	CHECK(memcmp(buf, "../target", 9) == 0);
	CHECK_EQ(vn->ops->readlink(vn, buf, 8), -E_RANGE);
	CHECK_EQ(stat_of(vn).mode, VFS_S_IFLNK | 0777);
	CHECK_EQ(stat_of(vn).size, 9);
	CHECK_EQ(rd(vn, 0, buf, 1), -E_INVAL);
	vnode_unref(vn);
	CHECK_EQ(root->ops->symlink(root, "e", 1, "", 0, &vn), -E_NOENT);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(root->ops->symlink(root, "long", 4, buf, VFS_SYMLINK_MAX + 1, &vn),
		 -E_NAMETOOLONG);
	CHECK_EQ(root->ops->symlink(root, "long", 4, buf, VFS_SYMLINK_MAX, &vn), 0);
	CHECK_EQ(vn->ops->readlink(vn, buf, sizeof(buf)), VFS_SYMLINK_MAX);
	vnode_unref(vn);

	CHECK_EQ(root->ops->create(root, "fifo", 4, VFS_S_IFIFO | 0640, 0, &vn), 0);
	CHECK_EQ(stat_of(vn).mode, VFS_S_IFIFO | 0640);
	CHECK_EQ(wr(vn, 0, "x", 1), -E_INVAL);
	CHECK_EQ(vn->ops->truncate(vn, 0), -E_INVAL);
	vnode_unref(vn);
	CHECK_EQ(root->ops->create(root, "null", 4, VFS_S_IFCHR | 0666, 0x103, &vn), 0);
	CHECK_EQ(stat_of(vn).rdev, 0x103);
	CHECK(!tmpfs_is_whiteout(vn));
	vnode_unref(vn);
	CHECK_EQ(root->ops->create(root, "sda", 3, VFS_S_IFBLK | 0660, 0x801, &vn), 0);
	CHECK_EQ(stat_of(vn).rdev, 0x801);
	vnode_unref(vn);
	CHECK_EQ(root->ops->create(root, "sock", 4, VFS_S_IFSOCK | 0600, 0, &vn), 0);
	vnode_unref(vn);
	vnode_unref(mk(root, "dir", VFS_S_IFDIR | 0700));
	vnode_unref(mk(root, "file", VFS_S_IFREG | 0600));

	static const struct {
		const char *name;
		uint8_t type;
	} want[] = { { "l", VFS_DT_LNK },    { "long", VFS_DT_LNK }, { "fifo", VFS_DT_FIFO },
		     { "null", VFS_DT_CHR }, { "sda", VFS_DT_BLK },  { "sock", VFS_DT_SOCK },
		     { "dir", VFS_DT_DIR },  { "file", VFS_DT_REG } };
	struct vfs_dirent d;
	uint64_t pos = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_EQ(root->ops->readdir(root, &pos, &d), 1);
		CHECK(strcmp(d.name, want[i].name) == 0);
		CHECK_EQ(d.type, want[i].type);
		vn = look(root, d.name);
		CHECK(vn && vn->ino == d.ino);
		vnode_unref(vn);
	}
	CHECK_EQ(root->ops->readdir(root, &pos, &d), 0);
	unmount(fs);
}

UNIT_TEST(attributes_and_times)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root;
	struct vfs_stat st;

	clock_sec = 5000;
	struct vnode *f = mk(root, "f", VFS_S_IFREG | 04755);
	st = stat_of(f);
	CHECK_EQ(st.mode, VFS_S_IFREG | 04755);
	CHECK_EQ(st.dev, 42);
	CHECK_EQ(st.nlink, 1);
	CHECK_EQ(st.mtime_sec, 5000);
	CHECK_EQ(st.mtime_nsec, 7);
	CHECK_EQ(stat_of(root).mtime_sec, 5000); /* the directory changed */
	clock_sec = 6000;
	CHECK_EQ(wr(f, 0, "abc", 3), 3);
	CHECK_EQ(stat_of(f).mtime_sec, 6000);
	struct vfs_setattr a = { VFS_ATTR_MODE | VFS_ATTR_UID | VFS_ATTR_GID | VFS_ATTR_MTIME,
				 VFS_S_IFDIR | 0600,
				 70000,
				 80000,
				 1ll << 33,
				 99 };
	CHECK_EQ(f->ops->setattr(f, &a), 0);
	st = stat_of(f);
	CHECK_EQ(st.mode, VFS_S_IFREG | 0600); /* the type stays */
	CHECK_EQ(f->mode, VFS_S_IFREG | 0600);
	CHECK_EQ(st.uid, 70000);
	CHECK_EQ(st.gid, 80000);
	CHECK_EQ(st.mtime_sec, 1ll << 33);
	CHECK_EQ(st.mtime_nsec, 99);
	a.mask = 0x100;
	CHECK_EQ(f->ops->setattr(f, &a), -E_INVAL);
	/* Directories count their subdirectories. */
	CHECK_EQ(stat_of(root).nlink, 2);
	struct vnode *d1 = mk(root, "d1", VFS_S_IFDIR | 0755);
	struct vnode *d2 = mk(root, "d2", VFS_S_IFDIR | 0755);
	CHECK_EQ(stat_of(root).nlink, 4);
	CHECK_EQ(mv(root, "d2", d1, "d2"), 0);
	CHECK_EQ(stat_of(root).nlink, 3);
	CHECK_EQ(stat_of(d1).nlink, 3);
	CHECK(stat_of(f).ino != stat_of(d1).ino);
	vnode_unref(d1);
	vnode_unref(d2);
	vnode_unref(f);
	unmount(fs);
}

UNIT_TEST(hard_links)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root;
	struct vnode *d = mk(root, "d", VFS_S_IFDIR | 0755);
	struct vnode *f = mk(root, "f", VFS_S_IFREG | 0644);
	char buf[8];

	CHECK_EQ(wr(f, 0, "data", 4), 4);
	CHECK_EQ(root->ops->link(d, "g", 1, f), 0);
	CHECK_EQ(root->ops->link(root, "h", 1, f), 0);
	CHECK_EQ(stat_of(f).nlink, 3);
	struct vnode *g = look(d, "g");
	CHECK(g == f);
	vnode_unref(g);
	CHECK_EQ(rm(root, "f", false), 0);
	CHECK_EQ(rm(root, "h", false), 0);
	CHECK_EQ(stat_of(f).nlink, 1);
	g = look(d, "g");
	CHECK(g && rd(g, 0, buf, sizeof(buf)) == 4 && memcmp(buf, "data", 4) == 0);
	vnode_unref(g);
	/* Renaming one name onto another of the same node changes nothing. */
	CHECK_EQ(root->ops->link(root, "h", 1, f), 0);
	CHECK_EQ(mv(root, "h", d, "g"), 0);
	CHECK_EQ(stat_of(f).nlink, 2);
	CHECK_EQ(lookup_err(root, "h"), 0);
	CHECK_EQ(rm(root, "h", false), 0);
	CHECK_EQ(rm(d, "g", false), 0);
	CHECK_EQ(stat_of(f).nlink, 0);
	/* Unlinked: no new names. */
	CHECK_EQ(root->ops->link(root, "again", 5, f), -E_NOENT);
	/* Another instance: no links across. */
	struct vfs_fs *other;
	struct tmpfs_args args = { 0 };
	CHECK_EQ(tmpfs_mount(&args, &other), 0);
	struct vnode *o = mk(other->root, "o", VFS_S_IFREG);
	CHECK_EQ(root->ops->link(root, "o", 1, o), -E_XDEV);
	CHECK_EQ(root->ops->rename(other->root, "o", 1, root, "o", 1), -E_XDEV);
	vnode_unref(o);
	tmpfs_unmount(other);
	vnode_unref(f);
	vnode_unref(d);
	unmount(fs);
}

UNIT_TEST(rename_semantics)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root;
	struct vnode *a = mk(root, "a", VFS_S_IFDIR | 0755);
	struct vnode *b = mk(a, "b", VFS_S_IFDIR | 0755);
	struct vnode *c = mk(b, "c", VFS_S_IFDIR | 0755);
	struct vnode *f = mk(root, "f", VFS_S_IFREG | 0644);
	struct vnode *g = mk(root, "g", VFS_S_IFREG | 0644);
	struct vnode *e = mk(root, "e", VFS_S_IFDIR | 0755);
	char buf[4];

	CHECK_EQ(wr(f, 0, "F", 1), 1);
	CHECK_EQ(wr(g, 0, "G", 1), 1);
	/* Into its own subtree, or onto itself. */
	CHECK_EQ(mv(root, "a", c, "x"), -E_INVAL);
	CHECK_EQ(mv(root, "a", a, "x"), -E_INVAL);
	CHECK_EQ(mv(a, "b", c, "x"), -E_INVAL);
	CHECK_EQ(mv(root, "a", root, "a"), 0);
	/* Kinds must match. */
	CHECK_EQ(mv(root, "a", root, "f"), -E_NOTDIR);
	CHECK_EQ(mv(root, "f", root, "a"), -E_ISDIR);
	CHECK_EQ(mv(root, "e", root, "a"), -E_NOTEMPTY);
	/* A file replaces a file: the old one goes. */
	CHECK_EQ(mv(root, "f", root, "g"), 0);
	CHECK_EQ(lookup_err(root, "f"), -E_NOENT);
	struct vnode *now_g = look(root, "g");
	CHECK(now_g == f);
	vnode_unref(now_g);
	CHECK_EQ(stat_of(g).nlink, 0);
	CHECK_EQ(rd(g, 0, buf, 1), 1); /* still open */
	CHECK_EQ(buf[0], 'G');
	/* A directory replaces an empty directory. */
	CHECK_EQ(mv(a, "b", root, "e"), 0);
	CHECK_EQ(stat_of(e).nlink, 0);
	struct vnode *now_e = look(root, "e");
	CHECK(now_e == b);
	vnode_unref(now_e);
	CHECK_EQ(count_entries(a), 0);
	/* Now b is outside a: a can move under c. */
	CHECK_EQ(mv(root, "a", c, "a"), 0);
	CHECK_EQ(mv(root, "e", c, "x"), -E_INVAL);
	CHECK_EQ(stat_of(c).nlink, 3);
	/* Within one directory. */
	CHECK_EQ(mv(root, "g", root, "h"), 0);
	CHECK_EQ(lookup_err(root, "h"), 0);
	CHECK_EQ(count_entries(root), 2); /* e, h */
	vnode_unref(a);
	vnode_unref(b);
	vnode_unref(c);
	vnode_unref(e);
	vnode_unref(f);
	vnode_unref(g);
	unmount(fs);
}

UNIT_TEST(unlinked_open_file_keeps_working)
{
	struct vfs_fs *fs = mount(-1, 0);
	uint64_t base = tmpfs_pages_used(fs);
	struct vnode *f = mk(fs->root, "f", VFS_S_IFREG | 0644);
	static uint8_t data[20000], back[20000];

	memset(data, 'q', sizeof(data));
	CHECK_EQ(wr(f, 0, data, sizeof(data)), sizeof(data));
	CHECK_EQ(rm(fs->root, "f", false), 0);
	CHECK_EQ(lookup_err(fs->root, "f"), -E_NOENT);
	CHECK_EQ(rd(f, 0, back, sizeof(back)), sizeof(back));
	CHECK(memcmp(back, data, sizeof(data)) == 0);
	CHECK_EQ(wr(f, 20000, "more", 4), 4);
	CHECK_EQ(stat_of(f).nlink, 0);
	CHECK_EQ(stat_of(f).size, 20004);
	CHECK(tmpfs_pages_used(fs) > base + 4);
	vnode_unref(f); /* the last reference: everything goes */
	CHECK_EQ(tmpfs_pages_used(fs), base);
	unmount(fs);
}

UNIT_TEST(quota_exhaustion_keeps_written_data)
{
	/* Room for the root's metadata, a node, and a few pages. */
	struct vfs_fs *fs = mount(8, 0);
	struct vnode *f = mk(fs->root, "f", VFS_S_IFREG | 0644);
	static uint8_t data[10 * 4096], back[10 * 4096];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i % 251);
	long n = wr(f, 0, data, sizeof(data));
	CHECK(n > 0 && n < (long)sizeof(data));
	CHECK_EQ(n % 4096, 0);
	CHECK_EQ(stat_of(f).size, n);
	CHECK_EQ(wr(f, (uint64_t)n, data, 4096), -E_NOSPC);
	CHECK_EQ(wr(f, 1ull << 30, data, 1), -E_NOSPC);
	CHECK_EQ(stat_of(f).size, n);
	CHECK_EQ(rd(f, 0, back, sizeof(back)), n);
	CHECK(memcmp(back, data, (size_t)n) == 0);
	CHECK_EQ(quota.used, quota.limit);
	/* Overwriting pages already paid for still works. */
	CHECK_EQ(wr(f, 0, "XYZ", 3), 3);
	/* Freeing makes room again. */
	CHECK_EQ(f->ops->truncate(f, 0), 0);
	CHECK_EQ(wr(f, 0, data, 4096), 4096);
	vnode_unref(f);
	unmount(fs);

	/* Names cost too: a loop making them stops at the limit (here no
	 * charge callback, only max_pages), and what exists stays. */
	struct tmpfs_args a = { .max_pages = 64 };
	struct vnode *vn;
	char name[64];
	int made = 0, r = 0;
	CHECK_EQ(tmpfs_mount(&a, &fs), 0);
	while (made < 100000) {
		int len = snprintf(name, sizeof(name), "a-rather-long-name-for-entry-%06d", made);

		r = fs->root->ops->create(fs->root, name, (size_t)len, VFS_S_IFREG | 0600, 0, &vn);
		if (r < 0)
			break;
		vnode_unref(vn);
		made++;
	}
	CHECK_EQ(r, -E_NOSPC);
	CHECK(made > 100 && made < 5000);
	CHECK_EQ(tmpfs_pages_used(fs), 64);
	CHECK_EQ(count_entries(fs->root), made);
	CHECK_EQ(fs->root->ops->symlink(fs->root, "l", 1, name, 40, &vn), -E_NOSPC);
	CHECK_EQ(lookup_err(fs->root, "a-rather-long-name-for-entry-000000"), 0);
	/* Rename needs a new entry: refused without harm too. */
	snprintf(name, sizeof(name), "a-rather-long-name-for-entry-%06d", made - 1);
	r = mv(fs->root, name, fs->root, "a-much-much-longer-name-than-before-xxxxxxxxxxxxxxx");
	CHECK(r == 0 || r == -E_NOSPC);
	CHECK_EQ(count_entries(fs->root), made);
	tmpfs_unmount(fs);
}

/* Thousands of names; a listing while names go returns every name that
 * stays exactly once. */
UNIT_TEST(big_directory_listing_under_removal)
{
	enum {
		N = 5000
	};
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root, *vn;
	static uint8_t seen[N], removed[N];
	char name[32];
	struct vfs_dirent d;
	uint64_t pos = 0;
	int r;

	unit_srand(5);
	for (int i = 0; i < N; i++) {
		int len = snprintf(name, sizeof(name), "entry%d", i);
		CHECK_EQ(root->ops->create(root, name, (size_t)len, VFS_S_IFREG | 0644, 0, &vn), 0);
		vnode_unref(vn);
	}
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "entry%d", i);
		CHECK_EQ(lookup_err(root, name), 0);
	}
	while ((r = root->ops->readdir(root, &pos, &d)) == 1) {
		int i = atoi(d.name + 5);

		CHECK(!removed[i]);
		CHECK_EQ(seen[i], 0);
		seen[i]++;
		/* Between calls, remove three names anywhere (seen or not). */
		for (int k = 0; k < 3; k++) {
			int j = (int)(unit_rand() % N);

			if (removed[j])
				continue;
			snprintf(name, sizeof(name), "entry%d", j);
			CHECK_EQ(rm(root, name, false), 0);
			removed[j] = 1;
		}
	}
	CHECK_EQ(r, 0);
	int kept = 0;
	for (int i = 0; i < N; i++) {
		if (!removed[i]) {
			CHECK_EQ(seen[i], 1);
			kept++;
		}
	}
	CHECK(kept > 500);
	CHECK_EQ(count_entries(root), kept);
	/* An old position still works after compaction. */
	pos = 1;
	CHECK_EQ(root->ops->readdir(root, &pos, &d), 1);
	unmount(fs);
}

UNIT_TEST(overlay_primitives)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *root = fs->root, *vn;
	struct vnode *d = mk(root, "d", VFS_S_IFDIR | 0755);
	struct vnode *f = mk(root, "f", VFS_S_IFREG | 0644);

	CHECK_EQ(tmpfs_whiteout(root, "w", 1, 0), 0);
	vn = look(root, "w");
	CHECK(vn && tmpfs_is_whiteout(vn));
	CHECK_EQ(stat_of(vn).mode & VFS_S_IFMT, VFS_S_IFCHR);
	CHECK_EQ(stat_of(vn).rdev, 0);
	vnode_unref(vn);
	CHECK_EQ(tmpfs_whiteout(root, "w", 1, 0), -E_EXIST);
	/* A create over a whiteout only when asked. */
	CHECK_EQ(tmpfs_create_ex(root, "w", 1, VFS_S_IFDIR | 0700, 0, NULL, 0, 0, &vn), -E_EXIST);
	CHECK_EQ(tmpfs_create_ex(root, "w", 1, VFS_S_IFDIR | 0700, 0, NULL, 0,
				 TMPFS_REPLACE_WHITEOUT | TMPFS_OPAQUE, &vn),
		 0);
	CHECK(tmpfs_is_opaque(vn) && !tmpfs_is_whiteout(vn));
	tmpfs_set_opaque(vn, false);
	CHECK(!tmpfs_is_opaque(vn));
	vnode_unref(vn);
	CHECK_EQ(
		tmpfs_create_ex(root, "f", 1, VFS_S_IFREG, 0, NULL, 0, TMPFS_REPLACE_WHITEOUT, &vn),
		-E_EXIST);
	/* A whiteout replaces a file, or a directory holding only whiteouts. */
	CHECK_EQ(tmpfs_whiteout(root, "f", 1, TMPFS_REPLACE_ANY), 0);
	CHECK_EQ(stat_of(f).nlink, 0);
	CHECK_EQ(tmpfs_whiteout(d, "x", 1, 0), 0);
	CHECK_EQ(tmpfs_whiteout(d, "y", 1, 0), 0);
	vnode_unref(mk(d, "real", VFS_S_IFREG));
	CHECK_EQ(tmpfs_whiteout(root, "d", 1, TMPFS_REPLACE_ANY), -E_EXIST);
	CHECK_EQ(rm(d, "real", false), 0);
	CHECK_EQ(rm(root, "d", true), -E_NOTEMPTY); /* a plain rmdir sees the whiteouts */
	CHECK_EQ(tmpfs_whiteout(root, "d", 1, TMPFS_REPLACE_ANY), 0);
	CHECK_EQ(count_entries(d), 0);
	/* link and rename over a whiteout; rename leaving one. */
	struct vnode *g = mk(root, "g", VFS_S_IFREG | 0644);
	CHECK_EQ(tmpfs_link_ex(root, "d", 1, g, 0), -E_EXIST);
	CHECK_EQ(tmpfs_link_ex(root, "d", 1, g, TMPFS_REPLACE_WHITEOUT), 0);
	struct vnode *e = mk(root, "e", VFS_S_IFDIR | 0755);
	CHECK_EQ(tmpfs_whiteout(root, "x", 1, 0), 0);
	CHECK_EQ(tmpfs_rename_ex(root, "e", 1, root, "x", 1, 0), -E_NOTDIR);
	CHECK_EQ(tmpfs_rename_ex(root, "e", 1, root, "x", 1,
				 TMPFS_REPLACE_WHITEOUT | TMPFS_LEAVE_WHITEOUT),
		 0);
	vn = look(root, "e");
	CHECK(vn && tmpfs_is_whiteout(vn));
	vnode_unref(vn);
	vn = look(root, "x");
	CHECK(vn == e);
	vnode_unref(vn);
	/* A directory of whiteouts is replaced by a rename only when asked. */
	struct vnode *y = mk(root, "y", VFS_S_IFDIR | 0755);
	CHECK_EQ(tmpfs_whiteout(y, "w", 1, 0), 0);
	CHECK_EQ(tmpfs_rename_ex(root, "x", 1, root, "y", 1, 0), -E_NOTEMPTY);
	CHECK_EQ(tmpfs_rename_ex(root, "x", 1, root, "y", 1, TMPFS_REPLACE_ANY), 0);
	CHECK_EQ(count_entries(y), 0);
	/* Origins. */
	CHECK_EQ(tmpfs_origin(g), 0);
	tmpfs_set_origin(g, 77);
	CHECK_EQ(tmpfs_origin(g), 77);
	vnode_unref(y);
	vnode_unref(e);
	vnode_unref(g);
	vnode_unref(d);
	vnode_unref(f);
	unmount(fs);
}

/* ---- a seeded random run against a model ---- */

enum {
	MDIRS = 3,
	MNAMES = 12,
	MFILES = MDIRS * MNAMES,
	MSIZE = 40000
};

struct mfile {
	uint8_t data[MSIZE];
	size_t size;
	int links;
	struct vnode *vn; /* our reference while it has links */
};

static struct mfile *mfiles;
static int mslot[MDIRS][MNAMES]; /* file index, or -1 */

static void
mname(char *out, int i)
{
	sprintf(out, "n%d", i);
}

UNIT_TEST(random_operations_match_a_model)
{
	struct vfs_fs *fs = mount(-1, 0);
	struct vnode *dirs[MDIRS];
	static uint8_t buf[MSIZE];
	char name[16], name2[16];
	long ops[8] = { 0 };
	int failed_before = unit_failed_checks;

	mfiles = calloc(MFILES, sizeof(*mfiles));
	unit_srand(0x7e57);
	for (int i = 0; i < MDIRS; i++) {
		sprintf(name, "d%d", i);
		dirs[i] = mk(fs->root, name, VFS_S_IFDIR | 0755);
		for (int j = 0; j < MNAMES; j++)
			mslot[i][j] = -1;
	}
	for (int step = 0; step < 20000; step++) {
		int d = (int)(unit_rand() % MDIRS), n = (int)(unit_rand() % MNAMES);
		int op = (int)(unit_rand() % 7), f = mslot[d][n];
		mname(name, n);
		ops[op]++;
		switch (op) {
		case 0: { /* create */
			int free_file = -1;
			for (int k = 0; k < MFILES; k++)
				if (mfiles[k].links == 0 && !mfiles[k].vn) {
					free_file = k;
					break;
				}
			struct vnode *vn;
			int r = dirs[d]->ops->create(dirs[d], name, strlen(name),
						     VFS_S_IFREG | 0644, 0, &vn);
			if (f >= 0) {
				CHECK_EQ(r, -E_EXIST);
				break;
			}
			CHECK_EQ(r, 0);
			CHECK(free_file >= 0);
			mfiles[free_file].size = 0;
			mfiles[free_file].links = 1;
			mfiles[free_file].vn = vn;
			mslot[d][n] = free_file;
			break;
		}
		case 1: { /* write */
			if (f < 0)
				break;
			size_t off = unit_rand() % MSIZE, len = unit_rand() % (MSIZE - off);
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)unit_rand();
			struct vnode *vn = look(dirs[d], name);
			CHECK(vn == mfiles[f].vn);
			CHECK_EQ(wr(vn, off, buf, len), len);
			vnode_unref(vn);
			memcpy(mfiles[f].data + off, buf, len);
			if (len && off + len > mfiles[f].size) {
				if (off > mfiles[f].size)
					memset(mfiles[f].data + mfiles[f].size, 0,
					       off - mfiles[f].size);
				mfiles[f].size = off + len;
			}
			break;
		}
		case 2: { /* truncate */
			if (f < 0)
				break;
			size_t size = unit_rand() % MSIZE;
			CHECK_EQ(mfiles[f].vn->ops->truncate(mfiles[f].vn, size), 0);
			if (size > mfiles[f].size)
				memset(mfiles[f].data + mfiles[f].size, 0, size - mfiles[f].size);
			mfiles[f].size = size;
			break;
		}
		case 3: /* unlink */
			CHECK_EQ(rm(dirs[d], name, false), f < 0 ? -E_NOENT : 0);
			if (f >= 0) {
				mslot[d][n] = -1;
				if (--mfiles[f].links == 0) {
					vnode_unref(mfiles[f].vn);
					mfiles[f].vn = NULL;
				}
			}
			break;
		case 4:	  /* link */
		case 5: { /* rename */
			int d2 = (int)(unit_rand() % MDIRS), n2 = (int)(unit_rand() % MNAMES);
			int g = mslot[d2][n2];
			mname(name2, n2);
			if (f < 0)
				break;
			if (op == 4) {
				int r = dirs[d2]->ops->link(dirs[d2], name2, strlen(name2),
							    mfiles[f].vn);
				CHECK_EQ(r, g >= 0 ? -E_EXIST : 0);
				if (g < 0) {
					mslot[d2][n2] = f;
					mfiles[f].links++;
				}
				break;
			}
			CHECK_EQ(mv(dirs[d], name, dirs[d2], name2), 0);
			if (g == f)
				break; /* one node: nothing moves */
			mslot[d][n] = -1;
			mslot[d2][n2] = f;
			if (g >= 0 && --mfiles[g].links == 0) {
				vnode_unref(mfiles[g].vn);
				mfiles[g].vn = NULL;
			}
			break;
		}
		case 6: { /* read and compare */
			struct vnode *vn = NULL;
			int r = dirs[d]->ops->lookup(dirs[d], name, strlen(name), &vn);
			CHECK_EQ(r, f < 0 ? -E_NOENT : 0);
			if (r)
				break;
			CHECK_EQ(stat_of(vn).size, mfiles[f].size);
			CHECK_EQ(stat_of(vn).nlink, mfiles[f].links);
			CHECK_EQ(rd(vn, 0, buf, MSIZE), mfiles[f].size);
			CHECK(memcmp(buf, mfiles[f].data, mfiles[f].size) == 0);
			vnode_unref(vn);
			break;
		}
		}
		if (unit_failed_checks != failed_before)
			break; /* the first difference tells the most */
	}
	for (int i = 0; i < MDIRS; i++) {
		int n = 0;
		for (int j = 0; j < MNAMES; j++)
			n += mslot[i][j] >= 0;
		CHECK_EQ(count_entries(dirs[i]), n);
		vnode_unref(dirs[i]);
	}
	for (int k = 0; k < MFILES; k++)
		if (mfiles[k].vn)
			vnode_unref(mfiles[k].vn);
	printf("  ops: %ld create, %ld write, %ld truncate, %ld unlink, %ld link, %ld rename, "
	       "%ld read\n",
	       ops[0], ops[1], ops[2], ops[3], ops[4], ops[5], ops[6]);
	free(mfiles);
	unmount(fs);
}

UNIT_MAIN();
