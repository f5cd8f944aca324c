/*
 * tmpfs: nodes in RAM.  The structures (docs/storage.md, "tmpfs"):
 *
 * - A directory keeps its entries twice: in a hash table by name (a
 *   hash keyed by the mount's seed, chains, doubled when the load passes
 *   2) for lookup, and in an array of (cookie, entry) slots sorted by
 *   cookie for readdir.  Each new entry takes the directory's next
 *   cookie, so appending keeps the array sorted.  A removed entry leaves
 *   its slot with a NULL entry (a tombstone) until more than half the
 *   slots are tombstones; then the array is compacted in place.
 *   readdir's position is a cookie: the next entry is the first slot
 *   with a cookie >= pos (binary search), so a position stays valid
 *   whatever is removed in between, and every entry present for the
 *   whole listing is returned exactly once.  A rename gives the entry a
 *   new cookie: a listing running across it may show the name twice or
 *   not at all, as POSIX allows.
 * - A regular file's pages hang from a radix tree of index pages (512
 *   pointers each), as tall as the file needs: height h covers 512^h
 *   pages, height 0 is the data page itself.  Missing pages are holes
 *   and read as zeros; bytes past the size inside the last page are
 *   kept zero, so growing a file shows zeros.
 *
 * Lifetime: a node's vnode reference count holds one reference for
 * being named (names > 0: some directory entry points to it; the root
 * counts as named by the mount) plus one per holder.  The last name
 * going drops the naming reference, so a node lives while linked or
 * referenced, and release frees it.  Nothing can find an unnamed node,
 * so its count never rises from zero.
 *
 * Locking: fs->lock (one per instance) guards every directory's
 * entries, names, parent and subdirs, the inode counter and the
 * metadata count; node->lock guards a node's size, pages and
 * attributes.  Order: fs->lock, then a node's lock.  Reads and writes
 * take only the file's lock.  No vnode is released while fs->lock is
 * held: nodes whose last name went are collected on a list and their
 * naming reference dropped after the unlock.
 */
#include "fs/tmpfs.h"

#include "lib/list.h"
#include "lib/string.h"
#include "themelios/errno.h"

_Static_assert(sizeof(void *) == 8, "the page index assumes 512 pointers a page");

#define FANOUT_BITS 9
#define FANOUT	    (FS_PAGE_SIZE / sizeof(void *))
#define MAX_HEIGHT  5 /* 512^5 pages > TMPFS_FILE_MAX */
#define PAGE_SHIFT  12
#define IO_MAX	    ((size_t)1 << 30) /* a count must fit a long */

struct tmpfs_fs {
	struct vfs_fs vfs;
	struct tmpfs_args args;
	struct fs_mutex lock;
	uint64_t pages;	     /* charged: data, index and metadata (atomic) */
	uint64_t meta_bytes; /* under lock */
	uint64_t next_ino;   /* under lock */
};

struct tmpfs_dirent {
	struct tmpfs_dirent *hnext;
	struct tmpfs_node *node;
	uint64_t cookie;
	uint64_t hash;
	uint16_t len;
	char name[];
};

struct slot {
	uint64_t cookie;
	struct tmpfs_dirent *de; /* NULL: removed */
};

struct tmpfs_dir {
	struct tmpfs_dirent **buckets;
	uint32_t nbuckets, count;
	struct slot *order;
	uint32_t order_len, order_cap, tombstones;
	uint64_t next_cookie;
	uint32_t subdirs;
};

struct tmpfs_node {
	struct vnode vn;
	struct tmpfs_fs *fs;
	struct fs_mutex lock;
	uint32_t names;
	uint32_t uid, gid, rdev;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	bool opaque;
	uint64_t origin;
	uint64_t size;
	struct tmpfs_node *parent; /* directories */
	struct tmpfs_node *dead_next;
	union {
		struct {
			void *root;
			unsigned height;
			uint64_t pages;
		} file;
		struct tmpfs_dir dir;
		char *target;
	} u;
};

static const struct vnode_ops tmpfs_ops;

static struct tmpfs_node *
node_of(const struct vnode *vn)
{
	return container_of(vn, struct tmpfs_node, vn);
}

static bool
is_dir(const struct tmpfs_node *n)
{
	return VFS_S_ISDIR(n->vn.mode);
}

static bool
whiteout(const struct tmpfs_node *n)
{
	return (n->vn.mode & VFS_S_IFMT) == VFS_S_IFCHR && n->rdev == 0;
}

/* ---- paying for pages ---- */

