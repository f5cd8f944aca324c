/*
 * Memory calls: brk, mmap, munmap, mprotect, madvise, mremap.  Linux's calls
 * act on any range, over several regions or holes; the address space's
 * operations act within one region (proc/user_memory.h), so a range is
 * taken region by region.
 */
#include "asm/layout.h"
#include "cap/lock.h"
#include "fs/vfs.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "linux/synth.h"
#include "mm/kmalloc.h"
#include "mm/vm_file.h"
#include "mm/vm_flags.h"
#include "object/address_space.h"
#include "object/file.h"
#include "object/frames.h"
#include "object/process.h"
#include "proc/user_memory.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define LX_PROT_READ	       1
#define LX_PROT_WRITE	       2
#define LX_PROT_EXEC	       4

#define LX_MAP_SHARED	       0x01
#define LX_MAP_PRIVATE	       0x02
#define LX_MAP_SHARED_VALIDATE 0x03
#define LX_MAP_TYPE	       0x0f
#define LX_MAP_FIXED	       0x10
#define LX_MAP_ANONYMOUS       0x20
#define LX_MAP_FIXED_NOREPLACE 0x100000

#define LX_MADV_DONTNEED       4

#define LX_MREMAP_MAYMOVE      1
#define LX_MREMAP_FIXED	       2
#define LX_MREMAP_DONTUNMAP    4

#define LX_BRK_MAX	       (1ull << 30)

/* Linux programs may change any mapping's permissions later. */
#define LX_MAX_FLAGS	       (VM_READ | VM_WRITE | VM_EXEC)

