/*
 * Open file descriptions of Linux processes: what a descriptor names
 * (linux/fdtable.h).  One holds a referenced object (a File, a
 * Directory, the console, a pipe's end; later sockets) with the status
 * flags dup'd descriptors share, and is counted: descriptors, and later
 * forked processes, share it.
 */
#ifndef LINUX_FILE_H
#define LINUX_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/fs_env.h"
#include "linux/fdtable.h"
#include "object/object.h"

/* Linux's open flags that are the same on every architecture. */
#define LX_O_ACCMODE  03
#define LX_O_RDONLY   0
#define LX_O_WRONLY   01
#define LX_O_RDWR     02
#define LX_O_CREAT    0100
#define LX_O_EXCL     0200
#define LX_O_NOCTTY   0400
#define LX_O_TRUNC    01000
#define LX_O_APPEND   02000
#define LX_O_NONBLOCK 04000
#define LX_O_DSYNC    010000
#define LX_O_CLOEXEC  02000000
#define LX_O_PATH     010000000

enum lx_file_kind {
	LXF_FILE,
	LXF_DIR,
	LXF_CONSOLE,
	LXF_SYNTH, /* /dev and /proc (linux/synth.h): no object */
	LXF_PIPE,  /* one end of a pipe: O_RDONLY or O_WRONLY says which */
};

struct linux_file {
	unsigned int refs;
	enum lx_file_kind kind;
	uint32_t flags;	     /* O_ACCMODE, O_APPEND, O_NONBLOCK, O_PATH (F_GETFL) */
	struct kobject *obj; /* referenced; NULL for LXF_SYNTH */
	struct lx_synth
		*synth; /* LXF_SYNTH: what it is (kmalloc'd, owned); dir_pos is the position */
	struct fs_mutex lock; /* flags, and a directory's position */
	/* The console: the count of hangups when it was opened; once the
	 * console hangs up again it is a hung-up description (linux/tty.c). */
	uint32_t tty_opened;
	/* Directories: where getdents64 is (0 ".", 1 "..", then the
	 * filesystem's cookie + 2 in pos), and the canonical path from the
	 * root that *at calls resolve from. */
	uint64_t dir_pos;
	uint64_t dir_cookie;
	char *path;
};

/* What the access mode allows (O_PATH and mode 3 allow neither). */
static inline bool
can_read(const struct linux_file *f)
{
	return !(f->flags & LX_O_PATH) &&
	       ((f->flags & LX_O_ACCMODE) == LX_O_RDONLY || (f->flags & LX_O_ACCMODE) == LX_O_RDWR);
}

static inline bool
can_write(const struct linux_file *f)
{
	return !(f->flags & LX_O_PATH) &&
	       ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY || (f->flags & LX_O_ACCMODE) == LX_O_RDWR);
}

/* The kind for an object type, or -1 when a descriptor cannot name it. */
int lx_file_kind_of(const struct kobject *obj);

/* A new description (refs 0: the table's install counts the first) of
 * obj, whose reference the caller hands over; path (directories) is
 * copied.  NULL when out of memory (the reference stays the caller's). */
struct linux_file *lx_file_new(struct kobject *obj, uint32_t flags, const char *path);

struct lx_synth;

/* A description of a synthetic file (refs 0), taking s over (a kmalloc'd
 * copy is kept; s's text with it).  NULL when out of memory (s is then
 * still the caller's). */
struct linux_file *lx_file_new_synth(struct lx_synth *s, uint32_t flags);

/* The table's operations: outside the capability lock, and under it
 * (a process being destroyed). */
extern const struct fdtable_ops lx_fd_ops;
extern const struct fdtable_ops lx_fd_ops_locked;

/* A vnode of a File or Directory description, or NULL. */
struct vnode *lx_file_vnode(const struct linux_file *f);

struct linux_proc;

/* The description behind fd, referenced (lx_file_put drops it), or NULL. */
struct linux_file *lx_fd_get(struct linux_proc *lp, int fd);
void lx_file_put(struct linux_file *f);

/* Installs a new description (refs 0) at the lowest free descriptor:
 * the descriptor, or a negative errno after which f is gone. */
int lx_fd_new(struct linux_proc *lp, struct linux_file *f, bool cloexec);

/* Frees a description never installed (refs 0), its object released. */
void lx_file_put_new(struct linux_file *f);

/* Closes fd of lp: 0 or -LX_EBADF. */
int lx_fd_close(struct linux_proc *lp, int fd);

#endif
