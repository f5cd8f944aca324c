/*
 * The overlay.  An overlay vnode (struct ovl_node) stands for one path:
 * its upper vnode (once it exists there), its lower vnode (a lower-only
 * object, the lower object a copy-up came from, or the lower directory
 * a merged directory shows), its parent node and its name.  Nodes are
 * kept in a table keyed by (parent, name), so one path is one node
 * while referenced and a copy-up is seen by every holder.  A removed or
 * replaced name takes its node out of the table; the node keeps working
 * for its holders (reads), but can no longer be copied up (-E_NOENT).
 *
 * Rules (overlayfs's, one lower layer, no redirect_dir, no index):
 * - lookup: an upper whiteout hides the name; an upper non-directory
 *   hides the lower entry; an upper directory merges with a lower
 *   directory of the same name unless it is opaque.
 * - readdir: first the lower directory's entries that the upper layer
 *   does not whiteout (with the upper's type and inode when the name is
 *   also in the upper layer), then the upper entries that are no
 *   whiteouts and have no lower entry of that name.  The position is
 *   the lower layer's, or the upper layer's with bit 63 set.  A copy-up
 *   or a new entry over a whited-out lower name moves no name from one
 *   half to the other, so a listing shows every name present for its
 *   whole duration exactly once.
 * - changing a lower object copies it up first (data, mode, owner,
 *   mtime; parents first); the copy is made under its final name but
 *   the node only points at it once complete, and a failed copy (the
 *   upper layer full: -E_NOSPC) is removed again.
 * - removing a name the lower layer has leaves a whiteout; a directory
 *   made where the lower layer has the name is opaque.
 * - renaming a directory that has a lower part is -E_XDEV (overlayfs
 *   without redirect_dir; programs fall back to copying).
 * - st_ino: the lower object's for lower and copied-up objects (the
 *   upper copy remembers it as its origin), the upper's with bit 63 set
 *   for objects made in the upper layer; st_dev is the overlay's.
 *
 * Locking: fs->lock serializes lookups (the table), copy-ups and every
 * change of names; reads, writes to copied-up files, getattr and
 * readdir run without it, on the layers' own locks.  A node's upper
 * pointer is set once, with release ordering, under fs->lock.
 */
#include "fs/overlay.h"

#include "fs/tmpfs.h"
#include "lib/list.h"
#include "lib/string.h"
#include "themelios/errno.h"

#define UPPER_POS  ((uint64_t)1 << 63)
#define UPPER_INO  ((uint64_t)1 << 63)
#define WH_PREFIX  ".wh."
#define WH_OPAQUE  ".wh..wh..opq"
#define COPY_CHUNK FS_PAGE_SIZE

struct ovl_fs {
	struct vfs_fs vfs;
	struct vfs_fs *upper, *lower;
	struct fs_mutex lock;
	struct ovl_node **buckets;
	uint32_t nbuckets, count;
};

struct ovl_node {
	struct vnode vn;
	struct vnode *upper; /* set once (copy-up), then fixed */
	struct vnode *lower; /* fixed */
	struct ovl_node *parent;
	char *name;
	size_t len;
	uint64_t hash;
	struct ovl_node *hnext;
	bool hashed;
};

static const struct vnode_ops ovl_ops;

static struct ovl_node *
on(const struct vnode *vn)
{
	return container_of(vn, struct ovl_node, vn);
}

static struct ovl_fs *
ofs(const struct vnode *vn)
{
	return vn->fs->priv;
}

static struct vnode *
upper_of(const struct ovl_node *n)
{
	return __atomic_load_n(&n->upper, __ATOMIC_ACQUIRE);
}

/* The lower directory a directory node shows: none once opaque. */
static struct vnode *
merged_lower(const struct ovl_node *n)
{
	struct vnode *u = upper_of(n);

	if (!n->lower || !VFS_S_ISDIR(n->lower->mode))
		return NULL;
	return u && tmpfs_is_opaque(u) ? NULL : n->lower;
}

static uint64_t
upper_ino(const struct vnode *u)
{
	uint64_t origin = tmpfs_origin(u);

	return origin ? origin - 1 : u->ino | UPPER_INO;
}