static uintptr_t
page_up(uintptr_t v)
{
	return (v + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
}

static unsigned int
vm_flags_of(uint64_t prot)
{
	unsigned int f = VM_READ; /* write or execute implies read, as on Linux */

	if (!(prot & (LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC)))
		return 0; /* PROT_NONE: no access (a guard), the data kept */
	if (prot & LX_PROT_WRITE)
		f |= VM_WRITE;
	if (prot & LX_PROT_EXEC)
		f |= VM_EXEC;
	return f;
}

/* The part of one region that lies in a range, and what backs it. */
struct piece {
	uintptr_t start, end;
	unsigned int flags, max_flags;
	bool frames;	      /* a Frames mapping */
	bool frames_lazy;     /* of shared anonymous memory */
	struct vm_file *file; /* or a file's pages from file_page on (NULL: anonymous) */
	uint64_t file_page;
	bool file_shared;
};

/* The part of the first region that meets [va, end), or false.  A
 * file's vnode stays referenced by the region, not by the piece. */
static bool
next_piece(struct address_space *as, uintptr_t va, uintptr_t end, struct piece *p)
{
	struct vm_region *r;
	bool found = false;

	mutex_lock(&as->lock);
	r = region_next(&as->regions, va);
	if (r && r->start < end) {
		p->start = r->start > va ? r->start : va;
		p->end = r->end < end ? r->end : end;
		p->flags = r->flags;
		p->max_flags = r->max_flags;
		p->frames = r->shared != NULL;
		p->frames_lazy = r->shared && r->shared->lazy;
		p->file = r->file;
		p->file_page = r->file ? r->file_page + (p->start - r->start) / PAGE_SIZE_4K : 0;
		p->file_shared = r->file_shared;
		found = true;
	}
	mutex_unlock(&as->lock);
	return found;
}

/* Unmaps whatever lies in [va, end). */
static int
unmap_range(struct address_space *as, uintptr_t va, uintptr_t end)
{
	struct piece p;

	while (va < end && next_piece(as, va, end, &p)) {
		int err = as_unmap(as, p.start, (p.end - p.start) / PAGE_SIZE_4K);

		if (err)
			return err;
		va = p.end;
	}
	return 0;
}

static bool
range_ok(uintptr_t va, uint64_t len, uintptr_t *end)
{
	if (va & (PAGE_SIZE_4K - 1) || len == 0 || len > USER_SPACE_END)
		return false;
	*end = page_up(va + len);
	return *end > va && *end <= USER_SPACE_END;
}

long
lx_sys_brk(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t want = a->a[0], old, va, limit, start = as->image_end;
	int err = 0;

	/* The space's break: a vfork child's moves its parent's too. */
	mutex_lock(&as->brk_lock);
	old = as->brk;
	/* Up to the mappings placed from USER_MAP_BASE, or for a program
	 * loaded above them (a PIE) up to LX_BRK_MAX past its end. */
	limit = start < USER_MAP_BASE ? USER_MAP_BASE : start + LX_BRK_MAX;
	/* Below the start, or past the limit: the break stays. */
	if (want < start || want >= limit) {
		mutex_unlock(&as->brk_lock);
		return (long)old;
	}
	if (page_up(want) > page_up(old))
		err = as_map(as, page_up(old), (page_up(want) - page_up(old)) / PAGE_SIZE_4K,
			     VM_READ | VM_WRITE, LX_MAX_FLAGS, AS_MAP_FIXED, NULL, &va);
	else if (page_up(want) < page_up(old))
		err = unmap_range(as, page_up(want), page_up(old));
	if (!err)
		as->brk = want;
	mutex_unlock(&as->brk_lock);
	return (long)(err ? old : want);
}

/* One mapping placed as mmap places: at addr exactly with how
 * AS_MAP_FIXED, else at the hint when it is free, else anywhere. */
static int
map_one(struct address_space *as, uintptr_t addr, size_t pages, unsigned int flags,
	unsigned int max, unsigned int how, struct vm_file *vf, uint64_t first_page, bool shared,
	struct frames *sf, uintptr_t *va)
{
	uintptr_t end;
	int err;

	if (!(how & AS_MAP_FIXED)) {
		if (addr && range_ok(addr, pages * PAGE_SIZE_4K, &end)) {
			err = map_one(as, addr, pages, flags, max, AS_MAP_FIXED, vf, first_page,
				      shared, sf, va);
			if (!err)
				return 0;
		}
		addr = 0;
	}
	if (vf)
		return as_map_file(as, addr, pages, flags, max, how, vf, first_page, shared, va);
	return as_map(as, addr, pages, flags, max, how, sf, va);
}

/*
 * Anonymous memory, or a file's pages from the page cache
 * (mm/vm_file.h): private ones copied on their first write, shared ones
 * written back to the file.  A shared writable mapping needs a
 * descriptor open for writing (EACCES), as on Linux.
 */
long
lx_sys_mmap(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t addr = a->a[0], end, va = 0;
	uint64_t len = a->a[1], prot = a->a[2], flags = a->a[3], off = a->a[5];
	uint64_t type = flags & LX_MAP_TYPE;
	unsigned int max = LX_MAX_FLAGS, how = 0;
	struct linux_file *f = NULL;
	struct vm_file *vf = NULL;
	struct frames *sf = NULL;
	bool shared = type != LX_MAP_PRIVATE;
	size_t pages;
	int err = 0;

	if (len == 0 || (off & (PAGE_SIZE_4K - 1)) ||
	    (type != LX_MAP_SHARED && type != LX_MAP_PRIVATE && type != LX_MAP_SHARED_VALIDATE))
		return -LX_EINVAL;
	if (prot & ~(uint64_t)(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC))
		return -LX_EINVAL;
	if (len > USER_SPACE_END)
		return -LX_ENOMEM;
	pages = page_up(len) / PAGE_SIZE_4K;
	if (!(flags & LX_MAP_ANONYMOUS)) {
		f = lx_fd_get(lx_current(), (int)a->a[4]);
		if (!f)
			return -LX_EBADF;
		if (f->kind == LXF_SYNTH && f->synth->kind == SYN_DEV &&
		    f->synth->rdev == LX_DEV_ZERO) {
			/* /dev/zero maps anonymous memory, as on Linux. */
			lx_file_put(f);
			f = NULL;
		} else if (f->kind != LXF_FILE)
			err = -LX_ENODEV;
		else if (!can_read(f))
			err = -LX_EACCES;
		else if (shared && !can_write(f) && (prot & LX_PROT_WRITE))
			err = -LX_EACCES;
		if (err) {
			lx_file_put(f);
			return err;
		}
	}
	if (f) {
		/* A shared mapping may become writable only through a writable descriptor. */
		if (shared && !can_write(f))
			max &= ~(unsigned int)VM_WRITE;
		err = vm_file_of(lx_file_vnode(f), &vf);
	} else if (shared) {
		/* Shared anonymous memory: pages of their own object, so a
		 * fork's child maps the same ones (object/frames.h). */
		err = frames_create_lazy(as->pool, pages, &sf);
	}
	if (!err && (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE))) {
		how = AS_MAP_FIXED;
		if (!range_ok(addr, len, &end))
			err = -E_INVAL;
		else if (!(flags & LX_MAP_FIXED_NOREPLACE))
			err = unmap_range(as, addr, end);
	}
	if (!err)
		err = map_one(as, addr, pages, vm_flags_of(prot), max, how, vf, off / PAGE_SIZE_4K,
			      vf && shared, sf, &va);
	if (f)
		lx_file_put(f);
	if (sf && err) {
		unsigned long irq = cap_lock_take();

		kobject_unref(&sf->obj); /* the region took it over only on success */
		cap_lock_drop(irq);
	}
	if (err == -E_EXIST)
		return -LX_EEXIST;
	if (err == -E_RANGE)
		return -LX_ENOMEM;
	return err ? lx_err(err) : (long)va;
}

