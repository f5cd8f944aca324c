/* File and Directory objects (fs_objects.h). */
#include "object/fs_objects.h"

#include "mm/kmalloc.h"
#include "themelios/errno.h"

/* destroy runs under the capability lock with interrupts off, and a
 * filesystem's release may sleep: the vnode goes to the VFS reaper. */
static void
file_destroy(struct kobject *obj)
{
	struct file_object *f = (struct file_object *)obj;

	vnode_unref_later(f->vn);
	kfree(f);
}

static void
dir_destroy(struct kobject *obj)
{
	struct dir_object *d = (struct dir_object *)obj;

	vnode_unref_later(d->vn);
	kfree(d);
}

static const struct kobject_ops file_ops = { .name = "file", .destroy = file_destroy };
static const struct kobject_ops dir_ops = { .name = "directory", .destroy = dir_destroy };

int
file_object_create(struct vnode *vn, bool append, struct file_object **out)
{
	struct file_object *f = kcalloc(1, sizeof(*f));

	if (!f)
		return -E_NOMEM;
	kobject_init(&f->obj, KOBJ_FILE, &file_ops);
	vnode_ref(vn);
	f->vn = vn;
	f->append = append;
	fs_mutex_init(&f->pos_lock, "file pos");
	*out = f;
	return 0;
}

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
