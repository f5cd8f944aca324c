/*
 * Files as memory objects: the pages of a file in the page cache, which
 * address spaces map without copying (docs/memory.md, "File mappings").
 *
 * A vnode gets its vm_file when it is first mapped (vnode->mapping) and
 * loses it with its last reference; a region mapping the file holds a
 * reference to the vnode, so the vm_file outlives every mapping.  Its
 * pages are filled by reading the file (one copy from the filesystem,
 * once); after that every mapping, every spawn of a program, maps the
 * same frames.
 *
 * Shared mappings write into the cached page itself.  A page mapped by
 * a mapping that may write counts as dirty until written back, and a
 * dirty page is never reclaimed.  Write-back happens before any VFS
 * read, write or truncate of the file, at vm_file_sync (Linux msync),
 * and at its last reference (before the munmap or close that dropped it
 * returns, fs/vnode.h), so read() sees what a mapping wrote; a write()
 * or truncate refreshes the cached pages it touched, so mappings see
 * what write() wrote.
 *
 * Charging: a cached page costs nobody while nobody maps it (the cache
 * may reclaim it).  While mapped it is charged once, to the pool of the
 * first address space that mapped it, until its last mapping goes.
 */
#ifndef MM_VM_FILE_H
#define MM_VM_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/fs_env.h"
#include "mm/page_cache.h"

struct mempool;
struct vnode;

struct vm_file {
	struct pcache_owner owner; /* npages: the file's pages now */
	struct vnode *vn;	   /* owns us (not referenced) */
	struct fs_mutex lock;	   /* write-back and refreshes */
	uint64_t high;		   /* the most pages the file has had while mapped */
};

/* Installs the VFS hooks (vnode_mapping_ops); once at boot. */
void vm_file_init(void);

/*
 * The vm_file of vn (a regular file; the caller holds a reference to
 * vn), made on first use, with its page count refreshed from the file's
 * size.  -E_INVAL (not a regular file), -E_NOMEM.
 */
int vm_file_of(struct vnode *vn, struct vm_file **out);

/*
 * Maps page index of vf: the page is read in if it is not cached, and
 * referenced for the mapping; the first mapping of a page charges pool
 * for it (and references pool).  *pa gets its frame.  -E_RANGE past the
 * end of the file, -E_IO, -E_NOMEM (no memory, or pool cannot pay);
 * without may_fill, -E_FAULT when the page is not cached.  May sleep.
 */
int vm_file_map_page(struct vm_file *vf, uint64_t index, bool writable, bool may_fill,
		     struct mempool *pool, uint64_t *pa);

/* One more mapping of page index, which is mapped already (a clone's). */
void vm_file_map_again(struct vm_file *vf, uint64_t index, bool writable);

/* A mapping of page index goes; the last one uncharges the payer.
 * cap_locked: the caller holds the capability lock. */
void vm_file_unmap_page(struct vm_file *vf, uint64_t index, bool writable, bool cap_locked);

/* Writes back what mappings wrote (vfs does before its I/O). */
void vm_file_sync(struct vm_file *vf);

#endif
