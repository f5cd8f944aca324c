/*
 * The process tree of a personality instance: pids numbered from 1 (the
 * first program, as in a container), parents and children, zombies
 * until waited for, orphans going to pid 1, process groups and
 * sessions.  Everything here is under the capability lock.
 *
 * A child's parent references the child's process until it waits for
 * it (linux/wait.c), so an ended child's status outlives it; an orphan
 * whose instance has lost pid 1 is nobody's and drops that reference
 * itself when it ends.
 */
#include "cap/lock.h"
#include "linux/errno.h"
#include "linux/linux.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "mm/kmalloc.h"
#include "object/process.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

struct linux_instance {
	unsigned int refs; /* its processes' states */
	unsigned int nprocs;
	uint64_t next_pid;
	struct linux_proc *init; /* pid 1, until its state is freed */
	struct list_node procs;	 /* linux_proc.inst_link */
};

int
linux_family_first(struct linux_proc *lp)
{
	struct linux_instance *inst = kcalloc(1, sizeof(*inst));

	if (!inst)
		return -E_NOMEM;
	list_init(&inst->procs);
	inst->refs = 1;
	inst->nprocs = 1;
	lp->counted = true;
	inst->next_pid = 2;
	inst->init = lp;
	list_add_tail(&inst->procs, &lp->inst_link);
	lp->inst = inst;
	lp->pid = lp->pgid = lp->sid = 1;
	lp->main.tid = lp->pid;
	return 0;
}

/* No new process in an instance whose pid 1 has ended (its processes
 * are being killed), nor from a process that has ended itself. */
static bool
can_fork(const struct linux_proc *parent)
{
	const struct linux_instance *inst = parent->inst;

	return !parent->zombie && inst->init && !inst->init->zombie &&
	       inst->nprocs < LINUX_PROCS_MAX;
}

long
linux_family_new_pid(struct linux_proc *parent)
{
	struct linux_instance *inst = parent->inst;

	if (!can_fork(parent))
		return -LX_EAGAIN;
	return (long)inst->next_pid++;
}

int
linux_family_fork(struct linux_proc *parent, struct linux_proc *child, uint64_t pid)
{
	struct linux_instance *inst = parent->inst;

	if (!can_fork(parent))
		return -LX_EAGAIN;
	inst->refs++;
	inst->nprocs++;
	child->counted = true;
	child->inst = inst;
	child->pid = pid;
	child->main.tid = pid;
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	child->parent = parent;
	list_add_tail(&inst->procs, &child->inst_link);
	list_add_tail(&parent->children, &child->sibling);
	kobject_ref(&child->proc->obj); /* the parent's, until it waits */
	return 0;
}

void
linux_family_release(struct linux_proc *lp)
{
	struct linux_instance *inst = lp->inst;

	if (!inst)
		return;
	list_del(&lp->inst_link);
	linux_family_reaped(lp);
	if (inst->init == lp)
		inst->init = NULL;
	if (--inst->refs == 0)
		kfree(inst);
	lp->inst = NULL;
}

void
linux_family_reaped(struct linux_proc *lp)
{
	if (lp->counted)
		lp->inst->nprocs--;
	lp->counted = false;
}

struct linux_proc *
linux_family_find(struct linux_proc *lp, uint64_t pid)
{
	list_for_each (n, &lp->inst->procs) {
		struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

		if (q->pid == pid)
			return q;
	}
	return NULL;
}

struct list_node *
linux_family_procs(struct linux_proc *lp)
{
	return &lp->inst->procs;
}

/* The new parent of lp's children: pid 1 while it lives, else nobody. */
static void
reparent_children(struct linux_proc *lp)
{
	struct linux_proc *init = lp->inst->init;
	bool to_init = init && init != lp && !init->zombie;

	while (!list_empty(&lp->children)) {
		struct linux_proc *c =
			container_of(list_first(&lp->children), struct linux_proc, sibling);

		list_del(&c->sibling);
		if (to_init) {
			c->parent = init;
			list_add_tail(&init->children, &c->sibling);
			if (c->zombie)
				wait_queue_wake_all(&init->child_wq);
			continue;
		}
		c->parent = NULL;
		if (c->zombie) {
			linux_family_reaped(c);
			kobject_unref(&c->proc->obj); /* nobody will wait for it */
		}
	}
}

/* A member of lp's process group is stopped. */
static bool
pgrp_stopped(struct linux_proc *lp)
{
	list_for_each (n, &lp->inst->procs) {
		struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

		if (q->pgid == lp->pgid && !q->zombie && q->stopped)
			return true;
	}
	return false;
}

/*
 * POSIX's rule, as Linux's kill_orphaned_pgrp: link, of member's session
 * but of another group, has ended, and was what joined member's group to
 * the session (the parent of a member).  If no member is so joined any
 * more and one is stopped, no shell is left to continue it: the group
 * gets SIGHUP, then SIGCONT.
 */
static void
hangup_orphaned(struct linux_proc *member, const struct linux_proc *link)
{
	if (!link || link->pgid == member->pgid || link->sid != member->sid)
		return;
	if (!linux_family_pgrp_orphaned(member) || !pgrp_stopped(member))
		return;
	linux_signal_pgrp(member, member->pgid, LX_SIGHUP);
	linux_signal_pgrp(member, member->pgid, LX_SIGCONT);
}

