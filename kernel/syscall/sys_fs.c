/*
 * Files and directories: open, read, write, seek, stat, readdir and
 * the namespace calls, on File and Directory capabilities.  Each call
 * takes its objects with a reference under the capability lock, drops
 * the lock, and only then does the work, which may sleep on the disk.
 */
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "object/directory.h"
#include "object/ops.h"
#include "object/file.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

_Static_assert(sizeof(struct fs_stat) == sizeof(struct vfs_stat), "fs_stat is vfs_stat");
_Static_assert(FS_O_CREAT == VFS_O_CREAT && FS_O_EXCL == VFS_O_EXCL && FS_O_TRUNC == VFS_O_TRUNC &&
		       FS_O_DIRECTORY == VFS_O_DIRECTORY && FS_O_NOFOLLOW == VFS_O_NOFOLLOW,
	       "open flags");

#define FS_IO_MAX      0x7ffff000ul /* bytes per read or write, as Linux */
#define FS_FILE_RIGHTS (CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXECUTE)

/* The object in slot (type, or KOBJ_ANY), referenced, and its rights. */
static int
obj_get(uint64_t slot, uint32_t type, uint32_t need, struct kobject **obj, uint32_t *rights)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(p->cs, slot, type, need, &c);

	if (!err) {
		*obj = c->obj;
		kobject_ref(*obj);
		if (rights)
			*rights = c->rights;
	}
	cap_lock_drop(flags);
	return err;
}

static int
dir_get(uint64_t slot, uint32_t need, struct dir_object **d, uint32_t *rights)
{
	return obj_get(slot, KOBJ_DIRECTORY, need, (struct kobject **)d, rights);
}

static int
file_get(uint64_t slot, uint32_t need, struct file_object **f)
{
	return obj_get(slot, KOBJ_FILE, need, (struct kobject **)f, NULL);
}

/* A user path into a fresh kernel buffer (kfree it). */
static int
path_in(uintptr_t upath, uint64_t len, char **out)
{
	char *buf;
	int err;

	if (len == 0)
		return -E_NOENT;
	if (len > FS_PATH_MAX)
		return -E_NAMETOOLONG;
	if (!user_range_ok(upath, len))
		return -E_FAULT;
	if (!(buf = kmalloc(len)))
		return -E_NOMEM;
	if ((err = copy_from_user(buf, upath, len))) {
		kfree(buf);
		return err;
	}
	*out = buf;
	return 0;
}

/* A directory capability's vnode and a path: the common start. */
struct dir_path {
	struct dir_object *dir;
	uint32_t rights;
	char *path;
	size_t len;
};

static int
dir_path_get(uint64_t slot, uint32_t need, uintptr_t upath, uint64_t len, struct dir_path *dp)
{
	int err = dir_get(slot, need, &dp->dir, &dp->rights);

	if (err)
		return err;
	if ((err = path_in(upath, len, &dp->path))) {
		cap_put(&dp->dir->obj);
		return err;
	}
	dp->len = len;
	return 0;
}

static void
dir_path_put(struct dir_path *dp)
{
	kfree(dp->path);
	cap_put(&dp->dir->obj);
}

