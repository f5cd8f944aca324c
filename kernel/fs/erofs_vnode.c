/*
 * EROFS inodes as vnodes.  An instance keeps a hash table of the vnodes
 * alive, by nid, so that one inode is one vnode while anybody holds it
 * (hard links give the same vnode); release removes and frees it.
 *
 * The table and its count are the only shared state, under fs->lock.
 * The image never changes, so reads, lookups and readdir take no lock;
 * inodes are read with the lock dropped.
 *
 * A vnode whose count reached zero may still sit in the table until its
 * release takes the lock.  A lookup never revives it (a count goes up
 * from zero only once, at creation): it takes such an entry out of the
 * table and makes a new vnode, and release frees a vnode no longer in
 * the table without touching the table.
 */
#include "fs/erofs_vnode.h"

#include "lib/list.h"
#include "lib/string.h"
#include "themelios/errno.h"

#define IO_MAX ((size_t)1 << 30)

struct evfs {
	struct vfs_fs vfs;
	struct erofs_vfs_args args;
	struct fs_mutex lock;
	struct evnode **buckets;
	uint32_t nbuckets, count;
};

struct evnode {
	struct vnode vn;
	struct erofs_inode ino;
	struct evnode *hnext;
	bool hashed;
};

static const struct vnode_ops erofs_vnode_ops;

static struct evnode *
ev_of(const struct vnode *vn)
{
	return container_of(vn, struct evnode, vn);
}

static struct evfs *
fs_of(const struct vnode *vn)
{
	return vn->fs->priv;
}

/* A reference, unless the count already reached zero. */
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

static uint32_t
bucket_of(const struct evfs *fs, uint64_t nid)
{
	return (uint32_t)((nid * 0x9e3779b97f4a7c15ull) >> 32) & (fs->nbuckets - 1);
}

static void
unhash(struct evfs *fs, struct evnode *ev)
{
	struct evnode **pp = &fs->buckets[bucket_of(fs, ev->ino.nid)];

	while (*pp != ev)
		pp = &(*pp)->hnext;
	*pp = ev->hnext;
	ev->hashed = false;
	fs->count--;
}

/* The live vnode of nid in the table, referenced; a dead one leaves. */
static struct evnode *
table_find(struct evfs *fs, uint64_t nid)
{
	for (struct evnode *ev = fs->buckets[bucket_of(fs, nid)]; ev; ev = ev->hnext) {
		if (ev->ino.nid != nid)
			continue;
		if (ref_if_live(&ev->vn))
			return ev;
		unhash(fs, ev);
		return NULL;
	}
	return NULL;
}

static void
table_grow(struct evfs *fs)
{
	uint32_t nb = fs->nbuckets * 2;
	struct evnode **b = fs_zalloc(nb * sizeof(*b));

	if (!b)
		return; /* longer chains: slower, not wrong */
	for (uint32_t i = 0; i < fs->nbuckets; i++)
		for (struct evnode *ev = fs->buckets[i], *next; ev; ev = next) {
			uint32_t k =
				(uint32_t)((ev->ino.nid * 0x9e3779b97f4a7c15ull) >> 32) & (nb - 1);

			next = ev->hnext;
			ev->hnext = b[k];
			b[k] = ev;
		}
	fs_free(fs->buckets);
	fs->buckets = b;
	fs->nbuckets = nb;
}

/* The vnode of nid, referenced: the one alive, or a new one. */
static int
vnode_get(struct evfs *fs, uint64_t nid, struct vnode **out)
{
	struct evnode *ev, *found;
	int r;

	fs_mutex_lock(&fs->lock);
	found = table_find(fs, nid);
	fs_mutex_unlock(&fs->lock);
	if (found) {
		*out = &found->vn;
		return 0;
	}
	ev = fs_zalloc(sizeof(*ev));
	if (!ev)
		return -E_NOMEM;
	r = erofs_inode_get(fs->args.erofs, nid, &ev->ino);
	if (r < 0) {
		fs_free(ev);
		return r;
	}
	vnode_init(&ev->vn, &erofs_vnode_ops, &fs->vfs, ev->ino.mode, nid);
	ev->vn.priv = ev;
	fs_mutex_lock(&fs->lock);
	found = table_find(fs, nid); /* made by another while the lock was down */
	if (!found) {
		if (fs->count >= 2 * fs->nbuckets && fs->nbuckets < (1u << 24))
			table_grow(fs);
		uint32_t b = bucket_of(fs, nid);
		ev->hnext = fs->buckets[b];
		fs->buckets[b] = ev;
		ev->hashed = true;
		fs->count++;
	}
	fs_mutex_unlock(&fs->lock);
	if (found) {
		fs_free(ev);
		ev = found;
	}
	*out = &ev->vn;
	return 0;
}

static void
erofs_vnode_release(struct vnode *vn)
{
	struct evnode *ev = ev_of(vn);
	struct evfs *fs = fs_of(vn);

	fs_mutex_lock(&fs->lock);
	if (ev->hashed)
		unhash(fs, ev);
	fs_mutex_unlock(&fs->lock);
	fs_free(ev);
}

static int
erofs_vnode_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct evfs *fs = fs_of(dir);
	uint64_t nid;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	r = erofs_lookup(fs->args.erofs, &ev_of(dir)->ino, name, len, &nid);
	if (r < 0)
		return r;
	return vnode_get(fs, nid, out);
}

