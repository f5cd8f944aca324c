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
	t->top = 0;
}

static bool
fd_valid(const struct fdtable *t, int fd)
{
	return fd >= 0 && (unsigned int)fd < t->top && t->e[fd].file;
}

/* fd (below LINUX_FD_MAX) is about to be set: the entries between the
 * old top and it become part of the table, free. */
static void
raise_top(struct fdtable *t, unsigned int fd)
{
	for (; t->top <= fd; t->top++) {
		t->e[t->top].file = NULL;
		t->e[t->top].flags = 0;
	}
}

static void
lower_top(struct fdtable *t)
{
	while (t->top && !t->e[t->top - 1].file)
		t->top--;
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
		if (fd >= t->top || !t->e[fd].file) {
			raise_top(t, fd);
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
	raise_top(t, (unsigned int)fd);
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
	lower_top(t);
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
	for (int fd = 0; (unsigned int)fd < t->top; fd++)
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
	for (int fd = 0; (unsigned int)fd < t->top; fd++)
		if (t->e[fd].file)
			fdtable_close(t, fd);
}

void
fdtable_copy(struct fdtable *dst, const struct fdtable *src)
{
	dst->limit = src->limit;
	dst->hard = src->hard;
	raise_top(dst, src->top ? src->top - 1 : 0);
	for (unsigned int fd = 0; fd < src->top; fd++)
		if (src->e[fd].file) {
			dst->ops->ref(src->e[fd].file);
			dst->e[fd] = src->e[fd];
		}
	lower_top(dst);
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

	for (unsigned int fd = 0; fd < t->top; fd++)
		n += t->e[fd].file != NULL;
	return n;
}
