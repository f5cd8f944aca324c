/*
 * Memory calls: brk, mmap, munmap, mprotect, madvise.  Linux's calls
 * act on any range, over several regions or holes; the address space's
 * operations act within one region (proc/user_memory.h), so a range is
 * taken region by region.
 */
#include "asm/layout.h"
#include "fs/vfs.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "object/address_space.h"
#include "object/file.h"
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
	unsigned int f = VM_READ; /* every mapping is readable here (docs/linux.md) */

	if (prot & LX_PROT_WRITE)
		f |= VM_WRITE;
	if (prot & LX_PROT_EXEC)
		f |= VM_EXEC;
	return f;
}

/* The part of the first region that meets [va, end), or false. */
static bool
next_piece(struct address_space *as, uintptr_t va, uintptr_t end, uintptr_t *start, uintptr_t *stop,
	   unsigned int *flags, bool *shared)
{
	struct vm_region *r;
	bool found = false;

	mutex_lock(&as->lock);
	r = region_next(&as->regions, va);
	if (r && r->start < end) {
		*start = r->start > va ? r->start : va;
		*stop = r->end < end ? r->end : end;
		*flags = r->flags;
		*shared = r->shared != NULL;
		found = true;
	}
	mutex_unlock(&as->lock);
	return found;
}

/* Unmaps whatever lies in [va, end). */
static int
unmap_range(struct address_space *as, uintptr_t va, uintptr_t end)
{
	uintptr_t s, e;
	unsigned int fl;
	bool shared;

	while (va < end && next_piece(as, va, end, &s, &e, &fl, &shared)) {
		int err = as_unmap(as, s, (e - s) / PAGE_SIZE_4K);

		if (err)
			return err;
		va = e;
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
	struct linux_proc *lp = lx_current();
	struct address_space *as = process_current()->as;
	uintptr_t want = a->a[0], old, va, limit;
	int err = 0;

	mutex_lock(&lp->lock);
	old = lp->brk;
	/* Up to the mappings placed from USER_MAP_BASE, or for a program
	 * loaded above them (a PIE) up to LX_BRK_MAX past its end. */
	limit = lp->brk_start < USER_MAP_BASE ? USER_MAP_BASE : lp->brk_start + LX_BRK_MAX;
	/* Below the start, or past the limit: the break stays. */
	if (want < lp->brk_start || want >= limit) {
		mutex_unlock(&lp->lock);
		return (long)old;
	}
	if (page_up(want) > page_up(old))
		err = as_map(as, page_up(old), (page_up(want) - page_up(old)) / PAGE_SIZE_4K,
			     VM_READ | VM_WRITE, LX_MAX_FLAGS, AS_MAP_FIXED, NULL, &va);
	else if (page_up(want) < page_up(old))
		err = unmap_range(as, page_up(want), page_up(old));
	if (!err)
		lp->brk = want;
	mutex_unlock(&lp->lock);
	return (long)(err ? old : want);
}

/*
 * TEMPORARY, until file mappings reach main: a file mapping is made of
 * anonymous pages filled with the file's bytes at the time of the call
 * (zero past its end), so it is private in effect; a shared writable
 * file mapping is refused (-ENODEV) rather than silently not shared.
 */
static int
fill_from_file(struct address_space *as, uintptr_t va, size_t len, struct linux_file *f,
	       uint64_t off)
{
	struct vnode *vn = lx_file_vnode(f);
	uint8_t *page = kmalloc(PAGE_SIZE_4K);
	int err = 0;

	if (!page)
		return -E_NOMEM;
	for (size_t done = 0; done < len; done += PAGE_SIZE_4K) {
		struct io_buf b = io_buf_kernel(page, PAGE_SIZE_4K);
		long n = vfs_read(vn, off + done, &b, PAGE_SIZE_4K);

		if (n < 0) {
			err = (int)n;
			break;
		}
		if (n == 0)
			break; /* the rest stays zero */
		err = as_copy_in(as, va + done, page, (size_t)n);
		if (err || n < (long)PAGE_SIZE_4K)
			break;
	}
	kfree(page);
	return err;
}

long
lx_sys_mmap(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t addr = a->a[0], end, va = 0;
	uint64_t len = a->a[1], prot = a->a[2], flags = a->a[3], off = a->a[5];
	int fd = (int)a->a[4];
	uint64_t type = flags & LX_MAP_TYPE;
	struct linux_file *f = NULL;
	size_t pages;
	int err;

	if (len == 0 || (off & (PAGE_SIZE_4K - 1)) ||
	    (type != LX_MAP_SHARED && type != LX_MAP_PRIVATE && type != LX_MAP_SHARED_VALIDATE))
		return -LX_EINVAL;
	if (prot & ~(uint64_t)(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC))
		return -LX_EINVAL;
	if (len > USER_SPACE_END)
		return -LX_ENOMEM;
	pages = page_up(len) / PAGE_SIZE_4K;
	if (!(flags & LX_MAP_ANONYMOUS)) {
		f = lx_fd_get(lx_current(), fd);
		if (!f)
			return -LX_EBADF;
		if (f->kind != LXF_FILE) {
			lx_file_put(f);
			return -LX_ENODEV;
		}
		if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY || (f->flags & LX_O_PATH)) {
			lx_file_put(f);
			return -LX_EACCES;
		}
		if (type != LX_MAP_PRIVATE && (prot & LX_PROT_WRITE)) {
			lx_file_put(f);
			return -LX_ENODEV; /* shared file mappings: not yet (above) */
		}
	}
	if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
		if (!range_ok(addr, len, &end)) {
			err = -E_INVAL;
			goto out;
		}
		if (!(flags & LX_MAP_FIXED_NOREPLACE) && (err = unmap_range(as, addr, end)))
			goto out;
		err = as_map(as, addr, pages, vm_flags_of(prot), LX_MAX_FLAGS, AS_MAP_FIXED, NULL,
			     &va);
	} else {
		/* A hint is taken when that place is free. */
		err = -E_EXIST;
		if (addr && range_ok(addr, len, &end))
			err = as_map(as, addr, pages, vm_flags_of(prot), LX_MAX_FLAGS, AS_MAP_FIXED,
				     NULL, &va);
		if (err)
			err = as_map(as, 0, pages, vm_flags_of(prot), LX_MAX_FLAGS, 0, NULL, &va);
	}
	if (!err && f) {
		err = fill_from_file(as, va, pages * PAGE_SIZE_4K, f, off);
		if (err)
			unmap_range(as, va, va + pages * PAGE_SIZE_4K);
	}
