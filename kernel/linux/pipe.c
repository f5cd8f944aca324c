/*
 * pipe and pipe2: a Pipe object (object/pipe.h) behind two descriptions,
 * the read end (O_RDONLY) and the write end (O_WRONLY).  Each
 * description counts as one end of its kind, however many descriptors
 * and forked processes share it; its last reference closes the end
 * (linux/file.c).
 */
#include "cap/lock.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "object/pipe.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "syscall/syscall.h"
#include "themelios/errno.h"

/* An end's description, its end open; NULL when out of memory. */
static struct linux_file *
pipe_file(struct pipe *p, bool write, uint32_t flags)
{
	struct linux_file *f =
		lx_file_new(&p->obj, (write ? LX_O_WRONLY : LX_O_RDONLY) | flags, NULL);
	unsigned long irq = cap_lock_take();

	if (f) {
		kobject_ref(&p->obj); /* the description's */
		pipe_end_open(p, write);
	}
	cap_lock_drop(irq);
	return f;
}

static long
do_pipe(uintptr_t ufds, uint64_t flags)
{
	struct linux_proc *lp = lx_current();
	struct linux_file *rf, *wf;
	struct pipe *p;
	unsigned long irq;
	int32_t fds[2];
	int err;

	if (flags & ~(uint64_t)(LX_O_CLOEXEC | LX_O_NONBLOCK | LX_O_DIRECT))
		return -LX_EINVAL;
	irq = cap_lock_take();
	err = pipe_create(process_current(), &p);
	cap_lock_drop(irq);
	if (err)
		return -LX_ENOMEM;
	rf = pipe_file(p, false, flags & LX_O_NONBLOCK);
	wf = rf ? pipe_file(p, true, flags & LX_O_NONBLOCK) : NULL;
	irq = cap_lock_take();
	kobject_unref(&p->obj); /* the creator's: the descriptions hold it now */
	cap_lock_drop(irq);
	if (!rf || !wf) {
		if (rf)
			lx_file_put_new(rf);
		return -LX_ENOMEM;
	}
	fds[0] = lx_fd_new(lp, rf, flags & LX_O_CLOEXEC);
	if (fds[0] < 0) {
		lx_file_put_new(wf);
		return fds[0];
	}
	fds[1] = lx_fd_new(lp, wf, flags & LX_O_CLOEXEC);
	if (fds[1] < 0) {
		lx_fd_close(lp, fds[0]);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		lx_fd_close(lp, fds[0]);
		lx_fd_close(lp, fds[1]);
		return -LX_EFAULT;
	}
	return 0;
}

long
lx_sys_pipe(struct syscall_args *a)
{
	return do_pipe(a->a[0], 0);
}

long
lx_sys_pipe2(struct syscall_args *a)
{
	return do_pipe(a->a[0], a->a[1]);
}
