/*
 * The overlay: a tmpfs over an EROFS image that mkfs.erofs makes during
 * the test.  Read-through, copy-up (content, mode, owner, time, inode
 * number; parents first), whiteouts, re-creating deleted names, opaque
 * directories, renames, hard links, a full upper layer during copy-up,
 * readdir while names are copied up and deleted, the OCI layer markers,
 * and a seeded random run against a model.  Each case mounts a fresh
 * overlay over the same image.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/erofs.h"
#include "fs/erofs_vnode.h"
#include "fs/overlay.h"
#include "fs/tmpfs.h"
#include "themelios/errno.h"
#include "unit.h"

static char workdir[] = "/tmp/themelios-ovl-XXXXXX";
static uint8_t *image;
static size_t image_len;
static uint8_t big[200000];

static int
image_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	(void)ctx;
	if (off > image_len || len > image_len - off)
		return -E_IO;
	memcpy(buf, image + off, len);
	return 0;
}

static long
image_read_data(void *ctx, uint64_t off, const struct io_buf *dst, size_t at, size_t len)
{
	int r;

	(void)ctx;
	if (off > image_len || len > image_len - off)
		return -E_IO;
	r = io_buf_put(dst, at, image + off, len);
	return r ? r : (long)len;
}

static void
put(const char *path, const void *data, size_t len, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/src/%s", workdir, path);
	FILE *f = fopen(p, "wb");
	CHECK(f && fwrite(data, 1, len, f) == len);
	fclose(f);
	chmod(p, mode);
}

static void
dir(const char *path, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/src/%s", workdir, path);
	CHECK(mkdir(p, mode) == 0);
	chmod(p, mode);
}

UNIT_TEST(setup)
{
	char p[512], q[512];

	CHECK(mkdtemp(workdir) != NULL);
	unit_srand(3);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)unit_rand();
	dir("", 0755);
	put("a", "lower a", 7, 0640);
	put("big", big, sizeof(big), 0600);
	dir("d", 0750);
	put("d/x", "xx", 2, 0644);
	put("d/y", "yy", 2, 0644);
	dir("d/sub", 0700);
	put("d/sub/z", "zzz", 3, 0444);
	dir("e", 0755);
	dir("many", 0755);
	for (int i = 0; i < 300; i++) {
		char name[32];
		snprintf(name, sizeof(name), "many/f%03d", i);
		put(name, name, strlen(name), 0644);
	}
	snprintf(p, sizeof(p), "%s/src/a", workdir);
	CHECK(chown(p, 1000, 2000) == 0);
	snprintf(q, sizeof(q), "%s/src/h1", workdir);
	put("h1", "hard", 4, 0644);
	snprintf(p, sizeof(p), "%s/src/h2", workdir);
	CHECK(link(q, p) == 0);
	snprintf(p, sizeof(p), "%s/src/l", workdir);
	CHECK(symlink("d/x", p) == 0);
	snprintf(p, sizeof(p), "mkfs.erofs --quiet %s/img %s/src >/dev/null 2>&1", workdir,
		 workdir);
	CHECK(system(p) == 0);
	snprintf(p, sizeof(p), "%s/img", workdir);
	FILE *f = fopen(p, "rb");
	CHECK(f != NULL);
	fseek(f, 0, SEEK_END);
	image_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	image = malloc(image_len);
	CHECK(fread(image, 1, image_len, f) == image_len);
	fclose(f);
}

/* ---- a fresh overlay ---- */

struct stack {
	struct erofs_fs efs;
	struct vfs_fs *lower, *upper, *ovl;
};

static struct stack S;

