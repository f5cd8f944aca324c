/*
 * Reference counts of the frames of anonymous user memory, and the pool
 * each is charged to.  A frame mapped by several address spaces after a
 * copy-on-write clone is counted once per mapping and charged once, to
 * the pool of the space that made it; the last reference to go frees it
 * and gives the charge back.  One entry per frame of RAM, indexed by
 * frame number (16 bytes: 0.4% of memory).  Counts change atomically:
 * spaces that share a frame hold different locks.
 */
#ifndef MM_PAGE_REF_H
#define MM_PAGE_REF_H

#include <stdbool.h>
#include <stdint.h>

struct mempool;

void page_ref_init(void);

/* A fresh frame: one reference, charged to payer. */
void page_ref_set(uint64_t pa, struct mempool *payer);
void page_ref_get(uint64_t pa);
uint32_t page_ref_count(uint64_t pa);

/* Drops a reference; the last one frees the frame and uncharges its
 * payer (true then). */
bool page_ref_put(uint64_t pa);

#endif
