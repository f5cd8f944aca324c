/* Directory objects (directory.h). */
#include "object/directory.h"

#include "fs/vfs.h"
#include "mm/kmalloc.h"
#include "object/file.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

static void
dir_destroy(struct kobject *obj)
{
	struct dir_object *d = (struct dir_object *)obj;

	vnode_unref_later(d->vn); /* may sleep: the VFS reaper does it */
	kfree(d);
}

static int
dir_info(struct kobject *obj, struct object_info *info)
{
	struct vfs_stat st;
	int err = vfs_getattr(((struct dir_object *)obj)->vn, &st);

	if (!err) {
		info->size = st.size;
		info->id = st.ino;
	}
	return err;
}

static const struct kobject_ops dir_ops = {
	.name = "directory",
	.destroy = dir_destroy,
	.info = dir_info,
};

int
dir_object_create(struct vnode *vn, struct dir_object **out)
{
	struct dir_object *d = kcalloc(1, sizeof(*d));

	if (!d)
		return -E_NOMEM;
	kobject_init(&d->obj, KOBJ_DIRECTORY, &dir_ops);
	vnode_ref(vn);
	d->vn = vn;
	*out = d;
	return 0;
}

struct vnode *
fs_object_vnode(struct kobject *obj)
{
	if (obj->type == KOBJ_FILE)
		return ((struct file_object *)obj)->vn;
	if (obj->type == KOBJ_DIRECTORY)
		return ((struct dir_object *)obj)->vn;
	return NULL;
}
