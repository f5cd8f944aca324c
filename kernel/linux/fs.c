/*
 * Path calls: open, stat, getdents64, readlink, access, the working
 * directory, and the calls that make, remove and change names and
 * attributes.  Every path resolves under the process's root Directory
 * (linux/path.h); nothing outside it can be named.
 */
#include "cap/lock.h"
#include "core/time.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/path.h"
#include "linux/proc.h"
#include "linux/synth.h"
#include "mm/kmalloc.h"
#include "object/console.h"
#include "mm/vm_flags.h"
#include "object/directory.h"
#include "object/file.h"
#include "proc/uaccess.h"
#include "themelios/errno.h"

#define LX_AT_FDCWD	       (-100)
#define LX_AT_SYMLINK_NOFOLLOW 0x100
#define LX_AT_REMOVEDIR	       0x200
#define LX_AT_EACCESS	       0x200
#define LX_AT_SYMLINK_FOLLOW   0x400
#define LX_AT_NO_AUTOMOUNT     0x800
#define LX_AT_EMPTY_PATH       0x1000
#define LX_AT_STATX_MASK       0x6000

#define LX_F_OK		       0
#define LX_X_OK		       1
#define LX_W_OK		       2
#define LX_R_OK		       4

#define LX_UTIME_NOW	       ((1l << 30) - 1)
#define LX_UTIME_OMIT	       ((1l << 30) - 2)

/* A resolved path: the root to walk from and the whole path. */
struct lx_path {
	struct vnode *root;
	char *buf; /* VFS_PATH_MAX bytes, kmalloc'd */
	size_t len;
};

static void
path_free(struct lx_path *p)
{
	kfree(p->buf);
	p->buf = NULL;
}

long
lx_copy_user_string(uintptr_t u, char *buf, size_t size, long toolong)
{
	for (size_t at = 0; at < size;) {
		size_t n = PAGE_SIZE_4K - ((u + at) & (PAGE_SIZE_4K - 1));

		if (n > size - at)
			n = size - at;
		if (copy_from_user(buf + at, u + at, n))
			return -LX_EFAULT;
		for (size_t i = 0; i < n; i++)
			if (buf[at + i] == '\0')
				return (long)(at + i);
		at += n;
	}
	return toolong;
}

/* A path: at most size - 1 bytes, else -LX_ENAMETOOLONG. */
static long
copy_path(uintptr_t u, char *buf, size_t size)
{
	return lx_copy_user_string(u, buf, size, -LX_ENAMETOOLONG);
}

/* Paths of fewer bytes than this are copied onto the stack. */
#define RESOLVE_SHORT 256

static void
rel_free(char *rel, const char *short_rel)
{
	if (rel != short_rel)
		kfree(rel);
}

/*
 * dirfd and the user path upath into *out: an empty path is -ENOENT
 * unless empty_ok (AT_EMPTY_PATH; out->len 0 then, and *dirf gets
 * dirfd's description, referenced).  -EBADF for a bad dirfd, -ENOTDIR
 * for one that is not a directory.
 */
static long
resolve_at(int dirfd, uintptr_t upath, bool empty_ok, struct lx_path *out, struct linux_file **dirf)
{
	struct linux_proc *lp = lx_current();
	struct linux_file *df = NULL;
	char short_rel[RESOLVE_SHORT], *rel = short_rel;
	size_t cwd_len = 0;
	long n, r;

	out->buf = NULL;
	if (dirf)
		*dirf = NULL;
	/* Most paths are short: only a long one costs a buffer of its own. */
	n = copy_path(upath, short_rel, sizeof(short_rel));
	if (n == -LX_ENAMETOOLONG) {
		rel = kmalloc(VFS_PATH_MAX);
		if (!rel)
			return -LX_ENOMEM;
		n = copy_path(upath, rel, VFS_PATH_MAX);
	}
	if (n < 0 || (n == 0 && !empty_ok)) {
		rel_free(rel, short_rel);
		return n < 0 ? n : -LX_ENOENT;
	}
	if (!lp->root) {
		rel_free(rel, short_rel);
		return -LX_ENOENT; /* no filesystem was given */
	}
	/* Before "..": /proc/self/root/.. is the root's own "..", the root,
	 * and /proc/self/cwd/.. the working directory's parent. */
	if (rel[0] == '/') {
		n = (long)lx_path_strip_proc_root(rel, (size_t)n, lp->pid);
		cwd_len = lx_path_proc_cwd(rel, (size_t)n, lp->pid);
		if (cwd_len) {
			n -= (long)cwd_len;
			memmove(rel, rel + cwd_len, (size_t)n + 1);
			if (n == 0) { /* the directory itself */
				memcpy(rel, ".", 2);
				n = 1;
			}
		}
	}
	if (!cwd_len && (n == 0 || rel[0] != '/')) {
		if (dirfd != LX_AT_FDCWD) {
			df = lx_fd_get(lp, dirfd);
			if (!df) {
				rel_free(rel, short_rel);
				return -LX_EBADF;
			}
			if (df->kind != LXF_DIR && n > 0) {
				lx_file_put(df);
				rel_free(rel, short_rel);
				return -LX_ENOTDIR;
			}
		}
	}
	out->root = lp->root->vn;
	out->buf = kmalloc(VFS_PATH_MAX);
	if (!out->buf) {
		r = -LX_ENOMEM;
	} else if (n == 0) {
		out->len = 0;
		out->buf[0] = '\0';
		r = 0;
	} else {
		struct linux_fs *fs = lx_fs(lp);

		mutex_lock(&fs->lock);
		r = lx_path_join(out->buf, VFS_PATH_MAX, df ? df->path : fs->cwd, rel, (size_t)n);
		mutex_unlock(&fs->lock);
		if (r >= 0) {
			out->len = lx_path_strip_proc_root(out->buf, (size_t)r, lp->pid);
			r = 0;
		}
	}
	rel_free(rel, short_rel);
	if (r < 0)
		path_free(out);
	if (df && (r < 0 || !dirf))
		lx_file_put(df);
	else if (dirf)
		*dirf = df;
	return r;
}

