/*
 * execve and execveat: the calling process's image replaced in place by
 * a program of its root Directory.  The new program is loaded into a
 * fresh address space (mapped from the page cache, process_load)
 * before anything of the old is touched, so a failure leaves the caller
 * as it was; then the space is swapped, descriptors with FD_CLOEXEC
 * close, handled signals return to their default, and the call returns
 * to the new entry point.  "#!" scripts run their interpreter (one
 * optional argument, the script's path after it), LINUX_EXEC_NEST deep
 * at most.  "/proc/self/exe" names the running program whether or not
 * a /proc is mounted.
 *
 * The swap is process_exec's (syscall 113's): the other threads end
 * first.  Argument limits: LX_ARGS_MAX bytes and SPAWN_ARGC_MAX strings
 * of arguments, LX_ENV_MAX and SPAWN_ENVC_MAX of environment (together
 * within spawn's SPAWN_STRINGS_MAX); beyond them, E2BIG.
 */
#include "arch/arch.h"
#include "mm/vm_flags.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/linux.h"
#include "linux/path.h"
#include "linux/personality.h"
#include "linux/proc.h"
#include "linux/shebang.h"
#include "mm/kmalloc.h"
#include "mm/vm_space.h"
#include "object/address_space.h"
#include "object/directory.h"
#include "object/process.h"
#include "proc/exec.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define LINUX_EXEC_NEST	 4   /* interpreters of interpreters */
#define EXEC_HEAD	 256 /* bytes of a file read for "#!" (BINPRM_BUF_SIZE) */
#define LX_AT_FDCWD	 (-100)
#define LX_AT_EMPTY_PATH 0x1000
#define LX_AT_NOFOLLOW	 0x100
#define LX_SIG_IGN	 1
#define SELF_EXE	 "/proc/self/exe"
#define LX_ARGS_MAX	 1024 /* bytes of arguments after argv[0] */
#define LX_ENV_MAX	 1024 /* bytes of environment */

