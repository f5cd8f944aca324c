#include "object/process.h"

#include "arch/arch.h"
#include "asm/layout.h"
#include "cap/cap.h"
#include "cap/lock.h"
#include "core/backtrace.h"
#include "core/fault.h"
#include "core/panic.h"
#include "core/printk.h"
#include "ipc/ipc.h"
#include "lib/string.h"
#include "linux/linux.h"
#include "linux/personality.h"
#include "linux/signal.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_file.h"
#include "mm/vm_flags.h"
#include "fs/vfs.h"
#include "proc/elf.h"
#include "proc/initstack.h"
#include "core/random.h"
#include "object/cspace.h"
#include "object/memory.h"
#include "object/address_space.h"
#include "proc/user_memory.h"
#include "sched/cputime.h"
#include "sched/mutex.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#if defined(__x86_64__)
#define ELF_MACHINE ELF_MACHINE_X86_64
#else
#define ELF_MACHINE ELF_MACHINE_AARCH64
#endif

/* What a process costs in kernel memory before its first page: the
 * process, its cspace and its main thread (stack, guard, struct). */
#define PROCESS_OVERHEAD_PAGES (2 + THREAD_STACK_PAGES + 1)

static struct list_node all_processes = LIST_INIT(all_processes);
static uint64_t next_pid;

static void process_destroy(struct kobject *obj);

static struct readiness *
process_readiness(struct kobject *obj)
{
	return &((struct process *)obj)->ready;
}

static int
process_object_info(struct kobject *obj, struct object_info *info)
{
	info->id = ((struct process *)obj)->pid;
	return 0;
}

static const struct kobject_ops process_ops = {
	.name = "process",
	.destroy = process_destroy,
	.info = process_object_info,
	.readiness = process_readiness,
};

struct process *
process_current(void)
{
	struct thread *t = thread_current();

	return t ? t->proc : NULL;
}

int
process_charge(struct process *p, uint64_t pages)
{
	return mempool_charge(p->pool, pages);
}

void
process_uncharge(struct process *p, uint64_t pages)
{
	mempool_uncharge(p->pool, pages);
}

void *
process_object_new(struct process *owner, size_t size, enum kobject_type type,
		   const struct kobject_ops *ops)
{
	struct kobject *obj;

	if (process_charge(owner, 1))
		return NULL;
	obj = kcalloc(1, size);
	if (!obj) {
		process_uncharge(owner, 1);
		return NULL;
	}
	kobject_init(obj, type, ops);
	kobject_ref(&owner->obj);
	return obj;
}

void
process_object_free(struct process *owner, void *obj)
{
	process_uncharge(owner, 1);
	kobject_unref(&owner->obj);
	kfree(obj);
}

void
process_leave_space(struct process *p)
{
	list_del(&p->as_link);
	if (list_empty(&p->as->procs))
		p->as->ended = true;
}

/* Runs when the last reference goes (capability lock held). */
static void
process_destroy(struct kobject *obj)
{
	struct process *p = (struct process *)obj;

	/* Nothing runs in its address space any more: its pages go with
	 * the last capability to it, or now. */
	if (p->lx)
		linux_proc_release(p);
	process_leave_space(p);
	kobject_unref(&p->as->obj);
	if (p->cs)
		kobject_unref(&p->cs->obj);
	if (p->supervisor)
		kobject_unref(&p->supervisor->obj);
	process_uncharge(p, PROCESS_OVERHEAD_PAGES);
	kobject_unref(&p->pool->obj);
	list_del(&p->all_link);
	kfree(p);
}

/* Where a position-independent program goes: a random multiple of its
 * alignment in [PIE_BASE, PIE_BASE + PIE_SPAN), far from the stack and
 * from the mappings placed upwards from USER_MAP_BASE.  Its interpreter
 * goes the same way in the window above (INTERP_BASE), so the two never
 * meet whatever both draw. */
#define PIE_BASE    (1ull << 40)
#define PIE_SPAN    (1ull << 36)
#define INTERP_BASE (PIE_BASE + PIE_SPAN)