static long
resolve(uintptr_t upath, struct lx_path *out)
{
	return resolve_at(LX_AT_FDCWD, upath, false, out, NULL);
}

/* ---- open ---- */

#define LX_OPEN_KEPT \
	(LX_O_ACCMODE | LX_O_APPEND | LX_O_NONBLOCK | LX_O_PATH | LX_O_DSYNC | LX_O_NOCTTY)

static long open_path(struct lx_path *p, uint64_t flags, uint64_t mode);

/* A new description of what fd's names (/proc/self/fd/N, /dev/stdin):
 * a File of its own position on the same file, as Linux reopens it. */
static struct linux_file *
reopen_fd(int fd, uint64_t flags, long *err)
{
	struct linux_file *f0 = lx_fd_get(lx_current(), fd), *f = NULL;
	struct file_object *fo;
	struct dir_object *d;
	struct kobject *obj = NULL;
	unsigned long irq;
	int e = 0;

	*err = -LX_ENOENT;
	if (!f0)
		return NULL;
	switch (f0->kind) {
	case LXF_CONSOLE:
		/* A new description, not hung up, of the console: a session
		 * leader may take it as Linux's serial port's open does. */
		linux_tty_open(lx_current(), false, flags & LX_O_NOCTTY);
		irq = cap_lock_take();
		obj = f0->obj;
		kobject_ref(obj);
		cap_lock_drop(irq);
		break;
	case LXF_FILE:
		e = file_object_create(lx_file_vnode(f0), false, &fo);
		obj = e ? NULL : &fo->obj;
		break;
	case LXF_DIR:
		e = dir_object_create(lx_file_vnode(f0), &d);
		obj = e ? NULL : &d->obj;
		break;
	default:
		e = -E_NOTSUP;
		break;
	}
	if (obj) {
		f = lx_file_new(obj, (uint32_t)flags & LX_OPEN_KEPT, f0->path);
		if (!f) {
			irq = cap_lock_take();
			kobject_unref(obj);
			cap_lock_drop(irq);
		}
	}
	*err = f ? 0 : e == -E_NOTSUP ? -LX_ENXIO : e ? lx_err(e) : -LX_ENOMEM;
	lx_file_put(f0);
	return f;
}

/* Opens what a synthetic path names (linux/synth.h); s is taken. */
static long
open_synth(struct lx_synth *s, uint64_t flags, struct lx_path *p)
{
	uint32_t acc = flags & LX_O_ACCMODE;
	struct linux_file *f = NULL;
	unsigned long irq;
	long r = 0;

	switch (s->kind) {
	case SYN_LINK:
		if (flags & LX_O_NOFOLLOW) {
			r = -LX_ELOOP;
		} else if (s->fd >= 0) {
			f = reopen_fd(s->fd, flags, &r);
		} else {
			/* exe, cwd, root: the target, from the root. */
			strlcpy(p->buf, s->text, VFS_PATH_MAX);
			p->len = strlen(p->buf);
			lx_synth_free(s);
			return open_path(p, flags & ~(uint64_t)(LX_O_CREAT | LX_O_EXCL), 0);
		}
		lx_synth_free(s);
		break;
	case SYN_DEV:
		if (s->console) {
			r = linux_tty_open(lx_current(), s->rdev == LX_DEV_TTY,
					   flags & LX_O_NOCTTY);
			if (r) {
				lx_synth_free(s);
				break;
			}
			irq = cap_lock_take();
			f = lx_file_new(console_object(), (uint32_t)flags & LX_OPEN_KEPT, NULL);
			if (f)
				kobject_ref(f->obj);
			cap_lock_drop(irq);
			lx_synth_free(s);
			break;
		}
		/* fall through */
	case SYN_TEXT:
	case SYN_DIR:
		if ((flags & LX_O_CREAT) && (flags & LX_O_EXCL))
			r = -LX_EEXIST;
		else if (s->kind == SYN_DIR && acc != LX_O_RDONLY)
			r = -LX_EISDIR;
		else if (s->kind != SYN_DIR && (flags & LX_O_DIRECTORY))
			r = -LX_ENOTDIR;
		else if (s->kind == SYN_TEXT && acc != LX_O_RDONLY)
			r = -LX_EACCES;
		else
			f = lx_file_new_synth(s, (uint32_t)flags & LX_OPEN_KEPT);
		if (!f)
			lx_synth_free(s);
		break;
	}
	path_free(p);
	if (!f)
		return r ? r : -LX_ENOMEM;
	return lx_fd_new(lx_current(), f, flags & LX_O_CLOEXEC);
}

static long
open_at(int dirfd, uintptr_t upath, uint64_t flags, uint64_t mode)
{
	struct lx_path p;
	long r;

	/* Access mode 3 is Linux's "neither read nor write" (ioctl only). */
	r = resolve_at(dirfd, upath, false, &p, NULL);
	if (r < 0)
		return r;
	return open_path(&p, flags, mode);
}

