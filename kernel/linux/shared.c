/*
 * What clone may share between Linux processes beside the memory: the
 * descriptor table (CLONE_FILES) and the working directory with the
 * umask (CLONE_FS).  Each is an object of its own, counted, with its
 * own lock, so that a close or a chdir in one holder is what the others
 * see next.  A fork copies them; a thread shares them, or has copies of
 * its own when clone says so (its linux_thread's fds and fs).
 *
 * A table has two counts.  refs (the fdtable's) counts the references:
 * its memory goes with the last, at a process's release (under the
 * capability lock, so atomically and without its mutex).  users counts
 * the holders that have not ended: the last to end closes every
 * descriptor at once, so that a pipe's reader sees the end when the last
 * process that could write has exited, not when it is reaped.  A holder
 * killed from outside (it runs no exit path) counts as a user until its
 * release; its table then closes with the last reference.
 *
 * Every use of a table takes the process's lock (lp->lock) and then the
 * table's: signal.c's death of a process closes its table under lp->lock
 * alone, which is safe because fdtable_close_all leaves a table with
 * other holders alone, and a table held by one process alone is only
 * used under that process's lock.
 */
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "object/memory.h"
#include "object/process.h"

struct linux_files {
	struct mutex lock;  /* the table's entries and users */
	unsigned int users; /* holders that have not ended */
	struct fdtable t;   /* t.refs: references */
};

static struct linux_files *
files_of(struct fdtable *t)
{
	return container_of(t, struct linux_files, t);
}

struct fdtable *
lx_files_new(void)
{
	struct linux_files *f = kmalloc(sizeof(*f));

	if (!f)
		return NULL;
	mutex_init(&f->lock, "linux fds");
	f->users = 1;
	fdtable_init(&f->t, &lx_fd_ops);
	return &f->t;
}

struct fdtable *
lx_files_copy(struct linux_proc *lp, struct fdtable *t)
{
	struct fdtable *c = lx_files_new();

	if (!c)
		return NULL;
	mutex_lock(&lp->lock);
	mutex_lock(&files_of(t)->lock);
	fdtable_copy(c, t);
	mutex_unlock(&files_of(t)->lock);
	mutex_unlock(&lp->lock);
	return c;
}

void
lx_files_share(struct linux_proc *lp, struct fdtable *t)
{
	struct linux_files *f = files_of(t);

	mutex_lock(&lp->lock);
	mutex_lock(&f->lock);
	f->users++;
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_ACQ_REL);
	mutex_unlock(&f->lock);
	mutex_unlock(&lp->lock);
}

void
lx_files_exit(struct linux_proc *lp, struct fdtable *t)
{
	struct linux_files *f = files_of(t);

	mutex_lock(&lp->lock);
	mutex_lock(&f->lock);
	if (--f->users == 0)
		fdtable_clear(t);
	mutex_unlock(&f->lock);
	mutex_unlock(&lp->lock);
}

void
lx_files_put(struct fdtable *t, bool locked)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	/* The last reference: nothing else can reach the table. */
	if (locked)
		t->ops = &lx_fd_ops_locked; /* the files drop their objects as they are */
	fdtable_clear(t);
	kfree(files_of(t));
}

/* The calling thread's own table, or its process's. */
static struct fdtable *
current_fds(struct linux_proc *lp)
{
	struct linux_thread *lt = lx_thread_current();

	return lt->fds ? lt->fds : lp->fds;
}

struct fdtable *
lx_fds_lock(struct linux_proc *lp)
{
	struct fdtable *t;

	mutex_lock(&lp->lock);
	t = current_fds(lp);
	mutex_lock(&files_of(t)->lock);
	return t;
}

struct fdtable *
lx_fds_lock_of(struct linux_proc *lp)
{
	mutex_lock(&lp->lock);
	mutex_lock(&files_of(lp->fds)->lock);
	return lp->fds;
}

void
lx_fds_unlock(struct linux_proc *lp, struct fdtable *t)
{
	mutex_unlock(&files_of(t)->lock);
	mutex_unlock(&lp->lock);
}

void
lx_fds_exit(struct linux_proc *lp)
{
	bool first;

	mutex_lock(&lp->lock);
	first = !lp->fds_left;
	lp->fds_left = true;
	mutex_unlock(&lp->lock);
	if (first)
		lx_files_exit(lp, lp->fds);
}

struct linux_fs *
lx_fs_new(const char *cwd, uint32_t umask)
{
	struct linux_fs *fs = kmalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	mutex_init(&fs->lock, "linux fs");
	fs->refs = 1;
	fs->umask = umask;
	strlcpy(fs->cwd, cwd, sizeof(fs->cwd));
	return fs;
}

struct linux_fs *
lx_fs_copy(struct linux_fs *fs)
{
	struct linux_fs *c = lx_fs_new("/", 0);

	if (!c)
		return NULL;
	mutex_lock(&fs->lock);
	strlcpy(c->cwd, fs->cwd, sizeof(c->cwd));
	c->umask = fs->umask;
	mutex_unlock(&fs->lock);
	return c;
}

void
lx_fs_share(struct linux_fs *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL);
}

