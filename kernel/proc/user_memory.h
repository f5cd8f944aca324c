/*
 * For kernel/proc: building and tearing down a process's user memory
 * (user_memory.c).  process_map_anonymous and process_map_frames, the
 * public side, are in object/process.h.
 */
#ifndef PROC_USER_MEMORY_H
#define PROC_USER_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct process;

/* Where anonymous mappings start: a fresh process's first one is here. */
#define USER_MAP_BASE 0x0000000010000000ull

/* Fresh zeroed pages at va, charged to p, as one region (capability lock
 * held, p not running yet).  -E_NOMEM, -E_RANGE, -E_EXIST. */
int user_memory_map_new(struct process *p, uintptr_t va, size_t pages, unsigned int flags);

/* Copies into p's memory through the direct map (p need not be active). */
int user_memory_copy_in(struct process *p, uintptr_t va, const uint8_t *src, size_t len);

/* Unmaps everything, frees p's own pages and uncharges them, drops the
 * Frames mappings' references.  Capability lock held. */
void user_memory_free(struct process *p);

#endif
