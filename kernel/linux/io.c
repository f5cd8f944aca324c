/*
 * Descriptors and their data: read, write and their vector and
 * positioned forms, lseek, close, dup, fcntl, ioctl (the console as a
 * tty), fsync, ftruncate, flock.
 */
#include "core/console.h"
#include "core/console_rx.h"
#include "fs/vfs.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "cap/lock.h"
#include "linux/signal.h"
#include "linux/synth.h"
#include "object/file.h"
#include "object/pipe.h"
#include "object/process.h"
#include "object/ops.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define LX_MAX_RW   0x7ffff000ul /* MAX_RW_COUNT: longer transfers are cut to it */
#define LX_IOV_MAX  1024

#define LX_SEEK_SET 0
#define LX_SEEK_CUR 1
#define LX_SEEK_END 2

static long
console_write_user(struct linux_file *f, uintptr_t buf, size_t len)
{
	size_t done = 0;
	long r;

	if (linux_tty_hung_up(f))
		return -LX_EIO;
	r = linux_tty_check_write(lx_current());
	if (r)
		return r;
	while (done < len) {
		size_t n = len - done < CONSOLE_WRITE_MAX ? len - done : CONSOLE_WRITE_MAX;
		struct kobject_buf b = { .user = true, .addr = buf + done, .len = n };

		r = kobject_write(f->obj, 0, &b);
		if (r < 0)
			return done ? (long)done : lx_err(r);
		done += (size_t)r;
	}
	return (long)done;
}

/* The first byte of a blocking read: -ERESTARTSYS when a signal comes
 * first (EINTR, or the read again after an SA_RESTART handler). */
static int
console_first_byte(void)
{
	struct linux_proc *lp = lx_current();

	for (;;) {
		int c;

		thread_interrupt_clear();
		if (linux_signal_pending(lp) || thread_should_stop())
			return -LX_ERESTARTSYS;
		c = console_getc_interruptible();
		if (c != CONSOLE_INTERRUPTED)
			return c;
	}
}

/* The console's input, as a tty in canonical mode: a line at a time
 * (up to its end or len), each byte waited for (unless O_NONBLOCK, which
 * takes what has arrived); a signal after some bytes ends the read with
 * them. */
static long
console_read_user(struct linux_file *f, uintptr_t buf, size_t len)
{
	size_t done = 0;
	long r;

	if (linux_tty_hung_up(f))
		return 0; /* end of file, as Linux's hung-up tty */
	r = linux_tty_check(lx_current(), LX_SIGTTIN);
	if (r)
		return r;
	while (done < len) {
		int c = !(f->flags & LX_O_NONBLOCK) ? console_first_byte() : console_getc();
		char ch;

		if (c == -LX_ERESTARTSYS)
			return done ? (long)done : c;
		if (c < 0)
			break;
		ch = c == '\r' ? '\n' : (char)c; /* ICRNL */
		if (copy_to_user(buf + done, &ch, 1))
			return done ? (long)done : -LX_EFAULT;
		done++;
		if (ch == '\n')
			break;
	}
	return done == 0 && len ? -LX_EAGAIN : (long)done;
}

/* /dev's devices and /proc's texts (linux/synth.h); a text's position
 * is dir_pos. */
static long
synth_rw(struct linux_file *f, uintptr_t buf, size_t len, bool write, int64_t off)
{
	const struct lx_synth *s = f->synth;
	uint64_t pos;
	size_t n;

	if (s->kind == SYN_DEV)
		return write ? s->dev->write(buf, len) : s->dev->read(buf, len);
	if (s->kind == SYN_DIR)
		return -LX_EISDIR;
	if (write)
		return -LX_EBADF;
	fs_mutex_lock(&f->lock);
	pos = off >= 0 ? (uint64_t)off : f->dir_pos;
	n = pos >= s->size ? 0 : s->size - pos < len ? s->size - (size_t)pos : len;
	if (n && copy_to_user(buf, s->text + pos, n)) {
		fs_mutex_unlock(&f->lock);
		return -LX_EFAULT;
	}
	if (off < 0)
		f->dir_pos = pos + n;
	fs_mutex_unlock(&f->lock);
	return (long)n;
}