void
lx_fs_put(struct linux_fs *fs)
{
	if (__atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(fs);
}

struct linux_fs *
lx_fs(struct linux_proc *lp)
{
	struct linux_thread *lt = lx_thread_current();

	return lt->fs ? lt->fs : lp->fs;
}

uint32_t
lx_umask(void)
{
	return __atomic_load_n(&lx_fs(lx_current())->umask, __ATOMIC_RELAXED);
}

/* The tables of the threads on list but self, which have all ended. */
static void
drop_thread_parts(struct linux_proc *lp, struct list_node *list, struct linux_thread *self)
{
	list_for_each (n, list) {
		struct linux_thread *lt = container_of(n, struct linux_thread, link);

		if (lt == self)
			continue;
		if (lt->fds) {
			lx_files_exit(lp, lt->fds);
			lx_files_put(lt->fds, false);
			lt->fds = NULL;
		}
		if (lt->fs) {
			lx_fs_put(lt->fs);
			lt->fs = NULL;
		}
	}
}

void
lx_shared_exec(struct linux_proc *lp, struct list_node *others, struct fdtable *unshared)
{
	struct linux_thread *self = lx_thread_current();
	struct fdtable *mine = self->fds ? self->fds : lp->fds;
	struct fdtable *keep = unshared ? unshared : mine, *old = lp->fds;
	struct linux_fs *old_fs = NULL;
	bool old_used;

	/* No other thread runs: their states are ours to change (the lists
	 * themselves change under sig_lock, in linux_threads_exec_end). */
	drop_thread_parts(lp, others, self);
	drop_thread_parts(lp, &lp->threads, self);
	mutex_lock(&lp->lock);
	old_used = !lp->fds_left;
	lp->fds = keep;
	lp->fds_left = false;
	if (self->fs) {
		old_fs = lp->fs;
		lp->fs = self->fs;
	}
	mutex_unlock(&lp->lock);
	self->fds = NULL;
	self->fs = NULL;
	if (old != keep) {
		if (old_used)
			lx_files_exit(lp, old);
		lx_files_put(old, false);
	}
	if (mine != old && mine != keep) {
		lx_files_exit(lp, mine);
		lx_files_put(mine, false);
	}
	if (old_fs)
		lx_fs_put(old_fs);
}

/* Whether the caller shares its table with anyone (a process, or a
 * thread of its own process that has no table of its own). */
static bool
fds_shared(struct linux_proc *lp, struct linux_thread *lt, bool alone)
{
	if (lt->fds)
		return __atomic_load_n(&lt->fds->refs, __ATOMIC_ACQUIRE) > 1;
	return !alone || __atomic_load_n(&lp->fds->refs, __ATOMIC_ACQUIRE) > 1;
}

static bool
fs_shared(struct linux_proc *lp, struct linux_thread *lt, bool alone)
{
	if (lt->fs)
		return __atomic_load_n(&lt->fs->refs, __ATOMIC_ACQUIRE) > 1;
	return !alone || __atomic_load_n(&lp->fs->refs, __ATOMIC_ACQUIRE) > 1;
}

long
lx_unshare(struct linux_proc *lp, bool files, bool fs)
{
	struct linux_thread *lt = lx_thread_current();
	struct mempool *pool = process_current()->pool;
	struct fdtable *new_fds = NULL, *old_fds = NULL;
	struct linux_fs *new_fs = NULL, *old_fs = NULL;
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);
	bool alone = lp->nthreads == 1;
	uint64_t pages = 0;

	spin_unlock_irqrestore(&lp->sig_lock, flags);
	files = files && fds_shared(lp, lt, alone);
	fs = fs && fs_shared(lp, lt, alone);
	/* A thread of several that takes a copy of the process's pays for it. */
	if (files && !alone && !lt->fds)
		pages += (sizeof(struct fdtable) + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	if (fs && !alone && !lt->fs)
		pages += (sizeof(struct linux_fs) + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	if (pages && mempool_charge(pool, pages))
		return -LX_ENOMEM;
	if (files)
		new_fds = lx_files_copy(lp, lt->fds ? lt->fds : lp->fds);
	if (fs)
		new_fs = lx_fs_copy(lx_fs(lp));
	if ((files && !new_fds) || (fs && !new_fs)) {
		if (new_fds)
			lx_files_put(new_fds, false);
		if (new_fs)
			lx_fs_put(new_fs);
		if (pages)
			mempool_uncharge(pool, pages);
		return -LX_ENOMEM;
	}
	mutex_lock(&lp->lock);
	if (new_fds && (lt->fds || !alone)) {
		old_fds = lt->fds; /* NULL: the process's stays the others' */
		lt->fds = new_fds;
	} else if (new_fds) {
		old_fds = lp->fds;
		lp->fds = new_fds;
	}
	if (new_fs && (lt->fs || !alone)) {
		old_fs = lt->fs;
		lt->fs = new_fs;
	} else if (new_fs) {
		old_fs = lp->fs;
		lp->fs = new_fs;
	}
	lt->pages += pages;
	mutex_unlock(&lp->lock);
	if (old_fds) {
		lx_files_exit(lp, old_fds);
		lx_files_put(old_fds, false);
	}
	if (old_fs)
		lx_fs_put(old_fs);
	return 0;
}
