/* Processes: spawn, kill, grant, and a running child's parts (its
 * CSpace and AddressSpace) for its supervisor. */
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "asm/layout.h"
#include "fs/vfs.h"
#include "ipc/ipc.h"
#include "lib/string.h"
#include "linux/linux.h"
#include "linux/personality.h"
#include "mm/kmalloc.h"
#include "object/directory.h"
#include "object/file.h"
#include "mm/vm_flags.h"
#include "proc/boot_archive.h"
#include "object/frames.h"
#include "object/address_space.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* Under the capability lock: the child's capabilities, then start it. */
/* *as goes to the child once it is made (NULL then). */
static int
spawn_locked(struct process *parent, const struct spawn_args *sa, const char *name,
	     struct address_space **as, uintptr_t entry, uintptr_t sp)
{
	struct process_spec spec = {
		.name = name,
		.as = *as,
		.entry = entry,
		.sp = sp,
		.arg = sa->arg,
	};
	struct cap *sup = NULL, *dst = NULL, *mem;
	struct process *child;
	int err;

	if ((err = cspace_lookup(parent->cs, sa->memory, KOBJ_MEMORY,
				 CAP_RIGHT_WRITE | CAP_RIGHT_COPY, &mem)))
		return err;
	spec.pool = (struct mempool *)mem->obj;
	if (sa->supervisor &&
	    (err = cspace_lookup(parent->cs, sa->supervisor, KOBJ_ENDPOINT, CAP_RIGHT_WRITE, &sup)))
		return err;
	if (sa->process_slot && (err = cspace_lookup_empty(parent->cs, sa->process_slot, &dst)))
		return err;
	for (uint64_t i = 0; i < sa->ncaps; i++) {
		struct cap *c;

		if ((err = cspace_lookup(parent->cs, sa->caps[i], KOBJ_ANY, CAP_RIGHT_COPY, &c)))
			return err;
	}
	err = process_create(&spec, &child);
	if (err)
		return err;
	*as = NULL;
	for (uint64_t i = 0; i < sa->ncaps; i++)
		if ((err = cap_copy(parent->cs, sa->caps[i], child->cs, i + 1))) {
			process_discard(child);
			return err;
		}
	/* Its Memory, derived from the caller's: a revoke there reaches it. */
	if ((err = cap_copy(parent->cs, sa->memory, child->cs, CAP_SLOT_MEMORY))) {
		process_discard(child);
		return err;
	}
	/* A Linux program's descriptors, root and working directory come
	 * from the capabilities it was just given (linux/linux.h). */
	if (child->personality == PERSONALITY_LINUX && (err = linux_proc_setup(child))) {
		process_discard(child);
		return err;
	}
	if (sup) {
		child->supervisor = (struct endpoint *)sup->obj;
		child->supervisor_badge = sa->supervisor_badge;
		kobject_ref(sup->obj);
	}
	if (dst &&
	    (err = cap_install(parent->cs, sa->process_slot, &child->obj, CAP_RIGHTS_ALL, 0))) {
		process_discard(child);
		return err;
	}
	err = process_start(child);
	return err ? err : (int)child->pid;
}

/* Strings one after another (the arguments, the environment) from
 * user memory into buf: -E_RANGE (more than max bytes or max_count
 * strings), -E_INVAL (not NUL-terminated), -E_FAULT. */
static int
copy_strings(const char *user, uint64_t len, char *buf, uint64_t max, unsigned int max_count)
{
	unsigned int count = 0;
	int err;

	if (len == 0)
		return 0;
	if (len > max)
		return -E_RANGE;
	if ((err = copy_from_user(buf, (uintptr_t)user, len)))
		return err;
	if (buf[len - 1] != '\0')
		return -E_INVAL;
	for (uint64_t i = 0; i < len; i++)
		count += buf[i] == '\0';
	return count > max_count ? -E_RANGE : 0;
}

/* The argument strings, into args (argv[0] is the name: one less). */
static int
copy_args(const struct spawn_args *sa, char *args)
{
	return copy_strings(sa->args, sa->args_len, args, SPAWN_ARGS_MAX, SPAWN_ARGC_MAX - 1);
}

/* The file behind File slot (EXECUTE), referenced for the caller: its
 * segments will be mapped from the page cache (process_load_file). */
static int
program_file(uint64_t slot, struct vnode **out)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(p->cs, slot, KOBJ_FILE, CAP_RIGHT_EXECUTE, &c);

	if (!err) {
		*out = ((struct file_object *)c->obj)->vn;
		vnode_ref(*out);
	}
	cap_lock_drop(flags);
	return err;
}

