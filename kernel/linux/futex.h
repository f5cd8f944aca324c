/*
 * The futex table (futex.c), for the calls that wake waiters outside
 * futex(2): a thread's exit clears its clear_child_tid word and wakes
 * one waiter there (the clone work calls this for threads).
 */
#ifndef LINUX_FUTEX_H
#define LINUX_FUTEX_H

#include <stdint.h>

struct address_space;

/* Wakes up to n waiters on (as, uaddr): how many were woken. */
int linux_futex_wake(struct address_space *as, uintptr_t uaddr, int n);

#endif
