/* Files as memory objects (mm/vm_file.h). */
#include "mm/vm_file.h"

#include "cap/lock.h"
#include "fs/vnode.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "object/address_space.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/user_memory.h"
#include "sched/spinlock.h"
#include "themelios/errno.h"

#define PAGE PCACHE_PAGE_SIZE

/* Taken to attach a vm_file to a vnode: two first mappers make one. */
static struct spinlock attach_lock = SPINLOCK_INIT("vm_file attach");

static uint64_t
pages_of(uint64_t size)
{
	return (size + PAGE - 1) / PAGE;
}

/* The file's current size; 0 when it cannot be read. */
static uint64_t
file_size(struct vnode *vn)
{
	struct vfs_stat st;

	memset(&st, 0, sizeof(st));
	if (!vn->ops->getattr || vn->ops->getattr(vn, &st))
		return 0;
	return st.size;
}

static void
set_size(struct vm_file *vf, uint64_t size)
{
	uint64_t n = pages_of(size);

	__atomic_store_n(&vf->owner.npages, n, __ATOMIC_RELAXED);
	if (n > vf->high)
		vf->high = n;
}

/* One page of the file read into data, the tail past the end zeroed:
 * 0 or the read's error. */
static int
read_page(struct vnode *vn, uint64_t index, void *data)
{
	struct io_buf b = io_buf_kernel(data, PAGE);
	long n = vn->ops->read ? vn->ops->read(vn, index * PAGE, &b, PAGE) : -E_INVAL;

	if (n < 0)
		return (int)n;
	memset((uint8_t *)data + n, 0, PAGE - (size_t)n);
	return 0;
}

/* The page cache's fill: straight from the filesystem, no lock held. */
static long
fill(struct pcache_owner *o, uint64_t first, size_t count, void *const *pages)
{
	struct vm_file *vf = container_of(o, struct vm_file, owner);
	size_t i;

	for (i = 0; i < count; i++) {
		int err = read_page(vf->vn, first + i, pages[i]);

		if (err)
			return i ? (long)i : err;
	}
	return (long)count;
}

static const struct pcache_owner_ops fill_ops = { .fill = fill };

int
vm_file_of(struct vnode *vn, struct vm_file **out)
{
	struct vm_file *vf, *made;
	unsigned long flags;

	if (!VFS_S_ISREG(vn->mode))
		return -E_INVAL;
	vf = __atomic_load_n(&vn->mapping, __ATOMIC_ACQUIRE);
	if (!vf) {
		made = fs_zalloc(sizeof(*made));
		if (!made)
			return -E_NOMEM;
		pcache_owner_init(&made->owner, &fill_ops, "file", 0);
		made->vn = vn;
		fs_mutex_init(&made->lock, "vm_file");
		flags = spin_lock_irqsave(&attach_lock);
		vf = vn->mapping;
		if (!vf)
			__atomic_store_n(&vn->mapping, vf = made, __ATOMIC_RELEASE);
		spin_unlock_irqrestore(&attach_lock, flags);
		if (vf != made)
			fs_free(made);
	}
	fs_mutex_lock(&vf->lock);
	set_size(vf, file_size(vn));
	fs_mutex_unlock(&vf->lock);
	*out = vf;
	return 0;
}

/* kobject references change under the capability lock. */
static void
pool_ref(struct mempool *mp, int delta, bool cap_locked)
{
	unsigned long irq = cap_locked ? 0 : cap_lock_take();

	if (delta > 0)
		kobject_ref(&mp->obj);
	else
		kobject_unref(&mp->obj);
	if (!cap_locked)
		cap_lock_drop(irq);
}

int
vm_file_map_page(struct vm_file *vf, uint64_t index, bool writable, bool may_fill,
		 struct mempool *pool, uint64_t *pa)
{
	struct pcache_page *p = NULL;
	int err = may_fill ? pcache_get(&vf->owner, index, &p) : 0;
	int took;