static void
up(uint64_t max_pages)
{
	static struct erofs_io io = { NULL, image_read };
	struct erofs_vfs_args ea = { &S.efs, image_read_data, NULL, 1, "vda" };
	struct tmpfs_args ta = { .max_pages = max_pages, .dev = 2 };
	struct overlay_args oa;

	CHECK_EQ(erofs_mount(&S.efs, &io), 0);
	CHECK_EQ(erofs_vfs_mount(&ea, &S.lower), 0);
	CHECK_EQ(tmpfs_mount(&ta, &S.upper), 0);
	oa = (struct overlay_args){ S.upper, S.lower, 3 };
	CHECK_EQ(overlay_mount(&oa, &S.ovl), 0);
}

static void
down(void)
{
	overlay_unmount(S.ovl);
	CHECK_EQ(erofs_vfs_vnodes(S.lower), 1); /* every lower vnode was let go */
	tmpfs_unmount(S.upper);
	erofs_vfs_unmount(S.lower);
}

/* The vnode at a path of fs, or NULL. */
static struct vnode *
at(struct vfs_fs *fs, const char *path)
{
	struct vnode *cur = fs->root, *next;
	const char *p = path;

	vnode_ref(cur);
	while (*p) {
		size_t len = strcspn(p, "/");
		int r = cur->ops->lookup(cur, p, len, &next);

		vnode_unref(cur);
		if (r)
			return NULL;
		cur = next;
		p += len + (p[len] == '/');
	}
	return cur;
}

static bool
exists(struct vfs_fs *fs, const char *path)
{
	struct vnode *vn = at(fs, path);

	if (vn)
		vnode_unref(vn);
	return vn != NULL;
}

/* The whole content of path, NUL-terminated, in a static buffer; NULL if absent. */
static const char *
content(struct vfs_fs *fs, const char *path)
{
	static char buf[sizeof(big) + 1];
	struct vnode *vn = at(fs, path);

	if (!vn)
		return NULL;
	struct io_buf b = io_buf_kernel(buf, sizeof(buf) - 1);
	long n = vn->ops->read(vn, 0, &b, sizeof(buf) - 1);
	vnode_unref(vn);
	buf[n > 0 ? n : 0] = '\0';
	return n >= 0 ? buf : NULL;
}

static long
wr(struct vfs_fs *fs, const char *path, uint64_t off, const char *s)
{
	struct vnode *vn = at(fs, path);
	long n;

	if (!vn)
		return -E_NOENT;
	struct io_buf b = io_buf_kernel((void *)s, strlen(s));
	n = vn->ops->write(vn, off, &b, strlen(s));
	vnode_unref(vn);
	return n;
}

static struct vfs_stat
st(struct vfs_fs *fs, const char *path)
{
	struct vfs_stat s = { 0 };
	struct vnode *vn = at(fs, path);

	CHECK(vn != NULL);
	if (vn) {
		CHECK_EQ(vn->ops->getattr(vn, &s), 0);
		vnode_unref(vn);
	}
	return s;
}

/* Lists a directory: names joined by ',' in order of return. */
static const char *
list(struct vfs_fs *fs, const char *path)
{
	static char out[8192];
	struct vfs_dirent d;
	uint64_t pos = 0;
	struct vnode *vn = at(fs, path);
	int r;

	out[0] = '\0';
	if (!vn)
		return "(none)";
	while ((r = vn->ops->readdir(vn, &pos, &d)) == 1) {
		struct vnode *child;
		/* The entry's type and inode are the object's. */
		CHECK_EQ(vn->ops->lookup(vn, d.name, d.name_len, &child), 0);
		CHECK_EQ(child->ino, d.ino);
		CHECK_EQ(vfs_mode_to_dt(child->mode), d.type);
		vnode_unref(child);
		if (out[0])
			strcat(out, ",");
		strcat(out, d.name);
	}
	CHECK_EQ(r, 0);
	vnode_unref(vn);
	return out;
}

static int
op_remove(struct vfs_fs *fs, const char *dirpath, const char *name, bool want_dir)
{
	struct vnode *d = at(fs, dirpath);
	int r = d->ops->remove(d, name, strlen(name), want_dir);

	vnode_unref(d);
	return r;
}