out:
	if (f)
		lx_file_put(f);
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
	uintptr_t va = a->a[0], end, s, e;
	unsigned int fl;
	bool shared;

	if (a->a[1] == 0 && !(va & (PAGE_SIZE_4K - 1)))
		return 0;
	if (!range_ok(va, a->a[1], &end) || (a->a[2] & ~(uint64_t)7))
		return -LX_EINVAL;
	while (va < end) {
		int err;

		/* A hole in the range is ENOMEM, as on Linux. */
		if (!next_piece(as, va, end, &s, &e, &fl, &shared) || s != va)
			return -LX_ENOMEM;
		err = as_protect(as, s, (e - s) / PAGE_SIZE_4K, vm_flags_of(a->a[2]));
		if (err)
			return err == -E_PERM ? -LX_EACCES : lx_err(err);
		va = e;
	}
	return 0;
}

long
lx_sys_madvise(struct syscall_args *a)
{
	struct address_space *as = process_current()->as;
	uintptr_t va = a->a[0], end, s, e, got;
	unsigned int fl;
	bool shared;

	if (a->a[1] == 0 && !(va & (PAGE_SIZE_4K - 1)))
		return 0;
	if (!range_ok(va, a->a[1], &end))
		return -LX_EINVAL;
	if (a->a[2] != LX_MADV_DONTNEED)
		return 0; /* advice only */
	/* Anonymous private memory reads as zero afterwards: its pages go,
	 * and fresh ones come on the next touch. */
	while (va < end && next_piece(as, va, end, &s, &e, &fl, &shared)) {
		size_t n = (e - s) / PAGE_SIZE_4K;
		int err;

		if (shared)
			return -LX_EINVAL;
		err = as_unmap(as, s, n);
		if (!err)
			err = as_map(as, s, n, fl, LX_MAX_FLAGS, AS_MAP_FIXED, NULL, &got);
		if (err)
			return lx_err(err);
		va = e;
	}
	return 0;
}
