/*
 * A set of pending Linux signals (struct linux_sigpending, linux/
 * signal.h) as Linux keeps one: the numbers, and the siginfos queued in
 * the order sent.  Pure list work: the caller allocates and frees the
 * entries (charged to the process, linux/signal.c) and holds the lock.
 */
#ifndef LINUX_SIGPENDING_H
#define LINUX_SIGPENDING_H

#include <stdbool.h>
#include <stdint.h>

#include "linux/signal.h"

/* A standard signal already pending in sp: a new one merges into it
 * (nothing queued); real-time signals never merge. */
bool linux_sigpending_merges(const struct linux_sigpending *sp, int sig);

/* sig becomes pending in sp, with q (its siginfo, si_signo sig) queued
 * last; q NULL: pending without a siginfo (it was lost). */
void linux_sigpending_add(struct linux_sigpending *sp, int sig, struct linux_sigqueue *q);

/* The signal of ready (not 0) to take first, Linux's next_signal:
 * SIGKILL, then the synchronous ones (a fault's), then the lowest. */
int linux_sigpending_next(uint64_t ready);

/*
 * One instance of sig, pending in sp, taken off: its first siginfo
 * into *info, and sig leaves the set unless another is queued.  The
 * entry it came from is returned for the caller to free; NULL when sig
 * had none (lost), *info then an empty SI_USER one, as Linux's.
 */
struct linux_sigqueue *linux_sigpending_collect(struct linux_sigpending *sp, int sig,
						struct linux_siginfo *info);

/* The signals in clear leave sp: one of their entries, off the queue,
 * for the caller to free, each call; NULL once none is left. */
struct linux_sigqueue *linux_sigpending_remove(struct linux_sigpending *sp, uint64_t clear);

#endif