static int
op_make(struct vfs_fs *fs, const char *dirpath, const char *name, uint32_t mode)
{
	struct vnode *d = at(fs, dirpath), *vn;
	int r = d->ops->create(d, name, strlen(name), mode, 0, &vn);

	vnode_unref(d);
	if (r == 0)
		vnode_unref(vn);
	return r;
}

static int
op_rename(struct vfs_fs *fs, const char *od, const char *on, const char *nd, const char *nn)
{
	struct vnode *a = at(fs, od), *b = at(fs, nd);
	int r = a->ops->rename(a, on, strlen(on), b, nn, strlen(nn));

	vnode_unref(a);
	vnode_unref(b);
	return r;
}

static bool
upper_whiteout(const char *path)
{
	struct vnode *vn = at(S.upper, path);
	bool wh = vn && tmpfs_is_whiteout(vn);

	if (vn)
		vnode_unref(vn);
	return wh;
}

UNIT_TEST(read_through)
{
	up(0);
	CHECK(strcmp(list(S.ovl, ""), "a,big,d,e,h1,h2,l,many") == 0);
	CHECK(strcmp(list(S.ovl, "d"), "sub,x,y") == 0);
	CHECK(strcmp(content(S.ovl, "d/sub/z"), "zzz") == 0);
	CHECK(memcmp(content(S.ovl, "big"), big, sizeof(big)) == 0);
	struct vfs_stat s = st(S.ovl, "a"), l = st(S.lower, "a");
	CHECK_EQ(s.dev, 3);
	CHECK_EQ(s.ino, l.ino);
	CHECK_EQ(s.mode, VFS_S_IFREG | 0640);
	CHECK_EQ(s.uid, 1000);
	CHECK_EQ(st(S.ovl, "h1").ino, st(S.ovl, "h2").ino);
	struct vnode *vn = at(S.ovl, "l");
	char t[16];
	CHECK(vn && vn->ops->readlink(vn, t, sizeof(t)) == 3 && memcmp(t, "d/x", 3) == 0);
	vnode_unref(vn);
	/* One path, one vnode. */
	struct vnode *a1 = at(S.ovl, "d/x"), *a2 = at(S.ovl, "d/x");
	CHECK(a1 == a2);
	vnode_unref(a1);
	vnode_unref(a2);
	CHECK(!exists(S.ovl, "nothing"));
	CHECK(!exists(S.ovl, "a/x"));		   /* a is no directory */
	CHECK(strcmp(list(S.upper, ""), "") == 0); /* reading copies nothing */
	down();
}

