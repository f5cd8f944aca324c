/*
 * What filesystem code needs from its surroundings: memory, a sleeping
 * lock and copies to and from the caller's buffer.  The kernel maps
 * them onto kmalloc, struct mutex and the uaccess copies; the host
 * tests (HOST_TEST) onto libc, so the VFS, tmpfs and the overlay are
 * unit-tested on the host under ASan and UBSan.
 */
#ifndef FS_FS_ENV_H
#define FS_FS_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_PAGE_SIZE 4096

#ifdef HOST_TEST
#include <stdlib.h>

struct fs_mutex {
	int held; /* the host tests are single-threaded: checks only */
};

static inline void
fs_mutex_init(struct fs_mutex *m, const char *name)
{
	(void)name;
	m->held = 0;
}

static inline void
fs_mutex_lock(struct fs_mutex *m)
{
	if (m->held)
		abort(); /* a recursive lock would deadlock in the kernel */
	m->held = 1;
}

static inline void
fs_mutex_unlock(struct fs_mutex *m)
{
	m->held = 0;
}

static inline void *
fs_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void
fs_free(void *p)
{
	free(p);
}

static inline void *
fs_page_alloc(void)
{
	void *p = aligned_alloc(FS_PAGE_SIZE, FS_PAGE_SIZE);

	if (p)
		__builtin_memset(p, 0, FS_PAGE_SIZE);
	return p;
}

static inline void
fs_page_free(void *p)
{
	free(p);
}
#else
#include "mm/kmalloc.h"
#include "sched/mutex.h"
#include "sched/thread.h"

struct fs_mutex {
	struct mutex m;
};

static inline void
fs_mutex_init(struct fs_mutex *m, const char *name)
{
	mutex_init(&m->m, name);
}

static inline void
fs_mutex_lock(struct fs_mutex *m)
{
	mutex_lock(&m->m);
	thread_current()->fs_locks++;
}

static inline void
fs_mutex_unlock(struct fs_mutex *m)
{
	thread_current()->fs_locks--;
	mutex_unlock(&m->m);
}

/*
 * Zeroed memory and pages, counted: what the storage stack holds
 * (files, caches) is state that outlives a system call, and the memory
 * audit reports it apart from the rest of the kernel (fs_memory).
 */
void *fs_zalloc(size_t size);
void fs_free(void *p);
/* A zeroed page of the direct map, or NULL. */
void *fs_page_alloc(void);
void fs_page_free(void *p);

struct fs_memory {
	uint64_t allocs, bytes; /* heap allocations and their heap bytes */
	uint64_t pages;		/* frames from fs_page_alloc */
};
void fs_memory_get(struct fs_memory *m);
#endif

/*
 * Who pays for a filesystem's pages (tmpfs: the Memory capability the
 * RAM layer was made with).  charge answers 0 or -E_NOMEM; a
 * filesystem turns that into -E_NOSPC for the writer.  NULL functions:
 * nobody is charged.
 */
struct fs_charge {
	void *ctx;
	int (*charge)(void *ctx, uint64_t pages);
	void (*uncharge)(void *ctx, uint64_t pages);
};

/*
 * A buffer on the other side of a read or write: kernel memory, or a
 * user range that every copy checks (-E_FAULT).  Filesystems copy
 * through it so a file read lands in the caller's pages in one copy,
 * with no bounce buffer in between.
 */
struct io_buf {
	uintptr_t base;
	size_t len;
	bool user;
};

static inline struct io_buf
io_buf_kernel(void *p, size_t len)
{
	return (struct io_buf){ (uintptr_t)p, len, false };
}

/* Copies n bytes to/from offset at of the buffer: 0 or -E_FAULT. */
int io_buf_put(const struct io_buf *b, size_t at, const void *src, size_t n);
int io_buf_get(const struct io_buf *b, size_t at, void *dst, size_t n);
/* Zeros n bytes at offset at (a hole read): 0 or -E_FAULT. */
int io_buf_zero(const struct io_buf *b, size_t at, size_t n);
/*
 * After one of the copies above failed: how many of its n bytes copy now,
 * a page of the buffer at a time from the start (src NULL: zeros).  A
 * file's read and write count those, the part before a guard page, as
 * Linux's do, instead of failing whole.
 */
size_t io_buf_put_part(const struct io_buf *b, size_t at, const void *src, size_t n);
size_t io_buf_get_part(const struct io_buf *b, size_t at, void *dst, size_t n);

#endif