void
linux_proc_end(struct process *p, uint64_t event, long status)
{
	struct linux_proc *lp = p->lx;
	/* A child of each group that lp joins to its session. */
	struct linux_proc *joined[LINUX_PROCS_MAX];
	size_t njoined = 0;

	if (event == PROCESS_EVENT_FAULT)
		lp->wstatus = LX_SIGSEGV;
	else if (status == -E_DEAD)
		lp->wstatus = lp->term_signal ? (uint32_t)lp->term_signal : LX_SIGKILL;
	else if (status < 0 && status >= -LX_NSIG)
		lp->wstatus = (uint32_t)-status; /* a signal's death (linux/signal.c) */
	else
		lp->wstatus = ((uint32_t)status & 0xff) << 8;
	lp->zombie = true;
	list_for_each (n, &lp->children) {
		struct linux_proc *c = container_of(n, struct linux_proc, sibling);

		if (!c->zombie && njoined < LINUX_PROCS_MAX)
			joined[njoined++] = c;
	}
	reparent_children(lp);
	/* Groups its end leaves orphaned: its own (its parent was the
	 * link), and its children's. */
	hangup_orphaned(lp, lp->parent);
	for (size_t i = 0; i < njoined; i++)
		hangup_orphaned(joined[i], lp);
	if (lp->inst->init == lp) {
		/* Pid 1 has gone: so does everything else of its instance. */
		list_for_each (n, &lp->inst->procs) {
			struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

			if (q != lp && !q->zombie)
				process_kill(q->proc);
		}
	}
	if (lp->parent) {
		struct linux_proc *parent = lp->parent;

		if (linux_signal_parent(parent, lp)) {
			/* A parent that does not wait: the child goes now. */
			list_del(&lp->sibling);
			lp->parent = NULL;
			linux_family_reaped(lp);
			kobject_unref(&p->obj); /* the parent's */
		}
		wait_queue_wake_all(&parent->child_wq);
	} else if (lp->inst->init != lp) {
		linux_family_reaped(lp);
		kobject_unref(&p->obj); /* an orphan: the reference nobody will drop */
	}
	if (lp->vfork_waiter)
		wait_queue_wake_all(&lp->vfork_waiter->child_wq); /* CLONE_PARENT's */
}

bool
linux_family_pgrp_orphaned(struct linux_proc *lp)
{
	list_for_each (n, &lp->inst->procs) {
		struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

		if (q->pgid != lp->pgid || q->zombie || !q->parent)
			continue;
		if (q->parent->pgid != lp->pgid && q->parent->sid == q->sid)
			return false;
	}
	return true;
}

static struct linux_proc *
target(struct linux_proc *self, uint64_t pid)
{
	return pid == 0 || pid == self->pid ? self : linux_family_find(self, pid);
}

long
lx_sys_setpgid(struct syscall_args *a)
{
	struct linux_proc *self = lx_current(), *t, *leader = NULL;
	int64_t pid = (int32_t)a->a[0], pgid = (int32_t)a->a[1];
	unsigned long flags;
	long r = 0;

	if (pid < 0 || pgid < 0)
		return -LX_EINVAL;
	flags = cap_lock_take();
	t = target(self, (uint64_t)pid);
	/* Oneself or one's own child, in one's session. */
	if (!t || (t != self && t->parent != self))
		r = -LX_ESRCH;
	else if (t->sid != self->sid || t->pid == t->sid)
		r = -LX_EPERM;
	if (!r && pgid == 0)
		pgid = (int64_t)t->pid;
	if (!r && (uint64_t)pgid != t->pid) {
		/* Only into a group that exists in the same session. */
		list_for_each (n, &self->inst->procs) {
			struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

			if (q->pgid == (uint64_t)pgid && !q->zombie)
				leader = q;
		}
		if (!leader || leader->sid != self->sid)
			r = -LX_EPERM;
	}
	if (!r)
		t->pgid = (uint64_t)pgid;
	cap_lock_drop(flags);
	return r;
}

long
lx_sys_getpgid(struct syscall_args *a)
{
	unsigned long flags = cap_lock_take();
	struct linux_proc *t =
		(int32_t)a->a[0] < 0 ? NULL : target(lx_current(), (uint32_t)a->a[0]);
	long r = t ? (long)t->pgid : -LX_ESRCH;

	cap_lock_drop(flags);
	return r;
}

long
lx_sys_getpgrp(struct syscall_args *a)
{
	(void)a;
	return (long)__atomic_load_n(&lx_current()->pgid, __ATOMIC_RELAXED);
}

long
lx_sys_getsid(struct syscall_args *a)
{
	unsigned long flags = cap_lock_take();
	struct linux_proc *t =
		(int32_t)a->a[0] < 0 ? NULL : target(lx_current(), (uint32_t)a->a[0]);
	long r = t ? (long)t->sid : -LX_ESRCH;

	cap_lock_drop(flags);
	return r;
}

long
lx_sys_setsid(struct syscall_args *a)
{
	struct linux_proc *self = lx_current();
	unsigned long flags = cap_lock_take();
	long r = (long)self->pid;

	/* A group leader cannot: its group would straddle two sessions. */
	list_for_each (n, &self->inst->procs) {
		struct linux_proc *q = container_of(n, struct linux_proc, inst_link);

		if (q->pgid == self->pid)
			r = -LX_EPERM;
	}
	if (r > 0)
		self->pgid = self->sid = self->pid;
	cap_lock_drop(flags);
	(void)a;
	return r;
}

long
lx_sys_getppid(struct syscall_args *a)
{
	unsigned long flags = cap_lock_take();
	struct linux_proc *parent = lx_current()->parent;
	long r = parent ? (long)parent->pid : 0;

	cap_lock_drop(flags);
	(void)a;
	return r;
}