/* The byte c in s[0..n), or NULL. */
static char *
find_byte(char *s, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

/* The last component of a path. */
static const char *
path_base(const char *path)
{
	const char *base = path;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	return base;
}

/* Strings one after another, each NUL-terminated. */
struct strings {
	char *buf;
	size_t len, max;
	unsigned int count, max_count;
};

/* One more string (n bytes, no NUL) at the end: 0 or -LX_E2BIG. */
static long
strings_add(struct strings *s, const char *str, size_t n)
{
	if (s->count >= s->max_count || n + 1 > s->max - s->len)
		return -LX_E2BIG;
	memcpy(s->buf + s->len, str, n);
	s->buf[s->len + n] = '\0';
	s->len += n + 1;
	s->count++;
	return 0;
}

/* The user's NULL-terminated array of strings at uvec into s, the first
 * skip of them left out. */
static long
copy_vector(uintptr_t uvec, struct strings *s, unsigned int skip, char *tmp)
{
	for (unsigned int i = 0; uvec; i++) {
		uint64_t p;
		long n;

		if (copy_from_user(&p, uvec + i * sizeof(p), sizeof(p)))
			return -LX_EFAULT;
		if (!p)
			break;
		n = lx_copy_user_string(p, tmp, LX_ARGS_MAX + 1, -LX_E2BIG);
		if (n < 0)
			return n;
		if (i >= skip && (n = strings_add(s, tmp, (size_t)n)) < 0)
			return n;
	}
	return 0;
}

/* The vnode of path (a kernel string) under lp's root, from its working
 * directory, referenced; "/proc/self/exe" is the running program. */
static long
exec_lookup(struct linux_proc *lp, const char *path, struct vnode **out)
{
	char *buf;
	long n;

	if (!strcmp(path, SELF_EXE)) {
		/* The first program's file has no vnode kept: its name is its path. */
		if (lp->exe_vn) {
			vnode_ref(lp->exe_vn);
			*out = lp->exe_vn;
			return 0;
		}
		path = process_current()->name;
	}
	if (!lp->root)
		return -LX_ENOENT;
	buf = kmalloc(VFS_PATH_MAX);
	if (!buf)
		return -LX_ENOMEM;
	struct linux_fs *fs = lx_fs(lp);

	mutex_lock(&fs->lock);
	n = lx_path_join(buf, VFS_PATH_MAX, fs->cwd, path, strlen(path));
	mutex_unlock(&fs->lock);
	if (n >= 0)
		n = lx_err(vfs_lookup(lp->root->vn, buf, (size_t)n, true, out));
	kfree(buf);
	return n;
}

/* What makes vn runnable: a regular file with an execute bit. */
static long
exec_check(struct vnode *vn)
{
	struct vfs_stat st;
	long r = lx_err(vfs_getattr(vn, &st));

	if (r)
		return r;
	if (!VFS_S_ISREG(st.mode) || !(st.mode & 0111))
		return -LX_EACCES;
	return st.size ? 0 : -LX_ENOEXEC;
}

/* The Linux state across the exec: descriptors, signals, exe (the break
 * is the new space's, after its program). */
static void
exec_linux_state(struct linux_proc *lp, struct vnode *vn, const char *path)
{
	char *abs = strcmp(path, SELF_EXE) ? kmalloc(VFS_PATH_MAX) : NULL;
	struct linux_fs *fs = lx_fs(lp);
	struct fdtable *t = lx_fds_lock(lp);
	struct vnode *old_exe;
	unsigned long flags;
	const char *base;

	fdtable_close_on_exec(t);
	lx_fds_unlock(lp, t);
	mutex_lock(&lp->lock);
	linux_signal_exec(lp); /* handlers back to default, ignored ones kept */
	lx_thread_current()->clear_child_tid = lx_thread_current()->robust_list = 0;
	old_exe = lp->exe_vn;
	lp->exe_vn = vn;
	/* The name: the basename of the path execve was given, as Linux
	 * ("exe" for /proc/self/exe, which busybox renames its applets from). */
	base = path;
	for (const char *c = path; *c; c++)
		if (*c == '/')
			base = c + 1;
	strlcpy(lp->comm, base, sizeof(lp->comm));
	/* /proc/self/exe's text: the absolute path (glibc's static start
	 * reads it and wants one); "/proc/self/exe" itself keeps the old. */
	mutex_lock(&fs->lock);
	if (abs && lx_path_join(abs, VFS_PATH_MAX, fs->cwd, path, strlen(path)) >= 0)
		linux_set_exe(lp, abs);
	mutex_unlock(&fs->lock);
	kfree(abs);
	mutex_unlock(&lp->lock);
	if (old_exe)
		vnode_unref(old_exe);
	/* A vfork parent goes on now. */
	flags = cap_lock_take();
	lp->execed = true;
	if (lp->parent)
		wait_queue_wake_all(&lp->parent->child_wq);
	if (lp->vfork_waiter)
		wait_queue_wake_all(&lp->vfork_waiter->child_wq);
	cap_lock_drop(flags);
}

struct exec_bufs {
	char args[LX_ARGS_MAX + 2 * VFS_PATH_MAX];
	char env[LX_ENV_MAX];
	char tmp[LX_ARGS_MAX + 1];
	char path[VFS_PATH_MAX];
	char head[EXEC_HEAD + 1];
};

static long
do_execve(int dirfd, uintptr_t upath, uintptr_t uargv, uintptr_t uenvp, uint64_t flags)
{
	struct process *p = process_current();
	struct linux_proc *lp = p->lx;
	struct exec_bufs *b;
	struct strings argv, env;
	struct vnode *vn = NULL;
	struct address_space *as = NULL;
	struct list_node others;
	struct fdtable *mine, *unshared = NULL;
	uintptr_t entry, sp;
	unsigned long irq;
	long r, n;

	if (flags & ~(uint64_t)(LX_AT_EMPTY_PATH | LX_AT_NOFOLLOW))
		return -LX_EINVAL;
	if (dirfd != LX_AT_FDCWD || flags)
		return -LX_ENOSYS; /* execveat relative to a descriptor: not yet */
	b = kmalloc(sizeof(*b));
	if (!b)
		return -LX_ENOMEM;
	argv = (struct strings){ b->args, 0, sizeof(b->args), 0,
				 SPAWN_ARGC_MAX + LINUX_EXEC_NEST * 3 };
	env = (struct strings){ b->env, 0, sizeof(b->env), 0, SPAWN_ENVC_MAX };
	n = lx_copy_user_string(upath, b->path, VFS_PATH_MAX, -LX_ENAMETOOLONG);
	r = n < 0 ? n : n == 0 ? -LX_ENOENT : 0;
	if (!r)
		r = copy_vector(uargv, &argv, 0, b->tmp);
	if (!r)
		r = copy_vector(uenvp, &env, 0, b->tmp);
	/* Without arguments argv[0] is "", as Linux makes it. */
	if (!r && argv.count == 0)
		r = strings_add(&argv, "", 0);
	if (!r)
		r = exec_lookup(lp, b->path, &vn);
	for (int depth = 0; !r; depth++) {
		struct io_buf io = { (uintptr_t)b->head, EXEC_HEAD, false };
		char *interp, *arg;
		struct strings nv;
		char *rest;
		size_t rest_len;

		if ((r = exec_check(vn)))
			break;
		n = vfs_read(vn, 0, &io, EXEC_HEAD);
		if (n < 0) {
			r = lx_err(n);
			break;
		}
		r = lx_shebang_parse(b->head, (size_t)n, &interp, &arg);
		if (r <= 0)
			break;
		if (depth == LINUX_EXEC_NEST) {
			r = -LX_ELOOP;
			break;
		}
		/* interp [arg] path argv[1..]: built in tmp, copied back. */
		rest = find_byte(argv.buf, '\0', argv.len) + 1;
		rest_len = argv.len - (size_t)(rest - argv.buf);
		nv = (struct strings){ b->tmp, 0, sizeof(b->tmp), 0, argv.max_count };
		r = strings_add(&nv, interp, strlen(interp));
		if (!r && arg)
			r = strings_add(&nv, arg, strlen(arg));
		if (!r)
			r = strings_add(&nv, b->path, strlen(b->path));
		if (!r && rest_len > sizeof(b->tmp) - nv.len)
			r = -LX_E2BIG;
		if (r)
			break;
		memcpy(nv.buf + nv.len, rest, rest_len);
		nv.len += rest_len;
		nv.count += argv.count - 1;
		memcpy(argv.buf, nv.buf, nv.len);
		argv.len = nv.len;
		argv.count = nv.count;
		strlcpy(b->path, interp, sizeof(b->path));
		vnode_unref(vn);
		vn = NULL;
		r = exec_lookup(lp, b->path, &vn);
	}
	/* spawn's limits for what follows argv[0]. */
	if (!r) {
		size_t first = strlen(argv.buf) + 1;

		if (argv.len - first > LX_ARGS_MAX || argv.count - 1 > SPAWN_ARGC_MAX - 1 ||
		    first > PROC_NAME_MAX + VFS_PATH_MAX)
			r = -LX_E2BIG;
	}
	if (!r) {
		irq = cap_lock_take();
		r = lx_err(as_create(p->pool, &as));
		cap_lock_drop(irq);
	}
	if (!r) {
		size_t first = strlen(argv.buf) + 1;

		struct load_spec ls = {
			.name = argv.buf,
			.file = vn,
			.args = argv.buf + first,
			.args_len = argv.len - first,
			.env = env.buf,
			.env_len = env.len,
		};

		n = process_load(as, &ls, &entry, &sp);
		if (n == -E_NOMEM)
			r = -LX_ENOMEM;
		else if (n == -E_IO)
			r = -LX_EIO;
		else if (n || as->personality != PERSONALITY_LINUX)
			r = -LX_ENOEXEC; /* not an ELF this machine runs, or a native program */
	}
	/* A table another process holds too: the new program gets a copy. */
	mine = lx_thread_current()->fds ? lx_thread_current()->fds : lp->fds;
	if (!r && __atomic_load_n(&mine->refs, __ATOMIC_ACQUIRE) > 1) {
		unshared = lx_files_copy(lp, mine);
		if (!unshared)
			r = -LX_ENOMEM;
	}
	if (r) {
		if (as) {
			irq = cap_lock_take();
			kobject_unref(&as->obj);
			cap_lock_drop(irq);
		}
		if (vn)
			vnode_unref(vn);
		kfree(b);
		return r;
	}
	/* From here the call cannot fail, unless the process is being
	 * ended meanwhile.  The other threads end first (process_exec
	 * waits until they are freed); their Linux states go after them. */
	linux_threads_exec_begin(lp, &others);
	if (process_exec(p, &as, path_base(b->path), entry, sp, 0)) {
		linux_threads_exec_end(lp, &others, false);
		if (unshared) {
			lx_files_exit(lp, unshared);
			lx_files_put(unshared, false);
		}
		irq = cap_lock_take();
		kobject_unref(&as->obj);
		cap_lock_drop(irq);
		kfree(b);
		vnode_unref(vn);
		return -LX_EINTR;
	}
	lx_shared_exec(lp, &others, unshared);
	linux_threads_exec_end(lp, &others, true);
	exec_linux_state(lp, vn, b->path);
	kfree(b);
	return 0;
}

long
lx_sys_execve(struct syscall_args *a)
{
	return do_execve(LX_AT_FDCWD, a->a[0], a->a[1], a->a[2], 0);
}

long
lx_sys_execveat(struct syscall_args *a)
{
	return do_execve((int)a->a[0], a->a[1], a->a[2], a->a[3], a->a[4]);
}
