/*
 * The overlay: one writable upper layer (a tmpfs) over one read-only
 * lower layer (any vfs_fs, EROFS for the root), with Linux overlayfs's
 * semantics: merged directories, copy-up before any change to a lower
 * object, whiteouts for deleted lower names (a character device 0/0 in
 * the upper layer), opaque directories.  docs/storage.md, "The overlay
 * (RAM layer)", has the rules and the locking.
 */
#ifndef FS_OVERLAY_H
#define FS_OVERLAY_H

#include "fs/vnode.h"

struct overlay_args {
	struct vfs_fs *upper; /* a tmpfs instance (tmpfs.h) */
	struct vfs_fs *lower; /* read-only */
	uint64_t dev;	      /* st_dev of the overlay's vnodes */
};

/*
 * A merged view; *out holds its root.  -E_INVAL when upper is not a
 * tmpfs, -E_NOTDIR when a root is no directory, -E_NOMEM.  Both layers
 * must outlive the overlay.
 */
int overlay_mount(const struct overlay_args *a, struct vfs_fs **out);

/* Frees the instance; the caller holds no vnode of it any more. */
void overlay_unmount(struct vfs_fs *fs);

/*
 * For unpacking OCI image layers into the upper tmpfs (Phase 5), in the
 * overlay's own representation: a tar entry named name in the upper
 * directory dir.  ".wh..wh..opq" marks dir opaque; ".wh.NAME" puts a
 * whiteout at NAME (replacing what an earlier layer put there, which
 * must not be a directory with entries: remove those first).  Returns 1
 * when the name was such a marker and is handled, 0 for an ordinary
 * name (the caller creates it), or an error (-E_INVAL for ".wh." alone,
 * -E_NOSPC, -E_NOTEMPTY).
 */
int overlay_layer_entry(struct vnode *dir, const char *name, size_t len);

#endif