	if (!may_fill && !(p = pcache_peek(&vf->owner, index)))
		err = -E_FAULT;
	if (err)
		return err;
	/* Mapped already: no charge.  Else this pool pays while it lasts. */
	took = pcache_map(p, writable, NULL);
	if (took == -E_AGAIN) {
		if (mempool_charge(pool, 1)) {
			pcache_put(p);
			return -E_NOMEM;
		}
		took = pcache_map(p, writable, pool);
		if (took == 1)
			pool_ref(pool, 1, false);
		else
			mempool_uncharge(pool, 1); /* someone else was first */
	}
	*pa = virt_to_phys(p->data);
	return 0;
}

void
vm_file_map_again(struct vm_file *vf, uint64_t index, bool writable)
{
	pcache_map_again(&vf->owner, index, writable);
}

void
vm_file_unmap_page(struct vm_file *vf, uint64_t index, bool writable, bool cap_locked)
{
	struct mempool *payer = pcache_unmap(&vf->owner, index, writable);

	if (payer) {
		mempool_uncharge(payer, 1);
		pool_ref(payer, -1, cap_locked);
	}
}

/* Writes back every page that a mapping may have written; vf->lock
 * held.  A failed write leaves the file as it was (logged nowhere: the
 * writer is gone, as with a failed write-back on Linux). */
static void
write_back(struct vm_file *vf)
{
	uint64_t size, n;

	if (!pcache_owner_dirty(&vf->owner))
		return;
	size = file_size(vf->vn);
	n = pages_of(size);
	for (uint64_t i = 0; i < n && pcache_owner_dirty(&vf->owner); i++) {
		struct pcache_page *p = pcache_peek(&vf->owner, i);
		size_t len = size - i * PAGE < PAGE ? size - i * PAGE : PAGE;
		struct io_buf b;

		if (!p)
			continue;
		if (pcache_take_dirty(p) && vf->vn->ops->write) {
			b = io_buf_kernel(p->data, len);
			vf->vn->ops->write(vf->vn, i * PAGE, &b, len);
		}
		pcache_put(p);
	}
}

void
vm_file_sync(struct vm_file *vf)
{
	if (!pcache_owner_dirty(&vf->owner))
		return;
	fs_mutex_lock(&vf->lock);
	write_back(vf);
	fs_mutex_unlock(&vf->lock);
}

static void
prefault(struct vnode *vn, uint64_t off, const struct io_buf *buf, size_t len, bool read)
{
	struct process *p = process_current();
	uint64_t size;

	if (!p || !p->as || !__atomic_load_n(&p->as->has_files, __ATOMIC_RELAXED))
		return;
	/* A read moves no more than the file has past off. */
	if (read) {
		size = file_size(vn);
		len = off >= size ? 0 : size - off < len ? (size_t)(size - off) : len;
	}
	as_prefault_files(p->as, buf->base, len, read);
}

static void
before_io(struct vnode *vn)
{
	vm_file_sync(vn->mapping);
}

/* [off, off + len) of the file changed through the VFS: the cached pages
 * there are read again, so every mapping sees the file as it is now. */
static void
after_change(struct vnode *vn, uint64_t off, uint64_t len)
{
	struct vm_file *vf = vn->mapping;
	uint64_t first = off / PAGE, end = len > ~0ull - off ? ~0ull : off + len;
	uint64_t last = end / PAGE + (end % PAGE != 0);

	fs_mutex_lock(&vf->lock);
	set_size(vf, file_size(vn));
	if (last > vf->high)
		last = vf->high;
	for (uint64_t i = first; i < last; i++) {
		struct pcache_page *p = pcache_peek(&vf->owner, i);

		if (!p)
			continue;
		if (read_page(vn, i, p->data))
			memset(p->data, 0, PAGE);
		pcache_put(p);
	}
	fs_mutex_unlock(&vf->lock);
}

/* The vnode's last reference: nothing maps it any more (regions hold
 * references).  What was written goes to the file, the pages go. */
static void
release(struct vnode *vn)
{
	struct vm_file *vf = vn->mapping;

	fs_mutex_lock(&vf->lock);
	write_back(vf);
	fs_mutex_unlock(&vf->lock);
	pcache_drop_pages(&vf->owner, vf->high);
	vn->mapping = NULL;
	fs_free(vf);
}

static const struct vnode_mapping_ops mapping_ops = {
	.prefault = prefault,
	.before_io = before_io,
	.after_change = after_change,
	.release = release,
};

void
vm_file_init(void)
{
	vnode_mapping_ops = &mapping_ops;
}