UNIT_TEST(copy_up_keeps_content_mode_and_identity)
{
	up(0);
	struct vfs_stat before = st(S.ovl, "a");
	CHECK_EQ(wr(S.ovl, "a", 6, "A!"), 2);
	CHECK(strcmp(content(S.ovl, "a"), "lower A!") == 0);
	CHECK(strcmp(content(S.lower, "a"), "lower a") == 0); /* the lower layer never changes */
	CHECK(strcmp(content(S.upper, "a"), "lower A!") == 0);
	struct vfs_stat after = st(S.ovl, "a");
	CHECK_EQ(after.ino, before.ino);
	CHECK_EQ(after.mode, before.mode);
	CHECK_EQ(after.uid, 1000);
	CHECK_EQ(after.gid, 2000);
	/* Deep: the parents come up first, and still merge. */
	CHECK_EQ(wr(S.ovl, "d/sub/z", 0, "Z"), 1);
	CHECK(exists(S.upper, "d/sub/z"));
	CHECK(!exists(S.upper, "d/x"));
	CHECK(strcmp(list(S.ovl, "d"), "sub,x,y") == 0);
	CHECK_EQ(st(S.ovl, "d").mode, VFS_S_IFDIR | 0750);
	CHECK_EQ(st(S.upper, "d/sub").mode, VFS_S_IFDIR | 0700);
	CHECK(strcmp(content(S.ovl, "d/sub/z"), "Zzz") == 0);
	/* A big file, by truncation; chmod copies up too. */
	struct vnode *b = at(S.ovl, "big");
	CHECK_EQ(b->ops->truncate(b, 100000), 0);
	CHECK_EQ(st(S.ovl, "big").size, 100000);
	CHECK(memcmp(content(S.ovl, "big"), big, 100000) == 0);
	vnode_unref(b);
	struct vnode *y = at(S.ovl, "d/y");
	struct vfs_setattr sa = { .mask = VFS_ATTR_MODE, .mode = 0600 };
	CHECK_EQ(y->ops->setattr(y, &sa), 0);
	CHECK_EQ(y->mode, VFS_S_IFREG | 0600);
	vnode_unref(y);
	CHECK_EQ(st(S.upper, "d/y").mode, VFS_S_IFREG | 0600);
	CHECK(strcmp(content(S.ovl, "d/y"), "yy") == 0);
	/* A holder of the vnode from before sees the copy. */
	struct vnode *h = at(S.ovl, "h1");
	CHECK_EQ(wr(S.ovl, "h1", 0, "HARD"), 4);
	char c[8];
	struct io_buf ib = io_buf_kernel(c, sizeof(c));
	CHECK_EQ(h->ops->read(h, 0, &ib, sizeof(c)), 4);
	CHECK(memcmp(c, "HARD", 4) == 0);
	vnode_unref(h);
	/* A lower hard link breaks on copy-up, as in overlayfs without index. */
	CHECK(strcmp(content(S.ovl, "h2"), "hard") == 0);
	down();
}

UNIT_TEST(delete_and_recreate)
{
	up(0);
	struct vnode *open_a = at(S.ovl, "a");
	CHECK_EQ(op_remove(S.ovl, "", "a", false), 0);
	CHECK(!exists(S.ovl, "a"));
	CHECK(upper_whiteout("a"));
	CHECK(strcmp(list(S.ovl, ""), "big,d,e,h1,h2,l,many") == 0);
	CHECK_EQ(op_remove(S.ovl, "", "a", false), -E_NOENT);
	/* The holder still reads it; it can no longer be copied up. */
	char c[8];
	struct io_buf ib = io_buf_kernel(c, sizeof(c));
	CHECK_EQ(open_a->ops->read(open_a, 0, &ib, sizeof(c)), 7);
	CHECK_EQ(open_a->ops->write(open_a, 0, &ib, 1), -E_NOENT);
	vnode_unref(open_a);
	/* Re-created: a new, empty file in its place. */
	CHECK_EQ(op_make(S.ovl, "", "a", VFS_S_IFREG | 0600), 0);
	CHECK(strcmp(content(S.ovl, "a"), "") == 0);
	CHECK(st(S.ovl, "a").ino & (1ull << 63));
	CHECK(strcmp(list(S.ovl, ""), "a,big,d,e,h1,h2,l,many") == 0);
	CHECK_EQ(op_make(S.ovl, "", "a", VFS_S_IFREG | 0600), -E_EXIST);
	/* An upper-only file goes without a whiteout. */
	CHECK_EQ(op_make(S.ovl, "e", "new", VFS_S_IFREG | 0600), 0);
	CHECK_EQ(op_remove(S.ovl, "e", "new", false), 0);
	CHECK(!exists(S.upper, "e/new"));
	/* A copied-up file deleted: a whiteout replaces the copy. */
	CHECK_EQ(wr(S.ovl, "d/x", 0, "X"), 1);
	CHECK_EQ(op_remove(S.ovl, "d", "x", false), 0);
	CHECK(upper_whiteout("d/x"));
	CHECK(strcmp(list(S.ovl, "d"), "sub,y") == 0);
	/* Kinds. */
	CHECK_EQ(op_remove(S.ovl, "", "d", false), -E_ISDIR);
	CHECK_EQ(op_remove(S.ovl, "", "big", true), -E_NOTDIR);
	down();
}

