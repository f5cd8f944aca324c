/*
 * CSpace objects: a process's capability space as an object, for its
 * supervisor (process_parts, then cspace_copy, cspace_delete,
 * cspace_inspect).  The slot table and its logic are kernel/cap's
 * (cap/cspace.h); this is the object's making and end.
 */
#ifndef OBJECT_CSPACE_H
#define OBJECT_CSPACE_H

#include <stdint.h>

struct cspace;

/* A new cspace of nslots slots (refs = 1, the caller's), on the kernel
 * heap; its end clears it and frees the storage.  -E_NOMEM. */
int cspace_create(uint64_t nslots, struct cspace **out);

#endif
