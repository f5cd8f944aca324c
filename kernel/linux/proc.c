/*
 * A Linux process's state: made when it is spawned (from the
 * capabilities its creator gave it), freed with the process.
 */
#include "linux/proc.h"

#include "cap/cspace.h"
#include "cap/lock.h"
#include "lib/string.h"
#include "linux/file.h"
#include "linux/linux.h"
#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "object/address_space.h"
#include "object/directory.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/user_memory.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define SLOT_STDIO    1 /* CAP_SLOT_CONSOLE: descriptors 0, 1, 2 */
#define SLOT_ROOT     2 /* the root and working directory */

#define RLIMIT_STACK  3
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0ull)

struct linux_proc *
lx_current(void)
{
	return process_current()->lx;
}

static int
setup_stdio(struct process *p, struct linux_proc *lp)
{
	struct linux_file *f;
	struct cap *c;

	if (cspace_lookup(p->cs, SLOT_STDIO, KOBJ_ANY, CAP_RIGHTS_NONE, &c) ||
	    lx_file_kind_of(c->obj) < 0)
		return 0; /* no standard descriptors */
	f = lx_file_new(c->obj, LX_O_RDWR, NULL);
	if (!f)
		return -E_NOMEM;
	kobject_ref(c->obj);
	for (int fd = 0; fd < 3; fd++)
		fdtable_install(lp->fds, fd, f, 0);
	if (f->kind == LXF_CONSOLE)
		linux_tty_attach(lp); /* ^C reaches it */
	return 0;
}

/* What a process's state is charged: itself, a descriptor table and a
 * working directory (whether it shares them or not: a shared one is
 * paid for twice, and a clone never fails for want of them later). */
static uint64_t
lp_pages(void)
{
	return (sizeof(struct linux_proc) + sizeof(struct fdtable) + sizeof(struct linux_fs) +
		PAGE_SIZE_4K - 1) /
	       PAGE_SIZE_4K;
}

/* A zeroed state, charged to pool, with no table or directory yet;
 * NULL when out of memory. */
static struct linux_proc *
lp_alloc(struct mempool *pool)
{
	uint64_t pages = lp_pages();
	struct linux_proc *lp;

	if (mempool_charge(pool, pages))
		return NULL;
	lp = kcalloc(1, sizeof(*lp));
	if (!lp) {
		mempool_uncharge(pool, pages);
		return NULL;
	}
	lp->pages = pages;
	mutex_init(&lp->lock, "linux proc");
	list_init(&lp->children);
	linux_sigpending_init(&lp->shared);
	wait_queue_init(&lp->child_wq);
	linux_thread_init_main(lp);
	return lp;
}

/* Its table and directory go too (none under the capability lock). */
static void
lp_free(struct linux_proc *lp, struct mempool *pool)
{
	if (lp->fds)
		lx_files_put(lp->fds, false);
	if (lp->fs)
		lx_fs_put(lp->fs);
	mempool_uncharge(pool, lp->pages);
	kfree(lp);
}

int
linux_proc_setup(struct process *p)
{
	struct linux_proc *lp = lp_alloc(p->pool);
	struct cap *c;
	int err;

	if (!lp)
		return -E_NOMEM;
	lp->fds = lx_files_new();
	lp->fs = lx_fs_new("/", 022);
	if (!lp->fds || !lp->fs) {
		lp_free(lp, p->pool);
		return -E_NOMEM;
	}
	lp->proc = p;
	linux_set_exe(lp, p->name);
	lp->sig_lock = (struct spinlock)SPINLOCK_INIT("linux signals");
	for (int i = 0; i < LX_RLIM_NLIMITS; i++)
		lp->rlim_cur[i] = lp->rlim_max[i] = RLIM_INFINITY;
	lp->rlim_cur[RLIMIT_STACK] = LINUX_STACK_BYTES;
	lp->rlim_cur[RLIMIT_NOFILE] = lp->rlim_max[RLIMIT_NOFILE] = LINUX_FD_MAX;
	lp->rlim_cur[LX_RLIMIT_SIGPENDING] = lp->rlim_max[LX_RLIMIT_SIGPENDING] = LX_SIGQUEUE_MAX;
	lp->proc = p;
	/* The first program of its instance: pid 1, as in a container. */
	if (linux_family_first(lp)) {
		lp_free(lp, p->pool);
		return -E_NOMEM;
	}
	p->lx = lp;
	if (!cspace_lookup(p->cs, SLOT_ROOT, KOBJ_DIRECTORY, CAP_RIGHTS_NONE, &c)) {
		lp->root = (struct dir_object *)c->obj;
		kobject_ref(c->obj);
	}
	err = setup_stdio(p, lp);
	if (err) {
		linux_proc_release(p);
		return err;
	}
	return 0;
}