static int
pages_take(struct tmpfs_fs *fs, uint64_t n)
{
	uint64_t cur = __atomic_load_n(&fs->pages, __ATOMIC_RELAXED);

	do {
		if (fs->args.max_pages && cur + n > fs->args.max_pages)
			return -E_NOSPC;
	} while (!__atomic_compare_exchange_n(&fs->pages, &cur, cur + n, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	if (fs->args.charge.charge && fs->args.charge.charge(fs->args.charge.ctx, n) != 0) {
		__atomic_sub_fetch(&fs->pages, n, __ATOMIC_RELAXED);
		return -E_NOSPC;
	}
	return 0;
}

static void
pages_give(struct tmpfs_fs *fs, uint64_t n)
{
	if (n == 0)
		return;
	if (fs->args.charge.uncharge)
		fs->args.charge.uncharge(fs->args.charge.ctx, n);
	__atomic_sub_fetch(&fs->pages, n, __ATOMIC_RELAXED);
}

static uint64_t
pages_of(uint64_t bytes)
{
	return (bytes + FS_PAGE_SIZE - 1) / FS_PAGE_SIZE;
}

/* Metadata is counted in bytes and charged in whole pages; fs->lock held. */
static void *
meta_alloc(struct tmpfs_fs *fs, size_t size)
{
	uint64_t more = pages_of(fs->meta_bytes + size) - pages_of(fs->meta_bytes);
	void *p;

	if (more && pages_take(fs, more) != 0)
		return NULL;
	p = fs_zalloc(size);
	if (!p) {
		pages_give(fs, more);
		return NULL;
	}
	fs->meta_bytes += size;
	return p;
}

static void
meta_free(struct tmpfs_fs *fs, void *p, size_t size)
{
	if (!p)
		return;
	fs_free(p);
	pages_give(fs, pages_of(fs->meta_bytes) - pages_of(fs->meta_bytes - size));
	fs->meta_bytes -= size;
}

static void *
page_alloc(struct tmpfs_fs *fs)
{
	void *p;

	if (pages_take(fs, 1) != 0)
		return NULL;
	p = fs_page_alloc();
	if (!p)
		pages_give(fs, 1);
	return p;
}

static void
page_free(struct tmpfs_fs *fs, void *p)
{
	fs_page_free(p);
	pages_give(fs, 1);
}

static void
stamp(struct tmpfs_fs *fs, struct tmpfs_node *n)
{
	int64_t sec = 0;
	uint32_t nsec = 0;

	if (fs->args.now)
		fs->args.now(fs->args.now_ctx, &sec, &nsec);
	n->mtime_sec = sec;
	n->mtime_nsec = nsec;
}

/* ---- nodes ---- */

static bool
mode_type_ok(uint32_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFREG:
	case VFS_S_IFDIR:
	case VFS_S_IFLNK:
	case VFS_S_IFCHR:
	case VFS_S_IFBLK:
	case VFS_S_IFIFO:
	case VFS_S_IFSOCK:
		return true;
	}
	return false;
}

/* A new node with one reference (the caller's) and no name; fs->lock held. */
static struct tmpfs_node *
node_new(struct tmpfs_fs *fs, uint32_t mode, uint32_t rdev)
{
	struct tmpfs_node *n = meta_alloc(fs, sizeof(*n));

	if (!n)
		return NULL;
	vnode_init(&n->vn, &tmpfs_ops, &fs->vfs, mode & (VFS_S_IFMT | 07777), fs->next_ino++);
	n->vn.priv = n;
	n->fs = fs;
	fs_mutex_init(&n->lock, "tmpfs node");
	if ((mode & VFS_S_IFMT) == VFS_S_IFCHR || (mode & VFS_S_IFMT) == VFS_S_IFBLK)
		n->rdev = rdev;
	stamp(fs, n);
	return n;
}

/* Frees what hangs below slot from page index first on (radix level). */
static void
free_from(struct tmpfs_fs *fs, void **slot, unsigned level, uint64_t first, uint64_t *pages)
{
	if (!*slot)
		return;
	if (level == 0) {
		if (first == 0) {
			page_free(fs, *slot);
			*slot = NULL;
			(*pages)--;
		}
		return;
	}
	uint64_t span = (uint64_t)1 << (FANOUT_BITS * (level - 1));
	void **index = *slot;
	for (uint64_t i = first / span; i < FANOUT; i++)
		free_from(fs, &index[i], level - 1, i == first / span ? first % span : 0, pages);
	if (first == 0) {
		page_free(fs, index);
		*slot = NULL;
	}
}

static uint64_t
cover(unsigned height)
{
	return (uint64_t)1 << (FANOUT_BITS * height);
}

static void
tmpfs_release(struct vnode *vn)
{
	struct tmpfs_node *n = node_of(vn);
	struct tmpfs_fs *fs = n->fs;

	if (VFS_S_ISREG(vn->mode))
		free_from(fs, &n->u.file.root, n->u.file.height, 0, &n->u.file.pages);
	fs_mutex_lock(&fs->lock);
	if (VFS_S_ISLNK(vn->mode))
		meta_free(fs, n->u.target, n->size + 1);
	if (is_dir(n)) {
		meta_free(fs, n->u.dir.buckets, n->u.dir.nbuckets * sizeof(void *));
		meta_free(fs, n->u.dir.order, n->u.dir.order_cap * sizeof(struct slot));
	}
	meta_free(fs, n, sizeof(*n));
	fs_mutex_unlock(&fs->lock);
}

/* Drops the naming references collected while fs->lock was held. */
static void
bury(struct tmpfs_node *dead)
{
	while (dead) {
		struct tmpfs_node *next = dead->dead_next;

		vnode_unref(&dead->vn);
		dead = next;
	}
}

/* ---- directories (fs->lock held) ---- */

static uint64_t
name_hash(const struct tmpfs_fs *fs, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ fs->args.hash_seed;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static struct tmpfs_dirent *
dir_find(const struct tmpfs_node *dir, const char *name, size_t len, uint64_t hash)
{
	const struct tmpfs_dir *d = &dir->u.dir;

	if (d->nbuckets == 0)
		return NULL;
	for (struct tmpfs_dirent *e = d->buckets[hash & (d->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == hash && e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

/* The first slot whose cookie is >= cookie. */
static uint32_t
slot_search(const struct tmpfs_dir *d, uint64_t cookie)
{
	uint32_t lo = 0, hi = d->order_len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (d->order[mid].cookie < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
compact(struct tmpfs_dir *d)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < d->order_len; i++)
		if (d->order[i].de)
			d->order[j++] = d->order[i];
	d->order_len = j;
	d->tombstones = 0;
}

/* Room for n more entries, so that linking them cannot fail. */
static int
dir_reserve(struct tmpfs_fs *fs, struct tmpfs_node *dir, uint32_t n)
{
	struct tmpfs_dir *d = &dir->u.dir;

	if (d->nbuckets == 0) {
		d->buckets = meta_alloc(fs, 8 * sizeof(void *));
		if (!d->buckets)
			return -E_NOSPC;
		d->nbuckets = 8;
	} else if (d->count + n > 2 * d->nbuckets && d->nbuckets < (1u << 30)) {
		/* Longer chains are slower, not wrong: a refused table is fine. */
		uint32_t nb = d->nbuckets * 2;
		struct tmpfs_dirent **b = meta_alloc(fs, nb * sizeof(void *));

		if (b) {
			for (uint32_t i = 0; i < d->nbuckets; i++)
				for (struct tmpfs_dirent *e = d->buckets[i], *next; e; e = next) {
					next = e->hnext;
					e->hnext = b[e->hash & (nb - 1)];
					b[e->hash & (nb - 1)] = e;
				}
			meta_free(fs, d->buckets, d->nbuckets * sizeof(void *));
			d->buckets = b;
			d->nbuckets = nb;
		}
	}
	if (d->order_len + n <= d->order_cap)
		return 0;
	if (d->tombstones)
		compact(d);
	if (d->order_len + n <= d->order_cap)
		return 0;
	if (d->order_cap > UINT32_MAX / 4)
		return -E_NOSPC;
	uint32_t cap = d->order_cap ? d->order_cap * 2 : 8;
	while (cap < d->order_len + n)
		cap *= 2;
	struct slot *o = meta_alloc(fs, cap * sizeof(struct slot));
	if (!o)
		return -E_NOSPC;
	if (d->order_len)
		memcpy(o, d->order, d->order_len * sizeof(struct slot));
	meta_free(fs, d->order, d->order_cap * sizeof(struct slot));
	d->order = o;
	d->order_cap = cap;
	return 0;
}

static struct tmpfs_dirent *
dirent_new(struct tmpfs_fs *fs, const char *name, size_t len)
{
	struct tmpfs_dirent *e = meta_alloc(fs, sizeof(*e) + len + 1);

	if (!e)
		return NULL;
	memcpy(e->name, name, len);
	e->len = (uint16_t)len;
	e->hash = name_hash(fs, name, len);
	return e;
}

static void
dirent_free(struct tmpfs_fs *fs, struct tmpfs_dirent *e)
{
	meta_free(fs, e, sizeof(*e) + e->len + 1);
}

/* Links e (with room reserved) into dir's table and order. */
static void
dir_link(struct tmpfs_node *dir, struct tmpfs_dirent *e)
{
	struct tmpfs_dir *d = &dir->u.dir;
	uint32_t b = (uint32_t)(e->hash & (d->nbuckets - 1));

	e->hnext = d->buckets[b];
	d->buckets[b] = e;
	e->cookie = d->next_cookie++;
	d->order[d->order_len].cookie = e->cookie;
	d->order[d->order_len].de = e;
	d->order_len++;
	d->count++;
}

static void
dir_unlink(struct tmpfs_node *dir, struct tmpfs_dirent *e)
{
	struct tmpfs_dir *d = &dir->u.dir;
	struct tmpfs_dirent **pp = &d->buckets[e->hash & (d->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	uint32_t i = slot_search(d, e->cookie);
	d->order[i].de = NULL;
	d->tombstones++;
	d->count--;
	if (d->tombstones > 16 && d->tombstones > d->order_len / 2)
		compact(d);
}

/* Gives node one more name; the first takes the naming reference. */
static void
name_add(struct tmpfs_node *dir, struct tmpfs_node *n)
{
	if (n->names++ == 0)
		vnode_ref(&n->vn);
	if (is_dir(n)) {
		n->parent = dir;
		dir->u.dir.subdirs++;
	}
}

static void detach(struct tmpfs_fs *fs, struct tmpfs_node *dir, struct tmpfs_dirent *e,
		   struct tmpfs_node **dead);

/* Removes one name of node; the last one puts it on the dead list. */
static void
name_drop(struct tmpfs_fs *fs, struct tmpfs_node *dir, struct tmpfs_node *n,
	  struct tmpfs_node **dead)
{
	if (is_dir(n)) {
		dir->u.dir.subdirs--;
		n->parent = NULL;
		/* Only whiteouts can be left (TMPFS_REPLACE_ANY): they go too.
		 * A removal may compact the array, so search again each time. */
		while (n->u.dir.count) {
			uint32_t i = n->u.dir.order_len;

			while (!n->u.dir.order[--i].de)
				;
			detach(fs, n, n->u.dir.order[i].de, dead);
		}
	}
	if (--n->names == 0) {
		n->dead_next = *dead;
		*dead = n;
	}
}

static void
detach(struct tmpfs_fs *fs, struct tmpfs_node *dir, struct tmpfs_dirent *e,
       struct tmpfs_node **dead)
{
	struct tmpfs_node *n = e->node;

	dir_unlink(dir, e);
	dirent_free(fs, e);
	name_drop(fs, dir, n, dead);
}

static bool
only_whiteouts(const struct tmpfs_node *dir)
{
	for (uint32_t i = 0; i < dir->u.dir.order_len; i++) {
		const struct tmpfs_dirent *e = dir->u.dir.order[i].de;

		if (e && !whiteout(e->node))
			return false;
	}
	return true;
}

/* May the entry at a name be replaced under these flags? */
static bool
replaceable(const struct tmpfs_node *n, unsigned flags)
{
	if ((flags & (TMPFS_REPLACE_WHITEOUT | TMPFS_REPLACE_ANY)) && whiteout(n))
		return true;
	if (flags & TMPFS_REPLACE_ANY)
		return !is_dir(n) || only_whiteouts(n);
	return false;
}

static void
touch_dir(struct tmpfs_fs *fs, struct tmpfs_node *dir)
{
	fs_mutex_lock(&dir->lock);
	stamp(fs, dir);
	fs_mutex_unlock(&dir->lock);
}

/* A directory that can take names: a live directory of this instance. */
static int
dir_usable(const struct vnode *vn)
{
	if (vn->ops != &tmpfs_ops)
		return -E_XDEV;
	if (!VFS_S_ISDIR(vn->mode))
		return -E_NOTDIR;
	return node_of(vn)->names ? 0 : -E_NOENT;
}

/* Adds a name for n in dir; what is there goes when flags allow it. */
static int
dir_add(struct tmpfs_fs *fs, struct tmpfs_node *dir, const char *name, size_t len,
	struct tmpfs_node *n, unsigned flags, struct tmpfs_node **dead)
{
	uint64_t hash = name_hash(fs, name, len);
	struct tmpfs_dirent *old = dir_find(dir, name, len, hash), *e;
	int r;

	if (old && !replaceable(old->node, flags))
		return -E_EXIST;
	e = dirent_new(fs, name, len);
	if (!e)
		return -E_NOSPC;
	r = dir_reserve(fs, dir, 1);
	if (r < 0) {
		dirent_free(fs, e);
		return r;
	}
	if (old)
		detach(fs, dir, old, dead);
	e->node = n;
	dir_link(dir, e);
	name_add(dir, n);
	touch_dir(fs, dir);
	return 0;
}

/* ---- operations ---- */

static int
tmpfs_lookup(struct vnode *dvn, const char *name, size_t len, struct vnode **out)
{
	struct tmpfs_node *dir = node_of(dvn);
	struct tmpfs_fs *fs = dir->fs;
	struct tmpfs_dirent *e;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (!is_dir(dir))
		return -E_NOTDIR;
	fs_mutex_lock(&fs->lock);
	e = dir_find(dir, name, len, name_hash(fs, name, len));
	if (e) {
		vnode_ref(&e->node->vn);
		*out = &e->node->vn;
	}
	fs_mutex_unlock(&fs->lock);
	return e ? 0 : -E_NOENT;
}

static int
tmpfs_readdir(struct vnode *dvn, uint64_t *pos, struct vfs_dirent *out)
{
	struct tmpfs_node *dir = node_of(dvn);
	struct tmpfs_fs *fs = dir->fs;
	struct tmpfs_dir *d = &dir->u.dir;
	int r = 0;

	if (!is_dir(dir))
		return -E_NOTDIR;
	fs_mutex_lock(&fs->lock);
	if (*pos > d->next_cookie) {
		r = -E_INVAL;
		goto out;
	}
	for (uint32_t i = slot_search(d, *pos); i < d->order_len; i++) {
		const struct tmpfs_dirent *e = d->order[i].de;

		if (!e)
			continue;
		out->ino = e->node->vn.ino;
		out->type = vfs_mode_to_dt(e->node->vn.mode);
		out->name_len = e->len;
		memcpy(out->name, e->name, e->len);
		out->name[e->len] = '\0';
		*pos = e->cookie + 1;
		r = 1;
		break;
	}
out:
	fs_mutex_unlock(&fs->lock);
	return r;
}

int
tmpfs_create_ex(struct vnode *dvn, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		const char *target, size_t tlen, unsigned flags, struct vnode **out)
{
	struct tmpfs_node *dir = node_of(dvn), *n, *dead = NULL;
	struct tmpfs_fs *fs = dir->fs;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (!mode_type_ok(mode))
		return -E_INVAL;
	if (VFS_S_ISLNK(mode) && tlen == 0)
		return -E_NOENT;
	if (VFS_S_ISLNK(mode) && tlen > VFS_SYMLINK_MAX)
		return -E_NAMETOOLONG;
	fs_mutex_lock(&fs->lock);
	r = dir_usable(dvn);
	if (r < 0)
		goto out;
	n = node_new(fs, mode, rdev);
	if (!n) {
		r = -E_NOSPC;
		goto out;
	}
	n->opaque = flags & TMPFS_OPAQUE;
	if (VFS_S_ISLNK(mode)) {
		n->u.target = meta_alloc(fs, tlen + 1);
		if (!n->u.target) {
			meta_free(fs, n, sizeof(*n));
			r = -E_NOSPC;
			goto out;
		}
		memcpy(n->u.target, target, tlen);
		n->size = tlen;
	}
	r = dir_add(fs, dir, name, len, n, flags, &dead);
	if (r < 0) {
		if (VFS_S_ISLNK(mode))
			meta_free(fs, n->u.target, tlen + 1);
		meta_free(fs, n, sizeof(*n));
		goto out;
	}
	if (out)
		*out = &n->vn;
	else
		n->dead_next = dead, dead = n; /* the caller's reference, dropped below */
out:
	fs_mutex_unlock(&fs->lock);
	bury(dead);
	return r;
}

static int
tmpfs_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
	     struct vnode **out)
{
	if (VFS_S_ISLNK(mode))
		return -E_INVAL;
	return tmpfs_create_ex(dir, name, len, mode, rdev, NULL, 0, 0, out);
}

static int
tmpfs_symlink(struct vnode *dir, const char *name, size_t len, const char *target, size_t tlen,
	      struct vnode **out)
{
	return tmpfs_create_ex(dir, name, len, VFS_S_IFLNK | 0777, 0, target, tlen, 0, out);
}

int
tmpfs_whiteout(struct vnode *dir, const char *name, size_t len, unsigned flags)
{
	return tmpfs_create_ex(dir, name, len, VFS_S_IFCHR, 0, NULL, 0, flags, NULL);
}

int
tmpfs_link_ex(struct vnode *dvn, const char *name, size_t len, struct vnode *vn, unsigned flags)
{
	struct tmpfs_node *dir = node_of(dvn), *n = node_of(vn), *dead = NULL;
	struct tmpfs_fs *fs = dir->fs;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (vn->fs != dvn->fs)
		return -E_XDEV;
	if (VFS_S_ISDIR(vn->mode))
		return -E_PERM;
	fs_mutex_lock(&fs->lock);
	r = dir_usable(dvn);
	if (r == 0 && n->names == 0)
		r = -E_NOENT; /* an unlinked file gets no new name */
	if (r == 0)
		r = dir_add(fs, dir, name, len, n, flags, &dead);
	fs_mutex_unlock(&fs->lock);
	bury(dead);
	return r;
}

static int
tmpfs_link(struct vnode *dir, const char *name, size_t len, struct vnode *vn)
{
	return tmpfs_link_ex(dir, name, len, vn, 0);
}

static int
tmpfs_remove(struct vnode *dvn, const char *name, size_t len, bool want_dir)
{
	struct tmpfs_node *dir = node_of(dvn), *dead = NULL;
	struct tmpfs_fs *fs = dir->fs;
	struct tmpfs_dirent *e;
	int r = vfs_name_check(name, len);

	if (r < 0)
		return r;
	if (!is_dir(dir))
		return -E_NOTDIR;
	fs_mutex_lock(&fs->lock);
	e = dir_find(dir, name, len, name_hash(fs, name, len));
	if (!e)
		r = -E_NOENT;
	else if (want_dir && !is_dir(e->node))
		r = -E_NOTDIR;
	else if (!want_dir && is_dir(e->node))
		r = -E_ISDIR;
	else if (want_dir && e->node->u.dir.count)
		r = -E_NOTEMPTY;
	if (r == 0) {
		detach(fs, dir, e, &dead);
		touch_dir(fs, dir);
	}
	fs_mutex_unlock(&fs->lock);
	bury(dead);
	return r;
}

/* Checks a rename before anything changes; fs->lock held. */
static int
rename_check(struct tmpfs_dirent *src, struct tmpfs_node *ndir, struct tmpfs_dirent *dst,
	     unsigned flags)
{
	struct tmpfs_node *s = src->node;

	if (dst && !((flags & TMPFS_REPLACE_WHITEOUT) && whiteout(dst->node))) {
		struct tmpfs_node *t = dst->node;

		if (is_dir(s) && !is_dir(t))
			return -E_NOTDIR;
		if (!is_dir(s) && is_dir(t))
			return -E_ISDIR;
		if (is_dir(t) && t->u.dir.count &&
		    !((flags & TMPFS_REPLACE_ANY) && only_whiteouts(t)))
			return -E_NOTEMPTY;
	}
	if (is_dir(s))
		for (struct tmpfs_node *p = ndir; p; p = p->parent)
			if (p == s)
				return -E_INVAL; /* into its own subtree */
	return 0;
}

int
tmpfs_rename_ex(struct vnode *odvn, const char *oname, size_t olen, struct vnode *ndvn,
		const char *nname, size_t nlen, unsigned flags)
{
	struct tmpfs_node *odir = node_of(odvn), *ndir = node_of(ndvn), *dead = NULL, *wh = NULL;
	struct tmpfs_fs *fs = odir->fs;
	struct tmpfs_dirent *src, *dst, *e = NULL, *we = NULL;
	int r = vfs_name_check(oname, olen);

	if (r == 0)
		r = vfs_name_check(nname, nlen);
	if (r < 0)
		return r;
	if (odvn->fs != ndvn->fs)
		return -E_XDEV;
	fs_mutex_lock(&fs->lock);
	r = dir_usable(odvn);
	if (r == 0)
		r = dir_usable(ndvn);
	if (r < 0)
		goto out;
	src = dir_find(odir, oname, olen, name_hash(fs, oname, olen));
	dst = dir_find(ndir, nname, nlen, name_hash(fs, nname, nlen));
	if (!src) {
		r = -E_NOENT;
		goto out;
	}
	if (dst && dst->node == src->node)
		goto out; /* two names of one node, or the same name: nothing to do */
	r = rename_check(src, ndir, dst, flags);
	if (r < 0)
		goto out;
	/* Everything that can fail, before anything changes. */
	e = dirent_new(fs, nname, nlen);
	r = e ? dir_reserve(fs, ndir, 1) : -E_NOSPC;
	if (r == 0 && (flags & TMPFS_LEAVE_WHITEOUT)) {
		wh = node_new(fs, VFS_S_IFCHR, 0);
		we = wh ? dirent_new(fs, oname, olen) : NULL;
		r = we ? dir_reserve(fs, odir, ndir == odir ? 2 : 1) : -E_NOSPC;
	}
	if (r < 0)
		goto out;
	struct tmpfs_node *s = src->node;
	if (dst)
		detach(fs, ndir, dst, &dead);
	dir_unlink(odir, src);
	dirent_free(fs, src);
	e->node = s;
	dir_link(ndir, e);
	e = NULL;
	if (is_dir(s)) {
		odir->u.dir.subdirs--;
		ndir->u.dir.subdirs++;
		s->parent = ndir;
	}
	if (wh) {
		we->node = wh;
		dir_link(odir, we);
		name_add(odir, wh);
		wh->dead_next = dead; /* the creation reference */
		dead = wh;
		wh = NULL;
		we = NULL;
	}
	touch_dir(fs, odir);
	if (ndir != odir)
		touch_dir(fs, ndir);
out:
	if (e)
		dirent_free(fs, e);
	if (we)
		dirent_free(fs, we);
	if (wh)
		meta_free(fs, wh, sizeof(*wh));
	fs_mutex_unlock(&fs->lock);
	bury(dead);
	return r;
}

static int
tmpfs_rename(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
	     const char *nname, size_t nlen)
{
	return tmpfs_rename_ex(odir, oname, olen, ndir, nname, nlen, 0);
}

/* ---- file data (node->lock held) ---- */

static void *
page_find(const struct tmpfs_node *n, uint64_t index)
{
	void *p = n->u.file.root;

	if (index >= cover(n->u.file.height))
		return NULL;
	for (unsigned level = n->u.file.height; level > 0 && p; level--)
		p = ((void **)p)[(index >> (FANOUT_BITS * (level - 1))) & (FANOUT - 1)];
	return p;
}

/* The page at index, made (and paid for) when missing. */
static void *
page_get(struct tmpfs_node *n, uint64_t index)
{
	struct tmpfs_fs *fs = n->fs;
	void **slot;

	while (index >= cover(n->u.file.height)) {
		if (n->u.file.root) {
			void **top = page_alloc(fs);

			if (!top)
				return NULL;
			top[0] = n->u.file.root;
			n->u.file.root = top;
		}
		n->u.file.height++;
	}
	slot = &n->u.file.root;
	for (unsigned level = n->u.file.height; level > 0; level--) {
		if (!*slot) {
			*slot = page_alloc(fs);
			if (!*slot)
				return NULL;
		}
		slot = &((void **)*slot)[(index >> (FANOUT_BITS * (level - 1))) & (FANOUT - 1)];
	}
	if (!*slot) {
		*slot = page_alloc(fs);
		if (!*slot)
			return NULL;
		n->u.file.pages++;
	}
	return *slot;
}

static long
tmpfs_read(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len)
{
	struct tmpfs_node *n = node_of(vn);
	size_t done = 0;
	int r = 0;

	if (is_dir(n))
		return -E_ISDIR;
	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	fs_mutex_lock(&n->lock);
	if (off >= n->size)
		goto out;
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	if (len > IO_MAX)
		len = IO_MAX;
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = (size_t)(pos & (FS_PAGE_SIZE - 1));
		size_t step = FS_PAGE_SIZE - in;
		const uint8_t *page = page_find(n, pos >> PAGE_SHIFT);

		if (step > len - done)
			step = len - done;
		if (page)
			r = io_buf_put(buf, done, page + in, step);
		else
			r = io_buf_zero(buf, done, step);
		if (r < 0) {
			done += io_buf_put_part(buf, done, page ? page + in : NULL, step);
			break;
		}
		done += step;
	}
out:
	fs_mutex_unlock(&n->lock);
	return done ? (long)done : r;
}

static long
tmpfs_write(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len)
{
	struct tmpfs_node *n = node_of(vn);
	size_t done = 0;
	int r = 0;

	if (is_dir(n))
		return -E_ISDIR;
	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	if (off >= TMPFS_FILE_MAX)
		return len ? -E_RANGE : 0;
	if (len > TMPFS_FILE_MAX - off)
		len = (size_t)(TMPFS_FILE_MAX - off);
	if (len > IO_MAX)
		len = IO_MAX;
	fs_mutex_lock(&n->lock);
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = (size_t)(pos & (FS_PAGE_SIZE - 1));
		size_t step = FS_PAGE_SIZE - in;
		uint8_t *page = page_get(n, pos >> PAGE_SHIFT);

		if (!page) {
			r = -E_NOSPC;
			break;
		}
		if (step > len - done)
			step = len - done;
		r = io_buf_get(buf, done, page + in, step);
		done += r < 0 ? io_buf_get_part(buf, done, page + in, step) : step;
		/* What is written stays written, whatever fails next. */
		if (off + done > n->size)
			n->size = off + done;
		if (r < 0)
			break;
	}
	if (done)
		stamp(n->fs, n);
	fs_mutex_unlock(&n->lock);
	return done ? (long)done : r;
}

static int
tmpfs_truncate(struct vnode *vn, uint64_t size)
{
	struct tmpfs_node *n = node_of(vn);

	if (is_dir(n))
		return -E_ISDIR;
	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	if (size > TMPFS_FILE_MAX)
		return -E_RANGE;
	fs_mutex_lock(&n->lock);
	if (size < n->size) {
		uint64_t first = (size + FS_PAGE_SIZE - 1) >> PAGE_SHIFT;
		uint8_t *last = page_find(n, size >> PAGE_SHIFT);

		if (first < cover(n->u.file.height))
			free_from(n->fs, &n->u.file.root, n->u.file.height, first,
				  &n->u.file.pages);
		/* Bytes past the size stay zero, so growing shows zeros. */
		if (size & (FS_PAGE_SIZE - 1) && last)
			memset(last + (size & (FS_PAGE_SIZE - 1)), 0,
			       FS_PAGE_SIZE - (size & (FS_PAGE_SIZE - 1)));
	}
	n->size = size;
	stamp(n->fs, n);
	fs_mutex_unlock(&n->lock);
	return 0;
}

static int
tmpfs_fsync(struct vnode *vn)
{
	(void)vn;
	return 0;
}

static long
tmpfs_readlink(struct vnode *vn, char *buf, size_t size)
{
	struct tmpfs_node *n = node_of(vn);

	if (!VFS_S_ISLNK(vn->mode))
		return -E_INVAL;
	if (size < n->size)
		return -E_RANGE;
	memcpy(buf, n->u.target, (size_t)n->size); /* never changes */
	return (long)n->size;
}

static int
tmpfs_getattr(struct vnode *vn, struct vfs_stat *st)
{
	struct tmpfs_node *n = node_of(vn);
	struct tmpfs_fs *fs = n->fs;

	memset(st, 0, sizeof(*st));
	fs_mutex_lock(&fs->lock);
	st->nlink = is_dir(n) ? 2 + n->u.dir.subdirs : n->names;
	if (is_dir(n) && n->names == 0)
		st->nlink = 0; /* removed */
	fs_mutex_lock(&n->lock);
	st->dev = fs->vfs.dev;
	st->ino = vn->ino;
	st->mode = vn->mode;
	st->uid = n->uid;
	st->gid = n->gid;
	st->rdev = n->rdev;
	st->blksize = FS_PAGE_SIZE;
	st->size = is_dir(n) ? (uint64_t)n->u.dir.count * 32 : n->size;
	st->blocks = VFS_S_ISREG(vn->mode) ? n->u.file.pages * (FS_PAGE_SIZE / 512) : 0;
	st->mtime_sec = n->mtime_sec;
	st->mtime_nsec = n->mtime_nsec;
	fs_mutex_unlock(&n->lock);
	fs_mutex_unlock(&fs->lock);
	return 0;
}

static int
tmpfs_setattr(struct vnode *vn, const struct vfs_setattr *a)
{
	struct tmpfs_node *n = node_of(vn);

	if (a->mask & ~(uint32_t)(VFS_ATTR_MODE | VFS_ATTR_UID | VFS_ATTR_GID | VFS_ATTR_MTIME))
		return -E_INVAL;
	fs_mutex_lock(&n->lock);
	if (a->mask & VFS_ATTR_MODE)
		__atomic_store_n(&vn->mode, (vn->mode & VFS_S_IFMT) | (a->mode & 07777),
				 __ATOMIC_RELAXED);
	if (a->mask & VFS_ATTR_UID)
		n->uid = a->uid;
	if (a->mask & VFS_ATTR_GID)
		n->gid = a->gid;
	if (a->mask & VFS_ATTR_MTIME) {
		n->mtime_sec = a->mtime_sec;
		n->mtime_nsec = a->mtime_nsec;
	}
	fs_mutex_unlock(&n->lock);
	return 0;
}

static const struct vnode_ops tmpfs_ops = {
	.lookup = tmpfs_lookup,
	.readdir = tmpfs_readdir,
	.create = tmpfs_create,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.remove = tmpfs_remove,
	.rename = tmpfs_rename,
	.read = tmpfs_read,
	.write = tmpfs_write,
	.truncate = tmpfs_truncate,
	.fsync = tmpfs_fsync,
	.readlink = tmpfs_readlink,
	.getattr = tmpfs_getattr,
	.setattr = tmpfs_setattr,
	.release = tmpfs_release,
};

/* ---- instances ---- */

int
tmpfs_mount(const struct tmpfs_args *a, struct vfs_fs **out)
{
	struct tmpfs_fs *fs = fs_zalloc(sizeof(*fs));
	struct tmpfs_node *root;

	if (!fs)
		return -E_NOMEM;
	fs->args = *a;
	fs_mutex_init(&fs->lock, "tmpfs");
	fs->next_ino = 1;
	fs->vfs.type = "tmpfs";
	strlcpy(fs->vfs.source, "ram", sizeof(fs->vfs.source));
	fs->vfs.dev = a->dev;
	fs->vfs.priv = fs;
	fs_mutex_lock(&fs->lock);
	root = node_new(fs, VFS_S_IFDIR | (a->root_mode ? a->root_mode & 07777 : 0755), 0);
	fs_mutex_unlock(&fs->lock);
	if (!root) {
		fs_free(fs);
		return -E_NOSPC;
	}
	root->names = 1; /* named by the mount: its one reference */
	fs->vfs.root = &root->vn;
	*out = &fs->vfs;
	return 0;
}

/*
 * Depth first without recursion: the parent pointers lead back up.  The
 * caller holds no vnode, so every node goes when its last name does.
 */
void
tmpfs_unmount(struct vfs_fs *vfs)
{
	struct tmpfs_fs *fs = vfs->priv;
	struct tmpfs_node *root = node_of(vfs->root), *cur = root;

	for (;;) {
		struct tmpfs_dir *d = &cur->u.dir;
		struct tmpfs_dirent *e = NULL;
		struct tmpfs_node *dead = NULL;

		while (d->order_len && !(e = d->order[d->order_len - 1].de))
			d->order_len--, d->tombstones--;
		if (!e) {
			if (cur == root)
				break;
			cur = cur->parent;
			continue;
		}
		if (is_dir(e->node) && e->node->u.dir.count) {
			cur = e->node;
			continue;
		}
		fs_mutex_lock(&fs->lock);
		detach(fs, cur, e, &dead);
		fs_mutex_unlock(&fs->lock);
		bury(dead);
	}
	vnode_unref(&root->vn);
	fs_free(fs);
}

uint64_t
tmpfs_pages_used(const struct vfs_fs *vfs)
{
	const struct tmpfs_fs *fs = vfs->priv;

	return __atomic_load_n(&fs->pages, __ATOMIC_RELAXED);
}

bool
tmpfs_is_tmpfs(const struct vnode *vn)
{
	return vn->ops == &tmpfs_ops;
}

bool
tmpfs_is_whiteout(const struct vnode *vn)
{
	return tmpfs_is_tmpfs(vn) && whiteout(node_of(vn));
}

bool
tmpfs_is_opaque(const struct vnode *vn)
{
	return tmpfs_is_tmpfs(vn) && __atomic_load_n(&node_of(vn)->opaque, __ATOMIC_RELAXED);
}

void
tmpfs_set_opaque(struct vnode *dir, bool opaque)
{
	__atomic_store_n(&node_of(dir)->opaque, opaque, __ATOMIC_RELAXED);
}

uint64_t
tmpfs_origin(const struct vnode *vn)
{
	return tmpfs_is_tmpfs(vn) ? __atomic_load_n(&node_of(vn)->origin, __ATOMIC_RELAXED) : 0;
}

void
tmpfs_set_origin(struct vnode *vn, uint64_t origin)
{
	__atomic_store_n(&node_of(vn)->origin, origin, __ATOMIC_RELAXED);
}
