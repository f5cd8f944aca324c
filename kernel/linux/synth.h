/*
 * The synthetic trees of the Linux view (docs/linux.md): /dev (devfs.c)
 * and /proc (procfs.c).  The personality answers paths under them
 * itself, at its root, before the filesystem sees them: a canonical
 * path ("/dev/null", "/proc/self/maps") names a device, a text made
 * when it is opened, a directory or a symbolic link.  Nothing in them
 * names anything outside the process's own root: /proc/self/root is
 * its root, and a link's target is resolved from that root.
 */
#ifndef LINUX_SYNTH_H
#define LINUX_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct linux_file;
struct linux_proc;

enum lx_synth_kind {
	SYN_DEV,  /* a character device: ops */
	SYN_TEXT, /* a read-only file: text, made at the lookup */
	SYN_DIR,  /* a directory: its entries in text, "T" type byte + name + NUL each */
	SYN_LINK, /* a symbolic link: its target in text; fd >= 0 when it names a descriptor */
};

struct lx_dev_ops {
	long (*read)(uintptr_t buf, size_t len);
	long (*write)(uintptr_t buf, size_t len);
};

struct lx_synth {
	enum lx_synth_kind kind;
	uint32_t mode; /* VFS_S_IF* and the permissions */
	uint64_t rdev, ino;
	const struct lx_dev_ops *dev; /* SYN_DEV; NULL with console: the console */
	bool console;
	char *text; /* kmalloc'd (lx_synth_free), size bytes */
	size_t size;
	int fd;	  /* SYN_LINK to a descriptor of the caller, else -1 */
	bool exe; /* SYN_LINK to the program: opening it opens the program */
};

/* What the canonical path names: 1 (and *out, which lx_synth_free
 * frees) for a path under /dev or /proc, 0 for any other path, or a
 * negative errno (-LX_ENOENT: nothing of that name there). */
long lx_synth_lookup(const char *path, struct lx_synth *out);
void lx_synth_free(struct lx_synth *s);

/* Each tree's own lookup: rest is what follows "/dev" or "/proc" ("" or
 * "/name..."). */
long lx_devfs_lookup(const char *rest, struct lx_synth *out);
long lx_procfs_lookup(const char *rest, struct lx_synth *out);

/* Builders for both trees. */
bool lx_synth_text(struct lx_synth *s, const char *text, size_t len);
void lx_synth_dir(struct lx_synth *s, uint64_t ino);
bool lx_synth_dir_add(struct lx_synth *s, uint8_t type, const char *name);

#define LX_DEV_ZERO (1u << 8 | 5) /* rdev of /dev/zero */
#define LX_DEV_TTY  (5u << 8 | 0) /* rdev of /dev/tty */

#define LX_DT_DIR   4
#define LX_DT_CHR   2
#define LX_DT_REG   8
#define LX_DT_LNK   10

#endif
