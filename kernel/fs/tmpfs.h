/*
 * tmpfs: a filesystem in RAM behind struct vnode_ops (vnode.h).  Pure
 * code over fs_env.h, so the host tests run it under ASan and UBSan.
 * docs/storage.md ("tmpfs") describes the structures and the locking.
 *
 * Every page it uses, file data, page-index pages and the metadata of
 * nodes and names (counted in bytes, charged in whole pages), is paid
 * through the fs_charge given at mount and counted against max_pages;
 * when either refuses, the writer gets a short count or -E_NOSPC and
 * nothing already stored changes.
 *
 * The overlay (overlay.h) uses tmpfs as its upper layer and needs a few
 * things plain vnode operations do not give: whiteouts (a character
 * device 0/0, as Linux's overlayfs stores them), an opaque mark on
 * directories, an origin (the st_ino of the lower object a file was
 * copied from), and creates, links and renames that replace a whiteout
 * or leave one behind in one step.  They are the tmpfs_*_ex calls.
 */
#ifndef FS_TMPFS_H
#define FS_TMPFS_H

#include "fs/vnode.h"

#define TMPFS_FILE_MAX ((uint64_t)1 << 44) /* bytes; past it writes give -E_RANGE */

struct tmpfs_args {
	struct fs_charge charge; /* who pays for the pages */
	uint64_t max_pages;	 /* 0: no limit beyond the charge */
	/* The time for mtime; NULL: 0.  The kernel passes its clock. */
	void (*now)(void *ctx, int64_t *sec, uint32_t *nsec);
	void *now_ctx;
	uint64_t dev;	    /* st_dev of its vnodes */
	uint64_t hash_seed; /* keys the name hash (random in the kernel) */
	uint32_t root_mode; /* permission bits of the root; 0: 0755 */
};

/*
 * A new, empty instance; *out holds the root (one reference, the
 * mount's).  -E_NOSPC when the charge refuses the first page.
 */
int tmpfs_mount(const struct tmpfs_args *a, struct vfs_fs **out);

/*
 * Frees every node, page and name, and the instance.  The caller holds
 * no vnode of it any more (the VFS refuses to unmount a busy mount).
 */
void tmpfs_unmount(struct vfs_fs *fs);

/* Pages in use (data, page index and metadata), as charged. */
uint64_t tmpfs_pages_used(const struct vfs_fs *fs);

bool tmpfs_is_tmpfs(const struct vnode *vn);

/* ---- for the overlay and for unpacking image layers (Phase 5) ---- */

/* A character device 0/0: an overlay whiteout. */
bool tmpfs_is_whiteout(const struct vnode *vn);
bool tmpfs_is_opaque(const struct vnode *vn);
void tmpfs_set_opaque(struct vnode *dir, bool opaque);
/* 0: none; else the lower object's st_ino + 1. */
uint64_t tmpfs_origin(const struct vnode *vn);
void tmpfs_set_origin(struct vnode *vn, uint64_t origin);

/* What the _ex calls do about an entry already at the name. */
#define TMPFS_REPLACE_WHITEOUT 0x1 /* a whiteout there is replaced */
#define TMPFS_REPLACE_ANY      0x2 /* a non-directory, or a directory holding only whiteouts */
#define TMPFS_OPAQUE	       0x4 /* create: the new directory is opaque */
#define TMPFS_LEAVE_WHITEOUT   0x8 /* rename: a whiteout takes the old name */

/*
 * create and symlink in one: mode's type bits choose (VFS_S_IFLNK takes
 * target, tlen).  *out may be NULL when the caller wants no reference.
 * -E_EXIST when the name is taken and flags do not allow replacing it.
 */
int tmpfs_create_ex(struct vnode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		    const char *target, size_t tlen, unsigned flags, struct vnode **out);

/* Puts a whiteout at name (TMPFS_REPLACE_ANY: whatever is there goes). */
int tmpfs_whiteout(struct vnode *dir, const char *name, size_t len, unsigned flags);

int tmpfs_link_ex(struct vnode *dir, const char *name, size_t len, struct vnode *vn,
		  unsigned flags);

/* rename; flags may hold TMPFS_REPLACE_WHITEOUT (a whiteout target
 * counts as absent), TMPFS_REPLACE_ANY (a directory target may hold
 * whiteouts) and TMPFS_LEAVE_WHITEOUT. */
int tmpfs_rename_ex(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
		    const char *nname, size_t nlen, unsigned flags);

#endif
