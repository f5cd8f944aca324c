/* Vnode reference counts and small helpers (vnode.h). */
#include "fs/vnode.h"

#include "themelios/errno.h"

void
vnode_init(struct vnode *vn, const struct vnode_ops *ops, struct vfs_fs *fs, uint32_t mode,
	   uint64_t ino)
{
	vn->ops = ops;
	vn->fs = fs;
	vn->mode = mode;
	vn->refs = 1;
	vn->ino = ino;
	vn->covered_by = NULL;
}

void
vnode_ref(struct vnode *vn)
{
	__atomic_add_fetch(&vn->refs, 1, __ATOMIC_RELAXED);
}

void
vnode_unref(struct vnode *vn)
{
	if (__atomic_sub_fetch(&vn->refs, 1, __ATOMIC_ACQ_REL) == 0 && vn->ops->release)
		vn->ops->release(vn);
}

uint8_t
vfs_mode_to_dt(uint32_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFREG:
		return VFS_DT_REG;
	case VFS_S_IFDIR:
		return VFS_DT_DIR;
	case VFS_S_IFLNK:
		return VFS_DT_LNK;
	case VFS_S_IFCHR:
		return VFS_DT_CHR;
	case VFS_S_IFBLK:
		return VFS_DT_BLK;
	case VFS_S_IFIFO:
		return VFS_DT_FIFO;
	case VFS_S_IFSOCK:
		return VFS_DT_SOCK;
	}
	return VFS_DT_UNKNOWN;
}

int
vfs_name_check(const char *name, size_t len)
{
	if (len == 0)
		return -E_INVAL;
	if (len > VFS_NAME_MAX)
		return -E_NAMETOOLONG;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return -E_INVAL;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return -E_INVAL;
	return 0;
}
