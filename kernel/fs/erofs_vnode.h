/*
 * EROFS as vnodes: a read-only struct vfs_fs over a mounted struct
 * erofs_fs (erofs.h).  Metadata (inodes, directories, link targets)
 * goes through the erofs_fs's io callback; file data goes through
 * read_data, straight from the device (the kernel: its page cache) into
 * the reader's buffer, one copy.  docs/storage.md, "EROFS as vnodes".
 */
#ifndef FS_EROFS_VNODE_H
#define FS_EROFS_VNODE_H

#include "fs/erofs.h"
#include "fs/vnode.h"

struct erofs_vfs_args {
	const struct erofs_fs *erofs; /* mounted; outlives the instance */
	/* Copies len bytes at device byte offset dev_off to offset at of
	 * dst: the bytes copied (fewer when dst runs into a guard page or
	 * the device fails part way: those before), or -E_IO, -E_FAULT. */
	long (*read_data)(void *ctx, uint64_t dev_off, const struct io_buf *dst, size_t at,
			  size_t len);
	void *ctx;
	uint64_t dev;	    /* st_dev of its vnodes */
	const char *source; /* "vda" */
};

/*
 * A read-only instance (read_only set: the VFS answers -E_ROFS to every
 * change, and the operations that would change it are NULL).  *out
 * holds the root directory.  -E_NOMEM, or the error reading the root.
 */
int erofs_vfs_mount(const struct erofs_vfs_args *a, struct vfs_fs **out);

/* Frees the instance; the caller holds no vnode of it any more. */
void erofs_vfs_unmount(struct vfs_fs *fs);

/* The vnodes alive now (each inode has at most one). */
uint32_t erofs_vfs_vnodes(const struct vfs_fs *fs);

#endif
