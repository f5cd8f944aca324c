/*
 * Mapping, unmapping, protecting and faulting the regions of an address
 * space (object/address_space.h).  Every call takes as->lock (a mutex:
 * the capability lock is never held here, so the zeroing and copying of
 * pages runs with interrupts on); the caller holds a reference to as.
 */
#ifndef PROC_USER_MEMORY_H
#define PROC_USER_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct address_space;
struct arch_regs;
struct fault_info;
struct frames;
struct vm_file;
struct vm_region;

/* Where mappings placed by the kernel start: a fresh process's first
 * one is here, and the search for room goes up to the top of user space. */
#define USER_MAP_BASE 0x0000000010000000ull

/* How as_map places and fills a mapping. */
#define AS_MAP_FIXED  (1u << 0) /* at va exactly: -E_EXIST when anything is there */
#define AS_MAP_COMMIT (1u << 1) /* every page made and charged now, not on first touch */

/*
 * A new region of pages pages with flags (VM_READ, VM_WRITE, VM_EXEC)
 * that vm_protect may raise to max_flags: anonymous memory, or the
 * pages of f (referenced by the caller; the region takes the reference
 * over on success).  Without AS_MAP_FIXED it goes at the lowest free
 * place at or above USER_MAP_BASE with an unmapped page on each side;
 * *out gets the address.  -E_INVAL (no pages), -E_RANGE (outside user
 * space), -E_EXIST, -E_NOMEM (no room, or the pool cannot pay for the
 * committed pages or tables: nothing stays mapped).
 */
int as_map(struct address_space *as, uintptr_t va, size_t pages, unsigned int flags,
	   unsigned int max_flags, unsigned int how, struct frames *f, uintptr_t *out);

/*
 * A new region of pages pages mapping the file of vf from its page
 * first_page (mm/vm_file.h), placed as as_map places: shared (the file's
 * cached pages themselves; writes reach the file) or private (the cached
 * pages read-only, a copy of one's own on the first write).  Pages are
 * mapped on first touch; a touch past the end of the file is a fault no
 * region resolves.  The region takes its own reference to vf's vnode
 * (the caller keeps a reference while it calls).  Errors as as_map,
 * and -E_RANGE when the file pages overflow.
 */
int as_map_file(struct address_space *as, uintptr_t va, size_t pages, unsigned int flags,
		unsigned int max_flags, unsigned int how, struct vm_file *vf, uint64_t first_page,
		bool shared, uintptr_t *out);

/* as_move_range: leave a region of the same kind, with no pages, where
 * the moved range was (Linux's MREMAP_DONTUNMAP). */
#define AS_MOVE_KEEP (1u << 2)

/*
 * Moves [va, va + pages pages), which must lie in one region (touching
 * regions alike count as one), to a new region of new_pages >= pages
 * pages: the pages themselves go over, page-table entries moved and
 * never copied, so each keeps its frame, its sharing and its charge;
 * the new region's pages past the moved ones are filled as the region's
 * kind fills them (lazily).  Placed as as_map places (AS_MAP_FIXED: at
 * to exactly); *out gets the address.  With AS_MOVE_KEEP the old range
 * stays mapped, empty (anonymous memory reads as zero again, a file as
 * the file).  pages 0 maps the same file pages as va's shared file
 * region again (the old range stays as it was; -E_INVAL for any other
 * kind).  -E_NOENT (not in one region), -E_INVAL (a Frames mapping),
 * -E_RANGE (outside user space, or past the file's last page number),
 * -E_EXIST (AS_MAP_FIXED and something is at to), -E_BUSY (a receive
 * into the old range), -E_NOMEM (no room, nodes or tables: nothing
 * changed).
 */
int as_move_range(struct address_space *as, uintptr_t va, size_t pages, size_t new_pages,
		  uintptr_t to, unsigned int how, uintptr_t *out);

