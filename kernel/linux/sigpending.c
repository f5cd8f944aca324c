/* A set of pending Linux signals (linux/sigpending.h). */
#include "linux/sigpending.h"

#include "lib/string.h"

/* Linux's SYNCHRONOUS_MASK: the signals of a fault. */
#define LX_SYNCHRONOUS_SIGS                                                    \
	(lx_sigbit(LX_SIGSEGV) | lx_sigbit(LX_SIGBUS) | lx_sigbit(LX_SIGILL) | \
	 lx_sigbit(LX_SIGTRAP) | lx_sigbit(LX_SIGFPE) | lx_sigbit(LX_SIGSYS))

bool
linux_sigpending_merges(const struct linux_sigpending *sp, int sig)
{
	return sig < LX_SIGRTMIN && (sp->set & lx_sigbit(sig));
}

void
linux_sigpending_add(struct linux_sigpending *sp, int sig, struct linux_sigqueue *q)
{
	if (q)
		list_add_tail(&sp->queue, &q->link);
	sp->set |= lx_sigbit(sig);
}

int
linux_sigpending_next(uint64_t ready)
{
	if (ready & lx_sigbit(LX_SIGKILL))
		return LX_SIGKILL;
	if (ready & LX_SYNCHRONOUS_SIGS)
		ready &= LX_SYNCHRONOUS_SIGS;
	return __builtin_ctzll(ready) + 1;
}

struct linux_sigqueue *
linux_sigpending_collect(struct linux_sigpending *sp, int sig, struct linux_siginfo *info)
{
	struct linux_sigqueue *first = NULL;
	bool more = false;

	list_for_each (n, &sp->queue) {
		struct linux_sigqueue *q = container_of(n, struct linux_sigqueue, link);

		if (q->info.signo != sig)
			continue;
		if (first) {
			more = true;
			break;
		}
		first = q;
	}
	if (!more)
		sp->set &= ~lx_sigbit(sig);
	if (first) {
		*info = first->info;
		list_del(&first->link);
	} else {
		memset(info, 0, sizeof(*info));
		info->signo = sig;
		info->code = LX_SI_USER;
	}
	return first;
}

struct linux_sigqueue *
linux_sigpending_remove(struct linux_sigpending *sp, uint64_t clear)
{
	sp->set &= ~clear;
	list_for_each (n, &sp->queue) {
		struct linux_sigqueue *q = container_of(n, struct linux_sigqueue, link);

		if (clear & lx_sigbit(q->info.signo)) {
			list_del(&q->link);
			return q;
		}
	}
	return NULL;
}