/* Opens the resolved path p (freed here). */
static long
open_path(struct lx_path *pp, uint64_t flags, uint64_t mode)
{
	struct linux_proc *lp = lx_current();
	uint32_t vflags = 0, acc = flags & LX_O_ACCMODE;
	struct file_object *fo;
	struct dir_object *d;
	struct linux_file *f;
	struct lx_path p = *pp;
	struct lx_synth s;
	struct vfs_stat st;
	struct vnode *vn;
	struct kobject *obj;
	long r;
	int err;

	r = lx_synth_lookup(p.buf, &s);
	if (r < 0) {
		path_free(&p);
		return r;
	}
	if (r == 1)
		return open_synth(&s, flags, &p);
	if (flags & LX_O_CREAT)
		vflags |= VFS_O_CREAT;
	if ((flags & LX_O_EXCL) && (flags & LX_O_CREAT))
		vflags |= VFS_O_EXCL;
	if (flags & LX_O_TRUNC) /* Linux truncates even when opened read-only */
		vflags |= VFS_O_TRUNC;
	if (flags & LX_O_DIRECTORY)
		vflags |= VFS_O_DIRECTORY;
	if (flags & LX_O_NOFOLLOW)
		vflags |= VFS_O_NOFOLLOW;
	err = vfs_open(p.root, p.buf, p.len, vflags, (uint32_t)mode & 07777 & ~lx_umask(), &vn);
	if (err) {
		path_free(&p);
		return lx_err(err);
	}
	err = vfs_getattr(vn, &st);
	if (!err && VFS_S_ISDIR(st.mode)) {
		if (acc != LX_O_RDONLY && !(flags & LX_O_PATH))
			err = -E_ISDIR;
		else
			err = dir_object_create(vn, &d);
		obj = err ? NULL : &d->obj;
	} else if (!err && VFS_S_ISREG(st.mode)) {
		err = file_object_create(vn, false, &fo);
		obj = err ? NULL : &fo->obj;
	} else if (!err) {
		err = -E_NOTSUP; /* devices and FIFOs: not yet */
	}
	vnode_unref(vn);
	if (err) {
		path_free(&p);
		return err == -E_NOTSUP ? -LX_ENXIO : lx_err(err);
	}
	if (obj->type == KOBJ_DIRECTORY)
		lx_path_normalize(p.buf);
	/* The path stays with the description: *at calls start from a
	 * directory's, /proc/self/fd shows a file's. */
	f = lx_file_new(obj, (uint32_t)flags & LX_OPEN_KEPT, p.buf);
	path_free(&p);
	if (!f) {
		unsigned long irq = cap_lock_take();

		kobject_unref(obj);
		cap_lock_drop(irq);
		return -LX_ENOMEM;
	}
	return lx_fd_new(lp, f, flags & LX_O_CLOEXEC);
}

long
lx_sys_openat(struct syscall_args *a)
{
	return open_at((int)a->a[0], a->a[1], a->a[2], a->a[3]);
}

long
lx_sys_open(struct syscall_args *a)
{
	return open_at(LX_AT_FDCWD, a->a[0], a->a[1], a->a[2]);
}

long
lx_sys_creat(struct syscall_args *a)
{
	return open_at(LX_AT_FDCWD, a->a[0], LX_O_CREAT | LX_O_WRONLY | LX_O_TRUNC, a->a[1]);
}

/* ---- stat ---- */

/* The console as a character device (Linux's /dev/console, 5:1). */
static void
console_stat(struct vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = VFS_S_IFCHR | 0620;
	st->nlink = 1;
	st->rdev = 5 << 8 | 1;
	st->blksize = 1024;
	st->ino = 1;
}

static void
to_linux_stat(const struct vfs_stat *st, struct linux_stat *ls)
{
	memset(ls, 0, sizeof(*ls));
	ls->st_dev = st->dev;
	ls->st_ino = st->ino;
	ls->st_nlink = st->nlink;
	ls->st_mode = st->mode;
	ls->st_uid = st->uid;
	ls->st_gid = st->gid;
	ls->st_rdev = st->rdev;
	ls->st_size = (int64_t)st->size;
	ls->st_blksize = st->blksize ? st->blksize : 4096;
	ls->st_blocks = (int64_t)st->blocks;
	/* One time is kept: access and change times are the modification's. */
	ls->st_atime_sec = ls->st_mtime_sec = ls->st_ctime_sec = st->mtime_sec;
	ls->st_atime_nsec = ls->st_mtime_nsec = ls->st_ctime_nsec = st->mtime_nsec;
}

static void
synth_stat(const struct lx_synth *s, struct vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = s->mode;
	st->nlink = s->kind == SYN_DIR ? 2 : 1;
	st->rdev = s->rdev;
	st->ino = s->ino;
	st->dev = 0x10; /* a device of its own, as proc and devtmpfs are */
	st->blksize = 1024;
	st->size = s->kind == SYN_LINK ? s->size : 0; /* /proc files say 0, as Linux's */
}

static long
fd_stat(struct linux_file *f, struct vfs_stat *st)
{
	if (f->kind == LXF_CONSOLE) {
		console_stat(st);
		return 0;
	}
	if (f->kind == LXF_PIPE) {
		memset(st, 0, sizeof(*st));
		st->mode = VFS_S_IFIFO | 0600;
		st->nlink = 1;
		st->blksize = 4096;
		st->ino = (uint64_t)(uintptr_t)f->obj / 64; /* the same for both ends */
		return 0;
	}
	if (f->kind == LXF_SYNTH) {
		synth_stat(f->synth, st);
		return 0;
	}
	return lx_err(vfs_getattr(lx_file_vnode(f), st));
}