static int
pie_base(const struct elf_image *img, uint64_t window, uint64_t *base)
{
	uint64_t r;

	if (img->hi - img->lo > PIE_SPAN / 2 || window + PIE_SPAN > USER_SPACE_END)
		return -E_RANGE;
	random_fill(&r, sizeof(r));
	r %= (PIE_SPAN / 2) / img->align;
	*base = window + r * img->align - img->lo;
	return 0;
}

/* Where a program's bytes are: all of them at head (the boot archive),
 * or a file whose first avail bytes are at head (its first cached page). */
struct program_src {
	const uint8_t *head;
	size_t avail;
	uint64_t len;
	struct vm_file *file;	  /* NULL: head holds the whole image */
	struct pcache_page *page; /* the cached page at head, held */
};

#define PAGE_DOWN(x) ((x) & ~(uint64_t)(PAGE_SIZE_4K - 1))
#define PAGE_UP(x)   PAGE_DOWN((x) + PAGE_SIZE_4K - 1)

static const uint8_t zero_page[PAGE_SIZE_4K];

/* A regular file's first cached page as src; src_close gives it back.
 * -E_ISDIR, -E_INVAL (no regular file), -E_CORRUPT (empty), -E_IO. */
static int
src_open(struct vnode *vn, struct program_src *src)
{
	struct vfs_stat st;
	int err = vfs_getattr(vn, &st);

	*src = (struct program_src){ 0 };
	if (err)
		return err;
	if (VFS_S_ISDIR(st.mode))
		return -E_ISDIR;
	if (!VFS_S_ISREG(st.mode))
		return -E_INVAL;
	if (st.size == 0)
		return -E_CORRUPT;
	if ((err = vm_file_of(vn, &src->file)))
		return err;
	/* The headers are read from the first cached page, in place. */
	if ((err = pcache_get(&src->file->owner, 0, &src->page)))
		return err == -E_RANGE ? -E_CORRUPT : err; /* shrunk meanwhile */
	src->head = src->page->data;
	src->len = st.size;
	src->avail = st.size < PAGE_SIZE_4K ? st.size : PAGE_SIZE_4K;
	return 0;
}

static void
src_close(struct program_src *src)
{
	if (src->page)
		pcache_put(src->page);
	src->page = NULL;
}

/*
 * A segment mapped from the file's cached pages (private: a page is
 * copied only when written), and the memory past its file bytes
 * anonymous.  The file's last page goes on with other bytes of the file
 * where the segment's zeroed part starts: those are zeroed in a copy.
 */
static int
map_segment(struct address_space *as, struct vm_file *vf, const struct elf_segment *s,
	    uint64_t base, unsigned int flags)
{
	uintptr_t start = PAGE_DOWN(base + s->vaddr), fend = base + s->vaddr + s->filesz;
	uintptr_t mend = PAGE_UP(base + s->vaddr + s->memsz), anon = start, va;
	int err;

	if (s->filesz) {
		anon = PAGE_UP(fend);
		err = as_map_file(as, start, (anon - start) / PAGE_SIZE_4K, flags, flags,
				  AS_MAP_FIXED, vf, PAGE_DOWN(s->offset) / PAGE_SIZE_4K, false,
				  &va);
		if (err)
			return err;
	}
	/* The zeroed part is committed: a program's memory of its own is
	 * paid for before it runs, as for a program copied in. */
	if (mend > anon) {
		err = as_map(as, anon, (mend - anon) / PAGE_SIZE_4K, flags, flags,
			     AS_MAP_FIXED | AS_MAP_COMMIT, NULL, &va);
		if (err)
			return err;
	}
	if (s->memsz > s->filesz && (fend & (PAGE_SIZE_4K - 1))) {
		size_t n = PAGE_UP(fend) - fend;

		if (n > s->memsz - s->filesz)
			n = s->memsz - s->filesz;
		return as_copy_in(as, fend, zero_page, n);
	}
	return 0;
}

/* The segments of a parsed image at base (0 for ET_EXEC): mapped from
 * the page cache for a file, else copied in, committed. */