long
sys_fs_open(struct syscall_args *a)
{
	uint64_t flags = a->a[3], want = a->a[4], slot = a->a[5];
	uint32_t need = CAP_RIGHT_READ;
	struct process *p = process_current();
	struct dir_path dp;
	struct vnode *vn;
	struct kobject *obj;
	struct cap *dst;
	unsigned long lf;
	int err;

	if (flags & ~(uint64_t)(VFS_O_ALL | FS_O_APPEND) || !cap_rights_valid((uint32_t)want))
		return -E_INVAL;
	if (flags & FS_O_CREAT)
		need |= CAP_RIGHT_CREATE;
	if (flags & FS_O_TRUNC)
		want |= CAP_RIGHT_WRITE;
	if ((err = dir_path_get(a->a[0], need, a->a[1], a->a[2], &dp)))
		return err;
	/* What is opened gets no right the directory lacks. */
	if (!cap_rights_allow(dp.rights, (uint32_t)want)) {
		dir_path_put(&dp);
		return -E_PERM;
	}
	/* Fail early on a taken slot, before creating anything. */
	lf = cap_lock_take();
	err = cspace_lookup_empty(p->cs, slot, &dst);
	cap_lock_drop(lf);
	if (!err)
		err = vfs_open(dp.dir->vn, dp.path, dp.len, (uint32_t)flags & VFS_O_ALL, 0644, &vn);
	dir_path_put(&dp);
	if (err)
		return err;
	if (VFS_S_ISDIR(vn->mode)) {
		struct dir_object *d;

		err = (want & CAP_RIGHT_WRITE) ? -E_ISDIR : dir_object_create(vn, &d);
		obj = err ? NULL : &d->obj;
	} else {
		struct file_object *f;

		err = (flags & FS_O_DIRECTORY) ? -E_NOTDIR
					       : file_object_create(vn, flags & FS_O_APPEND, &f);
		obj = err ? NULL : &f->obj;
		want &= ~(uint64_t)(CAP_RIGHT_CREATE | CAP_RIGHT_DELETE);
	}
	vnode_unref(vn);
	if (err)
		return err;
	lf = cap_lock_take();
	err = cap_install(p->cs, slot, obj, (uint32_t)want, 0);
	kobject_unref(obj);
	cap_lock_drop(lf);
	return err;
}

static long
file_io(uint64_t slot, uintptr_t ubuf, uint64_t len, bool write, bool at, uint64_t off)
{
	struct io_buf b = { ubuf, len, true };
	struct file_object *f;
	long n;
	int err;

	if (len > FS_IO_MAX)
		len = FS_IO_MAX;
	b.len = len;
	if (!user_range_ok(ubuf, len))
		return -E_FAULT;
	if (at && off > INT64_MAX)
		return -E_INVAL;
	if ((err = file_get(slot, write ? CAP_RIGHT_WRITE : CAP_RIGHT_READ, &f)))
		return err;
	if (at) {
		n = write ? vfs_write(f->vn, off, &b, len) : vfs_read(f->vn, off, &b, len);
	} else {
		fs_mutex_lock(&f->pos_lock);
		if (write && f->append) {
			struct vfs_stat st;

			if (!(n = vfs_getattr(f->vn, &st)))
				f->pos = st.size;
		}
		n = write ? vfs_write(f->vn, f->pos, &b, len) : vfs_read(f->vn, f->pos, &b, len);
		if (n > 0)
			f->pos += (uint64_t)n;
		fs_mutex_unlock(&f->pos_lock);
	}
	cap_put(&f->obj);
	return n;
}

long
sys_fs_read(struct syscall_args *a)
{
	return file_io(a->a[0], a->a[1], a->a[2], false, false, 0);
}

long
sys_fs_write(struct syscall_args *a)
{
	return file_io(a->a[0], a->a[1], a->a[2], true, false, 0);
}

long
sys_fs_pread(struct syscall_args *a)
{
	return file_io(a->a[0], a->a[1], a->a[2], false, true, a->a[3]);
}

long
sys_fs_pwrite(struct syscall_args *a)
{
	return file_io(a->a[0], a->a[1], a->a[2], true, true, a->a[3]);
}

long
sys_fs_seek(struct syscall_args *a)
{
	int64_t off = (int64_t)a->a[1], base = 0;
	struct file_object *f;
	struct vfs_stat st;
	long r;
	int err;

	if (a->a[2] > FS_SEEK_END)
		return -E_INVAL;
	if ((err = file_get(a->a[0], CAP_RIGHTS_NONE, &f)))
		return err;
	fs_mutex_lock(&f->pos_lock);
	if (a->a[2] == FS_SEEK_CUR)
		base = (int64_t)f->pos;
	else if (a->a[2] == FS_SEEK_END)
		base = (err = vfs_getattr(f->vn, &st)) ? 0 : (int64_t)st.size;
	if (err)
		r = err;
	else if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		r = -E_INVAL;
	else
		r = (long)(f->pos = (uint64_t)(base + off));
	fs_mutex_unlock(&f->pos_lock);
	cap_put(&f->obj);
	return r;
}