/*
 * Grows [va, va + pages pages), which must end its region (touching
 * regions alike count as one), in place to new_pages pages: the region
 * takes the free range after it, filled as its kind fills (lazily).
 * -E_NOENT (not in one region), -E_EXIST (the range does not end its
 * region, or the room after it is taken), -E_RANGE (past user space or
 * the file's last page number), -E_INVAL (a Frames mapping, or no
 * growth).
 */
int as_grow_range(struct address_space *as, uintptr_t va, size_t pages, size_t new_pages);

/* Unmaps the page at va (frame pa) of r and gives back what it held:
 * its reference to an anonymous page or a file's page.  as->lock held,
 * or the space is ours alone; cap_locked: the capability lock is held. */
void as_release_page(struct address_space *as, const struct vm_region *r, uintptr_t va, uint64_t pa,
		     bool cap_locked);

/* What as_release_page gives back, for a page whose entry is gone
 * already (a space being freed). */
void as_drop_page(const struct vm_region *r, uintptr_t va, uint64_t pa, bool cap_locked);

/* Drops the reference a region node holds to its Frames object or file. */
void as_region_unref(const struct vm_region *r, bool cap_locked);

/* Takes r out of as and frees it: its pages, the tables left empty, its
 * reference to what backs it, the node.  as->lock held. */
void as_region_remove(struct address_space *as, struct vm_region *r);

/* Does a thread of as's process receive a message into [va, end) now
 * (ipc_state.pinned_buf)?  Then the range may not lose its write
 * permission or go until the receive is over.  as->lock held. */
bool as_range_pinned(struct address_space *as, uintptr_t va, uintptr_t end);

/*
 * Unmaps [va, va + pages pages), which must lie in one region (-E_NOENT
 * otherwise); a part of a region splits it.  Anonymous pages go back at
 * once (the last mapping of a shared page frees it), and so do the page
 * tables the range leaves empty; a Frames mapping drops its reference.
 * -E_BUSY while a thread receives a message into the range.
 */
int as_unmap(struct address_space *as, uintptr_t va, size_t pages);

/* Changes the permissions of [va, va + pages pages) to flags, within one
 * region as as_unmap; -E_PERM beyond the region's max_flags.  Pages
 * still shared after a clone stay read-only until written. */
int as_protect(struct address_space *as, uintptr_t va, size_t pages, unsigned int flags);

/* Copies into as as the kernel's loader does: pages are made (or
 * unshared) as if written, whatever the region's permissions; -E_FAULT
 * outside every region, -E_NOMEM when the pool cannot pay. */
int as_copy_in(struct address_space *as, uintptr_t va, const void *src, size_t len);

/* Copies out of as (another process's memory, as /proc reads its
 * arguments), its pages made present for reading as a read would:
 * -E_FAULT at the first page that cannot be read. */
int as_peek(struct address_space *as, uintptr_t va, void *dst, size_t len);

/* Did a fault at va with access (FAULT_*) fail only because it lies past
 * the end of what backs its region (a file mapping past the file's last
 * page, shared anonymous memory grown past its object)?  Linux's SIGBUS. */
bool as_fault_past_end(struct address_space *as, uintptr_t va, unsigned int access);

/*
 * Makes the pages of file regions in [va, va + len) present (for writing
 * when write), as faults there would, and ignores what cannot be (the
 * copy that follows then faults as it would have).  Called before a
 * filesystem copies to or from a user buffer while holding its locks:
 * filling a file's page reads that file, which must not wait for them.
 */
void as_prefault_files(struct address_space *as, uintptr_t va, size_t len, bool write);

/*
 * A page fault on a user address, from user mode or from a kernel copy
 * to or from user memory (with interrupts on where it happened): true
 * when the region resolved it (a page made, or a shared page copied) and
 * the access can be retried.  Called with interrupts off, as the trap
 * handlers run; turns them on while it works.  An access refused at a
 * guard leaf (VM_GUARD: not present for the CPU) gets FAULT_PRESENT in
 * fi->access, so that it reports as the protection fault it is.
 */
bool user_fault_resolve(const struct arch_regs *regs, struct fault_info *fi);

#endif
