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
#include "proc/exec.h"
#include "proc/program_file.h"
#include "object/frames.h"
#include "object/address_space.h"
#include "object/ops.h"
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

/*
 * What spawn and exec load: kernel copies of the name, the argument and
 * environment strings; the program (its file, whose segments will be
 * mapped from the page cache, or the boot archive's image) and its
 * interpreter's file.
 */
struct program_request {
	char name[PROC_NAME_MAX];
	char *strings; /* args, then env */
	size_t args_len, env_len;
	struct vnode *file; /* the program's file (referenced), or */
	const void *image;  /* the boot archive's program */
	size_t image_len;
	struct vnode *interp; /* its PT_INTERP's file (referenced), or NULL */
	uint64_t stack_pages;
};

static void
request_free(struct program_request *r)
{
	kfree(r->strings);
	if (r->file)
		vnode_unref(r->file);
	if (r->interp)
		vnode_unref(r->interp);
}

/* The name, at most PROC_NAME_MAX - 1 bytes without a NUL inside. */
static int
name_in(struct program_request *r, const char *uname, uint64_t len)
{
	int err;

	if (len == 0 || len >= sizeof(r->name))
		return -E_RANGE;
	if ((err = copy_from_user(r->name, (uintptr_t)uname, len)))
		return err;
	r->name[len] = '\0';
	return strlen(r->name) == len ? 0 : -E_INVAL;
}

/* len bytes of NUL-terminated strings at dst: -E_INVAL when the block
 * does not end in NUL, -E_RANGE for more than max strings. */
static int
strings_in(char *dst, const char *src, uint64_t len, unsigned int max)
{
	unsigned int count = 0;
	int err;

	if (len == 0)
		return 0;
	if ((err = copy_from_user(dst, (uintptr_t)src, len)))
		return err;
	if (dst[len - 1] != '\0')
		return -E_INVAL;
	for (uint64_t i = 0; i < len; i++)
		count += dst[i] == '\0';
	return count > max ? -E_RANGE : 0;
}

/* args and env: together at most SPAWN_STRINGS_MAX bytes, argv (with
 * the name) at most SPAWN_ARGC_MAX strings, envp SPAWN_ENVC_MAX. */
static int
args_in(struct program_request *r, const char *args, uint64_t args_len, const char *env,
	uint64_t env_len)
{
	int err;

	if (args_len > SPAWN_STRINGS_MAX || env_len > SPAWN_STRINGS_MAX - args_len)
		return -E_RANGE;
	if (args_len + env_len == 0)
		return 0;
	if (!(r->strings = kmalloc(args_len + env_len)))
		return -E_NOMEM;
	r->args_len = args_len;
	r->env_len = env_len;
	err = strings_in(r->strings, args, args_len, SPAWN_ARGC_MAX - 1);
	if (!err)
		err = strings_in(r->strings + args_len, env, env_len, SPAWN_ENVC_MAX);
	return err;
}

/* The program (a File in file_slot, else name in the boot archive) and
 * its interpreter, looked up under the Directory in dir_slot. */
static int
program_in(struct program_request *r, uint64_t file_slot, uint32_t rights, uint64_t dir_slot)
{
	int err;

	if (file_slot)
		err = program_open_file(file_slot, rights, &r->file);
	else
		err = boot_archive_find(r->name, &r->image, &r->image_len);
	if (!err)
		err = program_find_interp(r->file, r->image, r->image_len, dir_slot, &r->interp);
	return err;
}

/* A fresh address space charged to pool with r's program loaded (the
 * copying outside the capability lock). */
static int
load_space(struct mempool *pool, const struct program_request *r, struct address_space **out,
	   uintptr_t *entry, uintptr_t *sp)
{
	struct load_spec ls = {
		.name = r->name,
		.file = r->file,
		.image = r->image,
		.image_len = r->image_len,
		.interp = r->interp,
		.args = r->strings,
		.args_len = r->args_len,
		.env = r->strings ? r->strings + r->args_len : NULL,
		.env_len = r->env_len,
		.stack_pages = r->stack_pages,
	};
	struct address_space *as;
	unsigned long flags = cap_lock_take();
	int err = as_create(pool, &as);

	cap_lock_drop(flags);
	if (err)
		return err;
	err = process_load(as, &ls, entry, sp);
	if (err) {
		flags = cap_lock_take();
		kobject_unref(&as->obj);
		cap_lock_drop(flags);
		return err;
	}
	*out = as;
	return 0;
}

