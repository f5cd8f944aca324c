/* Path resolution, mounts and checked operations (vfs.h). */
#include "fs/vfs.h"

#include "fs/ncache.h"
#include "lib/string.h"
#include "themelios/errno.h"

/* A walk in progress: the directories from the root, and the path
 * still to resolve (symbolic links are spliced into it).  Small, so
 * that every lookup costs one small allocation: the stack grows past
 * WALK_STACK_INLINE directories, and the buffers for splicing links
 * come with the first link. */
#define WALK_STACK_INLINE 32
#define WALK_BUF	  (VFS_PATH_MAX + VFS_SYMLINK_MAX + 2)

struct walk {
	struct vnode **stack; /* inline, or VFS_DEPTH_MAX entries once deeper */
	int depth;
	const char *path; /* the text still to walk: the caller's, or in bufs */
	size_t len;
	int links;
	char *bufs; /* NULL, or two of WALK_BUF bytes */
	int cur;    /* which of bufs holds path */
	struct vnode *inline_stack[WALK_STACK_INLINE];
};

static struct vnode *
top(const struct walk *w)
{
	return w->stack[w->depth - 1];
}

static void
walk_release(struct walk *w)
{
	while (w->depth > 0)
		vnode_unref(w->stack[--w->depth]);
	if (w->stack != w->inline_stack)
		fs_free(w->stack);
	if (w->bufs)
		fs_free(w->bufs);
	fs_free(w);
}

/* path stays the caller's until a link is spliced into it. */
static int
walk_start(struct vnode *root, const char *path, size_t len, struct walk **out)
{
	struct walk *w;

	if (len > VFS_PATH_MAX)
		return -E_NAMETOOLONG;
	if (len == 0)
		return -E_NOENT; /* as Linux: "" names nothing */
	for (size_t i = 0; i < len; i++)
		if (path[i] == '\0')
			return -E_INVAL;
	if (!(w = fs_zalloc(sizeof(*w))))
		return -E_NOMEM;
	w->stack = w->inline_stack;
	w->path = path;
	w->len = len;
	w->stack[0] = root;
	vnode_ref(root);
	w->depth = 1;
	*out = w;
	return 0;
}

/* Pushes dir (referenced) on the stack: -E_NAMETOOLONG past
 * VFS_DEPTH_MAX, -E_NOMEM (dir is then unreferenced). */
static int
walk_push(struct walk *w, struct vnode *dir)
{
	if (w->depth == VFS_DEPTH_MAX) {
		vnode_unref(dir);
		return -E_NAMETOOLONG;
	}
	if (w->depth == WALK_STACK_INLINE && w->stack == w->inline_stack) {
		struct vnode **big = fs_zalloc(VFS_DEPTH_MAX * sizeof(*big));

		if (!big) {
			vnode_unref(dir);
			return -E_NOMEM;
		}
		memcpy(big, w->inline_stack, sizeof(w->inline_stack));
		w->stack = big;
	}
	w->stack[w->depth++] = dir;
	return 0;
}

/* Back to the root: an absolute path or link. */
static void
walk_to_root(struct walk *w)
{
	while (w->depth > 1)
		vnode_unref(w->stack[--w->depth]);
}

/* The next component of w->path into name and nlen; true when it is
 * the last one (nothing but slashes follows); slash is set when a / follows. */
static bool
next_component(struct walk *w, const char **name, size_t *nlen, bool *slash)
{
	size_t i = 0, s;

	while (i < w->len && w->path[i] == '/')
		i++;
	s = i;
	while (i < w->len && w->path[i] != '/')
		i++;
	*name = w->path + s;
	*nlen = i - s;
	*slash = i < w->len;
	w->path += i;
	w->len -= i;
	for (size_t j = 0; j < w->len; j++)
		if (w->path[j] != '/')
			return false;
	return true;
}