static int
load_image(struct address_space *as, const struct program_src *src, const struct elf_image *img,
	   uint64_t base)
{
	uintptr_t va;
	int err;

	for (size_t i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		uintptr_t start = PAGE_DOWN(base + s->vaddr);
		uintptr_t end = PAGE_UP(base + s->vaddr + s->memsz);
		unsigned int flags = VM_READ;

		if (s->flags & ELF_SEG_W)
			flags |= VM_WRITE;
		if (s->flags & ELF_SEG_X)
			flags |= VM_EXEC;
		/* Its segments keep the permissions they start with as their
		 * limit: code never becomes writable, data never executable. */
		if (src->file) {
			err = map_segment(as, src->file, s, base, flags);
			if (err)
				return err == -E_EXIST ? -E_CORRUPT : err; /* segments overlap */
			continue;
		}
		/* Committed: a program's pages are paid for before it runs. */
		err = as_map(as, start, (end - start) / PAGE_SIZE_4K, flags, flags,
			     AS_MAP_FIXED | AS_MAP_COMMIT, NULL, &va);
		if (err)
			return err == -E_EXIST ? -E_CORRUPT : err; /* segments overlap */
		err = as_copy_in(as, base + s->vaddr, src->head + s->offset, s->filesz);
		if (err)
			return err;
	}
	return 0;
}

/* The program: parsed from its head, placed (a random base for ET_DYN)
 * and loaded. */
static int
load_program(struct address_space *as, const struct load_spec *ls, const struct program_src *src,
	     struct elf_image *img, uint64_t *base)
{
	int err = elf_parse_head(src->head, src->avail, src->len, ELF_MACHINE, USER_SPACE_END, img);

	*base = 0;
	if (err)
		return err;
	if (!img->entry)
		return -E_NOTSUP; /* a shared object is no program */
	if (img->interp_len && !ls->interp)
		return -E_NOENT; /* the caller found no interpreter */
	if (img->type == ELF_TYPE_DYN && (err = pie_base(img, PIE_BASE, base)))
		return err;
	return load_image(as, src, img, *base);
}

/*
 * PT_INTERP's file, mapped from the page cache: a position-independent
 * program of our machine that names no interpreter itself (-E_LOOP: a
 * chain would be a loop or worse), at its own random base.  *entry:
 * where the thread starts.
 */
static int
load_interpreter(struct address_space *as, struct vnode *vn, uint64_t *base, uint64_t *entry)
{
	struct elf_image *img = kmalloc(sizeof(*img));
	struct program_src src;
	int err;

	if (!img)
		return -E_NOMEM;
	err = src_open(vn, &src);
	if (!err)
		err = elf_parse_head(src.head, src.avail, src.len, ELF_MACHINE, USER_SPACE_END,
				     img);
	if (!err && img->interp_len)
		err = -E_LOOP;
	if (!err && (img->type != ELF_TYPE_DYN || !img->entry))
		err = -E_NOTSUP;
	if (!err)
		err = pie_base(img, INTERP_BASE, base);
	if (!err)
		err = load_image(as, &src, img, *base);
	if (!err)
		*entry = *base + img->entry;
	src_close(&src);
	kfree(img);
	return err;
}

/*
 * The stack: a reserve of pages below USER_STACK_TOP, anonymous and
 * lazy (only what is touched is made and charged), and below it a guard
 * of USER_STACK_GUARD_PAGES that no permission can ever reach (max_flags
 * 0), so that no mapping placed anywhere lands right under the stack and
 * an overflow faults there.
 */
static int
map_stack(struct address_space *as, uint64_t pages)
{
	uintptr_t bottom = USER_STACK_TOP - pages * PAGE_SIZE_4K, va;
	int err;

	if (pages < USER_STACK_MIN_PAGES || pages > USER_STACK_MAX_PAGES)
		return -E_RANGE;
	err = as_map(as, bottom - USER_STACK_GUARD_PAGES * PAGE_SIZE_4K, USER_STACK_GUARD_PAGES, 0,
		     0, AS_MAP_FIXED, NULL, &va);
	if (!err)
		err = as_map(as, bottom, pages, VM_READ | VM_WRITE, VM_READ | VM_WRITE,
			     AS_MAP_FIXED, NULL, &va);
	return err == -E_EXIST ? -E_RANGE : err; /* a segment where the stack goes */
}