UNIT_TEST(rmdir_and_opaque_mkdir)
{
	up(0);
	CHECK_EQ(op_remove(S.ovl, "", "d", true), -E_NOTEMPTY);
	CHECK_EQ(op_remove(S.ovl, "d/sub", "z", false), 0);
	CHECK_EQ(op_remove(S.ovl, "d", "sub", true), 0);
	CHECK_EQ(op_remove(S.ovl, "d", "x", false), 0);
	CHECK_EQ(op_remove(S.ovl, "", "d", true), -E_NOTEMPTY);
	CHECK_EQ(op_remove(S.ovl, "d", "y", false), 0);
	CHECK(strcmp(list(S.ovl, "d"), "") == 0);
	/* Empty as merged, though the upper copy holds whiteouts. */
	CHECK_EQ(op_remove(S.ovl, "", "d", true), 0);
	CHECK(!exists(S.ovl, "d"));
	CHECK(upper_whiteout("d"));
	CHECK(strcmp(list(S.ovl, ""), "a,big,e,h1,h2,l,many") == 0);
	/* Made again: opaque, the old lower children stay hidden. */
	CHECK_EQ(op_make(S.ovl, "", "d", VFS_S_IFDIR | 0711), 0);
	struct vnode *u = at(S.upper, "d");
	CHECK(u && tmpfs_is_opaque(u));
	vnode_unref(u);
	CHECK(strcmp(list(S.ovl, "d"), "") == 0);
	CHECK(!exists(S.ovl, "d/x"));
	CHECK(!exists(S.ovl, "d/sub"));
	CHECK_EQ(op_make(S.ovl, "d", "x", VFS_S_IFREG | 0600), 0);
	CHECK(strcmp(content(S.ovl, "d/x"), "") == 0);
	CHECK(strcmp(list(S.ovl, "d"), "x") == 0);
	CHECK_EQ(st(S.ovl, "d").mode, VFS_S_IFDIR | 0711);
	/* A lower directory with no entries goes at once. */
	CHECK_EQ(op_remove(S.ovl, "", "e", true), 0);
	CHECK(!exists(S.ovl, "e"));
	down();
}