/* The child of dir called name, mounts crossed, referenced. */
static int
lookup_child(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct vnode *child;
	int err;

	if (!VFS_S_ISDIR(dir->mode))
		return -E_NOTDIR;
	if ((err = vfs_name_check(name, len)))
		return err;
	if (!(child = ncache_get(dir, name, len))) {
		if (!dir->ops->lookup)
			return -E_NOTDIR;
		if ((err = dir->ops->lookup(dir, name, len, &child)))
			return err;
		ncache_put(dir, name, len, child);
	}
	while (child->covered_by) {
		struct vnode *next = child->covered_by;

		vnode_ref(next);
		vnode_unref(child);
		child = next;
	}
	*out = child;
	return 0;
}

/* Splices link's target in front of the rest of the path. */
static int
follow_link(struct walk *w, struct vnode *link)
{
	size_t cap = WALK_BUF;
	char *dst;
	long n;

	if (++w->links > VFS_FOLLOW_MAX)
		return -E_LOOP;
	if (!w->bufs && !(w->bufs = fs_zalloc(2 * WALK_BUF)))
		return -E_NOMEM;
	dst = w->bufs + (w->cur ? 0 : WALK_BUF); /* the one path is not in */
	if (!link->ops->readlink)
		return -E_INVAL;
	n = link->ops->readlink(link, dst, VFS_SYMLINK_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -E_NOENT; /* an empty target names nothing */
	/* The rest starts with the '/' after the link's name, if any. */
	if ((size_t)n + w->len > cap)
		return -E_NAMETOOLONG;
	memcpy(dst + n, w->path, w->len);
	w->path = dst;
	w->len = (size_t)n + w->len;
	w->cur = !w->cur;
	if (dst[0] == '/')
		walk_to_root(w);
	return 0;
}

/*
 * Walks w.  With want_parent, stops before the last component and
 * returns it in *name (never "." or ".."; -E_EXIST / -E_INVAL for
 * those, as Linux's mkdir/unlink would); *out is then its directory.
 */
static int
walk(struct walk *w, bool follow_last, bool want_parent, const char **lname, size_t *llen,
     struct vnode **out)
{
	if (w->len && w->path[0] == '/')
		walk_to_root(w);
	for (;;) {
		const char *name;
		size_t len;
		bool slash, last = next_component(w, &name, &len, &slash);
		struct vnode *child;
		int err;

		if (len == 0 || (len == 1 && name[0] == '.') ||
		    (len == 2 && name[0] == '.' && name[1] == '.')) {
			if (want_parent && last)
				return len == 0 ? -E_EXIST : -E_INVAL;
			if (len == 2 && w->depth > 1)
				vnode_unref(w->stack[--w->depth]);
			if (!VFS_S_ISDIR(top(w)->mode))
				return -E_NOTDIR;
			if (last || len == 0) {
				*out = top(w);
				vnode_ref(*out);
				return 0;
			}
			continue;
		}
		if (want_parent && last) {
			if (!VFS_S_ISDIR(top(w)->mode))
				return -E_NOTDIR;
			if ((err = vfs_name_check(name, len)))
				return err;
			*lname = name;
			*llen = len;
			*out = top(w);
			vnode_ref(*out);
			return 0;
		}
		if ((err = lookup_child(top(w), name, len, &child)))
			return err;
		if (VFS_S_ISLNK(child->mode) && (!last || follow_last || slash)) {
			err = follow_link(w, child);
			vnode_unref(child);
			if (err)
				return err;
			continue;
		}
		if (last) {
			if (slash && !VFS_S_ISDIR(child->mode)) {
				vnode_unref(child);
				return -E_NOTDIR;
			}
			*out = child;
			return 0;
		}
		if (!VFS_S_ISDIR(child->mode)) {
			vnode_unref(child);
			return -E_NOTDIR;
		}
		if ((err = walk_push(w, child)))
			return err;
	}
}

int
vfs_lookup(struct vnode *root, const char *path, size_t len, bool follow_last, struct vnode **out)
{
	struct walk *w;
	int err;

	if ((err = walk_start(root, path, len, &w)))
		return err;
	err = walk(w, follow_last, false, NULL, NULL, out);
	walk_release(w);
	return err;
}

/* The parent of path's last component, referenced, and that name
 * copied to name (VFS_NAME_MAX + 1 bytes). */
static int
lookup_parent(struct vnode *root, const char *path, size_t len, struct vnode **dir, char *name,
	      size_t *nlen)
{
	struct walk *w;
	const char *n;
	int err;

	if ((err = walk_start(root, path, len, &w)))
		return err;
	err = walk(w, false, true, &n, nlen, dir);
	if (!err)
		memcpy(name, n, *nlen);
	walk_release(w);
	return err;
}

int
vfs_open(struct vnode *root, const char *path, size_t len, uint32_t flags, uint32_t mode,
	 struct vnode **out)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *dir, *vn = NULL;
	size_t nlen;
	int err;

	if (flags & ~VFS_O_ALL)
		return -E_INVAL;
	if (flags & VFS_O_CREAT) {
		err = lookup_parent(root, path, len, &dir, name, &nlen);
		if (err == -E_EXIST || err == -E_INVAL) /* "/", ".", "..": exists */
			err = (flags & VFS_O_EXCL) ? -E_EXIST
						   : vfs_lookup(root, path, len, true, &vn);
		else if (!err) {
			if (!dir->ops->create)
				err = -E_ROFS;
			else if (dir->fs->read_only)
				err = -E_ROFS;
			else
				err = dir->ops->create(dir, name, nlen,
						       VFS_S_IFREG | (mode & 07777), 0, &vn);
			if (err == -E_EXIST && !(flags & VFS_O_EXCL))
				err = vfs_lookup(root, path, len, !(flags & VFS_O_NOFOLLOW), &vn);
			else if (err == -E_ROFS) {
				/* Opening what is there is no write. */
				int e2 = vfs_lookup(root, path, len, true, &vn);

				if (e2 == 0 && (flags & VFS_O_EXCL)) {
					vnode_unref(vn);
					err = -E_EXIST;
				} else if (e2 != -E_NOENT) {
					err = e2;
				}
			}
			vnode_unref(dir);
		}
	} else {
		err = vfs_lookup(root, path, len, !(flags & VFS_O_NOFOLLOW), &vn);
	}
	if (err)
		return err;
	if (VFS_S_ISLNK(vn->mode))
		err = -E_LOOP; /* O_NOFOLLOW met a link */
	else if ((flags & VFS_O_DIRECTORY) && !VFS_S_ISDIR(vn->mode))
		err = -E_NOTDIR;
	else if ((flags & VFS_O_TRUNC) && VFS_S_ISDIR(vn->mode))
		err = -E_ISDIR;
	else if ((flags & VFS_O_TRUNC) && VFS_S_ISREG(vn->mode))
		err = vfs_truncate(vn, 0);
	if (err) {
		vnode_unref(vn);
		return err;
	}
	*out = vn;
	return 0;
}