/* The attributes behind dirfd + path with flags (AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH). */
static long
stat_at(int dirfd, uintptr_t upath, uint64_t flags, struct vfs_stat *st)
{
	struct linux_file *df;
	struct lx_path p;
	long r;

	if (flags & ~(uint64_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT |
				LX_AT_STATX_MASK))
		return -LX_EINVAL;
	r = resolve_at(dirfd, upath, flags & LX_AT_EMPTY_PATH, &p, &df);
	if (r < 0)
		return r;
	if (p.len == 0) {
		if (df) {
			r = fd_stat(df, st);
			lx_file_put(df);
		} else {
			struct linux_fs *fs = lx_fs(lx_current());

			/* AT_FDCWD with an empty path: the working directory. */
			mutex_lock(&fs->lock);
			strlcpy(p.buf, fs->cwd, VFS_PATH_MAX);
			mutex_unlock(&fs->lock);
			r = lx_err(vfs_stat(p.root, p.buf, strlen(p.buf), true, st));
		}
	} else {
		struct lx_synth s;

		if (df)
			lx_file_put(df);
		r = lx_synth_lookup(p.buf, &s);
		if (r == 1 && s.kind == SYN_LINK && !(flags & LX_AT_SYMLINK_NOFOLLOW)) {
			/* Followed: what the descriptor names, or the target. */
			if (s.fd >= 0) {
				struct linux_file *f = lx_fd_get(lx_current(), s.fd);

				r = f ? fd_stat(f, st) : -LX_ENOENT;
				if (f)
					lx_file_put(f);
			} else {
				r = lx_err(vfs_stat(p.root, s.text, s.size, true, st));
			}
			lx_synth_free(&s);
		} else if (r == 1) {
			synth_stat(&s, st);
			lx_synth_free(&s);
			r = 0;
		} else if (r == 0) {
			r = lx_err(vfs_stat(p.root, p.buf, p.len, !(flags & LX_AT_SYMLINK_NOFOLLOW),
					    st));
		}
	}
	path_free(&p);
	return r;
}

static long
put_stat(const struct vfs_stat *st, uintptr_t ubuf)
{
	struct linux_stat ls;

	to_linux_stat(st, &ls);
	return copy_to_user(ubuf, &ls, sizeof(ls)) ? -LX_EFAULT : 0;
}

long
lx_sys_newfstatat(struct syscall_args *a)
{
	struct vfs_stat st;
	long r = stat_at((int)a->a[0], a->a[1], a->a[3], &st);

	return r < 0 ? r : put_stat(&st, a->a[2]);
}

long
lx_sys_stat(struct syscall_args *a)
{
	struct vfs_stat st;
	long r = stat_at(LX_AT_FDCWD, a->a[0], 0, &st);

	return r < 0 ? r : put_stat(&st, a->a[1]);
}

long
lx_sys_lstat(struct syscall_args *a)
{
	struct vfs_stat st;
	long r = stat_at(LX_AT_FDCWD, a->a[0], LX_AT_SYMLINK_NOFOLLOW, &st);

	return r < 0 ? r : put_stat(&st, a->a[1]);
}

long
lx_sys_fstat(struct syscall_args *a)
{
	struct linux_file *f = lx_fd_get(lx_current(), (int)a->a[0]);
	struct vfs_stat st;
	long r;

	if (!f)
		return -LX_EBADF;
	r = fd_stat(f, &st);
	lx_file_put(f);
	return r < 0 ? r : put_stat(&st, a->a[1]);
}

struct lx_statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t reserved;
};

struct lx_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct lx_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct lx_statx) == 256, "struct statx");

#define LX_STATX_BASIC_STATS 0x7ffu

long
lx_sys_statx(struct syscall_args *a)
{
	struct vfs_stat st;
	struct lx_statx sx;
	long r;

	if (a->a[3] & 0x80000000u)
		return -LX_EINVAL; /* STATX__RESERVED */
	r = stat_at((int)a->a[0], a->a[1], a->a[2], &st);
	if (r < 0)
		return r;
	memset(&sx, 0, sizeof(sx));
	sx.mask = LX_STATX_BASIC_STATS;
	sx.blksize = st.blksize ? st.blksize : 4096;
	sx.nlink = st.nlink;
	sx.uid = st.uid;
	sx.gid = st.gid;
	sx.mode = (uint16_t)st.mode;
	sx.ino = st.ino;
	sx.size = st.size;
	sx.blocks = st.blocks;
	sx.atime.sec = sx.ctime.sec = sx.mtime.sec = st.mtime_sec;
	sx.atime.nsec = sx.ctime.nsec = sx.mtime.nsec = st.mtime_nsec;
	sx.rdev_major = st.rdev >> 8 & 0xfff;
	sx.rdev_minor = (st.rdev & 0xff) | (st.rdev >> 12 & 0xfff00);
	sx.dev_major = (uint32_t)(st.dev >> 8 & 0xfff);
	sx.dev_minor = (uint32_t)(st.dev & 0xff);
	return copy_to_user(a->a[4], &sx, sizeof(sx)) ? -LX_EFAULT : 0;
}

/* ---- directories ---- */