/* One transfer on f; off < 0: at (and moving) the file's position. */
static long
file_rw(struct linux_file *f, uintptr_t buf, size_t len, bool write, int64_t off)
{
	struct file_object *fo;
	struct io_buf b;
	struct vfs_stat st;
	long n;

	if (write ? !can_write(f) : !can_read(f))
		return -LX_EBADF;
	if (len > LX_MAX_RW)
		len = LX_MAX_RW;
	if (!user_range_ok(buf, len))
		return -LX_EFAULT;
	if (f->kind == LXF_DIR)
		return -LX_EISDIR;
	if (f->kind == LXF_CONSOLE) {
		if (off >= 0)
			return -LX_ESPIPE;
		return write ? console_write_user(f, buf, len) : console_read_user(f, buf, len);
	}
	if (f->kind == LXF_SYNTH)
		return synth_rw(f, buf, len, write, off);
	if (f->kind == LXF_PIPE) {
		bool nonblock = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & LX_O_NONBLOCK;

		if (off >= 0)
			return -LX_ESPIPE;
		n = write ? pipe_write((struct pipe *)f->obj, buf, len, nonblock)
			  : pipe_read((struct pipe *)f->obj, buf, len, nonblock);
		return n == -E_DEAD ? -LX_EINTR : lx_err(n);
	}
	fo = (struct file_object *)f->obj;
	b = (struct io_buf){ buf, len, true };
	if (off >= 0)
		return lx_err(write ? vfs_write(fo->vn, (uint64_t)off, &b, len)
				    : vfs_read(fo->vn, (uint64_t)off, &b, len));
	fs_mutex_lock(&fo->pos_lock);
	if (write && (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & LX_O_APPEND)) {
		n = vfs_getattr(fo->vn, &st);
		if (n < 0) {
			fs_mutex_unlock(&fo->pos_lock);
			return lx_err(n);
		}
		fo->pos = st.size;
	}
	n = write ? vfs_write(fo->vn, fo->pos, &b, len) : vfs_read(fo->vn, fo->pos, &b, len);
	if (n > 0)
		fo->pos += (uint64_t)n;
	fs_mutex_unlock(&fo->pos_lock);
	return lx_err(n);
}

static long
fd_rw(int fd, uintptr_t buf, size_t len, bool write, int64_t off)
{
	struct linux_file *f = lx_fd_get(lx_current(), fd);
	long r;

	if (!f)
		return -LX_EBADF;
	r = file_rw(f, buf, len, write, off);
	lx_file_put(f);
	if (r == -LX_EPIPE)
		linux_signal_thread(lx_current(), lx_thread_current(), LX_SIGPIPE, NULL);
	return r;
}

long
lx_sys_read(struct syscall_args *a)
{
	return fd_rw((int)a->a[0], a->a[1], a->a[2], false, -1);
}

long
lx_sys_write(struct syscall_args *a)
{
	return fd_rw((int)a->a[0], a->a[1], a->a[2], true, -1);
}

long
lx_sys_pread64(struct syscall_args *a)
{
	if ((int64_t)a->a[3] < 0)
		return -LX_EINVAL;
	return fd_rw((int)a->a[0], a->a[1], a->a[2], false, (int64_t)a->a[3]);
}

long
lx_sys_pwrite64(struct syscall_args *a)
{
	if ((int64_t)a->a[3] < 0)
		return -LX_EINVAL;
	return fd_rw((int)a->a[0], a->a[1], a->a[2], true, (int64_t)a->a[3]);
}

struct lx_iovec {
	uint64_t base, len;
};

static long
fd_rwv(int fd, uintptr_t uiov, uint64_t count, bool write)
{
	struct linux_file *f;
	uint64_t total = 0;
	long done = 0;

	if (count > LX_IOV_MAX)
		return -LX_EINVAL;
	f = lx_fd_get(lx_current(), fd);
	if (!f)
		return -LX_EBADF;
	/* Checked whole first, as Linux does: a bad vector moves nothing. */
	for (uint64_t i = 0; i < count; i++) {
		struct lx_iovec v;

		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v))) {
			lx_file_put(f);
			return -LX_EFAULT;
		}
		if ((int64_t)v.len < 0 || (total += v.len) > (uint64_t)INT64_MAX) {
			lx_file_put(f);
			return -LX_EINVAL;
		}
	}
	for (uint64_t i = 0; i < count; i++) {
		struct lx_iovec v;
		long r;

		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v))) {
			r = -LX_EFAULT;
		} else if (v.len == 0) {
			continue;
		} else {
			r = file_rw(f, v.base, v.len, write, -1);
		}
		if (r < 0) {
			if (done == 0)
				done = r;
			break;
		}
		done += r;
		if ((uint64_t)r < v.len)
			break;
	}
	lx_file_put(f);
	if (done == -LX_EPIPE)
		linux_signal_thread(lx_current(), lx_thread_current(), LX_SIGPIPE, NULL);
	return done;
}

long
lx_sys_readv(struct syscall_args *a)
{
	return fd_rwv((int)a->a[0], a->a[1], a->a[2], false);
}