long
sys_fs_stat(struct syscall_args *a)
{
	struct dir_path dp;
	struct vfs_stat st;
	int err;

	if (a->a[3] & ~(uint64_t)FS_STAT_NOFOLLOW)
		return -E_INVAL;
	if (!user_range_ok(a->a[4], sizeof(st)))
		return -E_FAULT;
	if ((err = dir_path_get(a->a[0], CAP_RIGHT_READ, a->a[1], a->a[2], &dp)))
		return err;
	err = vfs_stat(dp.dir->vn, dp.path, dp.len, !(a->a[3] & FS_STAT_NOFOLLOW), &st);
	dir_path_put(&dp);
	return err ? err : copy_to_user(a->a[4], &st, sizeof(st));
}

long
sys_fs_fstat(struct syscall_args *a)
{
	struct kobject *obj;
	struct vfs_stat st;
	int err;

	if (!user_range_ok(a->a[1], sizeof(st)))
		return -E_FAULT;
	if ((err = obj_get(a->a[0], KOBJ_ANY, CAP_RIGHTS_NONE, &obj, NULL)))
		return err;
	err = fs_object_vnode(obj) ? vfs_getattr(fs_object_vnode(obj), &st) : -E_TYPE;
	cap_put(obj);
	return err ? err : copy_to_user(a->a[1], &st, sizeof(st));
}

/* Packs entries from *cookie into buf until it is full. */
static long
readdir_into(struct vnode *dir, uint64_t *cookie, uintptr_t ubuf, uint64_t len)
{
	struct vfs_dirent *d = kmalloc(sizeof(*d));
	uint8_t rec[sizeof(struct fs_dirent) + FS_NAME_MAX + 8];
	uint64_t used = 0;
	long r = 0;

	if (!d)
		return -E_NOMEM;
	for (;;) {
		uint64_t next = *cookie;
		struct fs_dirent *e = (struct fs_dirent *)rec;
		size_t reclen;

		r = vfs_readdir(dir, &next, d);
		if (r <= 0)
			break;
		reclen = (sizeof(*e) + d->name_len + 1 + 7) & ~(size_t)7;
		if (used + reclen > len) {
			r = used ? 0 : -E_RANGE; /* not even one fits */
			break;
		}
		e->ino = d->ino;
		e->reclen = (uint16_t)reclen;
		e->type = d->type;
		e->name_len = (uint8_t)d->name_len;
		memcpy(e->name, d->name, d->name_len);
		memset(e->name + d->name_len, 0, reclen - sizeof(*e) - d->name_len);
		if ((r = copy_to_user(ubuf + used, rec, reclen)))
			break;
		used += reclen;
		*cookie = next;
	}
	kfree(d);
	return r < 0 ? r : (long)used;
}

long
sys_fs_readdir(struct syscall_args *a)
{
	struct dir_object *d;
	uint64_t cookie;
	long n;
	int err;

	if (!user_range_ok(a->a[2], a->a[3]))
		return -E_FAULT;
	if ((err = copy_from_user(&cookie, a->a[1], sizeof(cookie))))
		return err;
	if ((err = dir_get(a->a[0], CAP_RIGHT_READ, &d, NULL)))
		return err;
	n = readdir_into(d->vn, &cookie, a->a[2], a->a[3]);
	cap_put(&d->obj);
	if (n >= 0 && (err = copy_to_user(a->a[1], &cookie, sizeof(cookie))))
		return err;
	return n;
}

long
sys_fs_mkdir(struct syscall_args *a)
{
	struct dir_path dp;
	int err;

	if ((err = dir_path_get(a->a[0], CAP_RIGHT_CREATE, a->a[1], a->a[2], &dp)))
		return err;
	err = vfs_mknod(dp.dir->vn, dp.path, dp.len, VFS_S_IFDIR | (a->a[3] & 07777), 0);
	dir_path_put(&dp);
	return err;
}

static long
fs_remove(struct syscall_args *a, bool want_dir)
{
	struct dir_path dp;
	int err;

	if ((err = dir_path_get(a->a[0], CAP_RIGHT_DELETE, a->a[1], a->a[2], &dp)))
		return err;
	err = vfs_remove(dp.dir->vn, dp.path, dp.len, want_dir);
	dir_path_put(&dp);
	return err;
}

