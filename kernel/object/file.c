/* File objects (file.h). */
#include "object/file.h"

#include "fs/vfs.h"
#include "mm/kmalloc.h"
#include "object/ops.h"
#include "themelios/abi.h"
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

static struct io_buf
io_of(const struct kobject_buf *b)
{
	return (struct io_buf){ b->addr, b->len, b->user };
}

static long
file_read(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf)
{
	struct io_buf b = io_of(buf);

	return vfs_read(((struct file_object *)obj)->vn, offset, &b, b.len);
}

static long
file_write(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf)
{
	struct io_buf b = io_of(buf);

	return vfs_write(((struct file_object *)obj)->vn, offset, &b, b.len);
}

static int
file_info(struct kobject *obj, struct object_info *info)
{
	struct vfs_stat st;
	int err = vfs_getattr(((struct file_object *)obj)->vn, &st);

	if (!err) {
		info->size = st.size;
		info->used = st.blocks * 512;
		info->id = st.ino;
	}
	return err;
}

static const struct kobject_ops file_ops = {
	.name = "file",
	.destroy = file_destroy,
	.read = file_read,
	.write = file_write,
	.info = file_info,
};

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