long
lx_sys_writev(struct syscall_args *a)
{
	return fd_rwv((int)a->a[0], a->a[1], a->a[2], true);
}

long
lx_sys_lseek(struct syscall_args *a)
{
	struct linux_file *f = lx_fd_get(lx_current(), (int)a->a[0]);
	int64_t off = (int64_t)a->a[1], base = 0;
	struct file_object *fo;
	struct vfs_stat st;
	long r = 0;

	if (!f)
		return -LX_EBADF;
	if (a->a[2] > LX_SEEK_END) {
		r = -LX_EINVAL;
	} else if (f->kind == LXF_CONSOLE || f->kind == LXF_PIPE) {
		r = -LX_ESPIPE;
	} else if (f->kind == LXF_SYNTH) {
		/* A device stays at 0; a text or a listing moves as a file. */
		fs_mutex_lock(&f->lock);
		base = a->a[2] == LX_SEEK_CUR ? (int64_t)f->dir_pos
		       : a->a[2] == LX_SEEK_END && f->synth->kind == SYN_TEXT
			       ? (int64_t)f->synth->size
			       : 0;
		if (f->synth->kind == SYN_DEV)
			r = 0;
		else if (base + off < 0 || (f->synth->kind == SYN_DIR && (a->a[2] != LX_SEEK_SET)))
			r = -LX_EINVAL;
		else
			r = (long)(f->dir_pos = (uint64_t)(base + off));
		fs_mutex_unlock(&f->lock);
	} else if (f->kind == LXF_DIR) {
		/* rewinddir: only back to the start. */
		fs_mutex_lock(&f->lock);
		if (a->a[2] == LX_SEEK_SET && off == 0)
			f->dir_pos = f->dir_cookie = 0;
		else
			r = -LX_EINVAL;
		fs_mutex_unlock(&f->lock);
	} else {
		fo = (struct file_object *)f->obj;
		fs_mutex_lock(&fo->pos_lock);
		if (a->a[2] == LX_SEEK_CUR)
			base = (int64_t)fo->pos;
		else if (a->a[2] == LX_SEEK_END)
			base = (r = vfs_getattr(fo->vn, &st)) ? 0 : (int64_t)st.size;
		if (r < 0)
			r = lx_err(r);
		else if (off > 0 && base > INT64_MAX - off)
			r = -LX_EOVERFLOW;
		else if (base + off < 0)
			r = -LX_EINVAL;
		else
			r = (long)(fo->pos = (uint64_t)(base + off));
		fs_mutex_unlock(&fo->pos_lock);
	}
	lx_file_put(f);
	return r;
}

long
lx_sys_close(struct syscall_args *a)
{
	return lx_fd_close(lx_current(), (int)a->a[0]);
}

/* dup2 and dup3: newfd closed and replaced, atomically. */
static long
dup_to(int oldfd, uint64_t newfd, uint32_t fd_flags)
{
	struct linux_proc *lp = lx_current();
	struct fdtable *t = lx_fds_lock(lp);
	struct linux_file *f = fdtable_get(t, oldfd);
	long r;

	if (!f || newfd >= t->limit)
		r = -LX_EBADF;
	else
		r = fdtable_install(t, (int)newfd, f, fd_flags);
	lx_fds_unlock(lp, t);
	return r;
}

long
lx_sys_dup(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct fdtable *t = lx_fds_lock(lp);
	struct linux_file *f = fdtable_get(t, (int)a->a[0]);
	long r = f ? fdtable_alloc(t, f, 0, 0) : -LX_EBADF;

	lx_fds_unlock(lp, t);
	return r;
}

long
lx_sys_dup2(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	long r;

	if (a->a[0] == a->a[1]) {
		struct fdtable *t = lx_fds_lock(lp);

		r = fdtable_get(t, (int)a->a[0]) ? (long)a->a[1] : -LX_EBADF;
		lx_fds_unlock(lp, t);
		return r;
	}
	return dup_to((int)a->a[0], a->a[1], 0);
}

long
lx_sys_dup3(struct syscall_args *a)
{
	if (a->a[2] & ~(uint64_t)LX_O_CLOEXEC || a->a[0] == a->a[1])
		return -LX_EINVAL;
	return dup_to((int)a->a[0], a->a[1], a->a[2] ? LINUX_FD_CLOEXEC : 0);
}

