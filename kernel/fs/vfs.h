/*
 * The VFS: path resolution confined to a directory, the name cache,
 * mounts, and the checked operations the system calls use.
 *
 * Confinement: every resolution starts at a root vnode (the vnode of
 * the caller's Directory capability) and never leaves it.  ".." at the
 * root stays there, an absolute path or absolute symbolic link starts
 * again at the root, and a relative link resolves from the directory
 * that holds it: Linux's openat2() with RESOLVE_IN_ROOT.  The walk
 * keeps the directories it passed on a stack, so ".." is a pop and a
 * filesystem's own ".." entry is never consulted.
 */
#ifndef FS_VFS_H
#define FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/vnode.h"

#define VFS_DEPTH_MAX	512 /* directories deep from a root */

/* vfs_open flags (the system call's, docs/storage.md). */
#define VFS_O_CREAT	0x01
#define VFS_O_EXCL	0x02
#define VFS_O_TRUNC	0x04
#define VFS_O_DIRECTORY 0x08 /* the target must be a directory */
#define VFS_O_NOFOLLOW	0x10 /* a symbolic link at the end is not followed: -E_LOOP */
#define VFS_O_ALL	0x1f

/* The vnode at path under root; follow_last follows a final link. */
int vfs_lookup(struct vnode *root, const char *path, size_t len, bool follow_last,
	       struct vnode **out);

/*
 * Opens (and with VFS_O_CREAT creates, with mode's permission bits) a
 * regular file or directory.  -E_LOOP for a final link with NOFOLLOW,
 * -E_NOTDIR with O_DIRECTORY and a non-directory, -E_ISDIR for
 * O_TRUNC on a directory.
 */
int vfs_open(struct vnode *root, const char *path, size_t len, uint32_t flags, uint32_t mode,
	     struct vnode **out);

int vfs_mknod(struct vnode *root, const char *path, size_t len, uint32_t mode, uint32_t rdev);
int vfs_remove(struct vnode *root, const char *path, size_t len, bool want_dir);
int vfs_rename(struct vnode *oroot, const char *opath, size_t olen, struct vnode *nroot,
	       const char *npath, size_t nlen);
int vfs_link(struct vnode *oroot, const char *opath, size_t olen, struct vnode *nroot,
	     const char *npath, size_t nlen);
int vfs_symlink(const char *target, size_t tlen, struct vnode *root, const char *path, size_t len);
long vfs_readlink(struct vnode *root, const char *path, size_t len, char *buf, size_t size);
int vfs_stat(struct vnode *root, const char *path, size_t len, bool follow, struct vfs_stat *st);

/* On an open vnode: the NULL-operation answers of vnode.h applied. */
long vfs_read(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len);
long vfs_write(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len);
int vfs_truncate(struct vnode *vn, uint64_t size);
int vfs_fsync(struct vnode *vn);
int vfs_getattr(struct vnode *vn, struct vfs_stat *st);
int vfs_readdir(struct vnode *dir, uint64_t *pos, struct vfs_dirent *d);

/* Mounts fs on the directory dir (which stays referenced). */
int vfs_mount(struct vnode *dir, struct vfs_fs *fs, const char *path);

/* Records fs as mounted at path without covering anything: the root. */
int vfs_mount_root(struct vfs_fs *fs, const char *path);

/* The mount table, for the shell: path and filesystem of entry i. */
bool vfs_mount_at(unsigned i, const char **path, const struct vfs_fs **fs);

/* Name cache statistics. */
struct vfs_ncache_stats {
	uint64_t hits, misses, entries;
};
void vfs_ncache_stats(struct vfs_ncache_stats *st);

#endif
