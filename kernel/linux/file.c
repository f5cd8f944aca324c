/* Open file descriptions (linux/file.h). */
#include "linux/file.h"

#include "cap/lock.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "object/directory.h"
#include "object/file.h"
#include "object/pipe.h"
#include "linux/proc.h"
#include "linux/synth.h"

int
lx_file_kind_of(const struct kobject *obj)
{
	switch (obj->type) {
	case KOBJ_FILE:
		return LXF_FILE;
	case KOBJ_DIRECTORY:
		return LXF_DIR;
	case KOBJ_CONSOLE:
		return LXF_CONSOLE;
	case KOBJ_PIPE:
		return LXF_PIPE;
	default:
		return -1;
	}
}

struct linux_file *
lx_file_new(struct kobject *obj, uint32_t flags, const char *path)
{
	int kind = lx_file_kind_of(obj);
	struct linux_file *f;

	if (kind < 0)
		return NULL;
	f = kcalloc(1, sizeof(*f));
	if (!f)
		return NULL;
	if (path) {
		size_t n = strlen(path) + 1;

		f->path = kmalloc(n);
		if (!f->path) {
			kfree(f);
			return NULL;
		}
		memcpy(f->path, path, n);
	}
	f->kind = (enum lx_file_kind)kind;
	f->flags = flags;
	f->obj = obj;
	if (kind == LXF_CONSOLE)
		f->tty_opened = linux_tty_hangups();
	fs_mutex_init(&f->lock, "linux file");
	return f;
}

struct linux_file *
lx_file_new_synth(struct lx_synth *s, uint32_t flags)
{
	struct linux_file *f = kcalloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->synth = kmalloc(sizeof(*s));
	if (!f->synth) {
		kfree(f);
		return NULL;
	}
	*f->synth = *s;
	f->kind = LXF_SYNTH;
	f->flags = flags;
	fs_mutex_init(&f->lock, "linux file");
	return f;
}

struct vnode *
lx_file_vnode(const struct linux_file *f)
{
	if (f->kind == LXF_FILE)
		return ((struct file_object *)f->obj)->vn;
	if (f->kind == LXF_DIR)
		return ((struct dir_object *)f->obj)->vn;
	return NULL;
}

static void
file_ref(struct linux_file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

static void
file_free(struct linux_file *f, bool locked)
{
	unsigned long flags = 0;

	if (f->synth) {
		lx_synth_free(f->synth);
		kfree(f->synth);
	}
	if (f->obj) {
		if (!locked)
			flags = cap_lock_take();
		if (f->kind == LXF_PIPE)
			pipe_end_close((struct pipe *)f->obj,
				       (f->flags & LX_O_ACCMODE) == LX_O_WRONLY);
		kobject_unref(f->obj);
		if (!locked)
			cap_lock_drop(flags);
	}
	kfree(f->path);
	kfree(f);
}

static void
file_unref(struct linux_file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0)
		file_free(f, false);
}

static void
file_unref_locked(struct linux_file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0)
		file_free(f, true);
}

const struct fdtable_ops lx_fd_ops = { .ref = file_ref, .unref = file_unref };
const struct fdtable_ops lx_fd_ops_locked = { .ref = file_ref, .unref = file_unref_locked };

struct linux_file *
lx_fd_get(struct linux_proc *lp, int fd)
{
	struct linux_file *f;

	struct fdtable *t = lx_fds_lock(lp);

	f = fdtable_get(t, fd);
	if (f)
		file_ref(f);
	lx_fds_unlock(lp, t);
	return f;
}

void
lx_file_put(struct linux_file *f)
{
	file_unref(f);
}

void
lx_file_put_new(struct linux_file *f)
{
	file_free(f, false);
}

int
lx_fd_close(struct linux_proc *lp, int fd)
{
	struct fdtable *t = lx_fds_lock(lp);
	int r = fdtable_close(t, fd);

	lx_fds_unlock(lp, t);
	return r;
}

int
lx_fd_new(struct linux_proc *lp, struct linux_file *f, bool cloexec)
{
	struct fdtable *t = lx_fds_lock(lp);
	int fd = fdtable_alloc(t, f, 0, cloexec ? LINUX_FD_CLOEXEC : 0);

	lx_fds_unlock(lp, t);
	if (fd < 0)
		file_free(f, false);
	return fd;
}