struct linux_proc *
linux_proc_copy(struct linux_proc *lp, struct mempool *pool, bool share_fds, bool share_fs)
{
	struct linux_thread *lt = lx_thread_current();
	struct fdtable *fds = lt->fds ? lt->fds : lp->fds;
	struct linux_fs *fs = lt->fs ? lt->fs : lp->fs;
	struct linux_proc *c = lp_alloc(pool);

	if (!c)
		return NULL;
	if (share_fds) {
		lx_files_share(lp, fds);
		c->fds = fds;
	} else {
		c->fds = lx_files_copy(lp, fds);
	}
	if (share_fs) {
		lx_fs_share(fs);
		c->fs = fs;
	} else {
		c->fs = lx_fs_copy(fs);
	}
	if (!c->fds || !c->fs) {
		if (c->fds && share_fds)
			lx_files_exit(lp, c->fds); /* the user it was counted as */
		lp_free(c, pool);
		return NULL;
	}
	mutex_lock(&lp->lock);
	c->sig_lock = (struct spinlock)SPINLOCK_INIT("linux signals");
	linux_signal_fork(lp, c); /* dispositions, mask, altstack */
	strlcpy(c->exe, lp->exe, sizeof(c->exe));
	memcpy(c->comm, lp->comm, sizeof(c->comm));
	c->exe_vn = lp->exe_vn;
	if (c->exe_vn)
		vnode_ref(c->exe_vn);
	memcpy(c->rlim_cur, lp->rlim_cur, sizeof(c->rlim_cur));
	memcpy(c->rlim_max, lp->rlim_max, sizeof(c->rlim_max));
	mutex_unlock(&lp->lock);
	return c;
}

void
linux_proc_copy_free(struct linux_proc *lp, struct mempool *pool)
{
	lx_files_exit(lp, lp->fds);
	if (lp->exe_vn)
		vnode_unref(lp->exe_vn);
	lp_free(lp, pool);
}

void
linux_proc_exiting(struct process *p)
{
	lx_fds_exit(p->lx);
}

void
linux_set_exe(struct linux_proc *lp, const char *path)
{
	strlcpy(lp->exe, path, sizeof(lp->exe));
}

void
linux_proc_ended(struct process *p)
{
	struct linux_proc *lp = p->lx;
	unsigned long flags;

	linux_timer_release(lp);
	linux_tty_detach(lp);
	flags = spin_lock_irqsave(&lp->sig_lock);
	lp->ended = true;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	linux_signal_release(lp);
}

void
linux_proc_release(struct process *p)
{
	struct linux_proc *lp = p->lx;

	linux_timer_release(lp);
	linux_tty_detach(lp);
	/* Under the capability lock: the descriptions drop their objects
	 * without taking it again. */
	lx_files_put(lp->fds, true);
	lp->fds = NULL;
	if (lp->root)
		kobject_unref(&lp->root->obj);
	if (lp->exe_vn)
		vnode_unref_later(lp->exe_vn); /* not under the capability lock */
	linux_family_release(lp);
	linux_signal_release(lp);
	linux_threads_release(lp);
	lp_free(lp, p->pool);
	p->lx = NULL;
}