/* The address space a child will run in: a fresh one with the program
 * loaded (the copying outside the capability lock) from image or, when
 * vn is given, mapped from that file, or the caller's
 * AddressSpace (WRITE) in sa->address_space, which must never have run
 * anything (a clone), started at sa->entry with sa->stack. */
static int
child_space(const struct spawn_args *sa, const char *name, const void *image, size_t len,
	    struct vnode *vn, const char *args, const char *env, struct address_space **out,
	    uintptr_t *entry, uintptr_t *sp)
{
	struct process *p = process_current();
	struct address_space *as = NULL;
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err;

	if (sa->address_space) {
		err = cspace_lookup(p->cs, sa->address_space, KOBJ_ADDRESS_SPACE, CAP_RIGHT_WRITE,
				    &c);
		if (!err) {
			as = (struct address_space *)c->obj;
			kobject_ref(&as->obj);
			*entry = sa->entry;
			*sp = sa->stack;
		}
		cap_lock_drop(flags);
		*out = as;
		return err;
	}
	err = cspace_lookup(p->cs, sa->memory, KOBJ_MEMORY, CAP_RIGHT_WRITE | CAP_RIGHT_COPY, &c);
	if (!err)
		err = as_create((struct mempool *)c->obj, &as);
	cap_lock_drop(flags);
	if (err)
		return err;
	if (vn)
		err = process_load_file(as, name, vn, args, sa->args_len, env, sa->env_len, entry,
					sp);
	else
		err = process_load(as, name, image, len, args, sa->args_len, env, sa->env_len,
				   entry, sp);
	if (err) {
		flags = cap_lock_take();
		kobject_unref(&as->obj);
		cap_lock_drop(flags);
		return err;
	}
	*out = as;
	return 0;
}

long
sys_spawn(struct syscall_args *a)
{
	struct process *p = process_current();
	struct spawn_args sa;
	char name[PROC_NAME_MAX], args[SPAWN_ARGS_MAX], env[SPAWN_ENV_MAX];
	const void *image = NULL;
	struct vnode *vn = NULL;
	struct address_space *as = NULL;
	uintptr_t entry = 0, sp = 0;
	size_t len = 0;
	unsigned long flags;
	long err;

	if ((err = copy_from_user(&sa, a->a[0], sizeof(sa))))
		return err;
	if (sa.name_len == 0 || sa.name_len >= sizeof(name) || sa.ncaps > SPAWN_CAPS_MAX)
		return -E_RANGE;
	if ((err = copy_from_user(name, (uintptr_t)sa.name, sa.name_len)))
		return err;
	name[sa.name_len] = '\0';
	if (strlen(name) != sa.name_len)
		return -E_INVAL;
	if (sa.address_space && (sa.image_file || sa.args_len || sa.env_len))
		return -E_INVAL; /* a clone has its program and arguments */
	if ((err = copy_args(&sa, args)))
		return err;
	if ((err = copy_strings(sa.env, sa.env_len, env, SPAWN_ENV_MAX, SPAWN_ENVC_MAX)))
		return err;
	if (sa.address_space)
		err = 0;
	else if (sa.image_file)
		err = program_file(sa.image_file, &vn);
	else
		err = boot_archive_find(name, &image, &len);
	if (err)
		return err;
	err = child_space(&sa, name, image, len, vn, args, env, &as, &entry, &sp);
	if (vn)
		vnode_unref(vn);
	if (err)
		return err;
	flags = cap_lock_take();
	err = spawn_locked(p, &sa, name, &as, entry, sp);
	if (as)
		kobject_unref(&as->obj); /* no child took it */
	cap_lock_drop(flags);
	return err;
}

long
sys_process_kill(struct syscall_args *a)
{
	struct process *self = process_current(), *p;
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(self->cs, a->a[0], KOBJ_PROCESS, CAP_RIGHT_WRITE, &c);

	p = err ? NULL : (struct process *)c->obj;
	if (p && p->state != PROCESS_LIVE)
		err = -E_DEAD;
	else if (p && p != self)
		process_kill(p); /* its threads end on their way to user mode */
	cap_lock_drop(flags);
	if (!err && p == self)
		process_exit(-E_DEAD);
	return err;
}

/*
 * Copies one of the caller's capabilities into a running process's
 * cspace: how a supervisor hands a service more authority after spawn.
 * The copy is derived from the caller's, so a revoke there takes it back.
 */
