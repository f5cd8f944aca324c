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

/* The bytes from offset at to the end of the buffer's page, at most n. */
static size_t
page_part(const struct io_buf *b, size_t at, size_t n)
{
	size_t left = FS_PAGE_SIZE - ((b->base + at) & (FS_PAGE_SIZE - 1));

	return left < n ? left : n;
}

size_t
io_buf_put_part(const struct io_buf *b, size_t at, const void *src, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t step = page_part(b, at + done, n - done);
		int err = src ? io_buf_put(b, at + done, (const uint8_t *)src + done, step)
			      : io_buf_zero(b, at + done, step);

		if (err)
			break;
		done += step;
	}
	return done;
}

size_t
io_buf_get_part(const struct io_buf *b, size_t at, void *dst, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t step = page_part(b, at + done, n - done);

		if (io_buf_get(b, at + done, (uint8_t *)dst + done, step))
			break;
		done += step;
	}
	return done;
}

#ifndef HOST_TEST
#include "mm/phys.h"
#include "mm/pmm.h"

static struct fs_memory counts;

/* A 16-byte header keeps the size, so a free knows what to uncount. */
#define FS_ALLOC_HEADER 16

void *
fs_zalloc(size_t size)
{
	uint64_t *p = kcalloc(1, size + FS_ALLOC_HEADER);

	if (!p)
		return NULL;
	p[0] = size + FS_ALLOC_HEADER;
	__atomic_add_fetch(&counts.allocs, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&counts.bytes, p[0], __ATOMIC_RELAXED);
	return (uint8_t *)p + FS_ALLOC_HEADER;
}

void
fs_free(void *q)
{
	uint64_t *p;

	if (!q)
		return;
	p = (uint64_t *)((uint8_t *)q - FS_ALLOC_HEADER);
	__atomic_sub_fetch(&counts.allocs, 1, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&counts.bytes, p[0], __ATOMIC_RELAXED);
	kfree(p);
}

void *
fs_page_alloc(void)
{
	uint64_t pa;
	void *p;

	if (pmm_alloc_frame(&pa))
		return NULL;
	__atomic_add_fetch(&counts.pages, 1, __ATOMIC_RELAXED);
	p = phys_to_virt(pa);
	memset(p, 0, FS_PAGE_SIZE);
	return p;
}

void
fs_page_free(void *p)
{
	__atomic_sub_fetch(&counts.pages, 1, __ATOMIC_RELAXED);
	pmm_free_frame(virt_to_phys(p));
}

void
fs_memory_get(struct fs_memory *m)
{
	m->allocs = __atomic_load_n(&counts.allocs, __ATOMIC_RELAXED);
	m->bytes = __atomic_load_n(&counts.bytes, __ATOMIC_RELAXED);
	m->pages = __atomic_load_n(&counts.pages, __ATOMIC_RELAXED);
}
#endif