/* Pointers to the NUL-terminated strings of block[0..len) (checked by
 * the caller), after the n already in v, at most max in all. */
static size_t
split_strings(const char **v, size_t n, size_t max, const char *block, size_t len)
{
	for (size_t at = 0; at < len && n < max; at += strnlen(block + at, len - at) + 1)
		v[n++] = block + at;
	return n;
}

/*
 * The initial stack (proc/initstack.h): argv is the program's name and
 * the strings of args, envp those of env (checked by the caller against
 * the SPAWN_* limits), and the auxiliary vector.  Built in a kernel
 * buffer, copied in once: only the top pages of the reserve are touched.
 */
static int
push_initial_stack(struct address_space *as, const struct load_spec *ls, const uint8_t *head,
		   const struct elf_image *img, uint64_t base, uint64_t interp_base, uintptr_t *out)
{
	const char **vec = kmalloc((SPAWN_ARGC_MAX + SPAWN_ENVC_MAX + 2) * sizeof(*vec));
	struct initstack_in in = {
		.execfn = ls->name,
		.phdrs = head + img->phoff, /* inside the head: elf_parse_head */
		.phdr = img->phdr_vaddr ? base + img->phdr_vaddr : 0,
		.phent = ELF_PHDR_SIZE,
		.phnum = img->phnum,
		.entry = base + img->entry,
		.base = interp_base,
	};
	/* Strings twice (argv[0] is AT_EXECFN too), the vectors, the
	 * headers' copy, the random bytes and alignment. */
	const size_t size = 2 * strlen(ls->name) + ls->args_len + ls->env_len +
			    (SPAWN_ARGC_MAX + SPAWN_ENVC_MAX + 48) * 8 +
			    img->phnum * ELF_PHDR_SIZE + 128;
	uint8_t *buf = vec ? kmalloc(size) : NULL;
	uint64_t sp;
	int err;

	if (!buf) {
		kfree(vec);
		return -E_NOMEM;
	}
	vec[0] = ls->name;
	in.argc = split_strings(vec, 1, SPAWN_ARGC_MAX, ls->args, ls->args_len);
	in.argv = vec;
	in.envp = vec + in.argc;
	in.envc = split_strings(vec, in.argc, in.argc + SPAWN_ENVC_MAX, ls->env, ls->env_len) -
		  in.argc;
	random_fill(in.random, sizeof(in.random));
	arch_linux_hwcaps(&in.hwcap, &in.hwcap2);
	err = initstack_build(buf, size, USER_STACK_TOP, &in, &sp);
	if (!err)
		err = as_copy_in(as, sp, buf + size - (USER_STACK_TOP - sp), USER_STACK_TOP - sp);
	random_state_wipe(in.random, sizeof(in.random));
	kfree(buf);
	kfree(vec);
	if (!err)
		*out = sp;
	return err;
}

/* The personality is the program's, fixed at load (linux/personality.h):
 * its note, if any, lies in the first page with the headers.  A Linux
 * program's stack reserve is at least LINUX_STACK_BYTES (its RLIMIT_STACK). */
static uint64_t
load_personality(struct address_space *as, const struct load_spec *ls,
		 const struct program_src *src, const struct elf_image *img, uint64_t base)
{
	uint64_t pages = ls->stack_pages ? ls->stack_pages : USER_STACK_PAGES;

	as->image_end = base + img->hi;
	as->brk = as->image_end;
	as->personality = personality_has_native_note(src->head, src->avail, img->phoff, img->phnum)
				  ? PERSONALITY_NATIVE
				  : PERSONALITY_LINUX;
	if (as->personality == PERSONALITY_LINUX && pages < LINUX_STACK_BYTES / PAGE_SIZE_4K)
		pages = LINUX_STACK_BYTES / PAGE_SIZE_4K;
	return pages;
}

