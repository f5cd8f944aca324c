/*
 * The page cache: one cache of 4 KiB pages of block devices and files,
 * keyed by (owner, page index).  An owner fills missing pages through
 * its fill operation (a disk read, checked by dm-verity for the root);
 * the cache adds read-ahead for sequential misses and reclaims the
 * least recently used pages nobody holds when it reaches its limit or
 * the frame allocator runs dry.
 *
 * A page handed out by pcache_get is referenced and up to date; its
 * frame stays put until pcache_put, so later work (ELF loading, mmap)
 * can map it into a process instead of copying it.  docs/storage.md
 * describes the design.
 *
 * Locking: one spinlock for the index and LRU, held for lookups only;
 * fills run with no lock held and may sleep.  Threads wanting a page
 * being filled sleep until it is done.
 */
#ifndef MM_PAGE_CACHE_H
#define MM_PAGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/fs_env.h"
#include "lib/list.h"

#define PCACHE_PAGE_SIZE 4096
#define PCACHE_RA_MAX	 32 /* pages read ahead at most: 128 KiB requests */

struct pcache_owner;

struct pcache_owner_ops {
	/*
	 * Fills count pages (indexes first.., data at pages[i], each a
	 * direct-map page).  Returns how many leading pages are good
	 * (>= 1), or a negative error for page first (-E_IO): pages
	 * after the good ones are discarded and asked for again later.
	 */
	long (*fill)(struct pcache_owner *o, uint64_t first, size_t count, void *const *pages);
};

struct pcache_owner {
	const struct pcache_owner_ops *ops;
	const char *name;
	uint64_t npages; /* pages the owner has: read-ahead stops there */
	/* Sequential-read detection (racy by design: a hint). */
	uint64_t ra_next;
	uint32_t ra_window;
	uint64_t pages; /* cached now */
	/* File mappings (mm/vm_file.c), under the cache's lock: pages that
	 * are dirty, and mappings that may write (a page with one is
	 * treated as dirty until it goes).  Both 0: nothing to write back. */
	uint64_t dirty, wmaps;
};

struct pcache_page {
	struct list_node hash_link;
	struct list_node lru_link;
	struct pcache_owner *owner;
	uint64_t index;
	void *data;    /* the direct-map address of the frame */
	uint32_t refs; /* holders; reclaim takes only unheld pages */
	uint8_t state; /* PCACHE_FILLING, PCACHE_UPTODATE */
	bool verified; /* a verifier's mark (dm-verity hash blocks) */
	/* File mappings (mm/vm_file.c): written through a mapping since the
	 * last write-back, so never reclaimed until written back. */
	bool dirty;
	/* Address-space mappings of the page (each holds one of refs), how
	 * many of those may write, and who pays for the page while any
	 * mapping lasts (the first mapper's pool). */
	uint32_t maps, wmaps;
	void *payer;
};

struct pcache_stats {
	uint64_t hits, misses;
	uint64_t pages, limit;
	uint64_t readahead; /* pages filled ahead of a reader */
	uint64_t evictions;
	uint64_t fill_errors;
	uint64_t fills; /* fill calls: device requests */
};

/* Sizes the cache from the free frames; call once frames and heap work. */
void pcache_init(void);

void pcache_owner_init(struct pcache_owner *o, const struct pcache_owner_ops *ops, const char *name,
		       uint64_t npages);

/*
 * Page index of o, referenced and up to date.  0, -E_RANGE past
 * npages, -E_NOMEM, or the fill's error (-E_IO).  May sleep.
 */
int pcache_get(struct pcache_owner *o, uint64_t index, struct pcache_page **out);

/* The page if cached and up to date (referenced), or NULL; never fills. */
struct pcache_page *pcache_peek(struct pcache_owner *o, uint64_t index);

void pcache_put(struct pcache_page *p);

/*
 * Copies len bytes at byte offset off of o to offset at of dst (kernel
 * or user memory: one copy, from the cached page), through the cache:
 * the bytes copied, len or, when a fill fails or dst runs into memory it
 * cannot write (a guard page), those before; an error (the fill's, or
 * -E_FAULT) when there are none.
 */
long pcache_read(struct pcache_owner *o, uint64_t off, const struct io_buf *dst, size_t at,
		 size_t len);

/*
 * Mapping bookkeeping for file mappings (mm/vm_file.c), each step under
 * the cache's lock.  pcache_map turns the caller's reference to p into a
 * mapping (writable: one that may write); the first mapping must bring
 * a payer (-E_AGAIN without one), later ones must not.  1 when payer was
 * taken, 0 when the page had one already.
 */
int pcache_map(struct pcache_page *p, bool writable, void *payer);

/* One more mapping of the cached page index of o (a clone's), which is
 * mapped already: 0, or -E_NOENT when it is not. */
int pcache_map_again(struct pcache_owner *o, uint64_t index, bool writable);

/* A mapping of index of o goes: a writable one leaves the page dirty.
 * The payer when that was the last mapping (to be uncharged), else NULL. */
void *pcache_unmap(struct pcache_owner *o, uint64_t index, bool writable);

/* For write-back: true when p may hold bytes written through a mapping
 * (dirty, or mapped writable), and the dirty mark is cleared. */
bool pcache_take_dirty(struct pcache_page *p);

/* True when some page of o may need writing back. */
bool pcache_owner_dirty(struct pcache_owner *o);

/* Drops every unheld page of o (a device going away, a test). */
void pcache_drop_owner(struct pcache_owner *o);

/* Drops the unheld pages 0..count-1 of o, one lookup each (an owner
 * going away whose pages are few next to the cache). */
void pcache_drop_pages(struct pcache_owner *o, uint64_t count);

/* Frees up to want unheld pages, least recently used first; the count.
 * Takes the heap's lock (never call it from the frame allocator: it
 * has a hook of its own, pcache_init sets it). */
size_t pcache_reclaim(size_t want);

void pcache_get_stats(struct pcache_stats *st);
/* One line: pages held (and their memory), the limit, hits, misses. */
void pcache_print_stats(void);

/* Makes the frame allocator take cached pages back when it runs dry
 * (pcache_init does; a test that unhooks it calls it again). */
void pcache_hook_allocator(void);

#endif