long
lx_sys_munmap(struct syscall_args *a)
{
	uintptr_t end;

	if (!range_ok(a->a[0], a->a[1], &end))
		return -LX_EINVAL;
	return lx_err(unmap_range(process_current()->as, a->a[0], end));
}

long
lx_sys_mprotect(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t va = a->a[0], end;
	struct piece p;

	if (a->a[1] == 0 && !(va & (PAGE_SIZE_4K - 1)))
		return 0;
	if (!range_ok(va, a->a[1], &end) || (a->a[2] & ~(uint64_t)7))
		return -LX_EINVAL;
	while (va < end) {
		int err;

		/* A hole in the range is ENOMEM, as on Linux. */
		if (!next_piece(as, va, end, &p) || p.start != va)
			return -LX_ENOMEM;
		err = as_protect(as, p.start, (p.end - p.start) / PAGE_SIZE_4K,
				 vm_flags_of(a->a[2]));
		if (err)
			return err == -E_PERM ? -LX_EACCES : lx_err(err);
		va = p.end;
	}
	return 0;
}

#define LX_MS_ASYNC	 1
#define LX_MS_INVALIDATE 2
#define LX_MS_SYNC	 4

/* MS_SYNC writes back what shared file mappings in the range wrote
 * (read() does so anyway; this is for a program that checks).  A hole
 * is ENOMEM, after the rest is done, as on Linux. */
long
lx_sys_msync(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t va = a->a[0], end;
	uint64_t flags = a->a[2];
	bool hole = false;
	struct piece p;

	if ((va & (PAGE_SIZE_4K - 1)) || (flags & ~(uint64_t)7) ||
	    ((flags & LX_MS_ASYNC) && (flags & LX_MS_SYNC)))
		return -LX_EINVAL;
	if (a->a[1] == 0)
		return 0;
	if (!range_ok(va, a->a[1], &end))
		return -LX_ENOMEM;
	while (va < end && next_piece(as, va, end, &p)) {
		struct vnode *vn = p.file ? p.file->vn : NULL;

		hole |= p.start != va;
		if (vn && p.file_shared && (flags & LX_MS_SYNC)) {
			vnode_ref(vn); /* the region may go meanwhile */
			vm_file_sync(p.file);
			vnode_unref(vn);
		}
		va = p.end;
	}
	return hole || va < end ? -LX_ENOMEM : 0;
}

long
lx_sys_madvise(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t va = a->a[0], end, got;
	struct piece p;

	if (a->a[1] == 0 && !(va & (PAGE_SIZE_4K - 1)))
		return 0;
	if (!range_ok(va, a->a[1], &end))
		return -LX_EINVAL;
	if (a->a[2] != LX_MADV_DONTNEED)
		return 0; /* advice only */
	/* Private memory reads afresh afterwards: anonymous pages as zero, a
	 * private file mapping as the file (its copies go).  The range is
	 * mapped again as it was; shared file pages are the file's already. */
	while (va < end && next_piece(as, va, end, &p)) {
		size_t n = (p.end - p.start) / PAGE_SIZE_4K;
		struct vnode *vn = p.file ? p.file->vn : NULL;
		int err;

		if (p.frames && !p.frames_lazy)
			return -LX_EINVAL;
		if ((p.file && p.file_shared) || p.frames) {
			va = p.end;
			continue;
		}
		if (vn)
			vnode_ref(vn); /* the region's reference goes with it */
		err = as_unmap(as, p.start, n);
		if (!err && vn)
			err = as_map_file(as, p.start, n, p.flags, p.max_flags, AS_MAP_FIXED,
					  p.file, p.file_page, false, &got);
		else if (!err)
			err = as_map(as, p.start, n, p.flags, p.max_flags, AS_MAP_FIXED, NULL,
				     &got);
		if (vn)
			vnode_unref(vn);
		if (err)
			return lx_err(err);
		va = p.end;
	}
	return 0;
}

