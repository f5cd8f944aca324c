/*
 * A reader of uncompressed EROFS images (the format Linux's fs/erofs
 * and mkfs.erofs define; docs/storage.md describes what is read).  Pure
 * code over a "read bytes at offset" callback, so the kernel's block
 * layer and the host tests drive it alike.  Every field from the image
 * is checked before use: a damaged image gives -E_CORRUPT (or the
 * callback's -E_IO), never a read outside the image or an endless loop.
 */
#ifndef FS_EROFS_H
#define FS_EROFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EROFS_NAME_MAX	  255
#define EROFS_SYMLINK_MAX 4095 /* a target's length, as Linux's PATH_MAX - 1 */
#define EROFS_FOLLOW_MAX  40   /* symbolic links in one resolution */

/* Mode bits as in st_mode (the image stores Linux's values). */
#define EROFS_S_IFMT	  0170000
#define EROFS_S_IFSOCK	  0140000
#define EROFS_S_IFLNK	  0120000
#define EROFS_S_IFREG	  0100000
#define EROFS_S_IFBLK	  0060000
#define EROFS_S_IFDIR	  0040000
#define EROFS_S_IFCHR	  0020000
#define EROFS_S_IFIFO	  0010000

/* Directory entry types. */
#define EROFS_FT_UNKNOWN  0
#define EROFS_FT_REG	  1
#define EROFS_FT_DIR	  2
#define EROFS_FT_CHR	  3
#define EROFS_FT_BLK	  4
#define EROFS_FT_FIFO	  5
#define EROFS_FT_SOCK	  6
#define EROFS_FT_SYMLINK  7

/* Reads len bytes at byte offset off; 0 or a negative error (-E_IO). */
struct erofs_io {
	void *ctx;
	int (*read)(void *ctx, uint64_t off, void *buf, size_t len);
};

struct erofs_fs {
	struct erofs_io io;
	unsigned blkszbits;
	uint64_t size;	    /* blocks << blkszbits: no read goes past it */
	uint64_t meta_base; /* byte offset of inode number 0 */
	uint64_t root_nid;
	uint64_t inos;
	uint64_t build_time; /* the time of compact inodes */
	uint32_t build_time_nsec;
	uint32_t feature_compat, feature_incompat;
	uint8_t uuid[16];
	char volume_name[17];
};

struct erofs_inode {
	uint64_t nid;  /* where the inode is: its identity */
	uint16_t mode; /* type and permission bits */
	uint32_t nlink, uid, gid;
	uint64_t size;
	int64_t mtime;
	uint32_t mtime_nsec;
	uint32_t rdev; /* devices: Linux's encoding (erofs_major) */
	uint32_t ino;  /* the inode number mkfs recorded */
	bool extended; /* a 64-byte inode */
	/* Where the data is; erofs_inode_get checked it. */
	uint8_t layout;
	uint32_t raw;	   /* first block, or the chunk format */
	uint64_t meta_end; /* after the inode and its xattrs */
};

struct erofs_dirent {
	uint64_t nid;
	uint8_t type; /* EROFS_FT_* */
	uint16_t name_len;
	char name[EROFS_NAME_MAX + 1]; /* NUL-terminated */
};

/*
 * Reads and checks the superblock (magic, block size, features, the
 * checksum when present) and the root directory.  -E_NOTSUP for a
 * compressed image, other block sizes or multiple devices.
 */
int erofs_mount(struct erofs_fs *fs, const struct erofs_io *io);

/* Reads and checks inode nid.  -E_NOTSUP for an unknown layout. */
int erofs_inode_get(const struct erofs_fs *fs, uint64_t nid, struct erofs_inode *ino);

/*
 * Reads up to len bytes of the inode's data at off (holes read as
 * zeros); returns the count, 0 at or past the end, -E_NOTSUP for a
 * compressed inode.  Works on any inode type: a directory gives its
 * raw blocks, a symbolic link its target.
 */
long erofs_read(const struct erofs_fs *fs, const struct erofs_inode *ino, uint64_t off, void *buf,
		size_t len);

/* Where a piece of a file's data is (erofs_map). */
#define EROFS_EXTENT_DATA   0 /* len bytes from dev_off on the device */
#define EROFS_EXTENT_HOLE   1 /* len bytes of zeros: nothing on the device */
#define EROFS_EXTENT_INLINE 2 /* the tail, in the inode's metadata block at dev_off */

struct erofs_extent {
	uint64_t dev_off; /* byte offset on the device (not for holes) */
	uint64_t len;	  /* contiguous bytes from the file offset asked for */
	uint8_t kind;	  /* EROFS_EXTENT_* */
};

/*
 * Where the byte at off (< the inode's size) of a regular file,
 * directory or link lives, and how many bytes from there are
 * contiguous, so that a reader copies straight from the device (or its
 * cache) to its destination.  -E_RANGE at or past the end, -E_NOTSUP for
 * compressed data, -E_CORRUPT for a chunk table that points outside.
 */
int erofs_map(const struct erofs_fs *fs, const struct erofs_inode *ino, uint64_t off,
	      struct erofs_extent *out);

/*
 * The directory entry at *pos (start with 0; "." and ".." included, in
 * the image's sorted order), and *pos moves past it.  1 for an entry,
 * 0 at the end, -E_NOTDIR, -E_INVAL for a position no call returned.
 */
int erofs_readdir(const struct erofs_fs *fs, const struct erofs_inode *dir, uint64_t *pos,
		  struct erofs_dirent *d);

/* The nid of name (len bytes, no '/') in dir; -E_NOENT, -E_NOTDIR, -E_NAMETOOLONG. */
int erofs_lookup(const struct erofs_fs *fs, const struct erofs_inode *dir, const char *name,
		 size_t len, uint64_t *nid);

/* The target of a symbolic link, NUL-terminated; its length, -E_INVAL
 * if ino is no link, -E_RANGE if size cannot hold it. */
long erofs_readlink(const struct erofs_fs *fs, const struct erofs_inode *ino, char *buf,
		    size_t size);

/*
 * Resolves path from the root ('/' at its start is optional), following
 * symbolic links on the way and, when follow_last, at the end; the
 * root's ".." is the root.  scratch holds EROFS_PATH_SCRATCH bytes.
 * -E_NOENT, -E_NOTDIR, -E_NAMETOOLONG, -E_LOOP (more than
 * EROFS_FOLLOW_MAX links), -E_CORRUPT.
 */
#define EROFS_PATH_SCRATCH 8192
int erofs_resolve(const struct erofs_fs *fs, const char *path, bool follow_last,
		  struct erofs_inode *out, char *scratch);

static inline uint32_t
erofs_major(uint32_t rdev)
{
	return (rdev & 0xfff00) >> 8;
}

static inline uint32_t
erofs_minor(uint32_t rdev)
{
	return (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
}

#endif