int
process_load(struct address_space *as, const struct load_spec *ls, uintptr_t *entry, uintptr_t *sp)
{
	struct elf_image *img = kmalloc(sizeof(*img));
	struct program_src src = { ls->image, ls->image_len, ls->image_len, NULL, NULL };
	uint64_t base = 0, interp_base = 0, start = 0, stack_pages = 0;
	int err = img ? 0 : -E_NOMEM;

	if (!err && ls->file)
		err = src_open(ls->file, &src);
	if (!err)
		err = load_program(as, ls, &src, img, &base);
	if (!err) {
		start = base + img->entry;
		stack_pages = load_personality(as, ls, &src, img, base);
	}
	if (!err && img->interp_len)
		err = load_interpreter(as, ls->interp, &interp_base, &start);
	if (!err)
		err = map_stack(as, stack_pages);
	if (!err)
		err = push_initial_stack(as, ls, src.head, img, base, interp_base, sp);
	if (!err)
		*entry = start;
	src_close(&src);
	kfree(img);
	return err;
}

int
process_create(const struct process_spec *spec, struct process **out)
{
	struct process *p;
	struct cspace *cs = NULL;
	int err;

	if (spec->as->ended || (!spec->share_as && !list_empty(&spec->as->procs)) ||
	    (spec->share_as && list_empty(&spec->as->procs)))
		return -E_BUSY;
	if (mempool_charge(spec->pool, PROCESS_OVERHEAD_PAGES))
		return -E_NOMEM;
	p = kcalloc(1, sizeof(*p));
	if (!p || cspace_create(CAP_SLOTS, &cs)) {
		kfree(p);
		mempool_uncharge(spec->pool, PROCESS_OVERHEAD_PAGES);
		return -E_NOMEM;
	}
	kobject_init(&p->obj, KOBJ_PROCESS, &process_ops);
	p->cs = cs;
	p->pid = ++next_pid;
	strlcpy(p->name, spec->name, sizeof(p->name));
	p->pool = spec->pool;
	kobject_ref(&p->pool->obj);
	p->arg = spec->arg;
	p->as = spec->as;
	list_add_tail(&p->as->procs, &p->as_link);
	p->personality = p->as->personality;
	wait_queue_init(&p->exit_wq);
	wait_queue_init(&p->reaped_wq);
	readiness_init(&p->ready, SIGNAL_ENDED);
	list_init(&p->threads);
	list_add_tail(&all_processes, &p->all_link);

	err = cap_install(p->cs, CAP_SLOT_ADDRESS_SPACE, &p->as->obj, CAP_RIGHTS_ALL, 0);
	if (err) {
		kobject_ref(&p->as->obj); /* the caller's reference stays the caller's */
		kobject_unref(&p->obj);	  /* destroys it, charges and all */
		return err;
	}
	p->entry = spec->entry;
	p->initial_sp = spec->sp;
	p->state = PROCESS_LIVE;
	*out = p;
	return 0;
}

void
process_discard(struct process *p)
{
	p->state = PROCESS_DEAD;
	cspace_close(p->cs); /* its own AddressSpace capability references it */
	kobject_unref(&p->obj);
}

/* Where a thread starts in user mode. */
struct user_start {
	uintptr_t pc, sp;
	uint64_t arg;
};

/* A thread's first code: into user mode, through the same frame every
 * later return uses, so it can be suspended before its first
 * instruction too. */
static void
user_thread_entry(void *arg)
{
	struct user_start start = *(struct user_start *)arg;
	struct arch_regs *regs = thread_user_regs(thread_current());

	kfree(arg);
	arch_user_regs_init(regs, start.pc, start.sp, start.arg);
	process_user_return();
	arch_enter_user(regs);
}

bool
process_user_return(void)
{
	bool waited = thread_park_if_suspended();

	if (thread_should_stop()) {
		arch_irq_enable();
		process_stop_current();
	}
	return waited;
}