/*
 * mremap as Linux does it (mm/mremap.c), in its order of checks.  A
 * move takes the pages themselves (as_move_range): nothing is copied,
 * nothing charged again.  Old size 0 maps a shared mapping's pages a
 * second time (a file's, or shared anonymous memory's); for private
 * memory it is EINVAL.
 */
long
lx_sys_mremap(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t old = a->a[0], to = a->a[4], got;
	uint64_t old_len = a->a[1], new_len = a->a[2], flags = a->a[3];
	unsigned int how = 0;
	struct piece p;
	int err;

	if (flags & ~(uint64_t)(LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED | LX_MREMAP_DONTUNMAP))
		return -LX_EINVAL;
	if ((flags & LX_MREMAP_FIXED) && !(flags & LX_MREMAP_MAYMOVE))
		return -LX_EINVAL;
	/* DONTUNMAP is always a move, and never resizes. */
	if ((flags & LX_MREMAP_DONTUNMAP) && (!(flags & LX_MREMAP_MAYMOVE) || old_len != new_len))
		return -LX_EINVAL;
	if (old & (PAGE_SIZE_4K - 1) || old_len > USER_SPACE_END || new_len > USER_SPACE_END)
		return -LX_EINVAL;
	old_len = page_up(old_len);
	new_len = page_up(new_len);
	if (new_len == 0)
		return -LX_EINVAL;
	if (!next_piece(as, old, old + 1, &p) || p.start != old)
		return -LX_EFAULT;
	if (flags & (LX_MREMAP_FIXED | LX_MREMAP_DONTUNMAP)) {
		if (flags & LX_MREMAP_FIXED) {
			if ((to & (PAGE_SIZE_4K - 1)) || to > USER_SPACE_END - new_len)
				return -LX_EINVAL;
			if (old + old_len > to && to + new_len > old)
				return -LX_EINVAL; /* the two ranges overlap */
			err = unmap_range(as, to, to + new_len);
			if (err)
				return lx_err(err);
			how = AS_MAP_FIXED;
		}
		if (old_len > new_len) {
			err = unmap_range(as, old + new_len, old + old_len);
			if (err)
				return lx_err(err);
			old_len = new_len;
		}
		if (flags & LX_MREMAP_DONTUNMAP)
			how |= AS_MOVE_KEEP;
	} else if (old_len >= new_len) {
		/* Shrinking (or not changing) always works, in place. */
		err = old_len > new_len ? unmap_range(as, old + new_len, old + old_len) : 0;
		return err ? lx_err(err) : (long)old;
	} else {
		err = old_len ? as_grow_range(as, old, old_len / PAGE_SIZE_4K,
					      new_len / PAGE_SIZE_4K)
			      : -E_EXIST;
		if (err == 0)
			return (long)old;
		if (err == -E_NOENT)
			return -LX_EFAULT;
		if (err != -E_EXIST && err != -E_RANGE)
			return lx_err(err);
		/* Old size 0 of private memory is EINVAL before the move's ENOMEM. */
		if (old_len == 0 && !(p.file && p.file_shared) && !p.frames)
			return -LX_EINVAL;
		if (!(flags & LX_MREMAP_MAYMOVE))
			return -LX_ENOMEM;
	}
	err = as_move_range(as, old, old_len / PAGE_SIZE_4K, new_len / PAGE_SIZE_4K, to, how, &got);
	if (err == -E_NOENT)
		return -LX_EFAULT;
	if (err == -E_INVAL || (err == -E_RANGE && (how & AS_MAP_FIXED)))
		return -LX_EINVAL;
	if (err == -E_RANGE || err == -E_EXIST)
		return -LX_ENOMEM;
	return err ? lx_err(err) : (long)got;
}
