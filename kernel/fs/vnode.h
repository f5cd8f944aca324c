/*
 * Vnodes: one file, directory or link of some filesystem, as the VFS
 * sees it, and the operations a filesystem fills in (EROFS, tmpfs, the
 * overlay).  docs/storage.md describes the layering.
 *
 * Lifetime: a vnode is counted (vnode_ref/vnode_unref); the last
 * reference calls ops->release, and the filesystem frees the vnode or
 * keeps it in its own table.  Every operation that returns a vnode
 * returns it referenced.
 *
 * Locking: the VFS calls operations with no lock held; each filesystem
 * locks what it changes (tmpfs: one lock per instance for the names,
 * one per file for the data).  Operations may sleep (disk reads), so
 * they never run under a spinlock or with interrupts off.
 *
 * Names passed to operations are single components: 1..VFS_NAME_MAX
 * bytes, no '/' and no NUL, never "." or ".." (the VFS handles those).
 */
#ifndef FS_VNODE_H
#define FS_VNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/fs_env.h"

#define VFS_NAME_MAX	255
#define VFS_PATH_MAX	4096 /* bytes of a path, as Linux's PATH_MAX */
#define VFS_SYMLINK_MAX 4095
#define VFS_FOLLOW_MAX	40 /* symbolic links in one resolution */

/* st_mode's type bits, Linux's values (images and Linux programs use them). */
#define VFS_S_IFMT	0170000
#define VFS_S_IFSOCK	0140000
#define VFS_S_IFLNK	0120000
#define VFS_S_IFREG	0100000
#define VFS_S_IFBLK	0060000
#define VFS_S_IFDIR	0040000
#define VFS_S_IFCHR	0020000
#define VFS_S_IFIFO	0010000
#define VFS_S_ISDIR(m)	(((m)&VFS_S_IFMT) == VFS_S_IFDIR)
#define VFS_S_ISREG(m)	(((m)&VFS_S_IFMT) == VFS_S_IFREG)
#define VFS_S_ISLNK(m)	(((m)&VFS_S_IFMT) == VFS_S_IFLNK)

/* Directory entry types, as Linux's DT_* values. */
#define VFS_DT_UNKNOWN	0
#define VFS_DT_FIFO	1
#define VFS_DT_CHR	2
#define VFS_DT_DIR	4
#define VFS_DT_BLK	6
#define VFS_DT_REG	8
#define VFS_DT_LNK	10
#define VFS_DT_SOCK	12
#define VFS_DT_WHT	14 /* an overlay whiteout (never shown to programs) */

struct vnode;
struct vfs_fs;

struct vfs_stat {
	uint64_t dev; /* the filesystem instance */
	uint64_t ino;
	uint32_t mode; /* type and permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint32_t rdev; /* devices: Linux's encoding */
	uint32_t blksize;
	uint64_t size;
	uint64_t blocks; /* 512-byte units allocated */
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t reserved;
};

/* What setattr changes: the fields whose bit is in mask. */
#define VFS_ATTR_MODE  0x1 /* permission bits only (07777); the type stays */
#define VFS_ATTR_UID   0x2
#define VFS_ATTR_GID   0x4
#define VFS_ATTR_MTIME 0x8

struct vfs_setattr {
	uint32_t mask;
	uint32_t mode, uid, gid;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
};

struct vfs_dirent {
	uint64_t ino;
	uint8_t type; /* VFS_DT_* */
	uint16_t name_len;
	char name[VFS_NAME_MAX + 1]; /* NUL-terminated */
};

/*
 * The operations.  A NULL entry answers the generic error the VFS
 * names next to it.  Directories fill the first group, everything
 * fills getattr and release.
 */
struct vnode_ops {
	/* -E_NOENT when absent. */
	int (*lookup)(struct vnode *dir, const char *name, size_t len, struct vnode **out);
	/* One entry at *pos (start at 0, "." and ".." not included), *pos
	 * moves past it; 1, 0 at the end, -E_INVAL for a position no call
	 * returned. */
	int (*readdir)(struct vnode *dir, uint64_t *pos, struct vfs_dirent *d);
	/* A new regular file, directory, FIFO or device (mode's type
	 * bits); -E_EXIST when the name is taken. NULL: -E_ROFS. */
	int (*create)(struct vnode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		      struct vnode **out);
	int (*symlink)(struct vnode *dir, const char *name, size_t len, const char *target,
		       size_t tlen, struct vnode **out);
	/* A new name for vn (not a directory) in dir, same filesystem. */
	int (*link)(struct vnode *dir, const char *name, size_t len, struct vnode *vn);
	/* Removes a name: rmdir when want_dir (-E_NOTDIR otherwise,
	 * -E_NOTEMPTY when it has entries), unlink otherwise (-E_ISDIR
	 * for a directory). */
	int (*remove)(struct vnode *dir, const char *name, size_t len, bool want_dir);
	/* POSIX rename within one filesystem: replaces a target of the
	 * same kind (an empty directory), -E_INVAL when moving a
	 * directory under itself. */
	int (*rename)(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
		      const char *nname, size_t nlen);