long
sys_fs_unlink(struct syscall_args *a)
{
	return fs_remove(a, false);
}

long
sys_fs_rmdir(struct syscall_args *a)
{
	return fs_remove(a, true);
}

/* rename and link: the old name needs need_old, the new CREATE. */
static long
two_names(struct syscall_args *a, uint32_t need_old, bool rename)
{
	struct dir_path from, to;
	int err;

	if ((err = dir_path_get(a->a[0], need_old, a->a[1], a->a[2], &from)))
		return err;
	if ((err = dir_path_get(a->a[3], CAP_RIGHT_CREATE, a->a[4], a->a[5], &to))) {
		dir_path_put(&from);
		return err;
	}
	err = rename ? vfs_rename(from.dir->vn, from.path, from.len, to.dir->vn, to.path, to.len)
		     : vfs_link(from.dir->vn, from.path, from.len, to.dir->vn, to.path, to.len);
	dir_path_put(&to);
	dir_path_put(&from);
	return err;
}

long
sys_fs_rename(struct syscall_args *a)
{
	return two_names(a, CAP_RIGHT_DELETE, true);
}

long
sys_fs_link(struct syscall_args *a)
{
	return two_names(a, CAP_RIGHT_READ, false);
}

long
sys_fs_symlink(struct syscall_args *a)
{
	struct dir_path dp;
	char *target;
	int err;

	if (a->a[1] > VFS_SYMLINK_MAX)
		return -E_NAMETOOLONG;
	if ((err = path_in(a->a[0], a->a[1], &target)))
		return err;
	if (!(err = dir_path_get(a->a[2], CAP_RIGHT_CREATE, a->a[3], a->a[4], &dp))) {
		err = vfs_symlink(target, a->a[1], dp.dir->vn, dp.path, dp.len);
		dir_path_put(&dp);
	}
	kfree(target);
	return err;
}

long
sys_fs_readlink(struct syscall_args *a)
{
	uint64_t size = a->a[4] > VFS_SYMLINK_MAX ? VFS_SYMLINK_MAX : a->a[4];
	struct dir_path dp;
	char *buf;
	long n;
	int err;

	if (!user_range_ok(a->a[3], size))
		return -E_FAULT;
	if (!(buf = kmalloc(VFS_SYMLINK_MAX)))
		return -E_NOMEM;
	if ((err = dir_path_get(a->a[0], CAP_RIGHT_READ, a->a[1], a->a[2], &dp))) {
		kfree(buf);
		return err;
	}
	n = vfs_readlink(dp.dir->vn, dp.path, dp.len, buf, VFS_SYMLINK_MAX);
	dir_path_put(&dp);
	if (n > 0 && (uint64_t)n > size)
		n = -E_RANGE;
	if (n > 0 && (err = copy_to_user(a->a[3], buf, (size_t)n)))
		n = err;
	kfree(buf);
	return n;
}

long
sys_fs_truncate(struct syscall_args *a)
{
	struct file_object *f;
	int err;

	if (a->a[1] > INT64_MAX)
		return -E_INVAL;
	if ((err = file_get(a->a[0], CAP_RIGHT_WRITE, &f)))
		return err;
	err = vfs_truncate(f->vn, a->a[1]);
	cap_put(&f->obj);
	return err;
}

long
sys_fs_fsync(struct syscall_args *a)
{
	struct file_object *f;
	int err;

	if ((err = file_get(a->a[0], CAP_RIGHTS_NONE, &f)))
		return err;
	err = vfs_fsync(f->vn);
	cap_put(&f->obj);
	return err;
}

long
sys_fs_close(struct syscall_args *a)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_ANY, CAP_RIGHTS_NONE, &c);

	if (!err && c->type != KOBJ_FILE && c->type != KOBJ_DIRECTORY)
		err = -E_TYPE;
	if (!err)
		err = cap_delete(p->cs, a->a[0]);
	cap_lock_drop(flags);
	return err;
}