UNIT_TEST(renames)
{
	up(0);
	/* A lower file: copied up, moved, a whiteout left behind. */
	CHECK_EQ(op_rename(S.ovl, "", "a", "", "b"), 0);
	CHECK(!exists(S.ovl, "a"));
	CHECK(upper_whiteout("a"));
	CHECK(strcmp(content(S.ovl, "b"), "lower a") == 0);
	CHECK_EQ(st(S.ovl, "b").ino, st(S.lower, "a").ino);
	/* Onto a lower file in another directory: it is hidden. */
	CHECK_EQ(op_rename(S.ovl, "", "b", "d", "x"), 0);
	CHECK(strcmp(content(S.ovl, "d/x"), "lower a") == 0);
	CHECK(strcmp(list(S.ovl, "d"), "sub,x,y") == 0);
	CHECK(strcmp(list(S.ovl, ""), "big,d,e,h1,h2,l,many") == 0);
	/* Lower or merged directories cannot move (no redirect_dir). */
	CHECK_EQ(op_rename(S.ovl, "", "d", "", "dd"), -E_XDEV);
	CHECK_EQ(op_rename(S.ovl, "d", "sub", "", "sub"), -E_XDEV);
	/* Upper directories can; not into themselves. */
	CHECK_EQ(op_make(S.ovl, "", "n", VFS_S_IFDIR | 0755), 0);
	CHECK_EQ(op_make(S.ovl, "n", "m", VFS_S_IFDIR | 0755), 0);
	CHECK_EQ(op_rename(S.ovl, "", "n", "n/m", "x"), -E_INVAL);
	CHECK_EQ(op_rename(S.ovl, "", "n", "", "d"), -E_NOTEMPTY);
	CHECK_EQ(op_rename(S.ovl, "", "n", "", "big"), -E_NOTDIR);
	CHECK_EQ(op_rename(S.ovl, "", "big", "", "n"), -E_ISDIR);
	CHECK_EQ(op_rename(S.ovl, "", "nothing", "", "x"), -E_NOENT);
	/* Onto an (empty) lower directory: the moved one becomes opaque. */
	CHECK_EQ(op_rename(S.ovl, "", "n", "", "e"), 0);
	CHECK(strcmp(list(S.ovl, "e"), "m") == 0);
	struct vnode *u = at(S.upper, "e");
	CHECK(u && tmpfs_is_opaque(u));
	vnode_unref(u);
	CHECK(!exists(S.ovl, "n"));
	/* A whited-out lower name is free to take. */
	CHECK_EQ(op_remove(S.ovl, "d", "y", false), 0);
	CHECK_EQ(op_rename(S.ovl, "d", "x", "d", "y"), 0);
	CHECK(strcmp(content(S.ovl, "d/y"), "lower a") == 0);
	CHECK(strcmp(list(S.ovl, "d"), "sub,y") == 0);
	/* A merged directory emptied, then replaced by a rename. */
	CHECK_EQ(op_remove(S.ovl, "d/sub", "z", false), 0);
	CHECK_EQ(op_make(S.ovl, "", "p", VFS_S_IFDIR | 0755), 0);
	CHECK_EQ(op_make(S.ovl, "p", "q", VFS_S_IFREG | 0644), 0);
	CHECK_EQ(op_rename(S.ovl, "", "p", "d", "sub"), 0);
	CHECK(strcmp(list(S.ovl, "d/sub"), "q") == 0);
	down();
}

UNIT_TEST(hard_link_copies_up)
{
	up(0);
	struct vnode *d = at(S.ovl, "e"), *a = at(S.ovl, "a");
	CHECK_EQ(d->ops->link(d, "a2", 2, a), 0);
	CHECK_EQ(d->ops->link(d, "a2", 2, a), -E_EXIST);
	CHECK_EQ(d->ops->link(d, "dir", 3, d), -E_PERM);
	vnode_unref(d);
	vnode_unref(a);
	CHECK(exists(S.upper, "a") && exists(S.upper, "e/a2"));
	CHECK_EQ(st(S.ovl, "a").nlink, 2);
	CHECK_EQ(wr(S.ovl, "e/a2", 0, "LOWER"), 5);
	CHECK(strcmp(content(S.ovl, "a"), "LOWER a") == 0);
	/* Over a whiteout. */
	CHECK_EQ(op_remove(S.ovl, "d", "x", false), 0);
	d = at(S.ovl, "d");
	a = at(S.ovl, "a");
	CHECK_EQ(d->ops->link(d, "x", 1, a), 0);
	vnode_unref(d);
	vnode_unref(a);
	CHECK(strcmp(content(S.ovl, "d/x"), "LOWER a") == 0);
	CHECK_EQ(st(S.ovl, "a").nlink, 3);
	down();
}