int
vfs_mknod(struct vnode *root, const char *path, size_t len, uint32_t mode, uint32_t rdev)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *dir, *vn;
	size_t nlen;
	int err;

	if ((err = lookup_parent(root, path, len, &dir, name, &nlen)))
		return err == -E_INVAL ? -E_EXIST : err;
	if (!dir->ops->create || dir->fs->read_only)
		err = -E_ROFS;
	else if (!(err = dir->ops->create(dir, name, nlen, mode, rdev, &vn)))
		vnode_unref(vn);
	vnode_unref(dir);
	return err;
}

int
vfs_remove(struct vnode *root, const char *path, size_t len, bool want_dir)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *dir, *vn;
	size_t nlen;
	int err;

	if ((err = lookup_parent(root, path, len, &dir, name, &nlen)))
		return err == -E_EXIST ? -E_BUSY : err; /* the root itself */
	/* A mount point is busy; the mounted root is found by lookup. */
	if (!(err = lookup_child(dir, name, nlen, &vn))) {
		if (vn->fs != dir->fs)
			err = -E_BUSY;
		vnode_unref(vn);
	}
	if (!err) {
		if (!dir->ops->remove || dir->fs->read_only)
			err = -E_ROFS;
		else
			err = dir->ops->remove(dir, name, nlen, want_dir);
	}
	ncache_forget(dir, name, nlen);
	vnode_unref(dir);
	return err;
}

/* Both parents and names for rename and link. */
static int
two_parents(struct vnode *oroot, const char *opath, size_t olen, struct vnode *nroot,
	    const char *npath, size_t nlen, struct vnode **odir, char *oname, size_t *onl,
	    struct vnode **ndir, char *nname, size_t *nnl)
{
	int err;