/* The address space a child will run in: a fresh one with the program
 * loaded, or the caller's AddressSpace (WRITE) in sa->address_space,
 * which must never have run anything (a clone), started at sa->entry
 * with sa->stack. */
static int
child_space(const struct spawn_args *sa, const struct program_request *r,
	    struct address_space **out, uintptr_t *entry, uintptr_t *sp)
{
	struct process *p = process_current();
	struct kobject *obj;
	int err;

	if (sa->address_space) {
		unsigned long flags = cap_lock_take();
		struct cap *c;

		err = cspace_lookup(p->cs, sa->address_space, KOBJ_ADDRESS_SPACE, CAP_RIGHT_WRITE,
				    &c);
		if (!err) {
			*out = (struct address_space *)c->obj;
			kobject_ref(c->obj);
			*entry = sa->entry;
			*sp = sa->stack;
		}
		cap_lock_drop(flags);
		return err;
	}
	err = cap_get(sa->memory, KOBJ_MEMORY, CAP_RIGHT_WRITE | CAP_RIGHT_COPY, &obj);
	if (err)
		return err;
	err = load_space((struct mempool *)obj, r, out, entry, sp);
	cap_put(obj);
	return err;
}

long
sys_spawn(struct syscall_args *a)
{
	struct process *p = process_current();
	struct program_request r = { 0 };
	struct spawn_args sa;
	struct address_space *as = NULL;
	uintptr_t entry = 0, sp = 0;
	unsigned long flags;
	long err;

	if ((err = copy_from_user(&sa, a->a[0], sizeof(sa))))
		return err;
	if (sa.ncaps > SPAWN_CAPS_MAX)
		return -E_RANGE;
	if ((err = name_in(&r, sa.name, sa.name_len)))
		return err;
	if (sa.address_space && (sa.image_file || sa.args_len || sa.env_len || sa.stack_pages))
		return -E_INVAL; /* a clone has its program, arguments and stack */
	r.stack_pages = sa.stack_pages;
	err = args_in(&r, sa.args, sa.args_len, sa.env, sa.env_len);
	if (!err && !sa.address_space)
		err = program_in(&r, sa.image_file, CAP_RIGHT_EXECUTE, sa.root_dir);
	if (!err)
		err = child_space(&sa, &r, &as, &entry, &sp);
	if (!err) {
		flags = cap_lock_take();
		err = spawn_locked(p, &sa, r.name, &as, entry, sp);
		if (as)
			kobject_unref(&as->obj); /* no child took it */
		cap_lock_drop(flags);
	}
	request_free(&r);
	return err;
}

/*
 * exec: the new image is mapped and loaded into a fresh address space
 * charged to the process's own pool before anything of the old one
 * changes; any error so far returns with the old image intact.
 */
long
sys_exec(struct syscall_args *a)
{
	struct process *p = process_current();
	struct program_request r = { 0 };
	struct exec_args ea;
	struct address_space *as = NULL;
	uintptr_t entry, sp;
	unsigned long flags;
	long err;

	if ((err = copy_from_user(&ea, a->a[0], sizeof(ea))))
		return err;
	if (!ea.image_file)
		return -E_NOCAP;
	err = name_in(&r, ea.name, ea.name_len);
	r.stack_pages = ea.stack_pages;
	if (!err)
		err = args_in(&r, ea.args, ea.args_len, ea.env, ea.env_len);
	if (!err)
		err = program_in(&r, ea.image_file, CAP_RIGHT_READ | CAP_RIGHT_EXECUTE,
				 ea.root_dir);
	if (!err)
		err = load_space(p->pool, &r, &as, &entry, &sp);
	/* A process keeps its personality: a Linux process's state is made
	 * at spawn (and a Linux program execs through execve). */
	if (!err && as->personality != p->personality)
		err = -E_NOTSUP;
	if (!err)
		err = process_exec(p, &as, r.name, entry, sp, ea.arg);
	if (as) {
		flags = cap_lock_take();
		kobject_unref(&as->obj);
		cap_lock_drop(flags);
	}
	request_free(&r);
	/* The new image starts with arg in its first argument register,
	 * which on aarch64 is also where the result goes. */
	return err ? err : (long)ea.arg;
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