	/* Data: a count (short at the end of the file), 0 at or past the
	 * end; NULL read: -E_ISDIR for a directory, -E_INVAL otherwise. */
	long (*read)(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len);
	/* -E_NOSPC when the filesystem's memory is used up (after a short
	 * count for what fitted). NULL: -E_ROFS. */
	long (*write)(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len);
	int (*truncate)(struct vnode *vn, uint64_t size);
	int (*fsync)(struct vnode *vn);
	/* The target into buf (not terminated); its length, -E_RANGE
	 * when size cannot hold it, -E_INVAL for no symbolic link. */
	long (*readlink)(struct vnode *vn, char *buf, size_t size);
	int (*getattr)(struct vnode *vn, struct vfs_stat *st);
	/* chmod, chown, utimes: the fields in a->mask. NULL: -E_ROFS. */
	int (*setattr)(struct vnode *vn, const struct vfs_setattr *a);
	/* The last reference went. */
	void (*release)(struct vnode *vn);
};

/* One mounted filesystem instance. */
struct vfs_fs {
	const char *type; /* "erofs", "tmpfs", "overlay" */
	char source[32];  /* what it was made from ("vda", "ram") */
	uint64_t dev;	  /* st_dev of its vnodes */
	bool read_only;
	struct vnode *root;
	void *priv;
};

struct vnode {
	const struct vnode_ops *ops;
	struct vfs_fs *fs;
	uint32_t mode; /* type bits fixed at creation; permission bits may change */
	uint32_t refs; /* atomic */
	uint64_t ino;
	/* A filesystem mounted on this directory (set by vfs_mount). */
	struct vnode *covered_by;
	/* Its pages in the page cache for mappings (mm/vm_file.c), made
	 * when the file is first mapped and gone with the last reference. */
	struct vm_file *mapping;
	void *priv;
};

/*
 * What the VFS tells the mapping side of a vnode (mm/vm_file.c sets
 * these in the kernel; host tests have none): before a read, write or
 * truncate (write back what mappings wrote), after a write or truncate
 * (refresh the cached pages), and at the last reference.
 */
struct vnode_mapping_ops {
	/* Before a read (into) or write (from) a user buffer, whatever vn:
	 * the buffer's pages that are file mappings are made present, so no
	 * page fault fills a file's page while a filesystem holds a lock. */
	void (*prefault)(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len,
			 bool read);
	void (*before_io)(struct vnode *vn);
	void (*after_change)(struct vnode *vn, uint64_t off, uint64_t len);
	void (*release)(struct vnode *vn);
};
extern const struct vnode_mapping_ops *vnode_mapping_ops;

void vnode_init(struct vnode *vn, const struct vnode_ops *ops, struct vfs_fs *fs, uint32_t mode,
		uint64_t ino);
void vnode_ref(struct vnode *vn);
void vnode_unref(struct vnode *vn);
/*
 * For callers that cannot sleep (an object's destroy under the
 * capability lock): a last reference is released later by this thread
 * in release_run (object/release.h), before it returns to user mode,
 * so a close or munmap has written back what a mapping wrote when the
 * program hears of it; by the VFS reaper thread when this thread does
 * not pass release_run.  The host build releases at once.
 */
void vnode_unref_later(struct vnode *vn);
/* Releases the vnodes this thread deferred (release_run calls it; no
 * lock held, may sleep). */
void vnode_release_deferred(void);
/* Starts the reaper (kernel boot). */
void vnode_reaper_start(void);
/* Releases, in the caller, whatever waits for the reaper (the audit). */
void vnode_reap_now(void);

/* The DT_* type for a mode. */
uint8_t vfs_mode_to_dt(uint32_t mode);

/* Checks one component: 0, -E_NAMETOOLONG, -E_INVAL (empty, '/', NUL). */
int vfs_name_check(const char *name, size_t len);

#endif
