/*
 * The memory audit (proc/audit.h).  Everything is read under the
 * capability lock, so the census is one consistent moment: processes,
 * pools and objects only change under it, and the frame and heap
 * counters are read inside it too.
 */
#include "net/net.h"
#include "proc/audit.h"

#include "cap/lock.h"
#include "core/printk.h"
#include "fs/rootfs.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/percpu.h"

/* Capabilities still in a cspace. */
static uint64_t
cspace_count(const struct cspace *cs)
{
	uint64_t n = 0;

	for (uint64_t i = 1; i < cs->nslots; i++)
		if (cs->slots[i].obj != NULL)
			n++;
	return n;
}

static void
audit_process(struct process *p, void *ctx)
{
	struct mem_audit *a = ctx;
	uint64_t held;

	a->processes++;
	if (p->state == PROCESS_LIVE)
		return;
	a->processes_ended++;
	/* An ended process's cspace was closed and cleared at once: whatever
	 * is in it now got in afterwards and would live for ever. */
	held = p->cs ? cspace_count(p->cs) : 0;
	if (held) {
		a->anomalies++;
		pr_warn("audit: process %lu (%s) has ended but its CSpace holds %lu "
			"capabilities\n",
			p->pid, p->name, held);
	}
}

static void
audit_pool(struct mempool *mp, void *ctx)
{
	struct mem_audit *a = ctx;

	a->pools++;
	a->pools_used += mp->used;
	if (mp->used > mp->limit) {
		a->anomalies++;
		pr_warn("audit: a Memory object has %lu pages charged to a limit of %lu\n",
			mp->used, mp->limit);
	}
}

void
memory_audit(struct mem_audit *out)
{
	struct pmm_stats ps;
	struct heap_stats hs;
	unsigned long flags;

	memset(out, 0, sizeof(*out));
	/* Caches hold what they may drop: drop it, so what stays is state. */
	rootfs_quiesce();
	net_quiesce();
	flags = cap_lock_take();
	pmm_get_stats(&ps);
	kmalloc_stats(&hs);
	process_for_each(audit_process, out);
	mempool_for_each(audit_pool, out);
	for (unsigned int t = 0; t < KOBJ_NTYPES && t < AUDIT_OBJECT_TYPES; t++)
		out->objects[t] = kobject_live_count(t);
	cap_lock_drop(flags);
	out->frames_free = ps.free;
	out->frames_used = ps.used;
	out->heap_pages = hs.pages;
	out->heap_live = hs.live;
	out->heap_bytes = hs.live_bytes;
	out->syscalls = arch_cpu_local()->syscalls; /* one CPU today */
	out->guard_checks = uaccess_guard_checks();
	rootfs_memory(&out->fs_heap_live, &out->fs_heap_bytes, &out->fs_frames, &out->fs_pool_used);
	if (hs.corruptions || hs.bad_frees) {
		out->anomalies++;
		pr_warn("audit: heap damage: %lu corruptions, %lu bad frees\n", hs.corruptions,
			hs.bad_frees);
	}
}
