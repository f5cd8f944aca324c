/*
 * The file descriptor table of a Linux process (pure, host-tested in
 * test_linux_fdtable).  A descriptor names an open file description
 * (struct linux_file, linux/file.h): the object behind it and the
 * status flags (O_APPEND, O_NONBLOCK) that dup'd descriptors share.
 * The descriptor's own flag is FD_CLOEXEC.
 *
 * Invariants: a new descriptor is the lowest free one at or above the
 * one asked for, and below the soft RLIMIT_NOFILE (limit), which never
 * exceeds the hard one (hard) nor the table's size (LINUX_FD_MAX).
 * Each entry holds one reference to its file (fdtable_ops.ref/unref),
 * so a table can be copied (fork) or shared (CLONE_FILES: the table's
 * own refs count the processes sharing it).  No locking here: the
 * caller holds the table's lock (linux/proc.h).
 */
#ifndef LINUX_FDTABLE_H
#define LINUX_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINUX_FD_MAX	 1024 /* entries, RLIMIT_NOFILE's hard limit */
#define LINUX_FD_CLOEXEC 1u

struct linux_file;

/* How the table takes and drops references to files (the kernel's and
 * the host test's). */
struct fdtable_ops {
	void (*ref)(struct linux_file *f);
	void (*unref)(struct linux_file *f);
};

struct fd_entry {
	struct linux_file *file; /* NULL: free */
	uint32_t flags;		 /* LINUX_FD_CLOEXEC */
};

struct fdtable {
	unsigned int refs; /* holders (CLONE_FILES), changed atomically */
	unsigned int limit, hard;
	/* One past the highest descriptor in use: the entries from it on
	 * are free and need not even be cleared, so a fork, an exec and an
	 * exit look at the few a process has, not all 1,024. */
	unsigned int top;
	const struct fdtable_ops *ops;
	struct fd_entry e[LINUX_FD_MAX];
};

void fdtable_init(struct fdtable *t, const struct fdtable_ops *ops);

/* The file of fd, or NULL (a bad descriptor); not referenced. */
struct linux_file *fdtable_get(const struct fdtable *t, int fd);

/* Installs f (a new reference) at the lowest free descriptor >= min:
 * the descriptor, or -LX_EMFILE (none below the limit), -LX_EINVAL
 * (min negative or at/above the limit). */
int fdtable_alloc(struct fdtable *t, struct linux_file *f, int min, uint32_t flags);

/* Puts f at fd (a new reference), closing what was there: fd, or
 * -LX_EBADF when fd is outside the limit. */
int fdtable_install(struct fdtable *t, int fd, struct linux_file *f, uint32_t flags);

/* Frees fd: 0 or -LX_EBADF. */
int fdtable_close(struct fdtable *t, int fd);

/* The descriptor flags: >= 0, or -LX_EBADF. */
int fdtable_get_flags(const struct fdtable *t, int fd);
int fdtable_set_flags(struct fdtable *t, int fd, uint32_t flags);

/* Closes every descriptor with FD_CLOEXEC (execve). */
void fdtable_close_on_exec(struct fdtable *t);

/* Closes every descriptor of a table its process holds alone (refs 1,
 * read atomically: a process's end); one that others hold too
 * (CLONE_FILES) is left to the last of them, which clears it. */
void fdtable_close_all(struct fdtable *t);

/* Closes every descriptor, whoever holds the table. */
void fdtable_clear(struct fdtable *t);

/* dst (initialised, empty) becomes a copy of src: the same files, each
 * referenced once more, the same flags and limits (fork). */
void fdtable_copy(struct fdtable *dst, const struct fdtable *src);

/* RLIMIT_NOFILE: new limits (soft <= hard <= LINUX_FD_MAX; raising hard
 * is not allowed): 0 or -LX_EINVAL / -LX_EPERM.  Descriptors at or
 * above a lowered soft limit stay open, as on Linux. */
int fdtable_set_limit(struct fdtable *t, uint64_t soft, uint64_t hard);

/* Open descriptors (for tests and /proc later). */
unsigned int fdtable_count(const struct fdtable *t);

#endif