	if ((err = lookup_parent(oroot, opath, olen, odir, oname, onl)))
		return err == -E_EXIST ? -E_BUSY : err;
	if ((err = lookup_parent(nroot, npath, nlen, ndir, nname, nnl))) {
		vnode_unref(*odir);
		return err == -E_EXIST ? -E_BUSY : err;
	}
	if ((*odir)->fs != (*ndir)->fs)
		err = -E_XDEV;
	else if ((*odir)->fs->read_only)
		err = -E_ROFS;
	if (err) {
		vnode_unref(*odir);
		vnode_unref(*ndir);
	}
	return err;
}

int
vfs_rename(struct vnode *oroot, const char *opath, size_t olen, struct vnode *nroot,
	   const char *npath, size_t nlen)
{
	char oname[VFS_NAME_MAX + 1], nname[VFS_NAME_MAX + 1];
	struct vnode *odir, *ndir;
	size_t onl, nnl;
	int err;

	if ((err = two_parents(oroot, opath, olen, nroot, npath, nlen, &odir, oname, &onl, &ndir,
			       nname, &nnl)))
		return err;
	err = odir->ops->rename ? odir->ops->rename(odir, oname, onl, ndir, nname, nnl) : -E_ROFS;
	ncache_forget(odir, oname, onl);
	ncache_forget(ndir, nname, nnl);
	vnode_unref(odir);
	vnode_unref(ndir);
	return err;
}

int
vfs_link(struct vnode *oroot, const char *opath, size_t olen, struct vnode *nroot,
	 const char *npath, size_t nlen)
{
	char oname[VFS_NAME_MAX + 1], nname[VFS_NAME_MAX + 1];
	struct vnode *odir, *ndir, *vn;
	size_t onl, nnl;
	int err;

	if ((err = two_parents(oroot, opath, olen, nroot, npath, nlen, &odir, oname, &onl, &ndir,
			       nname, &nnl)))
		return err;
	if (!(err = lookup_child(odir, oname, onl, &vn))) {
		if (VFS_S_ISDIR(vn->mode))
			err = -E_PERM; /* no hard links to directories */
		else if (vn->fs != ndir->fs)
			err = -E_XDEV;
		else
			err = ndir->ops->link ? ndir->ops->link(ndir, nname, nnl, vn) : -E_ROFS;
		vnode_unref(vn);
	}
	vnode_unref(odir);
	vnode_unref(ndir);
	return err;
}

int
vfs_symlink(const char *target, size_t tlen, struct vnode *root, const char *path, size_t len)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *dir, *vn;
	size_t nlen;
	int err;

	if (tlen == 0)
		return -E_NOENT;
	if (tlen > VFS_SYMLINK_MAX)
		return -E_NAMETOOLONG;
	for (size_t i = 0; i < tlen; i++)
		if (target[i] == '\0')
			return -E_INVAL;
	if ((err = lookup_parent(root, path, len, &dir, name, &nlen)))
		return err == -E_INVAL ? -E_EXIST : err;
	if (!dir->ops->symlink || dir->fs->read_only)
		err = -E_ROFS;
	else if (!(err = dir->ops->symlink(dir, name, nlen, target, tlen, &vn)))
		vnode_unref(vn);
	vnode_unref(dir);
	return err;
}

long
vfs_readlink(struct vnode *root, const char *path, size_t len, char *buf, size_t size)
{
	struct vnode *vn;
	long n;
	int err;

	if ((err = vfs_lookup(root, path, len, false, &vn)))
		return err;
	n = VFS_S_ISLNK(vn->mode) && vn->ops->readlink ? vn->ops->readlink(vn, buf, size)
						       : -E_INVAL;
	vnode_unref(vn);
	return n;
}

int
vfs_stat(struct vnode *root, const char *path, size_t len, bool follow, struct vfs_stat *st)
{
	struct vnode *vn;
	int err;

	if ((err = vfs_lookup(root, path, len, follow, &vn)))
		return err;
	err = vfs_getattr(vn, st);
	vnode_unref(vn);
	return err;
}

