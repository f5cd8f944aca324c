/* Vnode reference counts and small helpers (vnode.h). */
#include "fs/vnode.h"

#include "themelios/errno.h"

void
vnode_init(struct vnode *vn, const struct vnode_ops *ops, struct vfs_fs *fs, uint32_t mode,
	   uint64_t ino)
{
	vn->ops = ops;
	vn->fs = fs;
	vn->mode = mode;
	vn->refs = 1;
	vn->ino = ino;
	vn->covered_by = NULL;
	vn->mapping = NULL;
}

const struct vnode_mapping_ops *vnode_mapping_ops;

/* The last reference went: the mapping side first (it may write back
 * through the filesystem), then the filesystem's own release. */
static void
release(struct vnode *vn)
{
	if (vn->mapping && vnode_mapping_ops)
		vnode_mapping_ops->release(vn);
	if (vn->ops->release)
		vn->ops->release(vn);
}

void
vnode_ref(struct vnode *vn)
{
	__atomic_add_fetch(&vn->refs, 1, __ATOMIC_RELAXED);
}

void
vnode_unref(struct vnode *vn)
{
	if (__atomic_sub_fetch(&vn->refs, 1, __ATOMIC_ACQ_REL) == 0)
		release(vn);
}

uint8_t
vfs_mode_to_dt(uint32_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFREG:
		return VFS_DT_REG;
	case VFS_S_IFDIR:
		return VFS_DT_DIR;
	case VFS_S_IFLNK:
		return VFS_DT_LNK;
	case VFS_S_IFCHR:
		return VFS_DT_CHR;
	case VFS_S_IFBLK:
		return VFS_DT_BLK;
	case VFS_S_IFIFO:
		return VFS_DT_FIFO;
	case VFS_S_IFSOCK:
		return VFS_DT_SOCK;
	}
	return VFS_DT_UNKNOWN;
}

int
vfs_name_check(const char *name, size_t len)
{
	if (len == 0)
		return -E_INVAL;
	if (len > VFS_NAME_MAX)
		return -E_NAMETOOLONG;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return -E_INVAL;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return -E_INVAL;
	return 0;
}

#ifdef HOST_TEST
void
vnode_unref_later(struct vnode *vn)
{
	vnode_unref(vn);
}

void
vnode_reaper_start(void)
{
}

void
vnode_reap_now(void)
{
}

void
vnode_release_deferred(void)
{
}
#else
#include "object/release.h"
#include "sched/spinlock.h"
#include "sched/thread.h"
#include "sched/wait.h"

/* Vnodes whose last reference went where sleeping is not allowed,
 * linked through covered_by (unused once unreferenced). */
static struct spinlock reap_lock = SPINLOCK_INIT("vnode reaper");
static struct vnode *reap_list;
static struct wait_queue reap_wait;
static bool reaper_running;

void
vnode_unref_later(struct vnode *vn)
{
	unsigned long flags;

	if (__atomic_sub_fetch(&vn->refs, 1, __ATOMIC_ACQ_REL) != 0 ||
	    (!vn->ops->release && !vn->mapping))
		return;
	/* Released by this thread before the call returns: a reopen right
	 * after it must not find the file without what was written back. */
	if (release_defers()) {
		struct thread *t = thread_current();

		vn->covered_by = t->vnode_releases;
		t->vnode_releases = vn;
		return;
	}
	flags = spin_lock_irqsave(&reap_lock);
	vn->covered_by = reap_list;
	reap_list = vn;
	if (reaper_running)
		wait_queue_wake_one(&reap_wait);
	spin_unlock_irqrestore(&reap_lock, flags);
}

void
vnode_release_deferred(void)
{
	struct thread *t = thread_current();
	struct vnode *vn;

	/* A release may defer more (an overlay node's layers): taken too. */
	while (t && (vn = t->vnode_releases) != NULL) {
		t->vnode_releases = vn->covered_by;
		vn->covered_by = NULL;
		release(vn);
	}
}

void
vnode_reap_now(void)
{
	vnode_release_deferred(); /* this thread's own first */
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&reap_lock);
		struct vnode *vn = reap_list;

		if (vn)
			reap_list = vn->covered_by;
		spin_unlock_irqrestore(&reap_lock, flags);
		if (!vn)
			return;
		vn->covered_by = NULL;
		release(vn);
	}
}

static void
reaper(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&reap_lock);
		struct vnode *vn;

		while (!reap_list)
			wait_queue_wait(&reap_wait, &reap_lock, 0);
		vn = reap_list;
		reap_list = vn->covered_by;
		spin_unlock_irqrestore(&reap_lock, flags);
		vn->covered_by = NULL;
		release(vn);
	}
}

void
vnode_reaper_start(void)
{
	wait_queue_init(&reap_wait);
	reaper_running = true;
	if (!thread_spawn_detached("vnode reaper", reaper, NULL))
		reaper_running = false;
}
#endif
