/* The kernel side of fs_env.h: copies through an io_buf, and pages. */
#include "fs/fs_env.h"

#include "lib/string.h"
#include "themelios/errno.h"

#ifndef HOST_TEST
#include "proc/uaccess.h"
#endif

static int
in_range(const struct io_buf *b, size_t at, size_t n)
{
	return at <= b->len && n <= b->len - at;
}

int
io_buf_put(const struct io_buf *b, size_t at, const void *src, size_t n)
{
	if (!in_range(b, at, n))
		return -E_RANGE;
#ifndef HOST_TEST
	if (b->user)
		return copy_to_user(b->base + at, src, n);
#endif
	memcpy((void *)(b->base + at), src, n);
	return 0;
}

int
io_buf_get(const struct io_buf *b, size_t at, void *dst, size_t n)
{
	if (!in_range(b, at, n))
		return -E_RANGE;
#ifndef HOST_TEST
	if (b->user)
		return copy_from_user(dst, b->base + at, n);
#endif
	memcpy(dst, (const void *)(b->base + at), n);
	return 0;
}

int
io_buf_zero(const struct io_buf *b, size_t at, size_t n)
{
	static const uint8_t zeros[512];

	while (n) {
		size_t step = n < sizeof(zeros) ? n : sizeof(zeros);
		int err = io_buf_put(b, at, zeros, step);

		if (err)
			return err;
		at += step;
		n -= step;
	}
	return 0;
}

#ifndef HOST_TEST
#include "mm/phys.h"
#include "mm/pmm.h"

void *
fs_page_alloc(void)
{
	uint64_t pa;
	void *p;

	if (pmm_alloc_frame(&pa))
		return NULL;
	p = phys_to_virt(pa);
	memset(p, 0, FS_PAGE_SIZE);
	return p;
}

void
fs_page_free(void *p)
{
	pmm_free_frame(virt_to_phys(p));
}
#endif
