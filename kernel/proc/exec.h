/*
 * exec in place: a process replaces its own image (docs/memory.md).  The
 * new address space is built and loaded first, by the caller, with no
 * lock held; only then does process_exec switch the process to it, so
 * any failure before leaves the old image running untouched.
 */
#ifndef PROC_EXEC_H
#define PROC_EXEC_H

#include <stdint.h>

struct address_space;
struct process;

/*
 * Switches p, the caller's process, to *as (loaded, never run in; the
 * caller's reference passes to p and *as becomes NULL): every other
 * thread of p ends first (the call waits until the reaper has freed
 * them, so nothing of p runs in the old space any more), then the
 * calling thread's registers start at entry with sp and arg (TLS
 * pointer 0, FPU state fresh), p takes the new name, slot
 * CAP_SLOT_ADDRESS_SPACE names the new space if it named the old one,
 * and p's reference to the old space goes.  When p was the last process
 * in it, the old space goes too (its pages freed with interrupts on
 * unless a capability still names it: then it is ended, -E_DEAD to
 * every call, and goes with the last one); a Linux vfork child leaves
 * its parent's space untouched.  Every other capability stays.  -E_DEAD when p is being ended
 * meanwhile (nothing switched; *as is still the caller's).
 * Capability lock not held.
 */
int process_exec(struct process *p, struct address_space **as, const char *name, uintptr_t entry,
		 uintptr_t sp, uint64_t arg);

#endif