UNIT_TEST(full_upper_layer)
{
	/* 20 pages: the big file (49 pages) cannot be copied up. */
	up(20);
	CHECK_EQ(wr(S.ovl, "d/x", 0, "X"), 1);
	uint64_t used = tmpfs_pages_used(S.upper);
	CHECK_EQ(wr(S.ovl, "big", 0, "!"), -E_NOSPC);
	struct vnode *b = at(S.ovl, "big");
	CHECK_EQ(b->ops->truncate(b, 5), -E_NOSPC);
	vnode_unref(b);
	/* The lower file shows, whole; nothing half-copied remains. */
	CHECK(memcmp(content(S.ovl, "big"), big, sizeof(big)) == 0);
	CHECK(!exists(S.upper, "big"));
	CHECK_EQ(tmpfs_pages_used(S.upper), used);
	CHECK(strcmp(content(S.ovl, "d/x"), "Xx") == 0);
	/* A writer filling it gets a short count, then -E_NOSPC; what it
	 * wrote stays. */
	static char chunk[160 * 1024];
	memset(chunk, 'w', sizeof(chunk) - 1);
	CHECK_EQ(op_make(S.ovl, "", "w", VFS_S_IFREG | 0600), 0);
	long n = wr(S.ovl, "w", 0, chunk);
	CHECK(n > 0 && n < (long)sizeof(chunk) - 1);
	CHECK_EQ(wr(S.ovl, "w", (uint64_t)n, "more"), -E_NOSPC);
	CHECK_EQ(st(S.ovl, "w").size, n);
	CHECK(strcmp(content(S.ovl, "d/x"), "Xx") == 0);
	/* Deleting a lower name needs a whiteout: refused, the name stays. */
	int r = op_remove(S.ovl, "many", "f000", false);
	CHECK(r == 0 || r == -E_NOSPC);
	if (r == -E_NOSPC)
		CHECK(exists(S.ovl, "many/f000"));
	down();
}

/* Every name present for the whole listing is returned exactly once,
 * while names are copied up, deleted and made between the calls. */
UNIT_TEST(readdir_while_copying_up)
{
	up(0);
	static int seen[300];
	static bool gone[300];
	struct vnode *d = at(S.ovl, "many");
	struct vfs_dirent de;
	uint64_t pos = 0;
	char name[32];
	int r, calls = 0;

	unit_srand(9);
	while ((r = d->ops->readdir(d, &pos, &de)) == 1) {
		calls++;
		if (de.name[0] == 'f')
			seen[atoi(de.name + 1)]++;
		int i = (int)(unit_rand() % 300);
		snprintf(name, sizeof(name), "many/f%03d", i);
		if (unit_rand() % 3 == 0 && !gone[i]) {
			snprintf(name, sizeof(name), "f%03d", i);
			CHECK_EQ(op_remove(S.ovl, "many", name, false), 0);
			gone[i] = true;
		} else if (!gone[i]) {
			CHECK_EQ(wr(S.ovl, name, 0, "copied"), 6);
		}
		if (calls <= 200) { /* more each call would never end */
			snprintf(name, sizeof(name), "new%d", calls);
			CHECK_EQ(op_make(S.ovl, "many", name, VFS_S_IFREG | 0600), 0);
		}
	}
	CHECK_EQ(r, 0);
	CHECK(calls < 300 + 200);
	int kept = 0;
	for (int i = 0; i < 300; i++)
		if (!gone[i]) {
			CHECK_EQ(seen[i], 1);
			kept++;
		} else {
			CHECK(seen[i] <= 1);
		}
	CHECK(kept > 100);
	vnode_unref(d);
	down();
}

UNIT_TEST(oci_layer_markers)
{
	up(0);
	struct vnode *root = S.upper->root, *vn;
	/* As an unpacker would: a layer that deletes a and makes d opaque. */
	CHECK_EQ(overlay_layer_entry(root, "plain", 5), 0);
	CHECK_EQ(overlay_layer_entry(root, ".wh.a", 5), 1);
	CHECK_EQ(overlay_layer_entry(root, ".wh.", 4), -E_INVAL);
	CHECK_EQ(tmpfs_create_ex(root, "d", 1, VFS_S_IFDIR | 0755, 0, NULL, 0, 0, &vn), 0);
	CHECK_EQ(overlay_layer_entry(vn, ".wh..wh..opq", 12), 1);
	CHECK_EQ(tmpfs_create_ex(vn, "new", 3, VFS_S_IFREG | 0644, 0, NULL, 0, 0, NULL), 0);
	vnode_unref(vn);
	CHECK(!exists(S.ovl, "a"));
	CHECK(strcmp(list(S.ovl, "d"), "new") == 0);
	CHECK(strcmp(list(S.ovl, ""), "big,d,e,h1,h2,l,many") == 0);
	/* A later layer's whiteout over a file an earlier one made. */
	CHECK_EQ(overlay_layer_entry(root, ".wh.d", 5), -E_NOTEMPTY);
	CHECK_EQ(tmpfs_create_ex(root, "f", 1, VFS_S_IFREG, 0, NULL, 0, 0, NULL), 0);
	CHECK_EQ(overlay_layer_entry(root, ".wh.f", 5), 1);
	CHECK(!exists(S.ovl, "f"));
	down();
}