/* What mappings of vn wrote reaches the file before it is read or
 * changed through the VFS (mm/vm_file.c). */
static void
mapping_before_io(struct vnode *vn)
{
	if (vn->mapping && vnode_mapping_ops)
		vnode_mapping_ops->before_io(vn);
}

long
vfs_read(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len)
{
	if (VFS_S_ISDIR(vn->mode))
		return -E_ISDIR;
	if (!vn->ops->read)
		return -E_INVAL;
	if (len == 0)
		return 0;
	if (buf->user && vnode_mapping_ops)
		vnode_mapping_ops->prefault(vn, off, buf, len, true);
	mapping_before_io(vn);
	return vn->ops->read(vn, off, buf, len);
}

long
vfs_write(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len)
{
	long n;

	if (VFS_S_ISDIR(vn->mode))
		return -E_ISDIR;
	if (!vn->ops->write || vn->fs->read_only)
		return -E_ROFS;
	if (len == 0)
		return 0;
	if (off + len < off)
		return -E_RANGE;
	if (buf->user && vnode_mapping_ops)
		vnode_mapping_ops->prefault(vn, off, buf, len, false);
	mapping_before_io(vn);
	n = vn->ops->write(vn, off, buf, len);
	if (n > 0 && vn->mapping && vnode_mapping_ops)
		vnode_mapping_ops->after_change(vn, off, (uint64_t)n);
	return n;
}

int
vfs_truncate(struct vnode *vn, uint64_t size)
{
	int err;

	if (VFS_S_ISDIR(vn->mode))
		return -E_ISDIR;
	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	if (!vn->ops->truncate || vn->fs->read_only)
		return -E_ROFS;
	mapping_before_io(vn);
	err = vn->ops->truncate(vn, size);
	if (!err && vn->mapping && vnode_mapping_ops)
		vnode_mapping_ops->after_change(vn, size, ~0ull - size);
	return err;
}

int
vfs_fsync(struct vnode *vn)
{
	mapping_before_io(vn);
	return vn->ops->fsync ? vn->ops->fsync(vn) : 0;
}

int
vfs_getattr(struct vnode *vn, struct vfs_stat *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	if (!vn->ops->getattr)
		return -E_NOTSUP;
	err = vn->ops->getattr(vn, st);
	st->dev = vn->fs->dev;
	return err;
}

int
vfs_readdir(struct vnode *dir, uint64_t *pos, struct vfs_dirent *d)
{
	if (!VFS_S_ISDIR(dir->mode))
		return -E_NOTDIR;
	if (!dir->ops->readdir)
		return -E_NOTSUP;
	return dir->ops->readdir(dir, pos, d);
}

#define VFS_MOUNTS_MAX 16

static struct {
	char path[64];
	struct vfs_fs *fs;
} mounts[VFS_MOUNTS_MAX];
static unsigned nmounts;

int
vfs_mount(struct vnode *dir, struct vfs_fs *fs, const char *path)
{
	if (!VFS_S_ISDIR(dir->mode))
		return -E_NOTDIR;
	if (dir->covered_by)
		return -E_BUSY;
	if (nmounts == VFS_MOUNTS_MAX)
		return -E_NOMEM;
	vnode_ref(dir);
	vnode_ref(fs->root);
	dir->covered_by = fs->root;
	mounts[nmounts].fs = fs;
	strlcpy(mounts[nmounts].path, path, sizeof(mounts[nmounts].path));
	nmounts++;
	return 0;
}

int
vfs_mount_root(struct vfs_fs *fs, const char *path)
{
	if (nmounts == VFS_MOUNTS_MAX)
		return -E_NOMEM;
	mounts[nmounts].fs = fs;
	strlcpy(mounts[nmounts].path, path, sizeof(mounts[nmounts].path));
	nmounts++;
	return 0;
}

bool
vfs_mount_at(unsigned i, const char **path, const struct vfs_fs **fs)
{
	if (i >= nmounts)
		return false;
	*path = mounts[i].path;
	*fs = mounts[i].fs;
	return true;
}

void
vfs_ncache_stats(struct vfs_ncache_stats *st)
{
	ncache_stats(&st->hits, &st->misses, &st->entries);
}