#define LX_F_DUPFD	   0
#define LX_F_GETFD	   1
#define LX_F_SETFD	   2
#define LX_F_GETFL	   3
#define LX_F_SETFL	   4
#define LX_F_GETLK	   5
#define LX_F_SETLK	   6
#define LX_F_SETLKW	   7
#define LX_F_OFD_GETLK	   36
#define LX_F_OFD_SETLK	   37
#define LX_F_OFD_SETLKW	   38
#define LX_F_DUPFD_CLOEXEC 1030
#define LX_F_UNLCK	   2
/* What F_SETFL may change (O_ASYNC and O_NOATIME are accepted, unused). */
#define LX_SETFL_MASK	   (LX_O_APPEND | LX_O_NONBLOCK | 020000 | 01000000 | LX_O_DIRECT)

long
lx_sys_fcntl(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	int fd = (int)a->a[0];
	struct linux_file *f;
	int16_t unlocked = LX_F_UNLCK;
	struct fdtable *t;
	long r = 0;

	t = lx_fds_lock(lp);
	f = fdtable_get(t, fd);
	if (!f) {
		lx_fds_unlock(lp, t);
		return -LX_EBADF;
	}
	switch (a->a[1]) {
	case LX_F_DUPFD:
	case LX_F_DUPFD_CLOEXEC:
		if (a->a[2] >= t->limit)
			r = -LX_EINVAL;
		else
			r = fdtable_alloc(t, f, (int)a->a[2],
					  a->a[1] == LX_F_DUPFD_CLOEXEC ? LINUX_FD_CLOEXEC : 0);
		break;
	case LX_F_GETFD:
		r = fdtable_get_flags(t, fd);
		break;
	case LX_F_SETFD:
		r = fdtable_set_flags(t, fd, (uint32_t)a->a[2] & LINUX_FD_CLOEXEC);
		break;
	case LX_F_GETFL:
		/* Every open on a 64-bit kernel is O_LARGEFILE. */
		r = (long)(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) | LX_O_LARGEFILE);
		break;
	case LX_F_SETFL:
		fs_mutex_lock(&f->lock);
		f->flags =
			(f->flags & ~(uint32_t)LX_SETFL_MASK) | ((uint32_t)a->a[2] & LX_SETFL_MASK);
		fs_mutex_unlock(&f->lock);
		break;
	case LX_F_GETLK:
	case LX_F_OFD_GETLK:
		/* Locks take no effect: nothing is ever locked. */
		r = copy_to_user(a->a[2], &unlocked, sizeof(unlocked)) ? -LX_EFAULT : 0;
		break;
	case LX_F_SETLK:
	case LX_F_SETLKW:
	case LX_F_OFD_SETLK:
	case LX_F_OFD_SETLKW:
		r = 0;
		break;
	default:
		r = -LX_EINVAL;
		break;
	}
	lx_fds_unlock(lp, t);
	return r;
}

long
lx_sys_flock(struct syscall_args *a)
{
	struct linux_file *f = lx_fd_get(lx_current(), (int)a->a[0]);

	if (!f)
		return -LX_EBADF;
	lx_file_put(f);
	return 0; /* locks take no effect (docs/linux.md) */
}

static long
fd_sync(int fd)
{
	struct linux_file *f = lx_fd_get(lx_current(), fd);
	long r = 0;

	if (!f)
		return -LX_EBADF;
	if (f->kind == LXF_FILE)
		r = lx_err(vfs_fsync(lx_file_vnode(f)));
	else if (f->kind == LXF_CONSOLE || f->kind == LXF_PIPE)
		r = -LX_EINVAL;
	lx_file_put(f);
	return r;
}

long
lx_sys_fsync(struct syscall_args *a)
{
	return fd_sync((int)a->a[0]);
}

long
lx_sys_fdatasync(struct syscall_args *a)
{
	return fd_sync((int)a->a[0]);
}

long
lx_sys_ftruncate(struct syscall_args *a)
{
	struct linux_file *f = lx_fd_get(lx_current(), (int)a->a[0]);
	long r;

	if (!f)
		return -LX_EBADF;
	/* As Linux: only a regular file open for writing. */
	if ((int64_t)a->a[1] < 0 || f->kind != LXF_FILE || !can_write(f))
		r = -LX_EINVAL;
	else
		r = lx_err(vfs_truncate(lx_file_vnode(f), a->a[1]));
	lx_file_put(f);
	return r;
}

/* The console as a tty. */
#define LX_TCGETS     0x5401
#define LX_TCSETS     0x5402
#define LX_TCSETSW    0x5403
#define LX_TCSETSF    0x5404
#define LX_TIOCSCTTY  0x540e
#define LX_TIOCGPGRP  0x540f
#define LX_TIOCSPGRP  0x5410
#define LX_TIOCGWINSZ 0x5413
#define LX_TIOCSWINSZ 0x5414
#define LX_FIONREAD   0x541b
#define LX_TIOCGSID   0x5429
#define LX_FIONBIO    0x5421
#define LX_FIONCLEX   0x5450
#define LX_FIOCLEX    0x5451