/* ---- random operations against a model of the merged tree ---- */

enum {
	RN = 16
};
static const char *rdirs[] = { "d", "e", "many" };

struct rmodel {
	bool present[3][RN];
	char data[3][RN][64];
};

UNIT_TEST(random_operations_match_a_model)
{
	static struct rmodel m;
	char name[16], path[64];

	up(0);
	unit_srand(0xabc);
	memset(&m, 0, sizeof(m));
	/* Start from what the lower layer has. */
	for (int d = 0; d < 3; d++)
		for (int i = 0; i < RN; i++) {
			snprintf(path, sizeof(path), "%s/f%03d", rdirs[d], i);
			const char *c = content(S.ovl, path);
			m.present[d][i] = c != NULL;
			if (c)
				strcpy(m.data[d][i], c);
		}
	for (int step = 0; step < 3000; step++) {
		int d = (int)(unit_rand() % 3), i = (int)(unit_rand() % RN);
		snprintf(name, sizeof(name), "f%03d", i);
		snprintf(path, sizeof(path), "%s/%s", rdirs[d], name);
		switch (unit_rand() % 5) {
		case 0:
			CHECK_EQ(op_make(S.ovl, rdirs[d], name, VFS_S_IFREG | 0600),
				 m.present[d][i] ? -E_EXIST : 0);
			if (!m.present[d][i])
				m.data[d][i][0] = '\0';
			m.present[d][i] = true;
			break;
		case 1:
			CHECK_EQ(op_remove(S.ovl, rdirs[d], name, false),
				 m.present[d][i] ? 0 : -E_NOENT);
			m.present[d][i] = false;
			break;
		case 2:
			if (!m.present[d][i] || strlen(m.data[d][i]) > 50)
				break;
			CHECK_EQ(wr(S.ovl, path, strlen(m.data[d][i]), "w"), 1);
			strcat(m.data[d][i], "w");
			break;
		case 3: {
			int d2 = (int)(unit_rand() % 3), j = (int)(unit_rand() % RN);
			char name2[16];
			snprintf(name2, sizeof(name2), "f%03d", j);
			int r = op_rename(S.ovl, rdirs[d], name, rdirs[d2], name2);
			CHECK_EQ(r, m.present[d][i] ? 0 : -E_NOENT);
			if (r == 0 && (d != d2 || i != j)) {
				strcpy(m.data[d2][j], m.data[d][i]);
				m.present[d2][j] = true;
				m.present[d][i] = false;
			}
			break;
		}
		case 4: {
			const char *c = content(S.ovl, path);
			CHECK_EQ(c != NULL, m.present[d][i]);
			if (c && m.present[d][i])
				CHECK(strcmp(c, m.data[d][i]) == 0);
			break;
		}
		}
	}
	/* Listings agree with the model. */
	for (int d = 0; d < 3; d++) {
		const char *l = list(S.ovl, rdirs[d]);
		for (int i = 0; i < RN; i++) {
			snprintf(name, sizeof(name), "f%03d", i);
			CHECK_EQ(strstr(l, name) != NULL, m.present[d][i]);
		}
	}
	down();
}

UNIT_TEST(cleanup)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
	CHECK(system(cmd) == 0);
	free(image);
}

UNIT_MAIN();