long
sys_process_grant(struct syscall_args *a)
{
	struct process *self = process_current(), *p;
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(self->cs, a->a[0], KOBJ_PROCESS, CAP_RIGHT_GRANT, &c);

	if (!err) {
		p = (struct process *)c->obj;
		err = p->state == PROCESS_LIVE ? cap_copy(self->cs, a->a[1], p->cs, a->a[2])
					       : -E_DEAD;
	}
	cap_lock_drop(flags);
	return err;
}

/*
 * A process's parts as capabilities, for its supervisor: its CSpace
 * (slot cspace_dst, 0: none) and its AddressSpace (address_space_dst).
 * Needs WRITE on the Process capability.
 */
long
sys_process_parts(struct syscall_args *a)
{
	struct process *self = process_current(), *p;
	struct cap *c, *d1, *d2;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup(self->cs, a->a[0], KOBJ_PROCESS, CAP_RIGHT_WRITE, &c);

	if (!err && a->a[1])
		err = cspace_lookup_empty(self->cs, a->a[1], &d1);
	if (!err && a->a[2])
		err = a->a[2] == a->a[1] ? -E_EXIST : cspace_lookup_empty(self->cs, a->a[2], &d2);
	p = err ? NULL : (struct process *)c->obj;
	if (p && p->state != PROCESS_LIVE)
		err = -E_DEAD;
	if (!err && a->a[2])
		err = cap_install(self->cs, a->a[2], &p->as->obj, CAP_RIGHTS_ALL, 0);
	if (!err && a->a[1])
		err = cap_install(self->cs, a->a[1], &p->cs->obj, CAP_RIGHTS_ALL, 0);
	cap_lock_drop(flags);
	return err;
}

/* The target cspace of a CSpace capability with the rights needed. */
static int
target_cspace(struct process *self, uint64_t slot, uint32_t rights, struct cspace **out)
{
	struct cap *c;
	int err = cspace_lookup(self->cs, slot, KOBJ_CSPACE, rights, &c);

	if (!err)
		*out = cspace_of(c->obj);
	return err;
}

long
sys_cspace_copy(struct syscall_args *a)
{
	struct process *self = process_current();
	struct cspace *cs;
	unsigned long flags = cap_lock_take();
	int err = target_cspace(self, a->a[0], CAP_RIGHT_WRITE, &cs);

	if (!err)
		err = cap_copy(self->cs, a->a[1], cs, a->a[2]);
	cap_lock_drop(flags);
	return err;
}

long
sys_cspace_delete(struct syscall_args *a)
{
	struct process *self = process_current();
	struct cspace *cs;
	unsigned long flags = cap_lock_take();
	int err = target_cspace(self, a->a[0], CAP_RIGHT_WRITE, &cs);

	if (!err)
		err = cap_delete(cs, a->a[1]);
	cap_lock_drop(flags);
	return err;
}

long
sys_cspace_inspect(struct syscall_args *a)
{
	struct process *self = process_current();
	struct cap_info info;
	struct cspace *cs;
	unsigned long flags = cap_lock_take();
	int err = target_cspace(self, a->a[0], CAP_RIGHT_READ, &cs);

	if (!err)
		err = cap_inspect(cs, a->a[1], &info);
	cap_lock_drop(flags);
	return err ? err : copy_to_user(a->a[2], &info, sizeof(info));
}

/*
 * What a process is doing, for its supervisor (READ on the Process
 * capability): whether it has ended, how many threads it has and how many
 * of them wait in a system call (or are suspended).  A supervisor waits
 * for a child to be in its receive by this, not by counting yields.
 */
long
sys_process_info(struct syscall_args *a)
{
	struct process *self = process_current(), *p;
	struct process_info info;
	unsigned long flags;
	struct cap *c;
	int err;

	if (!user_range_ok(a->a[1], sizeof(info)))
		return -E_FAULT;
	memset(&info, 0, sizeof(info));
	flags = cap_lock_take();
	err = cspace_lookup(self->cs, a->a[0], KOBJ_PROCESS, CAP_RIGHT_READ, &c);
	if (!err) {
		p = (struct process *)c->obj;
		info.pid = p->pid;
		info.ended = p->state != PROCESS_LIVE;
		list_for_each (n, &p->threads) {
			struct thread *t = container_of(n, struct thread, proc_link);

			info.threads++;
			if (thread_is_blocked(t))
				info.blocked++;
		}
	}
	cap_lock_drop(flags);
	return err ? err : copy_to_user(a->a[1], &info, sizeof(info));
}