struct lx_dirent64_head {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __attribute__((packed));

/* Puts one record at ubuf + at if it fits in count: its length, 0 when
 * it does not fit, -LX_EFAULT. */
static long
put_dirent(uintptr_t ubuf, size_t at, size_t count, uint64_t ino, int64_t off, uint8_t type,
	   const char *name, size_t nlen)
{
	struct lx_dirent64_head h;
	size_t reclen = (sizeof(h) + nlen + 1 + 7) & ~(size_t)7;
	static const char zeros[8];

	if (reclen > count - at)
		return 0;
	h.ino = ino;
	h.off = off;
	h.reclen = (uint16_t)reclen;
	h.type = type;
	if (copy_to_user(ubuf + at, &h, sizeof(h)) ||
	    copy_to_user(ubuf + at + sizeof(h), name, nlen) ||
	    copy_to_user(ubuf + at + sizeof(h) + nlen, zeros, reclen - sizeof(h) - nlen))
		return -LX_EFAULT;
	return (long)reclen;
}

/* A synthetic directory's entries: ".", "..", then its list (text). */
static long
synth_getdents(struct linux_file *f, uintptr_t ubuf, size_t count)
{
	const struct lx_synth *s = f->synth;
	size_t at = 0;
	long r = 0;

	if (!user_range_ok(ubuf, count))
		return -LX_EFAULT;
	fs_mutex_lock(&f->lock);
	for (;;) {
		size_t i = 0, off = 0;
		const char *name = NULL;
		uint8_t type = VFS_DT_DIR;
		long n;

		if (f->dir_pos < 2) {
			name = f->dir_pos ? ".." : ".";
		} else {
			for (; off < s->size; i++, off += strlen(s->text + off + 1) + 2)
				if (i == f->dir_pos - 2)
					break;
			if (off >= s->size)
				break;
			type = (uint8_t)s->text[off];
			name = s->text + off + 1;
		}
		n = put_dirent(ubuf, at, count, s->ino + 0x100 + f->dir_pos,
			       (int64_t)f->dir_pos + 1, type, name, strlen(name));
		if (n <= 0) {
			r = n < 0 ? n : at == 0 ? -LX_EINVAL : 0;
			break;
		}
		at += (size_t)n;
		f->dir_pos++;
	}
	fs_mutex_unlock(&f->lock);
	return at ? (long)at : r;
}

long
lx_sys_getdents64(struct syscall_args *a)
{
	struct linux_file *f = lx_fd_get(lx_current(), (int)a->a[0]);
	uintptr_t ubuf = a->a[1];
	size_t count = a->a[2], at = 0;
	struct vfs_dirent *d;
	struct vfs_stat st;
	long r = 0;

	if (!f)
		return -LX_EBADF;
	if (f->kind == LXF_SYNTH && f->synth->kind == SYN_DIR) {
		r = synth_getdents(f, ubuf, count);
		lx_file_put(f);
		return r;
	}
	if (f->kind != LXF_DIR || (f->flags & LX_O_PATH)) {
		r = f->kind == LXF_DIR ? -LX_EBADF : -LX_ENOTDIR;
		lx_file_put(f);
		return r;
	}
	if (!user_range_ok(ubuf, count)) {
		lx_file_put(f);
		return -LX_EFAULT;
	}
	d = kmalloc(sizeof(*d));
	if (!d) {
		lx_file_put(f);
		return -LX_ENOMEM;
	}
	fs_mutex_lock(&f->lock);
	for (;;) {
		uint64_t cookie = f->dir_cookie;
		long n;

		if (f->dir_pos < 2) {
			/* "." and ".." first, as Linux's filesystems give them. */
			if (vfs_getattr(lx_file_vnode(f), &st))
				st.ino = 0;
			n = put_dirent(ubuf, at, count, st.ino, (int64_t)f->dir_pos + 1, VFS_DT_DIR,
				       "..", f->dir_pos + 1);
		} else {
			int got = vfs_readdir(lx_file_vnode(f), &cookie, d);

			if (got <= 0) {
				r = lx_err(got);
				break;
			}
			n = put_dirent(ubuf, at, count, d->ino, (int64_t)f->dir_pos + 1, d->type,
				       d->name, d->name_len);
		}
		if (n <= 0) {
			/* Full: the entry waits for the next call. */
			r = n < 0 ? n : at == 0 ? -LX_EINVAL : 0;
			break;
		}
		at += (size_t)n;
		f->dir_cookie = cookie;
		f->dir_pos++;
	}
	fs_mutex_unlock(&f->lock);
	kfree(d);
	lx_file_put(f);
	return at ? (long)at : r;
}

/* ---- names ---- */

static long
readlink_at(int dirfd, uintptr_t upath, uintptr_t ubuf, int64_t size)
{
	struct lx_path p;
	char *buf;
	long r;

	if (size <= 0)
		return -LX_EINVAL;
	r = resolve_at(dirfd, upath, false, &p, NULL);
	if (r < 0)
		return r;
	buf = kmalloc(VFS_SYMLINK_MAX + 1);
	if (!buf) {
		path_free(&p);
		return -LX_ENOMEM;
	}
	struct lx_synth s;

	r = lx_synth_lookup(p.buf, &s);
	if (r == 1) {
		if (s.kind == SYN_LINK) {
			r = (long)s.size;
			memcpy(buf, s.text, s.size);
		} else {
			r = -E_INVAL;
		}
		lx_synth_free(&s);
	} else if (r == 0) {
		r = vfs_readlink(p.root, p.buf, p.len, buf, VFS_SYMLINK_MAX + 1);
	} else {
		kfree(buf);
		path_free(&p);
		return r;
	}
	if (r >= 0) {
		if (r > size)
			r = size; /* cut short, as Linux does */
		if (copy_to_user(ubuf, buf, (size_t)r))
			r = -E_FAULT;
	}
	kfree(buf);
	path_free(&p);
	return lx_err(r);
}

long
lx_sys_readlinkat(struct syscall_args *a)
{
	return readlink_at((int)a->a[0], a->a[1], a->a[2], (int64_t)a->a[3]);
}

long
lx_sys_readlink(struct syscall_args *a)
{
	return readlink_at(LX_AT_FDCWD, a->a[0], a->a[1], (int64_t)a->a[2]);
}

/* Inside, the program is root: every permission holds but writing to a
 * read-only filesystem and running what no one may run. */
static long
access_at(int dirfd, uintptr_t upath, uint64_t mode, uint64_t flags)
{
	struct lx_path p;
	struct vnode *vn;
	struct vfs_stat st;
	long r;

	if (mode & ~(uint64_t)7)
		return -LX_EINVAL;
	if (flags & ~(uint64_t)(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -LX_EINVAL;
	r = resolve_at(dirfd, upath, false, &p, NULL);
	if (r < 0)
		return r;
	struct lx_synth s;

	r = lx_synth_lookup(p.buf, &s);
	if (r != 0) {
		/* /dev and /proc: there, readable, writable as their modes say. */
		path_free(&p);
		if (r < 0)
			return r;
		r = (mode & LX_W_OK) && s.kind == SYN_TEXT ? -LX_EACCES : 0;
		lx_synth_free(&s);
		return r;
	}
	r = vfs_lookup(p.root, p.buf, p.len, !(flags & LX_AT_SYMLINK_NOFOLLOW), &vn);
	path_free(&p);
	if (r)
		return lx_err(r);
	r = vfs_getattr(vn, &st);
	if (!r && (mode & LX_W_OK) && vn->fs && vn->fs->read_only)
		r = -LX_EROFS;
	else if (!r && (mode & LX_X_OK) && !VFS_S_ISDIR(st.mode) && !(st.mode & 0111))
		r = -LX_EACCES;
	else
		r = lx_err(r);
	vnode_unref(vn);
	return r;
}

long
lx_sys_faccessat(struct syscall_args *a)
{
	return access_at((int)a->a[0], a->a[1], a->a[2], 0);
}

long
lx_sys_faccessat2(struct syscall_args *a)
{
	return access_at((int)a->a[0], a->a[1], a->a[2], a->a[3]);
}

long
lx_sys_access(struct syscall_args *a)
{
	return access_at(LX_AT_FDCWD, a->a[0], a->a[1], 0);
}

long
lx_sys_getcwd(struct syscall_args *a)
{
	struct linux_fs *fs = lx_fs(lx_current());
	char *buf = kmalloc(VFS_PATH_MAX);
	size_t len;
	long r;

	if (!buf)
		return -LX_ENOMEM;
	mutex_lock(&fs->lock);
	strlcpy(buf, fs->cwd, VFS_PATH_MAX);
	mutex_unlock(&fs->lock);
	len = strlen(buf) + 1;
	if (a->a[1] < len)
		r = -LX_ERANGE;
	else
		r = copy_to_user(a->a[0], buf, len) ? -LX_EFAULT : (long)len;
	kfree(buf);
	return r;
}

/* The working directory becomes path (absolute, resolved from the
 * root), once it is known to be a directory. */
static long
set_cwd(struct lx_path *p)
{
	struct linux_fs *fs = lx_fs(lx_current());
	struct vfs_stat st;
	long r = vfs_stat(p->root, p->buf, p->len, true, &st);

	if (r)
		return lx_err(r);
	if (!VFS_S_ISDIR(st.mode))
		return -LX_ENOTDIR;
	lx_path_normalize(p->buf);
	mutex_lock(&fs->lock);
	strlcpy(fs->cwd, p->buf, VFS_PATH_MAX);
	mutex_unlock(&fs->lock);
	return 0;
}

long
lx_sys_chdir(struct syscall_args *a)
{
	struct lx_path p;
	long r = resolve(a->a[0], &p);

	if (r < 0)
		return r;
	r = set_cwd(&p);
	path_free(&p);
	return r;
}

long
lx_sys_fchdir(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct linux_file *f = lx_fd_get(lp, (int)a->a[0]);
	struct linux_fs *fs;

	if (!f)
		return -LX_EBADF;
	if (f->kind != LXF_DIR) {
		lx_file_put(f);
		return -LX_ENOTDIR;
	}
	fs = lx_fs(lp);
	mutex_lock(&fs->lock);
	strlcpy(fs->cwd, f->path, VFS_PATH_MAX);
	mutex_unlock(&fs->lock);
	lx_file_put(f);
	return 0;
}

static long
mkdir_at(int dirfd, uintptr_t upath, uint64_t mode)
{
	struct lx_path p;
	long r = resolve_at(dirfd, upath, false, &p, NULL);

	if (r < 0)
		return r;
	r = vfs_mknod(p.root, p.buf, p.len, VFS_S_IFDIR | ((uint32_t)mode & 07777 & ~lx_umask()),
		      0);
	path_free(&p);
	return lx_err(r);
}

long
lx_sys_mkdirat(struct syscall_args *a)
{
	return mkdir_at((int)a->a[0], a->a[1], a->a[2]);
}

long
lx_sys_mkdir(struct syscall_args *a)
{
	return mkdir_at(LX_AT_FDCWD, a->a[0], a->a[1]);
}

static long
unlink_at(int dirfd, uintptr_t upath, uint64_t flags)
{
	struct lx_path p;
	long r;

	if (flags & ~(uint64_t)LX_AT_REMOVEDIR)
		return -LX_EINVAL;
	r = resolve_at(dirfd, upath, false, &p, NULL);
	if (r < 0)
		return r;
	r = vfs_remove(p.root, p.buf, p.len, flags & LX_AT_REMOVEDIR);
	path_free(&p);
	/* Linux's unlink of a directory is EISDIR; rmdir of "." EINVAL. */
	return lx_err(r);
}

long
lx_sys_unlinkat(struct syscall_args *a)
{
	return unlink_at((int)a->a[0], a->a[1], a->a[2]);
}

long
lx_sys_unlink(struct syscall_args *a)
{
	return unlink_at(LX_AT_FDCWD, a->a[0], 0);
}

long
lx_sys_rmdir(struct syscall_args *a)
{
	return unlink_at(LX_AT_FDCWD, a->a[0], LX_AT_REMOVEDIR);
}

/* Two paths, for rename and link. */
static long
two_paths(int odirfd, uintptr_t opath, int ndirfd, uintptr_t npath, struct lx_path *o,
	  struct lx_path *n)
{
	long r = resolve_at(odirfd, opath, false, o, NULL);

	if (r < 0)
		return r;
	r = resolve_at(ndirfd, npath, false, n, NULL);
	if (r < 0)
		path_free(o);
	return r;
}

static long
rename_at(int odirfd, uintptr_t opath, int ndirfd, uintptr_t npath, uint64_t flags)
{
	struct lx_path o, n;
	long r;

	if (flags)
		return -LX_EINVAL; /* RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT: not yet */
	r = two_paths(odirfd, opath, ndirfd, npath, &o, &n);
	if (r < 0)
		return r;
	r = vfs_rename(o.root, o.buf, o.len, n.root, n.buf, n.len);
	path_free(&o);
	path_free(&n);
	return lx_err(r);
}

long
lx_sys_renameat2(struct syscall_args *a)
{
	return rename_at((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], a->a[4]);
}

long
lx_sys_renameat(struct syscall_args *a)
{
	return rename_at((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], 0);
}

long
lx_sys_rename(struct syscall_args *a)
{
	return rename_at(LX_AT_FDCWD, a->a[0], LX_AT_FDCWD, a->a[1], 0);
}

static long
link_at(int odirfd, uintptr_t opath, int ndirfd, uintptr_t npath, uint64_t flags)
{
	struct lx_path o, n;
	long r;

	if (flags & ~(uint64_t)(LX_AT_SYMLINK_FOLLOW | LX_AT_EMPTY_PATH))
		return -LX_EINVAL;
	r = two_paths(odirfd, opath, ndirfd, npath, &o, &n);
	if (r < 0)
		return r;
	r = vfs_link(o.root, o.buf, o.len, n.root, n.buf, n.len);
	path_free(&o);
	path_free(&n);
	/* Linux refuses hard links to directories with EPERM. */
	return r == -E_ISDIR ? -LX_EPERM : lx_err(r);
}

long
lx_sys_linkat(struct syscall_args *a)
{
	return link_at((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], a->a[4]);
}

long
lx_sys_link(struct syscall_args *a)
{
	return link_at(LX_AT_FDCWD, a->a[0], LX_AT_FDCWD, a->a[1], 0);
}

static long
symlink_at(uintptr_t utarget, int dirfd, uintptr_t upath)
{
	char *target = kmalloc(VFS_PATH_MAX);
	struct lx_path p;
	long tlen, r;

	if (!target)
		return -LX_ENOMEM;
	tlen = copy_path(utarget, target, VFS_PATH_MAX);
	if (tlen <= 0) {
		kfree(target);
		return tlen < 0 ? tlen : -LX_ENOENT;
	}
	r = resolve_at(dirfd, upath, false, &p, NULL);
	if (r == 0) {
		r = lx_err(vfs_symlink(target, (size_t)tlen, p.root, p.buf, p.len));
		path_free(&p);
	}
	kfree(target);
	return r;
}

long
lx_sys_symlinkat(struct syscall_args *a)
{
	return symlink_at(a->a[0], (int)a->a[1], a->a[2]);
}

long
lx_sys_symlink(struct syscall_args *a)
{
	return symlink_at(a->a[0], LX_AT_FDCWD, a->a[1]);
}

long
lx_sys_truncate(struct syscall_args *a)
{
	struct lx_path p;
	struct vnode *vn;
	struct vfs_stat st;
	long r;

	if ((int64_t)a->a[1] < 0)
		return -LX_EINVAL;
	r = resolve(a->a[0], &p);
	if (r < 0)
		return r;
	r = vfs_lookup(p.root, p.buf, p.len, true, &vn);
	path_free(&p);
	if (r)
		return lx_err(r);
	r = vfs_getattr(vn, &st);
	if (!r && VFS_S_ISDIR(st.mode))
		r = -E_ISDIR;
	if (!r)
		r = vfs_truncate(vn, a->a[1]);
	vnode_unref(vn);
	return lx_err(r);
}

/* ---- attributes ---- */

static long
setattr_vnode(struct vnode *vn, const struct vfs_setattr *sa)
{
	if (!vn->ops->setattr)
		return -LX_EROFS;
	return lx_err(vn->ops->setattr(vn, sa));
}

/* setattr on dirfd + path (flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH),
 * or on the descriptor itself when upath is 0 (utimensat's futimens). */
static long
setattr_at(int dirfd, uintptr_t upath, uint64_t flags, const struct vfs_setattr *sa)
{
	struct linux_file *df = NULL;
	struct lx_path p = { 0 };
	struct vnode *vn = NULL;
	long r;

	if (flags & ~(uint64_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -LX_EINVAL;
	if (upath == 0) {
		df = lx_fd_get(lx_current(), dirfd);
		if (!df)
			return -LX_EBADF;
	} else {
		r = resolve_at(dirfd, upath, flags & LX_AT_EMPTY_PATH, &p, &df);
		if (r < 0)
			return r;
	}
	if (p.len) {
		r = lx_err(
			vfs_lookup(p.root, p.buf, p.len, !(flags & LX_AT_SYMLINK_NOFOLLOW), &vn));
		if (!r) {
			r = setattr_vnode(vn, sa);
			vnode_unref(vn);
		}
	} else if (df) {
		/* The console, pipes and /dev, /proc keep no attributes: taken
		 * as done. */
		r = !lx_file_vnode(df) ? 0 : setattr_vnode(lx_file_vnode(df), sa);
	} else {
		r = -LX_ENOENT;
	}
	if (df)
		lx_file_put(df);
	path_free(&p);
	return r;
}

static long
chmod_at(int dirfd, uintptr_t upath, uint64_t mode, uint64_t flags)
{
	struct vfs_setattr sa = { .mask = VFS_ATTR_MODE, .mode = (uint32_t)mode & 07777 };

	return setattr_at(dirfd, upath, flags, &sa);
}

long
lx_sys_fchmodat(struct syscall_args *a)
{
	if (!a->a[1])
		return -LX_EFAULT;
	return chmod_at((int)a->a[0], a->a[1], a->a[2], 0);
}

long
lx_sys_chmod(struct syscall_args *a)
{
	if (!a->a[0])
		return -LX_EFAULT;
	return chmod_at(LX_AT_FDCWD, a->a[0], a->a[1], 0);
}

long
lx_sys_fchmod(struct syscall_args *a)
{
	return chmod_at((int)a->a[0], 0, a->a[1], 0);
}

/* uid or gid (uint32_t)-1 leaves it as it is. */
static long
chown_at(int dirfd, uintptr_t upath, uint64_t uid, uint64_t gid, uint64_t flags)
{
	struct vfs_setattr sa = { .uid = (uint32_t)uid, .gid = (uint32_t)gid };

	if ((uint32_t)uid != UINT32_MAX)
		sa.mask |= VFS_ATTR_UID;
	if ((uint32_t)gid != UINT32_MAX)
		sa.mask |= VFS_ATTR_GID;
	return setattr_at(dirfd, upath, flags, &sa);
}

long
lx_sys_fchownat(struct syscall_args *a)
{
	if (!a->a[1])
		return -LX_EFAULT;
	return chown_at((int)a->a[0], a->a[1], a->a[2], a->a[3], a->a[4]);
}

long
lx_sys_chown(struct syscall_args *a)
{
	if (!a->a[0])
		return -LX_EFAULT;
	return chown_at(LX_AT_FDCWD, a->a[0], a->a[1], a->a[2], 0);
}

long
lx_sys_lchown(struct syscall_args *a)
{
	if (!a->a[0])
		return -LX_EFAULT;
	return chown_at(LX_AT_FDCWD, a->a[0], a->a[1], a->a[2], LX_AT_SYMLINK_NOFOLLOW);
}

long
lx_sys_fchown(struct syscall_args *a)
{
	return chown_at((int)a->a[0], 0, a->a[1], a->a[2], 0);
}

struct lx_timespec {
	int64_t sec, nsec;
};

/* Only the modification time is kept (fs/vnode.h): it is what is set. */
long
lx_sys_utimensat(struct syscall_args *a)
{
	struct vfs_setattr sa = { .mask = VFS_ATTR_MTIME };
	struct lx_timespec ts[2];
	uint64_t now = time_now_ns();

	if (a->a[2]) {
		if (copy_from_user(ts, a->a[2], sizeof(ts)))
			return -LX_EFAULT;
		for (int i = 0; i < 2; i++)
			if (ts[i].nsec != LX_UTIME_NOW && ts[i].nsec != LX_UTIME_OMIT &&
			    (ts[i].nsec < 0 || ts[i].nsec >= 1000000000))
				return -LX_EINVAL;
	} else {
		ts[0].nsec = ts[1].nsec = LX_UTIME_NOW;
	}
	if (ts[1].nsec == LX_UTIME_OMIT) {
		sa.mask = 0;
	} else if (ts[1].nsec == LX_UTIME_NOW) {
		sa.mtime_sec = (int64_t)(now / 1000000000);
		sa.mtime_nsec = (uint32_t)(now % 1000000000);
	} else {
		sa.mtime_sec = ts[1].sec;
		sa.mtime_nsec = (uint32_t)ts[1].nsec;
	}
	return setattr_at((int)a->a[0], a->a[1], a->a[3], &sa);
}

long
lx_sys_umask(struct syscall_args *a)
{
	struct linux_fs *fs = lx_fs(lx_current());

	return __atomic_exchange_n(&fs->umask, (uint32_t)a->a[0] & 0777, __ATOMIC_RELAXED);
}

/* ---- filesystems ---- */

struct lx_statfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags;
	int64_t spare[4];
};
_Static_assert(sizeof(struct lx_statfs) == 120, "struct statfs");

#define LX_ST_RDONLY 1

static long
put_statfs(struct vnode *vn, uintptr_t ubuf)
{
	struct lx_statfs sf;
	const char *type = vn->fs ? vn->fs->type : "";

	memset(&sf, 0, sizeof(sf));
	/* The magic numbers of Linux's statfs(2). */
	if (!strcmp(type, "erofs"))
		sf.type = 0xe0f5e1e2;
	else if (!strcmp(type, "tmpfs"))
		sf.type = 0x01021994;
	else
		sf.type = 0x794c7630; /* overlayfs */
	sf.bsize = sf.frsize = 4096;
	sf.namelen = VFS_NAME_MAX;
	sf.flags = vn->fs && vn->fs->read_only ? LX_ST_RDONLY : 0;
	if (vn->fs) {
		sf.fsid[0] = (int32_t)vn->fs->dev;
		sf.fsid[1] = (int32_t)(vn->fs->dev >> 32);
	}
	return copy_to_user(ubuf, &sf, sizeof(sf)) ? -LX_EFAULT : 0;
}

long
lx_sys_statfs(struct syscall_args *a)
{
	struct lx_path p;
	struct vnode *vn;
	long r = resolve(a->a[0], &p);

	if (r < 0)
		return r;
	r = vfs_lookup(p.root, p.buf, p.len, true, &vn);
	path_free(&p);
	if (r)
		return lx_err(r);
	r = put_statfs(vn, a->a[1]);
	vnode_unref(vn);
	return r;
}

long
lx_sys_fstatfs(struct syscall_args *a)
{
	struct linux_file *f = lx_fd_get(lx_current(), (int)a->a[0]);
	long r;

	if (!f)
		return -LX_EBADF;
	r = !lx_file_vnode(f) ? -LX_ENOSYS : put_statfs(lx_file_vnode(f), a->a[1]);
	lx_file_put(f);
	return r;
}
