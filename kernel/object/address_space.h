/*
 * AddressSpace objects: a page-table root and the regions mapped in it
 * (docs/memory.md).  A process runs in one; its threads share it.  An
 * address space is made for each spawn, or by cloning another
 * (copy-on-write), and lives while a process runs in it or a
 * capability names it.  Everything it holds is charged to its Memory
 * pool: the object (a page), its page tables, its anonymous pages as
 * they are made, and its region nodes past the first 32 (a page per 32).
 *
 * Regions are anonymous memory (each page made and zeroed on its first
 * touch, or all at once when committed) or mappings of Frames objects.
 * A fault on a user address goes to the region first (user_memory.c):
 * only a fault no region can resolve reaches the supervisor.
 */
#ifndef OBJECT_ADDRESS_SPACE_H
#define OBJECT_ADDRESS_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/list.h"
#include "mm/vm_space.h"
#include "object/object.h"
#include "proc/region.h"
#include "sched/mutex.h"

struct frames;
struct mempool;
struct process;

/* Region nodes that come with the object (the old fixed table's size). */
#define AS_FREE_REGIONS 32

struct address_space {
	struct kobject obj; /* KOBJ_ADDRESS_SPACE */
	struct vm_space vm;
	/* Regions and mappings: taken by whoever changes them, and by the
	 * fault handler; never under the capability lock. */
	struct mutex lock;
	struct region_tree regions;
	struct mempool *pool; /* pays for everything; referenced */
	/* The pools that pages shared with spaces it was cloned from may be
	 * charged to (page_ref.h): referenced, so they outlive those pages. */
	struct mempool **payers;
	size_t npayers;
	uint64_t node_pages; /* charged for region nodes */
	/* A file region was ever mapped here (as_prefault_files has work). */
	bool has_files;
	/* The processes running in it (process.as_link; not referenced:
	 * each references us), under the capability lock: one, or a Linux
	 * vfork parent and the children that run in its space until they
	 * exec or end.  An address space runs one program's processes in
	 * its life: once the last has left, ended says every call is
	 * -E_DEAD. */
	struct list_node procs;
	bool ended;
	/* The personality of the program loaded in it (linux/personality.h),
	 * which the process running in it takes. */
	uint8_t personality;
	/* The page-aligned end of the program loaded in it: a Linux
	 * program's break starts there; brk is how far the break is now
	 * mapped.  The space's, as Linux keeps it in the mm, so that a
	 * vfork child's brk moves its parent's break too.  brk_lock
	 * serializes brk calls (taken before lock). */
	uintptr_t image_end, brk;
	struct mutex brk_lock;
};

/* A new, empty address space charged to pool (refs = 1, the caller's).
 * Capability lock held; -E_NOMEM. */
int as_create(struct mempool *pool, struct address_space **out);

/*
 * A copy-on-write clone of src charged to pool (refs = 1): the same
 * regions; Frames mapped alike; anonymous pages shared read-only until
 * either side writes (then the writer copies, charged to its own pool).
 * Capability lock not held; -E_NOMEM (pool or memory: nothing made).
 */
int as_clone(struct address_space *src, struct mempool *pool, struct address_space **out);

/*
 * A copy-on-write copy of [va, va + pages pages) of src, a range inside
 * one region of anonymous memory or a private file mapping, as a new
 * region of dst (which may be src) at dva when fixed, else placed as
 * as_map places: the same permissions and limit; every page present in
 * the range shared read-only on both sides until either writes (then
 * the writer copies, charged to its own pool); pages absent are made
 * when first touched in each.  dst pays for its region node and tables
 * now, and references src's pools (page_ref.h).  The caller checked both
 * ranges (aligned, inside user space).  -E_NOENT (not inside one
 * region), -E_NOTSUP (a Frames or shared file mapping), -E_BUSY (a
 * receive into the range is in progress), -E_EXIST (fixed, and dst maps
 * something there), -E_RANGE (fixed at page 0), -E_NOMEM (room, pool or
 * memory: nothing made).  Capability lock not held.
 */
int as_copy_range(struct address_space *src, uintptr_t va, size_t pages, struct address_space *dst,
		  uintptr_t dva, bool fixed, uintptr_t *out);

/* 0 while changes may be made, else -E_DEAD.  Capability lock held. */
int as_check_live(const struct address_space *as);

/* Region nodes: made and charged, freed and uncharged (as->lock held). */
struct vm_region *as_region_new(struct address_space *as);
void as_region_free(struct address_space *as, struct vm_region *r);

#endif