struct lx_winsize {
	uint16_t row, col, xpixel, ypixel;
};

static long
tty_ioctl(struct linux_proc *lp, struct linux_file *f, uint64_t cmd, uintptr_t arg)
{
	struct lx_winsize ws = { .row = 24, .col = 80 };
	struct linux_termios t;
	int32_t v;
	long r;

	if (linux_tty_hung_up(f))
		return cmd == LX_TIOCSPGRP ? -LX_ENOTTY : -LX_EIO;
	switch (cmd) {
	case LX_TCGETS:
		linux_tty_get_termios(&t);
		return copy_to_user(arg, &t, sizeof(t)) ? -LX_EFAULT : 0;
	case LX_TCSETS:
	case LX_TCSETSW:
	case LX_TCSETSF:
		if (copy_from_user(&t, arg, sizeof(t)))
			return -LX_EFAULT;
		return linux_tty_set_termios(lp, &t);
	case LX_TIOCGWINSZ:
		return copy_to_user(arg, &ws, sizeof(ws)) ? -LX_EFAULT : 0;
	case LX_TIOCSWINSZ:
		return copy_from_user(&ws, arg, sizeof(ws)) ? -LX_EFAULT : 0;
	case LX_TIOCGPGRP:
		r = linux_tty_pgrp(lp);
		if (r < 0)
			return r;
		v = (int32_t)r;
		return copy_to_user(arg, &v, sizeof(v)) ? -LX_EFAULT : 0;
	case LX_TIOCSPGRP:
		if (copy_from_user(&v, arg, sizeof(v)))
			return -LX_EFAULT;
		return linux_tty_set_pgrp(lp, v);
	case LX_TIOCSCTTY:
		return linux_tty_set_ctty(lp, arg == 1);
	case LX_TIOCGSID:
		/* Only of one's own terminal: its session is one's own. */
		if (linux_tty_pgrp(lp) < 0)
			return -LX_ENOTTY;
		v = (int32_t)__atomic_load_n(&lp->sid, __ATOMIC_RELAXED);
		return copy_to_user(arg, &v, sizeof(v)) ? -LX_EFAULT : 0;
	case LX_FIONREAD:
		v = (int32_t)console_rx_pending();
		return copy_to_user(arg, &v, sizeof(v)) ? -LX_EFAULT : 0;
	default:
		return -LX_ENOTTY;
	}
}

long
lx_sys_ioctl(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	int fd = (int)a->a[0];
	struct linux_file *f = lx_fd_get(lp, fd);
	struct vfs_stat st;
	int32_t v;
	long r;

	if (!f)
		return -LX_EBADF;
	switch (a->a[1]) {
	case LX_FIOCLEX:
	case LX_FIONCLEX: {
		struct fdtable *t = lx_fds_lock(lp);

		r = fdtable_set_flags(t, fd, a->a[1] == LX_FIOCLEX ? LINUX_FD_CLOEXEC : 0);
		lx_fds_unlock(lp, t);
		break;
	}
	case LX_FIONBIO:
		r = copy_from_user(&v, a->a[2], sizeof(v)) ? -LX_EFAULT : 0;
		if (!r) {
			fs_mutex_lock(&f->lock);
			f->flags =
				v ? f->flags | LX_O_NONBLOCK : f->flags & ~(uint32_t)LX_O_NONBLOCK;
			fs_mutex_unlock(&f->lock);
		}
		break;
	default:
		if (f->kind == LXF_CONSOLE) {
			r = tty_ioctl(lp, f, a->a[1], a->a[2]);
		} else if (f->kind == LXF_PIPE && a->a[1] == LX_FIONREAD) {
			unsigned long irq = cap_lock_take();

			v = (int32_t)pipe_pending((struct pipe *)f->obj);
			r = 0;
			cap_lock_drop(irq);
			if (copy_to_user(a->a[2], &v, sizeof(v)))
				r = -LX_EFAULT;
		} else if (f->kind == LXF_FILE && a->a[1] == LX_FIONREAD) {
			struct file_object *fo = (struct file_object *)f->obj;

			r = lx_err(vfs_getattr(fo->vn, &st));
			v = st.size > fo->pos ? (int32_t)(st.size - fo->pos) : 0;
			if (!r && copy_to_user(a->a[2], &v, sizeof(v)))
				r = -LX_EFAULT;
		} else {
			r = -LX_ENOTTY;
		}
		break;
	}
	lx_file_put(f);
	return r;
}
