/*
 * The name cache: (directory vnode, name) -> child vnode, so a warm
 * path walk asks no filesystem.  Bounded (NCACHE_ENTRIES), with the
 * least recently used entry replaced; an entry holds a reference to
 * both vnodes.  The VFS drops the entry of every name it removes or
 * renames; filesystems below the VFS (the overlay's layers) are never
 * cached, so their changes need no notice.
 */
#ifndef FS_NCACHE_H
#define FS_NCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "fs/vnode.h"

#define NCACHE_ENTRIES	2048
#define NCACHE_NAME_MAX 47 /* longer names are looked up every time */

/* The cached child (referenced) or NULL. */
struct vnode *ncache_get(struct vnode *dir, const char *name, size_t len);
void ncache_put(struct vnode *dir, const char *name, size_t len, struct vnode *child);
void ncache_forget(struct vnode *dir, const char *name, size_t len);
/* Drops every entry (tests; unmount). */
void ncache_flush(void);
void ncache_stats(uint64_t *hits, uint64_t *misses, uint64_t *entries);

#endif