/* A forked thread's first code: its parent's registers, copied. */
static void
user_thread_entry_forked(void *arg)
{
	struct arch_regs *regs = thread_user_regs(thread_current());

	*regs = *(struct arch_regs *)arg;
	kfree(arg);
	process_user_return();
	arch_enter_user(regs);
}

/* A new thread of p running entry(start) (capability lock held: it
 * cannot run before we return), which frees start; NULL (start freed)
 * when out of memory.  The caller has the reference the thread will own. */
static struct thread *
add_thread_at(struct process *p, void (*entry)(void *), void *start)
{
	struct ipc_state *st = ipc_state_alloc(NULL);
	struct thread *t = NULL;

	if (start && st)
		t = thread_create_user(p->name, entry, start, p, &p->as->vm);
	if (!t) {
		kfree(start);
		kfree(st);
		return NULL;
	}
	st->thread = t;
	t->ipc = st;
	list_add_tail(&p->threads, &t->proc_link);
	p->nthreads++;
	p->unreaped++;
	return t;
}

static struct thread *
add_thread(struct process *p, uintptr_t pc, uintptr_t sp, uint64_t arg)
{
	struct user_start *start = kmalloc(sizeof(*start));

	if (start) {
		start->pc = pc;
		start->sp = sp;
		start->arg = arg;
	}
	return add_thread_at(p, user_thread_entry, start);
}

int
process_start_forked(struct process *p, const struct arch_regs *regs, uint64_t tls)
{
	struct arch_regs *copy = kmalloc(sizeof(*copy));
	struct thread *t;

	if (copy)
		*copy = *regs;
	t = add_thread_at(p, user_thread_entry_forked, copy);
	if (!t) {
		process_discard(p);
		return -E_NOMEM;
	}
	p->main = t;
	arch_tls_replace(&t->tls, tls);
	/* The FPU registers are the caller's still (the kernel never
	 * touches them): the child starts with the same. */
	arch_fpu_save(&t->fpu);
	return 0;
}

int
process_start(struct process *p)
{
	struct thread *t = add_thread(p, p->entry, p->initial_sp, p->arg);

	if (!t) {
		process_discard(p);
		return -E_NOMEM;
	}
	p->main = t; /* it owns the creator's reference now */
	return 0;
}

/* Kernel memory per extra thread: its stack, guard page and structures. */
#define THREAD_COST_PAGES (THREAD_STACK_PAGES + 2)

int
process_thread_create(struct process *p, uintptr_t pc, uintptr_t sp, uint64_t arg, uint64_t *tid,
		      struct thread_handle **handle)
{
	struct thread_handle *h = NULL;
	struct thread *t;

	if (p->state != PROCESS_LIVE)
		return -E_DEAD;
	if (handle && !(h = kcalloc(1, sizeof(*h))))
		return -E_NOMEM;
	if (process_charge(p, THREAD_COST_PAGES)) {
		kfree(h);
		return -E_NOMEM;
	}
	kobject_ref(&p->obj); /* the thread's */
	t = add_thread(p, pc, sp, arg);
	if (!t) {
		kobject_unref(&p->obj);
		process_uncharge(p, THREAD_COST_PAGES);
		kfree(h);
		return -E_NOMEM;
	}
	if (h) {
		thread_handle_init(h, t);
		*handle = h;
	}
	*tid = t->id;
	return 0;
}

int
process_thread_create_forked(struct process *p, const struct arch_regs *regs, uint64_t tls,
			     struct thread **out)
{
	struct arch_regs *copy;
	struct thread *t;

	if (p->state != PROCESS_LIVE)
		return -E_DEAD;
	if (process_charge(p, THREAD_COST_PAGES))
		return -E_NOMEM;
	copy = kmalloc(sizeof(*copy));
	if (copy)
		*copy = *regs;
	kobject_ref(&p->obj); /* the thread's */
	t = add_thread_at(p, user_thread_entry_forked, copy);
	if (!t) {
		kobject_unref(&p->obj);
		process_uncharge(p, THREAD_COST_PAGES);
		return -E_NOMEM;
	}
	arch_tls_replace(&t->tls, tls);
	arch_fpu_save(&t->fpu); /* the caller's FPU registers, as for a fork */
	*out = t;
	return 0;
}

