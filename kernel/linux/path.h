/*
 * Paths of Linux calls, as strings (pure, host-tested in
 * test_linux_path).  A process's working directory and its directory
 * descriptors are kept as canonical paths from its root ("/", "/a/b"):
 * a relative path is resolved as base + "/" + path from the root, so
 * ".." walks up exactly as far as the root and never past it (the VFS
 * confines every walk, fs/vfs.h).
 */
#ifndef LINUX_PATH_H
#define LINUX_PATH_H

#include <stddef.h>
#include <stdint.h>

/* path (len bytes, no NUL needed) when absolute, else base + "/" +
 * path, into dst (NUL-terminated): its length, or -LX_ENAMETOOLONG
 * when it does not fit in size. */
long lx_path_join(char *dst, size_t size, const char *base, const char *path, size_t len);

/* An absolute path made canonical in place, lexically: empty
 * components and "." dropped, ".." removes the one before it (at "/"
 * it stays "/").  Symbolic links are not consulted: a working directory
 * reached through one keeps the link's name (docs/linux.md). */
void lx_path_normalize(char *path);

/*
 * /proc/self/root/REST (or /proc/PID/root/REST, pid the caller's) is
 * /REST: the process's own root, so that nothing under it leads
 * anywhere else, its ".." included (done before they are taken).  The
 * prefix is taken off path (len bytes, NUL-terminated) as often as it
 * starts it; "/proc/self/root" alone stays (the link itself).  The new
 * length.
 */
size_t lx_path_strip_proc_root(char *path, size_t len, uint64_t pid);

/*
 * "/proc/self/cwd/REST" or "/proc/PID/cwd/REST" (PID the process's own)
 * is REST from the working directory: the length of what comes before
 * REST (the prefix and its slashes), 0 when path (len bytes) does not
 * start so ("/proc/self/cwd" alone is the link itself).
 */
size_t lx_path_proc_cwd(const char *path, size_t len, uint64_t pid);

#endif