static uint8_t
dt_of(uint8_t ft)
{
	static const uint8_t dt[] = {
		[EROFS_FT_UNKNOWN] = VFS_DT_UNKNOWN, [EROFS_FT_REG] = VFS_DT_REG,
		[EROFS_FT_DIR] = VFS_DT_DIR,	     [EROFS_FT_CHR] = VFS_DT_CHR,
		[EROFS_FT_BLK] = VFS_DT_BLK,	     [EROFS_FT_FIFO] = VFS_DT_FIFO,
		[EROFS_FT_SOCK] = VFS_DT_SOCK,	     [EROFS_FT_SYMLINK] = VFS_DT_LNK,
	};

	return ft < sizeof(dt) ? dt[ft] : VFS_DT_UNKNOWN;
}

/* The image's positions, past "." and ".." (which the VFS makes). */
static int
erofs_vnode_readdir(struct vnode *dir, uint64_t *pos, struct vfs_dirent *d)
{
	struct evfs *fs = fs_of(dir);
	struct erofs_dirent e;
	int r;

	for (;;) {
		r = erofs_readdir(fs->args.erofs, &ev_of(dir)->ino, pos, &e);
		if (r <= 0)
			return r;
		if (!(e.name_len == 1 && e.name[0] == '.') &&
		    !(e.name_len == 2 && e.name[0] == '.' && e.name[1] == '.'))
			break;
	}
	d->ino = e.nid;
	d->type = dt_of(e.type);
	d->name_len = e.name_len;
	memcpy(d->name, e.name, (size_t)e.name_len + 1);
	return 1;
}

/* Each extent straight from the device into buf: one copy.  A buffer
 * that runs into a guard page gets the part before it, as Linux's read
 * gives (the RAM layer's files do the same). */
static long
erofs_vnode_read(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len)
{
	struct evfs *fs = fs_of(vn);
	const struct erofs_inode *ino = &ev_of(vn)->ino;
	size_t done = 0;
	long r = 0;

	if (VFS_S_ISDIR(vn->mode))
		return -E_ISDIR;
	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	if (off >= ino->size)
		return 0;
	if (len > ino->size - off)
		len = (size_t)(ino->size - off);
	if (len > IO_MAX)
		len = IO_MAX;
	while (done < len) {
		struct erofs_extent x;
		size_t n;

		r = erofs_map(fs->args.erofs, ino, off + done, &x);
		if (r < 0)
			break;
		n = x.len < len - done ? (size_t)x.len : len - done;
		if (x.kind == EROFS_EXTENT_HOLE) {
			r = io_buf_zero(buf, done, n);
			if (r < 0) {
				done += io_buf_put_part(buf, done, NULL, n);
				break;
			}
		} else {
			r = fs->args.read_data(fs->args.ctx, x.dev_off, buf, done, n);
			if (r < 0)
				break;
			if ((size_t)r < n) {
				done += (size_t)r; /* stopped at a guard or an error */
				break;
			}
		}
		done += n;
	}
	return done ? (long)done : r;
}

static long
erofs_vnode_readlink(struct vnode *vn, char *buf, size_t size)
{
	const struct erofs_inode *ino = &ev_of(vn)->ino;
	long n;

	if (!VFS_S_ISLNK(vn->mode))
		return -E_INVAL;
	if (size < ino->size)
		return -E_RANGE;
	n = erofs_read(fs_of(vn)->args.erofs, ino, 0, buf, (size_t)ino->size);
	if (n >= 0 && (uint64_t)n != ino->size)
		return -E_CORRUPT;
	return n;
}

static int
erofs_vnode_getattr(struct vnode *vn, struct vfs_stat *st)
{
	const struct erofs_inode *ino = &ev_of(vn)->ino;

	memset(st, 0, sizeof(*st));
	st->dev = vn->fs->dev;
	st->ino = ino->nid;
	st->mode = ino->mode;
	st->nlink = ino->nlink;
	st->uid = ino->uid;
	st->gid = ino->gid;
	st->rdev = ino->rdev;
	st->blksize = 1u << fs_of(vn)->args.erofs->blkszbits;
	st->size = ino->size;
	st->blocks = (ino->size + 511) / 512;
	st->mtime_sec = ino->mtime;
	st->mtime_nsec = ino->mtime_nsec;
	return 0;
}

/* Read-only: every changing operation is NULL, and the VFS says -E_ROFS. */
static const struct vnode_ops erofs_vnode_ops = {
	.lookup = erofs_vnode_lookup,
	.readdir = erofs_vnode_readdir,
	.read = erofs_vnode_read,
	.readlink = erofs_vnode_readlink,
	.getattr = erofs_vnode_getattr,
	.release = erofs_vnode_release,
};

int
erofs_vfs_mount(const struct erofs_vfs_args *a, struct vfs_fs **out)
{
	struct evfs *fs = fs_zalloc(sizeof(*fs));
	int r;

	if (!fs)
		return -E_NOMEM;
	fs->args = *a;
	fs->nbuckets = 64;
	fs->buckets = fs_zalloc(fs->nbuckets * sizeof(*fs->buckets));
	if (!fs->buckets) {
		fs_free(fs);
		return -E_NOMEM;
	}
	fs_mutex_init(&fs->lock, "erofs vnodes");
	fs->vfs.type = "erofs";
	strlcpy(fs->vfs.source, a->source ? a->source : "", sizeof(fs->vfs.source));
	fs->vfs.dev = a->dev;
	fs->vfs.read_only = true;
	fs->vfs.priv = fs;
	r = vnode_get(fs, a->erofs->root_nid, &fs->vfs.root);
	if (r < 0) {
		fs_free(fs->buckets);
		fs_free(fs);
		return r;
	}
	*out = &fs->vfs;
	return 0;
}

void
erofs_vfs_unmount(struct vfs_fs *vfs)
{
	struct evfs *fs = vfs->priv;

	vnode_unref(vfs->root);
	fs_free(fs->buckets);
	fs_free(fs);
}

uint32_t
erofs_vfs_vnodes(const struct vfs_fs *vfs)
{
	const struct evfs *fs = vfs->priv;

	return fs->count;
}