int
process_thread_kill(struct thread_handle *h)
{
	struct thread *t = h->thread;

	if (!t || t->proc->state != PROCESS_LIVE)
		return -E_DEAD;
	t->stop_alone = true;
	thread_request_stop(t->id);
	ipc_thread_leave(t);
	return 0;
}

void
process_adopt_main(struct process *p, struct thread *t)
{
	if (p->main == t)
		return;
	p->main = t;
	process_uncharge(p, THREAD_COST_PAGES); /* the overhead pays for it now */
}

void
process_stop_current(void)
{
	struct thread *t = thread_current();

	if (t->stop_alone && t->proc->state == PROCESS_LIVE)
		process_thread_exit();
	process_exit(-E_DEAD);
}

/* Asks every thread of p but the caller to stop; each leaves its IPC
 * queues now and ends on its way to user mode. */
static void
process_stop_threads(struct process *p)
{
	struct thread *self = thread_current();

	list_for_each (n, &p->threads) {
		struct thread *t = container_of(n, struct thread, proc_link);

		if (t != self) {
			t->stop_alone = false; /* the whole process goes */
			thread_request_stop(t->id);
			ipc_thread_leave(t);
		}
	}
}

/* The calling thread leaves p (capability lock held). */
static void
thread_leaves(struct process *p)
{
	struct thread *t = thread_current();

	ipc_thread_leave(t);
	process_cputime_leave(p, t);
	list_del(&t->proc_link);
	p->nthreads--;
	if (t->handle) {
		t->handle->thread = NULL; /* its capabilities now say -E_DEAD */
		t->handle = NULL;
	}
}

long
process_wait(struct process *p)
{
	unsigned long flags = cap_lock_take();
	long status;

	while (p->state == PROCESS_LIVE)
		cap_lock_wait(&p->exit_wq);
	status = p->exit_status;
	cap_lock_drop(flags);
	return status;
}

/* The held-back report goes to the supervisor (capability lock held);
 * it keeps p alive until received, and is then its last reference but
 * for any Process capabilities. */
static void
send_report(struct process *p)
{
	p->report_pending = false;
	if (!p->supervisor)
		return;
	endpoint_kernel_send(p->supervisor, p->supervisor_badge, p->report_event, p->report_words,
			     &p->report_fault,
			     p->report_event == PROCESS_EVENT_FAULT ? sizeof(p->report_fault) : 0,
			     &p->obj);
	kobject_unref(&p->supervisor->obj);
	p->supervisor = NULL;
}

/* Ends the process (capability lock held): its capabilities go now; the
 * supervisor hears once the reaper has freed its last thread, and the
 * rest goes with the last reference. */
static void
process_end(struct process *p, uint64_t event, long status, uint64_t addr, uint64_t pc)
{
	p->state = PROCESS_DEAD;
	p->exit_status = status;
	if (p->lx) {
		linux_proc_ended(p); /* no timer or ^C reaches its threads now */
		linux_proc_end(p, event, status);
	}
	wait_queue_wake_all(&p->exit_wq);
	readiness_update(&p->ready, 0, SIGNAL_ENDED);
	process_stop_threads(p); /* the others end on their way to user mode */
	cspace_close(p->cs);	 /* nothing enters it from now on */
	p->report_event = event;
	p->report_words[0] = p->pid;
	p->report_words[1] = (uint64_t)status;
	p->report_words[2] = addr;
	p->report_words[3] = pc;
	p->report_pending = true;
	if (p->unreaped == 0)
		send_report(p);
}

void
process_kill(struct process *p)
{
	if (p->state == PROCESS_LIVE)
		process_end(p, PROCESS_EVENT_EXIT, -E_DEAD, 0, 0);
}

