/* The Linux file descriptor table (linux/fdtable.h). */
#include "linux/fdtable.h"

#include "linux/errno.h"

void
fdtable_init(struct fdtable *t, const struct fdtable_ops *ops)
{
	t->refs = 1;
	t->limit = LINUX_FD_MAX;
	t->hard = LINUX_FD_MAX;
	t->ops = ops;
	for (unsigned int i = 0; i < LINUX_FD_MAX; i++) {
		t->e[i].file = NULL;
		t->e[i].flags = 0;
	}
}

static bool
fd_valid(const struct fdtable *t, int fd)
{
	return fd >= 0 && fd < LINUX_FD_MAX && t->e[fd].file;
}

struct linux_file *
fdtable_get(const struct fdtable *t, int fd)
{
	return fd_valid(t, fd) ? t->e[fd].file : NULL;
}

int
fdtable_alloc(struct fdtable *t, struct linux_file *f, int min, uint32_t flags)
{
	if (min < 0 || (unsigned int)min >= t->limit)
		return -LX_EINVAL;
	for (unsigned int fd = (unsigned int)min; fd < t->limit; fd++)
		if (!t->e[fd].file) {
			t->ops->ref(f);
			t->e[fd].file = f;
			t->e[fd].flags = flags & LINUX_FD_CLOEXEC;
			return (int)fd;
		}
	return -LX_EMFILE;
}

int
fdtable_install(struct fdtable *t, int fd, struct linux_file *f, uint32_t flags)
{
	struct linux_file *old;

	if (fd < 0 || (unsigned int)fd >= t->limit)
		return -LX_EBADF;
	old = t->e[fd].file;
	/* The new reference first: f may be the file being replaced. */
	t->ops->ref(f);
	t->e[fd].file = f;
	t->e[fd].flags = flags & LINUX_FD_CLOEXEC;
	if (old)
		t->ops->unref(old);
	return fd;
}

int
fdtable_close(struct fdtable *t, int fd)
{
	struct linux_file *f;

	if (!fd_valid(t, fd))
		return -LX_EBADF;
	f = t->e[fd].file;
	t->e[fd].file = NULL;
	t->e[fd].flags = 0;
	t->ops->unref(f);
	return 0;
}

int
fdtable_get_flags(const struct fdtable *t, int fd)
{
	return fd_valid(t, fd) ? (int)t->e[fd].flags : -LX_EBADF;
}

int
fdtable_set_flags(struct fdtable *t, int fd, uint32_t flags)
{
	if (!fd_valid(t, fd))
		return -LX_EBADF;
	t->e[fd].flags = flags & LINUX_FD_CLOEXEC;
	return 0;
}

void
fdtable_close_on_exec(struct fdtable *t)
{
	for (int fd = 0; fd < LINUX_FD_MAX; fd++)
		if (t->e[fd].file && (t->e[fd].flags & LINUX_FD_CLOEXEC))
			fdtable_close(t, fd);
}

void
fdtable_close_all(struct fdtable *t)
{
	if (__atomic_load_n(&t->refs, __ATOMIC_ACQUIRE) > 1)
		return; /* others hold it: its last holder clears it */
	fdtable_clear(t);
}

void
fdtable_clear(struct fdtable *t)
{
	for (int fd = 0; fd < LINUX_FD_MAX; fd++)
		if (t->e[fd].file)
			fdtable_close(t, fd);
}

void
fdtable_copy(struct fdtable *dst, const struct fdtable *src)
{
	dst->limit = src->limit;
	dst->hard = src->hard;
	for (int fd = 0; fd < LINUX_FD_MAX; fd++)
		if (src->e[fd].file) {
			dst->ops->ref(src->e[fd].file);
			dst->e[fd] = src->e[fd];
		}
}

int
fdtable_set_limit(struct fdtable *t, uint64_t soft, uint64_t hard)
{
	if (soft > hard)
		return -LX_EINVAL;
	if (hard > t->hard)
		return -LX_EPERM;
	t->limit = (unsigned int)soft;
	t->hard = (unsigned int)hard;
	return 0;
}

unsigned int
fdtable_count(const struct fdtable *t)
{
	unsigned int n = 0;

	for (int fd = 0; fd < LINUX_FD_MAX; fd++)
		n += t->e[fd].file != NULL;
	return n;
}
