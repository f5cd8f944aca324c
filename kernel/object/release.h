/*
 * Release after unlock: the heavy part of an object's destroy (an
 * address space's pages and page tables) done by the thread that dropped
 * the last reference, after it has dropped the capability lock, with
 * interrupts on, and before it returns to user mode or ends.
 *
 * destroy runs under the capability lock (object.h); freeing 64 MiB
 * there kept interrupts off for millions of instructions.  Freeing on
 * another thread later is not enough: a supervisor that deletes a
 * capability and then counts its pool must find every page back.  So the
 * object goes on the deleting thread's own list, and the thread empties
 * that list on its way out of the kernel: when the call returns, the
 * pages are back, as before.
 *
 * Only a thread that will pass such a point defers: a user thread (a
 * system call returns through syscall_return_to_user, an ending thread
 * through thread_exit), or a kernel thread inside release_scope_begin/end
 * (the reaper freeing a process).  An interrupt handler, or any other
 * kernel thread, gets false and destroys at once as before.
 */
#ifndef OBJECT_RELEASE_H
#define OBJECT_RELEASE_H

#include <stdbool.h>

#include "object/object.h"

/* From a destroy callback (capability lock held): true when obj went on
 * this thread's list, where release_run will call obj->ops->release;
 * false when the caller must finish the destroy itself now. */
bool release_later(struct kobject *obj);

/* Whether this thread passes release_run before it returns to user mode
 * or ends (what release_later defers on; vnode_unref_later too). */
bool release_defers(void);

/* Releases every object this thread deferred.  No lock held; interrupts
 * on (else the work is correct, only not preemptible).  Cheap when the
 * list is empty. */
void release_run(void);

/* A kernel thread's section whose deferred objects it releases at the
 * end (release_scope_end runs release_run once the section is over). */
void release_scope_begin(void);
void release_scope_end(void);

#endif