int
process_kill_thread_id(uint64_t tid)
{
	unsigned long flags = cap_lock_take();
	int err = -E_NOENT;

	list_for_each (n, &all_processes) {
		struct process *p = container_of(n, struct process, all_link);

		list_for_each (m, &p->threads)
			if (container_of(m, struct thread, proc_link)->id == tid) {
				err = p->state == PROCESS_LIVE ? 0 : -E_DEAD;
				process_kill(p);
				break;
			}
		if (err != -E_NOENT)
			break;
	}
	cap_lock_drop(flags);
	return err;
}

void
process_exit(long status)
{
	struct process *p = process_current();
	unsigned long flags;

	if (p->lx)
		linux_proc_exiting(p);
	flags = cap_lock_take();

	if (p->state == PROCESS_LIVE)
		process_end(p, PROCESS_EVENT_EXIT, status, 0, 0);
	thread_leaves(p);
	cap_lock_drop(flags);
	thread_exit((int)status);
}

void
process_thread_exit(void)
{
	struct process *p = process_current();
	unsigned long flags;

	if (p->lx && p->nthreads == 1)
		linux_proc_exiting(p);
	flags = cap_lock_take();

	if (p->nthreads == 1 && p->state == PROCESS_LIVE)
		process_end(p, PROCESS_EVENT_EXIT, 0, 0, 0);
	thread_leaves(p);
	cap_lock_drop(flags);
	thread_exit(0);
}

bool
fault_user_signal(struct arch_regs *regs, const struct fault_info *fi)
{
	struct process *p = process_current();

	if (!p || !p->lx)
		return false;
	linux_signal_fault(regs, fi);
	return true;
}

void
fault_user(struct arch_regs *regs, const struct fault_info *fi)
{
	struct process *p = process_current();
	unsigned long flags;

	(void)regs;
	if (!p)
		panic("user-mode fault in a kernel thread");
	printk("process %s (pid %lu) killed: %s", p->name, p->pid, fi->name);
	if (fi->has_addr)
		printk(" at %016lx (%s, %s)", fi->addr,
		       fi->access & FAULT_EXEC	  ? "exec"
		       : fi->access & FAULT_WRITE ? "write"
						  : "read",
		       fi->access & FAULT_PRESENT ? "protection" : "not present");
	printk(", pc %016lx\n", fi->pc);
	arch_irq_enable();
	if (p->lx)
		linux_proc_exiting(p);
	flags = cap_lock_take();
	if (p->state == PROCESS_LIVE) {
		p->report_fault.kind = fi->kind;
		p->report_fault.access = fi->access & FAULT_REPORT_ACCESS;
		process_end(p, PROCESS_EVENT_FAULT, -E_FAULT, fi->has_addr ? fi->addr : 0, fi->pc);
	}
	thread_leaves(p);
	cap_lock_drop(flags);
	thread_exit(-E_FAULT);
}

void
process_thread_reaped(struct thread *t)
{
	unsigned long flags = cap_lock_take();

	ipc_thread_free(t);
	if (t != t->proc->main)
		process_uncharge(t->proc, THREAD_COST_PAGES);
	cap_lock_drop(flags);
}

void
process_thread_freed(struct process *p)
{
	unsigned long flags = cap_lock_take();

	if (--p->unreaped == 0 && p->report_pending)
		send_report(p);
	wait_queue_wake_all(&p->reaped_wq);
	kobject_unref(&p->obj);
	cap_lock_drop(flags);
}

void
process_print_all(void)
{
	unsigned long flags = cap_lock_take();

	printk("  PID  NAME                  STATE  MEMORY(pages)  USED\n");
	list_for_each (n, &all_processes) {
		struct process *p = container_of(n, struct process, all_link);

		printk("%5lu  %-20s  %-5s  %13lu  %4lu\n", p->pid, p->name,
		       p->state == PROCESS_LIVE ? "live" : "dead", p->pool->limit, p->pool->used);
	}
	cap_lock_drop(flags);
}

void
process_for_each(void (*fn)(struct process *p, void *ctx), void *ctx)
{
	list_for_each (n, &all_processes)
		fn(container_of(n, struct process, all_link), ctx);
}