static bool
ref_if_live(struct vnode *vn)
{
	uint32_t refs = __atomic_load_n(&vn->refs, __ATOMIC_RELAXED);

	while (refs)
		if (__atomic_compare_exchange_n(&vn->refs, &refs, refs + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

/* ---- the table of nodes by (parent, name); fs->lock held ---- */

static uint64_t
key_hash(const struct ovl_node *parent, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(uintptr_t)parent;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static void
unhash(struct ovl_fs *fs, struct ovl_node *n)
{
	struct ovl_node **pp;

	if (!n->hashed)
		return;
	pp = &fs->buckets[n->hash & (fs->nbuckets - 1)];
	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
	n->hashed = false;
	fs->count--;
}

static void
table_grow(struct ovl_fs *fs)
{
	uint32_t nb = fs->nbuckets * 2;
	struct ovl_node **b = fs_zalloc(nb * sizeof(*b));

	if (!b)
		return;
	for (uint32_t i = 0; i < fs->nbuckets; i++)
		for (struct ovl_node *n = fs->buckets[i], *next; n; n = next) {
			next = n->hnext;
			n->hnext = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	fs_free(fs->buckets);
	fs->buckets = b;
	fs->nbuckets = nb;
}

static void
rehash(struct ovl_fs *fs, struct ovl_node *n)
{
	if (fs->count >= 2 * fs->nbuckets && fs->nbuckets < (1u << 24))
		table_grow(fs);
	n->hash = key_hash(n->parent, n->name, n->len);
	n->hnext = fs->buckets[n->hash & (fs->nbuckets - 1)];
	fs->buckets[n->hash & (fs->nbuckets - 1)] = n;
	n->hashed = true;
	fs->count++;
}

static struct ovl_node *
table_find(struct ovl_fs *fs, struct ovl_node *parent, const char *name, size_t len)
{
	uint64_t h = key_hash(parent, name, len);

	for (struct ovl_node *n = fs->buckets[h & (fs->nbuckets - 1)]; n; n = n->hnext) {
		if (n->parent != parent || n->len != len || memcmp(n->name, name, len) != 0)
			continue;
		if (ref_if_live(&n->vn))
			return n;
		unhash(fs, n); /* dying: its release frees it */
		return NULL;
	}
	return NULL;
}

/* A node for (parent, name) over the layers' vnodes, whose references
 * it takes; NULL when memory is short. */
static struct ovl_node *
node_new(struct ovl_fs *fs, struct ovl_node *parent, const char *name, size_t len,
	 struct vnode *upper, struct vnode *lower)
{
	struct ovl_node *n = fs_zalloc(sizeof(*n));
	struct vnode *shown = upper ? upper : lower;

	if (!n)
		return NULL;
	n->name = fs_zalloc(len + 1);
	if (!n->name) {
		fs_free(n);
		return NULL;
	}
	memcpy(n->name, name, len);
	n->len = len;
	vnode_init(&n->vn, &ovl_ops, &fs->vfs, shown->mode,
		   upper && !(lower && parent == NULL) ? upper_ino(upper) : lower->ino);
	n->vn.priv = n;
	n->upper = upper;
	n->lower = lower;
	if (parent) {
		vnode_ref(&parent->vn);
		n->parent = parent;
		rehash(fs, n);
	}
	return n;
}

static void
ovl_release(struct vnode *vn)
{
	struct ovl_node *n = on(vn);
	struct ovl_fs *fs = ofs(vn);

	fs_mutex_lock(&fs->lock);
	unhash(fs, n);
	fs_mutex_unlock(&fs->lock);
	if (n->upper)
		vnode_unref(n->upper);
	if (n->lower)
		vnode_unref(n->lower);
	if (n->parent)
		vnode_unref(&n->parent->vn);
	fs_free(n->name);
	fs_free(n);
}

/* ---- lookup (fs->lock held) ---- */

static int
layer_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	int r;

	*out = NULL;
	if (!dir)
		return 0;
	r = dir->ops->lookup(dir, name, len, out);
	return r == -E_NOENT ? 0 : r;
}

/* Whether the lower directory shown in dir has name. */
static int
lower_has(struct ovl_node *dir, const char *name, size_t len)
{
	struct vnode *l;
	int r = layer_lookup(merged_lower(dir), name, len, &l);

	if (r < 0)
		return r;
	if (l)
		vnode_unref(l);
	return l != NULL;
}

static int
find(struct ovl_fs *fs, struct ovl_node *dir, const char *name, size_t len, struct ovl_node **out)
{
	struct vnode *u, *l = NULL;
	int r;

	*out = table_find(fs, dir, name, len);
	if (*out)
		return 0;
	r = layer_lookup(upper_of(dir), name, len, &u);
	if (r < 0)
		return r;
	if (u && tmpfs_is_whiteout(u)) {
		vnode_unref(u);
		return -E_NOENT;
	}
	if (!u || (VFS_S_ISDIR(u->mode) && !tmpfs_is_opaque(u))) {
		r = layer_lookup(merged_lower(dir), name, len, &l);
		if (r < 0)
			goto fail;
		if (u && l && !VFS_S_ISDIR(l->mode)) {
			vnode_unref(l); /* an upper directory hides a lower file */
			l = NULL;
		}
	}
	if (!u && !l)
		return -E_NOENT;
	*out = node_new(fs, dir, name, len, u, l);
	if (*out)
		return 0;
	r = -E_NOMEM;
	if (l)
		vnode_unref(l);
fail:
	if (u)
		vnode_unref(u);
	return r;
}

static int
ovl_lookup(struct vnode *dvn, const char *name, size_t len, struct vnode **out)
{
	struct ovl_fs *fs = ofs(dvn);
	struct ovl_node *n;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (!VFS_S_ISDIR(dvn->mode))
		return -E_NOTDIR;
	fs_mutex_lock(&fs->lock);
	r = find(fs, on(dvn), name, len, &n);
	fs_mutex_unlock(&fs->lock);
	if (r == 0)
		*out = &n->vn;
	return r;
}

/* ---- readdir ---- */

static bool
is_whiteout_entry(struct vnode *upper_dir, const struct vfs_dirent *d)
{
	struct vnode *u;
	bool wh;

	if (d->type != VFS_DT_CHR)
		return false;
	if (upper_dir->ops->lookup(upper_dir, d->name, d->name_len, &u) != 0)
		return false;
	wh = tmpfs_is_whiteout(u);
	vnode_unref(u);
	return wh;
}

static int
ovl_readdir(struct vnode *dvn, uint64_t *pos, struct vfs_dirent *d)
{
	struct ovl_node *dir = on(dvn);
	struct vnode *upper = upper_of(dir), *lower = merged_lower(dir), *u;
	int r;

	if (!VFS_S_ISDIR(dvn->mode))
		return -E_NOTDIR;
	if (!(*pos & UPPER_POS) && *pos && !lower)
		return -E_INVAL;
	while (!(*pos & UPPER_POS) && lower) {
		r = lower->ops->readdir(lower, pos, d);
		if (r <= 0) {
			if (r < 0)
				return r;
			break;
		}
		if (*pos & UPPER_POS)
			return -E_CORRUPT; /* a position the split cannot hold */
		r = layer_lookup(upper, d->name, d->name_len, &u);
		if (r < 0)
			return r;
		if (!u)
			return 1;
		/* The name is the upper object's now (a copy keeps its
		 * origin's inode number). */
		bool hidden = tmpfs_is_whiteout(u);
		d->type = vfs_mode_to_dt(u->mode);
		d->ino = upper_ino(u);
		vnode_unref(u);
		if (!hidden)
			return 1;
	}
	if (!(*pos & UPPER_POS))
		*pos = UPPER_POS;
	if (!upper)
		return 0;
	for (;;) {
		uint64_t p = *pos & ~UPPER_POS;

		r = upper->ops->readdir(upper, &p, d);
		if (r <= 0)
			return r;
		*pos = p | UPPER_POS;
		if (is_whiteout_entry(upper, d))
			continue;
		r = lower_has(dir, d->name, d->name_len);
		if (r < 0)
			return r;
		if (r)
			continue; /* listed with the lower entries */
		if (upper->ops->lookup(upper, d->name, d->name_len, &u) == 0) {
			d->ino = upper_ino(u);
			vnode_unref(u);
		}
		return 1;
	}
}

/* Whether a directory shows no entries at all. */
static int
dir_empty(struct ovl_node *n)
{
	struct vfs_dirent *d = fs_zalloc(sizeof(*d));
	uint64_t pos = 0;
	int r;

	if (!d)
		return -E_NOMEM;
	r = ovl_readdir(&n->vn, &pos, d);
	fs_free(d);
	return r < 0 ? r : r == 0;
}

/* ---- copy-up (fs->lock held) ---- */

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The lower file's data into the new upper file; holes stay holes. */
static int
copy_data(struct vnode *l, struct vnode *u, uint64_t size)
{
	uint8_t *buf = fs_zalloc(COPY_CHUNK);
	struct io_buf b = io_buf_kernel(buf, COPY_CHUNK);
	uint64_t off = 0;
	int r = 0;

	if (!buf)
		return -E_NOMEM;
	while (off < size) {
		long n = l->ops->read(l, off, &b, COPY_CHUNK);

		if (n <= 0) {
			r = n < 0 ? (int)n : -E_IO; /* shorter than it said */
			break;
		}
		if (!all_zero(buf, (size_t)n)) {
			long w = u->ops->write(u, off, &b, (size_t)n);

			if (w != n) {
				r = w < 0 ? (int)w : -E_NOSPC;
				break;
			}
		}
		off += (uint64_t)n;
	}
	if (r == 0)
		r = u->ops->truncate(u, size);
	fs_free(buf);
	return r;
}

/* Copies one node whose parent is already in the upper layer. */
static int
copy_up_one(struct ovl_node *n)
{
	struct vnode *l = n->lower, *pu = upper_of(n->parent), *u = NULL;
	struct vfs_stat st;
	char *target = NULL;
	long tlen = 0;
	int r;

	r = l->ops->getattr(l, &st);
	if (r < 0)
		return r;
	if (VFS_S_ISLNK(st.mode)) {
		target = fs_zalloc(VFS_SYMLINK_MAX + 1);
		if (!target)
			return -E_NOMEM;
		tlen = l->ops->readlink(l, target, VFS_SYMLINK_MAX);
		if (tlen < 0) {
			fs_free(target);
			return (int)tlen;
		}
	}
	r = tmpfs_create_ex(pu, n->name, n->len, st.mode, st.rdev, target, (size_t)tlen, 0, &u);
	fs_free(target);
	if (r < 0)
		return r;
	if (VFS_S_ISREG(st.mode))
		r = copy_data(l, u, st.size);
	if (r == 0) {
		struct vfs_setattr a = { VFS_ATTR_MODE | VFS_ATTR_UID | VFS_ATTR_GID |
						 VFS_ATTR_MTIME,
					 st.mode,
					 st.uid,
					 st.gid,
					 st.mtime_sec,
					 st.mtime_nsec };

		r = u->ops->setattr(u, &a);
	}
	if (r < 0) {
		/* Nothing half-copied stays: the lower object shows again. */
		pu->ops->remove(pu, n->name, n->len, VFS_S_ISDIR(st.mode));
		vnode_unref(u);
		return r;
	}
	tmpfs_set_origin(u, n->vn.ino + 1);
	__atomic_store_n(&n->upper, u, __ATOMIC_RELEASE);
	return 0;
}

/* Parents first: each round copies the highest ancestor not yet up. */
static int
copy_up(struct ovl_node *n)
{
	while (!upper_of(n)) {
		struct ovl_node *a = n;

		while (a->parent && !upper_of(a->parent))
			a = a->parent;
		if (!a->hashed)
			return -E_NOENT; /* removed: it has no name to copy to */
		int r = copy_up_one(a);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
copy_up_locked(struct ovl_node *n)
{
	struct ovl_fs *fs = ofs(&n->vn);
	int r;

	if (upper_of(n))
		return 0;
	fs_mutex_lock(&fs->lock);
	r = copy_up(n);
	fs_mutex_unlock(&fs->lock);
	return r;
}

/* ---- changing names ---- */

static int
make(struct vnode *dvn, const char *name, size_t len, uint32_t mode, uint32_t rdev,
     const char *target, size_t tlen, struct vnode **out)
{
	struct ovl_fs *fs = ofs(dvn);
	struct ovl_node *dir = on(dvn), *n;
	struct vnode *u = NULL;
	unsigned flags = TMPFS_REPLACE_WHITEOUT;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (!VFS_S_ISDIR(dvn->mode))
		return -E_NOTDIR;
	fs_mutex_lock(&fs->lock);
	r = find(fs, dir, name, len, &n);
	if (r == 0) {
		fs_mutex_unlock(&fs->lock);
		vnode_unref(&n->vn);
		return -E_EXIST;
	}
	if (r != -E_NOENT)
		goto out;
	r = copy_up(dir);
	if (r < 0)
		goto out;
	/* A directory over a whited-out lower name must not merge with it. */
	r = VFS_S_ISDIR(mode) ? lower_has(dir, name, len) : 0;
	if (r < 0)
		goto out;
	if (r)
		flags |= TMPFS_OPAQUE;
	r = tmpfs_create_ex(upper_of(dir), name, len, mode, rdev, target, tlen, flags, &u);
	if (r < 0)
		goto out;
	n = node_new(fs, dir, name, len, u, NULL);
	if (!n) {
		upper_of(dir)->ops->remove(upper_of(dir), name, len, VFS_S_ISDIR(mode));
		vnode_unref(u);
		r = -E_NOMEM;
		goto out;
	}
	*out = &n->vn;
out:
	fs_mutex_unlock(&fs->lock);
	return r;
}

static int
ovl_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
	   struct vnode **out)
{
	if (VFS_S_ISLNK(mode) || (mode & VFS_S_IFMT) == 0)
		return -E_INVAL;
	return make(dir, name, len, mode, rdev, NULL, 0, out);
}

static int
ovl_symlink(struct vnode *dir, const char *name, size_t len, const char *target, size_t tlen,
	    struct vnode **out)
{
	return make(dir, name, len, VFS_S_IFLNK | 0777, 0, target, tlen, out);
}

static int
ovl_link(struct vnode *dvn, const char *name, size_t len, struct vnode *vn)
{
	struct ovl_fs *fs = ofs(dvn);
	struct ovl_node *dir = on(dvn), *n;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (vn->fs != dvn->fs)
		return -E_XDEV;
	if (!VFS_S_ISDIR(dvn->mode))
		return -E_NOTDIR;
	if (VFS_S_ISDIR(vn->mode))
		return -E_PERM;
	fs_mutex_lock(&fs->lock);
	r = find(fs, dir, name, len, &n);
	if (r == 0) {
		fs_mutex_unlock(&fs->lock);
		vnode_unref(&n->vn);
		return -E_EXIST;
	}
	if (r == -E_NOENT)
		r = copy_up(on(vn));
	if (r == 0)
		r = copy_up(dir);
	if (r == 0)
		r = tmpfs_link_ex(upper_of(dir), name, len, upper_of(on(vn)),
				  TMPFS_REPLACE_WHITEOUT);
	fs_mutex_unlock(&fs->lock);
	return r;
}

static int
ovl_remove(struct vnode *dvn, const char *name, size_t len, bool want_dir)
{
	struct ovl_fs *fs = ofs(dvn);
	struct ovl_node *dir = on(dvn), *n = NULL;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (!VFS_S_ISDIR(dvn->mode))
		return -E_NOTDIR;
	fs_mutex_lock(&fs->lock);
	r = find(fs, dir, name, len, &n);
	if (r < 0)
		goto out;
	if (want_dir && !VFS_S_ISDIR(n->vn.mode))
		r = -E_NOTDIR;
	else if (!want_dir && VFS_S_ISDIR(n->vn.mode))
		r = -E_ISDIR;
	else if (want_dir)
		r = dir_empty(n) == 1 ? 0 : -E_NOTEMPTY;
	if (r == 0)
		r = copy_up(dir);
	if (r == 0)
		r = lower_has(dir, name, len);
	if (r == 1) /* the lower name must stay hidden */
		r = tmpfs_whiteout(upper_of(dir), name, len, TMPFS_REPLACE_ANY);
	else if (r == 0)
		r = upper_of(dir)->ops->remove(upper_of(dir), name, len, want_dir);
	if (r == 0)
		unhash(fs, n);
out:
	fs_mutex_unlock(&fs->lock);
	if (n)
		vnode_unref(&n->vn);
	return r;
}

static int
rename_check(struct ovl_node *src, struct ovl_node *dst, struct ovl_node *ndir)
{
	bool sdir = VFS_S_ISDIR(src->vn.mode);

	if (sdir && src->lower)
		return -E_XDEV; /* a lower or merged directory: no redirect_dir */
	if (dst) {
		bool ddir = VFS_S_ISDIR(dst->vn.mode);

		if (sdir && !ddir)
			return -E_NOTDIR;
		if (!sdir && ddir)
			return -E_ISDIR;
		if (ddir && dir_empty(dst) != 1)
			return -E_NOTEMPTY;
	}
	if (sdir)
		for (struct ovl_node *p = ndir; p; p = p->parent)
			if (p == src)
				return -E_INVAL;
	return 0;
}

static int
ovl_rename(struct vnode *odvn, const char *oname, size_t olen, struct vnode *ndvn,
	   const char *nname, size_t nlen)
{
	struct ovl_fs *fs = ofs(odvn);
	struct ovl_node *odir = on(odvn), *ndir = on(ndvn), *src = NULL, *dst = NULL, *old = NULL;
	unsigned flags = TMPFS_REPLACE_WHITEOUT | TMPFS_REPLACE_ANY;
	char *newname = NULL;
	bool opaque_was = false, opaque_set = false;
	int r = vfs_name_check(oname, olen);

	if (r == 0)
		r = vfs_name_check(nname, nlen);
	if (r < 0)
		return r;
	if (odvn->fs != ndvn->fs)
		return -E_XDEV;
	if (!VFS_S_ISDIR(odvn->mode) || !VFS_S_ISDIR(ndvn->mode))
		return -E_NOTDIR;
	fs_mutex_lock(&fs->lock);
	r = find(fs, odir, oname, olen, &src);
	if (r < 0)
		goto out;
	r = find(fs, ndir, nname, nlen, &dst);
	if (r == -E_NOENT)
		r = 0;
	if (r < 0)
		goto out;
	if (dst == src || (dst && upper_of(dst) && upper_of(dst) == upper_of(src)))
		goto out; /* one object: nothing to do */
	r = rename_check(src, dst, ndir);
	if (r == 0)
		r = copy_up(src);
	if (r == 0)
		r = copy_up(ndir);
	if (r == 0)
		r = lower_has(odir, oname, olen);
	if (r == 1)
		flags |= TMPFS_LEAVE_WHITEOUT;
	if (r >= 0)
		r = VFS_S_ISDIR(src->vn.mode) ? lower_has(ndir, nname, nlen) : 0;
	if (r == 1) { /* a directory moving over a lower name hides it */
		opaque_was = tmpfs_is_opaque(upper_of(src));
		opaque_set = true;
		tmpfs_set_opaque(upper_of(src), true);
	}
	if (r >= 0) {
		newname = fs_zalloc(nlen + 1);
		r = newname ? 0 : -E_NOMEM;
	}
	if (r == 0)
		r = tmpfs_rename_ex(upper_of(odir), oname, olen, upper_of(ndir), nname, nlen,
				    flags);
	if (r < 0) {
		if (opaque_set)
			tmpfs_set_opaque(upper_of(src), opaque_was);
		fs_free(newname);
		goto out;
	}
	if (dst)
		unhash(fs, dst);
	unhash(fs, src);
	old = src->parent;
	vnode_ref(&ndir->vn);
	src->parent = ndir;
	fs_free(src->name);
	memcpy(newname, nname, nlen);
	src->name = newname;
	src->len = nlen;
	rehash(fs, src);
out:
	fs_mutex_unlock(&fs->lock);
	if (src)
		vnode_unref(&src->vn);
	if (dst)
		vnode_unref(&dst->vn);
	if (old)
		vnode_unref(&old->vn);
	return r;
}

/* ---- data and attributes ---- */

static long
ovl_read(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len)
{
	struct vnode *u = upper_of(on(vn)), *l = u ? u : on(vn)->lower;

	return l->ops->read(l, off, buf, len);
}

static long
ovl_write(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len)
{
	int r;

	if (VFS_S_ISDIR(vn->mode))
		return -E_ISDIR;
	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	r = copy_up_locked(on(vn));
	if (r < 0)
		return r;
	return upper_of(on(vn))->ops->write(upper_of(on(vn)), off, buf, len);
}

static int
ovl_truncate(struct vnode *vn, uint64_t size)
{
	int r;

	if (VFS_S_ISDIR(vn->mode))
		return -E_ISDIR;
	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	r = copy_up_locked(on(vn));
	if (r < 0)
		return r;
	return upper_of(on(vn))->ops->truncate(upper_of(on(vn)), size);
}

static int
ovl_setattr(struct vnode *vn, const struct vfs_setattr *a)
{
	struct vnode *u;
	int r = copy_up_locked(on(vn));

	if (r < 0)
		return r;
	u = upper_of(on(vn));
	r = u->ops->setattr(u, a);
	if (r == 0)
		__atomic_store_n(&vn->mode, u->mode, __ATOMIC_RELAXED);
	return r;
}

static int
ovl_fsync(struct vnode *vn)
{
	struct vnode *u = upper_of(on(vn));

	return u && u->ops->fsync ? u->ops->fsync(u) : 0;
}

static long
ovl_readlink(struct vnode *vn, char *buf, size_t size)
{
	struct vnode *u = upper_of(on(vn)), *l = u ? u : on(vn)->lower;

	return l->ops->readlink(l, buf, size);
}

static int
ovl_getattr(struct vnode *vn, struct vfs_stat *st)
{
	struct vnode *u = upper_of(on(vn)), *l = u ? u : on(vn)->lower;
	int r = l->ops->getattr(l, st);

	if (r == 0) {
		st->dev = vn->fs->dev;
		st->ino = vn->ino;
	}
	return r;
}

static const struct vnode_ops ovl_ops = {
	.lookup = ovl_lookup,
	.readdir = ovl_readdir,
	.create = ovl_create,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.remove = ovl_remove,
	.rename = ovl_rename,
	.read = ovl_read,
	.write = ovl_write,
	.truncate = ovl_truncate,
	.fsync = ovl_fsync,
	.readlink = ovl_readlink,
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.release = ovl_release,
};

/* ---- instances ---- */

int
overlay_mount(const struct overlay_args *a, struct vfs_fs **out)
{
	struct ovl_fs *fs;
	struct ovl_node *root;

	if (!tmpfs_is_tmpfs(a->upper->root))
		return -E_INVAL;
	if (!VFS_S_ISDIR(a->upper->root->mode) || !VFS_S_ISDIR(a->lower->root->mode))
		return -E_NOTDIR;
	fs = fs_zalloc(sizeof(*fs));
	if (!fs)
		return -E_NOMEM;
	fs->nbuckets = 64;
	fs->buckets = fs_zalloc(fs->nbuckets * sizeof(*fs->buckets));
	fs_mutex_init(&fs->lock, "overlay");
	fs->upper = a->upper;
	fs->lower = a->lower;
	fs->vfs.type = "overlay";
	strlcpy(fs->vfs.source, "overlay", sizeof(fs->vfs.source));
	fs->vfs.dev = a->dev;
	fs->vfs.priv = fs;
	vnode_ref(a->upper->root);
	vnode_ref(a->lower->root);
	root = fs->buckets ? node_new(fs, NULL, "", 0, a->upper->root, a->lower->root) : NULL;
	if (!root) {
		vnode_unref(a->upper->root);
		vnode_unref(a->lower->root);
		fs_free(fs->buckets);
		fs_free(fs);
		return -E_NOMEM;
	}
	fs->vfs.root = &root->vn;
	*out = &fs->vfs;
	return 0;
}

void
overlay_unmount(struct vfs_fs *vfs)
{
	struct ovl_fs *fs = vfs->priv;

	vnode_unref(vfs->root);
	fs_free(fs->buckets);
	fs_free(fs);
}

int
overlay_layer_entry(struct vnode *dir, const char *name, size_t len)
{
	size_t plen = sizeof(WH_PREFIX) - 1;

	if (len == sizeof(WH_OPAQUE) - 1 && memcmp(name, WH_OPAQUE, len) == 0) {
		if (!tmpfs_is_tmpfs(dir) || !VFS_S_ISDIR(dir->mode))
			return -E_NOTDIR;
		tmpfs_set_opaque(dir, true);
		return 1;
	}
	if (len < plen || memcmp(name, WH_PREFIX, plen) != 0)
		return 0;
	if (len == plen)
		return -E_INVAL;
	int r = tmpfs_whiteout(dir, name + plen, len - plen, TMPFS_REPLACE_ANY);
	return r == -E_EXIST ? -E_NOTEMPTY : r < 0 ? r : 1;
}
