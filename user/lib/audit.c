/*
 * The memory audit from user space (memory_audit, test mode): compare
 * two censuses and name every field that moved, so a leak says what
 * leaked ("heap allocations +1, cspace objects +1"), not just that
 * something did.
 */
#include "lib/format.h"
#include "themelios.h"

/* Object type names, by OBJ_* number (themelios/abi.h). */
static const char *const object_names[AUDIT_OBJECT_TYPES] = {
	"null",	 "process",	 "thread", "address space", "memory", "cspace",	   "endpoint",
	"reply", "notification", "irq",	   "console",	    "frames", "I/O ports", "device control",
	"file",	 "directory",	 "socket", "network",	    "port",   "pipe",
};

static int
differs(const char *what, const char *name, uint64_t before, uint64_t after)
{
	if (before == after)
		return 0;
	printf("audit: after %s: %s %lu -> %lu (%+ld)\n", what, name, before, after,
	       (long)(after - before));
	return 1;
}

int
audit_compare(const struct mem_audit *before, const struct mem_audit *after, const char *what)
{
	int n = 0;

	/* Free frames may move into the heap's cache and back: the frames
	 * outside the heap are what must come back exactly. */
	n += differs(what, "frames in use outside the heap and the storage stack",
		     before->frames_used - before->heap_pages - before->fs_frames,
		     after->frames_used - after->heap_pages - after->fs_frames);
	n += differs(what, "heap allocations outside the storage stack",
		     before->heap_live - before->fs_heap_live,
		     after->heap_live - after->fs_heap_live);
	n += differs(what, "heap bytes outside the storage stack",
		     before->heap_bytes - before->fs_heap_bytes,
		     after->heap_bytes - after->fs_heap_bytes);
	n += differs(what, "processes", before->processes, after->processes);
	n += differs(what, "ended processes not yet freed", before->processes_ended,
		     after->processes_ended);
	n += differs(what, "Memory objects", before->pools, after->pools);
	n += differs(what, "pages charged to Memory objects (the RAM layer's aside)",
		     before->pools_used - before->fs_pool_used,
		     after->pools_used - after->fs_pool_used);
	for (unsigned int t = 0; t < AUDIT_OBJECT_TYPES; t++) {
		char name[48];

		fmt_snprintf(name, sizeof(name), "%s objects", object_names[t]);
		n += differs(what, name, before->objects[t], after->objects[t]);
	}
	if (after->anomalies) {
		printf("audit: after %s: %lu anomalies (the kernel log names them)\n", what,
		       after->anomalies);
		n++;
	}
	return n;
}
