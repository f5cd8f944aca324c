/*
 * The memory audit (test mode): a census of frames, heap, processes,
 * Memory objects and kernel objects, plus the checks that need no
 * baseline.  The suite takes one before and one after each case and
 * fuzz round and demands they agree (struct mem_audit, themelios/abi.h),
 * so a frame, a heap byte, an object or a charge left behind by anything
 * that has ended is caught and named.
 */
#ifndef PROC_AUDIT_H
#define PROC_AUDIT_H

#include "themelios/abi.h"

/* Fills *out; each anomaly is also logged, naming what is wrong.
 * Takes the capability lock. */
void memory_audit(struct mem_audit *out);

#endif
