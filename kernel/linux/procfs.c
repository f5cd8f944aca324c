/*
 * /proc of the Linux view: a directory per process of the caller's
 * personality instance (self links to the caller's) with exe, cwd and
 * root (links), fd/ (a link per descriptor), task/ (a directory per
 * thread: cmdline, comm, stat, status), cmdline, comm, stat, status,
 * maps and environ; meminfo, uptime, mounts, cpuinfo.  Texts are made when looked up
 * (a snapshot, as a read of Linux's from the start).  A process outside
 * the instance has no directory here, as in a container.  root is "/":
 * the process's own root, beyond which nothing here leads.
 */
#include "arch/arch.h"
#include "cap/lock.h"
#include "core/time.h"
#include "fs/vnode.h"
#include "lib/cputime.h"
#include "lib/format.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/file.h"
#include "linux/proc.h"
#include "linux/synth.h"
#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "object/address_space.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "proc/user_memory.h"
#include "sched/cputime.h"
#include "sched/thread.h"
#include "themelios/abi.h"

#define PROC_INO_BASE 0x2000
#define TEXT_MAX      16384
#define NSEC	      1000000000ul
#define HZ	      100

/* The process a /proc directory name stands for: "self" or a pid of
 * this instance not yet reaped, its process referenced (put_proc) so
 * that its state stays while its text is made. */
static struct linux_proc *
find_proc(const char *name, size_t len)
{
	struct linux_proc *lp = lx_current(), *q;
	unsigned long irq;
	uint64_t pid = 0;

	if (len == 4 && !strncmp(name, "self", 4)) {
		pid = lp->pid;
	} else {
		if (len == 0 || len > 10)
			return NULL;
		for (size_t i = 0; i < len; i++) {
			if (name[i] < '0' || name[i] > '9')
				return NULL;
			pid = pid * 10 + (uint64_t)(name[i] - '0');
		}
	}
	irq = cap_lock_take();
	q = linux_family_find(lp, pid);
	if (q && (!q->counted || !q->proc))
		q = NULL;
	if (q)
		kobject_ref(&q->proc->obj);
	cap_lock_drop(irq);
	return q;
}

static void
put_proc(struct linux_proc *q)
{
	unsigned long irq = cap_lock_take();

	kobject_unref(&q->proc->obj);
	cap_lock_drop(irq);
}

/* stat's utime, stime, cutime and cstime, in clock ticks. */
struct stat_times {
	uint64_t utime, stime, cutime, cstime;
};

/* The process's times, or with task those of its thread tid (0 once it
 * has gone), and its reaped children's either way, as Linux's. */
static struct stat_times
stat_times(struct linux_proc *lp, uint64_t tid, bool task)
{
	unsigned long irq = cap_lock_take();
	struct cputime ct = { 0, 0, 0 };
	struct stat_times st;
	struct thread *t;

	if (!task)
		process_cputime(lp->proc, &ct);
	else if ((t = linux_live_thread(lp, tid)))
		thread_cputime(t, &ct);
	st.utime = cputime_ns_to_ticks(ct.utime_ns, HZ);
	st.stime = cputime_ns_to_ticks(ct.stime_ns, HZ);
	st.cutime = cputime_ns_to_ticks(lp->cutime_ns, HZ);
	st.cstime = cputime_ns_to_ticks(lp->cstime_ns, HZ);
	cap_lock_drop(irq);
	return st;
}

/* A text built with fmt_snprintf into a TEXT_MAX buffer. */
struct text {
	char *buf;
	size_t len;
};

#define ADD(t, ...)                                                                                \
	do {                                                                                       \
		if ((t)->len < TEXT_MAX)                                                           \
			(t)->len += (size_t)fmt_snprintf((t)->buf + (t)->len, TEXT_MAX - (t)->len, \
							 __VA_ARGS__);                             \
		if ((t)->len >= TEXT_MAX)                                                          \
			(t)->len = TEXT_MAX - 1;                                                   \
	} while (0)

static long
finish(struct lx_synth *out, struct text *t, uint64_t ino)
{
	bool ok = lx_synth_text(out, t->buf, t->len);

	kfree(t->buf);
	if (!ok)
		return -LX_ENOMEM;
	out->kind = SYN_TEXT;
	out->mode = VFS_S_IFREG | 0444;
	out->ino = ino;
	return 1;
}

void
linux_comm(const struct linux_proc *lp, char out[16])
{
	const char *base = lp->exe;

	if (lp->comm[0]) {
		strlcpy(out, lp->comm, 16);
		return;
	}
	for (const char *s = lp->exe; *s; s++)
		if (*s == '/')
			base = s + 1;
	strlcpy(out, base, 16);
}

static uint64_t
vm_pages(struct address_space *as, uint64_t *out_rss)
{
	uint64_t pages = 0;
	uintptr_t va = 0;
	struct vm_region *r;

	mutex_lock(&as->lock);
	while ((r = region_next(&as->regions, va))) {
		pages += (r->end - r->start) / PAGE_SIZE_4K;
		va = r->end;
	}
	mutex_unlock(&as->lock);
	*out_rss = as->pool ? as->pool->used : 0;
	return pages;
}

/* stat and status of the process, or of its thread tid (task/TID:
 * the same but for the pid field and the thread's own CPU time, Linux's
 * per-thread view). */
static void
stat_text(struct text *t, struct linux_proc *lp, uint64_t tid, bool task)
{
	struct process *p = lp->proc;
	uint64_t rss, vm = vm_pages(p->as, &rss);
	struct stat_times ct = stat_times(lp, tid, task);
	/* The console (5:1) for a process of the session it belongs to. */
	long tpgid = linux_tty_pgrp(lp);
	char comm[16];

	linux_comm(lp, comm);
	ADD(t,
	    "%lu (%s) %c %lu %lu %lu %d %ld 4194304 0 0 0 0 %lu %lu %lu %lu 20 0 %u 0 0 %lu %lu ",
	    tid, comm,
	    lp->zombie	  ? 'Z'
	    : lp->stopped ? 'T'
			  : 'R',
	    (lp->parent ? lp->parent->pid : 0), lp->pgid, lp->sid, tpgid < 0 ? 0 : 5 << 8 | 1,
	    tpgid < 0 ? -1 : tpgid, ct.utime, ct.stime, ct.cutime, ct.cstime, lp->nthreads,
	    vm * PAGE_SIZE_4K, rss);
	ADD(t, "18446744073709551615 0 0 %lu 0 0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 ",
	    (uint64_t)p->initial_sp, lp->shared.set | lp->main.pending.set, lp->main.sigmask, 0ul,
	    0ul);
	ADD(t, "0 0 %lu %lu 0 0 0\n", p->as->image_end, p->initial_sp);
}

static void
status_text(struct text *t, struct linux_proc *lp, uint64_t tid)
{
	uint64_t rss, vm = vm_pages(lp->proc->as, &rss), ign = 0, cgt = 0;
	uint32_t umask = __atomic_load_n(&lp->fs->umask, __ATOMIC_RELAXED);
	char comm[16];

	linux_comm(lp, comm);
	for (int i = 0; i < LX_NSIG; i++) {
		if (lp->act[i].handler == LX_SIG_IGN)
			ign |= 1ull << i;
		else if (lp->act[i].handler != LX_SIG_DFL)
			cgt |= 1ull << i;
	}
	/* The umask in octal, digit by digit (the formatter has no %o). */
	ADD(t, "Name:\t%s\nUmask:\t%u%u%u%u\nState:\t%s\nTgid:\t%lu\nNgid:\t0\nPid:\t%lu\n", comm,
	    (umask >> 9) & 7, (umask >> 6) & 7, (umask >> 3) & 7, umask & 7,
	    lp->zombie	  ? "Z (zombie)"
	    : lp->stopped ? "T (stopped)"
			  : "R (running)",
	    lp->pid, tid);
	ADD(t, "PPid:\t%lu\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%u\n",
	    (lp->parent ? lp->parent->pid : 0), (unsigned int)LINUX_FD_MAX);
	ADD(t, "Groups:\t\nVmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t%u\n", vm * 4, rss * 4,
	    lp->nthreads);
	/* SigQ: the siginfos queued and RLIMIT_SIGPENDING (Linux's are the
	 * user's; here the process's). */
	ADD(t, "SigQ:\t%u/%lu\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n", lp->sigq_count,
	    lp->rlim_cur[LX_RLIMIT_SIGPENDING], lp->main.pending.set, lp->shared.set,
	    lp->main.sigmask);
	ADD(t, "SigIgn:\t%016lx\nSigCgt:\t%016lx\n", ign, cgt);
}

static void
maps_text(struct text *t, struct linux_proc *lp)
{
	struct address_space *as = lp->proc->as;
	uintptr_t va = 0, sp = lp->proc->initial_sp;
	struct vm_region *r;

	mutex_lock(&as->lock);
	while ((r = region_next(&as->regions, va)) && t->len < TEXT_MAX - 128) {
		const char *name = "";

		if (sp >= r->start && sp < r->end)
			name = "[stack]";
		else if (as->brk > as->image_end && r->start >= as->image_end && r->start < as->brk)
			name = "[heap]";
		ADD(t, "%08lx-%08lx %c%c%c%c %08lx 00:00 0", r->start, r->end,
		    r->flags & VM_READ ? 'r' : '-', r->flags & VM_WRITE ? 'w' : '-',
		    r->flags & VM_EXEC ? 'x' : '-',
		    (r->file && r->file_shared) || r->shared ? 's' : 'p',
		    r->file ? r->file_page * PAGE_SIZE_4K : 0);
		ADD(t, "%s%s\n", name[0] ? "                          " : "", name);
		va = r->end;
	}
	mutex_unlock(&as->lock);
}

/* argv as the program got it: the strings the initial stack points at,
 * each with its NUL. */
static void
cmdline_text(struct text *t, struct linux_proc *lp)
{
	struct address_space *as = lp->proc->as;
	uintptr_t sp = lp->proc->initial_sp, argv;
	uint64_t argc;

	/* Read from its memory as it is (another process's too); nothing
	 * for one that has ended, as Linux. */
	if (lp->zombie || as_peek(as, sp, &argc, sizeof(argc)))
		return;
	for (uint64_t i = 0; i < argc && i < 256 && t->len < TEXT_MAX - 1; i++) {
		if (as_peek(as, sp + 8 * (i + 1), &argv, sizeof(argv)))
			return;
		for (;;) {
			char c;

			if (t->len >= TEXT_MAX - 1 || as_peek(as, argv++, &c, 1))
				return;
			t->buf[t->len++] = c;
			if (!c)
				break;
		}
	}
}

/*
 * The environment as the program got it, Linux's env_start to env_end:
 * in the initial stack (proc/initstack.h) its strings lie between the
 * last argument's and the program's name (AT_EXECFN), which ends at the
 * top; read from memory as they are now (a program's setenv and
 * unsetenv change other memory, as on Linux).
 */
static void
environ_text(struct text *t, struct linux_proc *lp)
{
	struct address_space *as = lp->proc->as;
	uintptr_t sp = lp->proc->initial_sp, last;
	size_t len, start = 0, end;
	uint64_t argc;

	if (lp->zombie || as_peek(as, sp, &argc, sizeof(argc)) || argc == 0 ||
	    as_peek(as, sp + 8 * argc, &last, sizeof(last)) || last >= USER_STACK_TOP ||
	    USER_STACK_TOP - last > TEXT_MAX)
		return;
	len = (size_t)(USER_STACK_TOP - last);
	if (as_peek(as, last, t->buf, len))
		return;
	while (start < len && t->buf[start])
		start++;
	start++; /* past the last argument's NUL */
	for (end = len - 1; end > start && t->buf[end - 1]; end--)
		;
	if (start >= end)
		return;
	memmove(t->buf, t->buf + start, end - start);
	t->len = end - start;
}

static void
meminfo_text(struct text *t)
{
	struct mempool *pool = process_current()->pool;
	uint64_t total = pool->limit * 4, used = pool->used * 4;
	uint64_t free = total > used ? total - used : 0;

	ADD(t, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n", total,
	    free, free);
	ADD(t, "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 "
	       "kB\n");
	ADD(t, "SwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 "
	       "kB\n");
}

static void
uptime_text(struct text *t)
{
	uint64_t ns = time_now_ns();

	ADD(t, "%lu.%02lu 0.00\n", ns / NSEC, ns % NSEC / (NSEC / 100));
}

/* A link of /proc/PID/fd: what the descriptor names, as Linux writes it. */
static bool
fd_target(struct linux_proc *lp, int fd, char *buf, size_t size)
{
	struct linux_file *f = lx_fd_get(lp, fd);

	if (!f)
		return false;
	if (f->kind == LXF_CONSOLE)
		strlcpy(buf, "/dev/console", size);
	else if (f->path)
		strlcpy(buf, f->path, size);
	else
		strlcpy(buf, "anon_inode:[unknown]", size);
	lx_file_put(f);
	return true;
}

static long
fd_dir(struct linux_proc *lp, const char *rest, struct lx_synth *out)
{
	char name[12];

	if (rest[0] == '\0' || !strcmp(rest, "/")) {
		lx_synth_dir(out, PROC_INO_BASE + 0x100);
		for (int fd = 0; fd < LINUX_FD_MAX; fd++) {
			struct linux_file *f;

			struct fdtable *t = lx_fds_lock_of(lp);

			f = fdtable_get(t, fd);
			lx_fds_unlock(lp, t);
			if (!f)
				continue;
			fmt_snprintf(name, sizeof(name), "%d", fd);
			if (!lx_synth_dir_add(out, LX_DT_LNK, name))
				return -LX_ENOMEM;
		}
		return 1;
	}
	int fd = 0;
	const char *s = rest + 1;

	if (!*s || strlen(s) > 4)
		return -LX_ENOENT;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -LX_ENOENT;
		fd = fd * 10 + (*s - '0');
	}
	char *target = kmalloc(VFS_PATH_MAX);

	if (!target)
		return -LX_ENOMEM;
	if (!fd_target(lp, fd, target, VFS_PATH_MAX)) {
		kfree(target);
		return -LX_ENOENT;
	}
	out->kind = SYN_LINK;
	out->mode = VFS_S_IFLNK | 0700;
	out->ino = PROC_INO_BASE + 0x200 + (uint64_t)fd;
	/* The caller's own reopens the description; another process's is
	 * followed by its path (its descriptors are not the caller's). */
	out->fd = lp == lx_current() ? fd : -1;
	bool ok = lx_synth_text(out, target, strlen(target));

	kfree(target);
	return ok ? 1 : -LX_ENOMEM;
}

static long
link_to(struct lx_synth *out, const char *target, uint64_t ino)
{
	out->kind = SYN_LINK;
	out->mode = VFS_S_IFLNK | 0777;
	out->ino = ino;
	return lx_synth_text(out, target, strlen(target)) ? 1 : -LX_ENOMEM;
}

/* The tids of lp's live threads into a directory's entries. */
static bool
add_tids(struct lx_synth *out, struct linux_proc *lp)
{
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);
	size_t cap = lp->nthreads + 8, n = 0;
	uint64_t *tids;
	char name[24];
	bool ok = true;

	spin_unlock_irqrestore(&lp->sig_lock, flags);
	tids = kmalloc(cap * sizeof(*tids));
	if (!tids)
		return false;
	flags = spin_lock_irqsave(&lp->sig_lock);
	list_for_each (it, &lp->threads)
		if (n < cap)
			tids[n++] = container_of(it, struct linux_thread, link)->tid;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	for (size_t i = 0; i < n && ok; i++) {
		fmt_snprintf(name, sizeof(name), "%lu", tids[i]);
		ok = lx_synth_dir_add(out, LX_DT_DIR, name);
	}
	kfree(tids);
	return ok;
}

/* The thread of lp that a task/ name stands for, as its tid; 0: none. */
static uint64_t
find_tid(struct linux_proc *lp, const char *name, size_t len)
{
	unsigned long flags;
	uint64_t tid = 0;
	bool found;

	if (len == 0 || len > 10)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		tid = tid * 10 + (uint64_t)(name[i] - '0');
	}
	flags = spin_lock_irqsave(&lp->sig_lock);
	found = linux_thread_find(lp, tid) != NULL;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return found ? tid : 0;
}

static long text_file(struct linux_proc *lp, uint64_t tid, bool task, const char *name,
		      struct lx_synth *out);

static const char *const task_entries[] = { "cmdline", "comm", "stat", "status" };

/* /proc/PID/task: a directory per thread, each with the texts Linux's
 * have that ps -T and libc read. */
static long
task_dir(struct linux_proc *lp, const char *rest, struct lx_synth *out)
{
	const char *name, *end;
	uint64_t tid;

	if (rest[0] == '\0' || !strcmp(rest, "/")) {
		lx_synth_dir(out, PROC_INO_BASE + 0x300);
		return add_tids(out, lp) ? 1 : -LX_ENOMEM;
	}
	name = rest + 1;
	end = strchr(name, '/');
	if (!end)
		end = name + strlen(name);
	tid = find_tid(lp, name, (size_t)(end - name));
	if (!tid)
		return -LX_ENOENT;
	if (end[0] == '\0' || !strcmp(end, "/")) {
		lx_synth_dir(out, PROC_INO_BASE + 0x400 + tid);
		for (size_t i = 0; i < sizeof(task_entries) / sizeof(task_entries[0]); i++)
			if (!lx_synth_dir_add(out, LX_DT_REG, task_entries[i]))
				return -LX_ENOMEM;
		return 1;
	}
	return text_file(lp, tid, true, end + 1, out);
}

static const char *const pid_entries[] = { "exe",  "cwd",  "root",   "fd",   "task",   "cmdline",
					   "comm", "stat", "status", "maps", "environ" };

static long
pid_dir(struct linux_proc *lp, const char *rest, struct lx_synth *out)
{
	struct text t;
	long r;

	if (rest[0] == '\0' || !strcmp(rest, "/")) { /* "/proc/1/" too */
		lx_synth_dir(out, PROC_INO_BASE + 1);
		for (size_t i = 0; i < sizeof(pid_entries) / sizeof(pid_entries[0]); i++)
			if (!lx_synth_dir_add(out,
					      i < 3   ? LX_DT_LNK
					      : i < 5 ? LX_DT_DIR
						      : LX_DT_REG,
					      pid_entries[i]))
				return -LX_ENOMEM;
		return 1;
	}
	rest++;
	if (!strcmp(rest, "exe")) {
		out->exe = true;
		return link_to(out, lp->exe, PROC_INO_BASE + 2);
	}
	if (!strcmp(rest, "root"))
		return link_to(out, "/", PROC_INO_BASE + 3);
	if (!strcmp(rest, "cwd")) {
		mutex_lock(&lp->fs->lock);
		r = link_to(out, lp->fs->cwd, PROC_INO_BASE + 4);
		mutex_unlock(&lp->fs->lock);
		return r;
	}
	if (!strncmp(rest, "fd", 2) && (rest[2] == '\0' || rest[2] == '/'))
		return fd_dir(lp, rest + 2, out);
	if (!strncmp(rest, "task", 4) && (rest[4] == '\0' || rest[4] == '/'))
		return task_dir(lp, rest + 4, out);
	if (!strcmp(rest, "maps")) {
		t.buf = kmalloc(TEXT_MAX);
		t.len = 0;
		if (!t.buf)
			return -LX_ENOMEM;
		maps_text(&t, lp);
		return finish(out, &t, PROC_INO_BASE + 0x10 + (uint64_t)rest[0]);
	}
	return text_file(lp, lp->pid, false, rest, out);
}

/* A text of /proc/PID or of /proc/PID/task/TID (task, tid). */
static long
text_file(struct linux_proc *lp, uint64_t tid, bool task, const char *name, struct lx_synth *out)
{
	struct text t;
	char comm[16];

	t.buf = kmalloc(TEXT_MAX);
	t.len = 0;
	if (!t.buf)
		return -LX_ENOMEM;
	if (!strcmp(name, "stat")) {
		stat_text(&t, lp, tid, task);
	} else if (!strcmp(name, "status")) {
		status_text(&t, lp, tid);
	} else if (!strcmp(name, "cmdline")) {
		cmdline_text(&t, lp);
	} else if (!strcmp(name, "environ") && tid == lp->pid) {
		environ_text(&t, lp);
	} else if (!strcmp(name, "comm")) {
		linux_comm(lp, comm);
		ADD(&t, "%s\n", comm);
	} else {
		kfree(t.buf);
		return -LX_ENOENT;
	}
	return finish(out, &t,
		      PROC_INO_BASE + 0x10 + (uint64_t)name[0] + (name[1] == 'o' ? 0x80 : 0));
}

/* A directory entry per process of lp's instance not yet reaped, in
 * pid order (its list's: pids only grow).  False when out of memory. */
static bool
add_pids(struct lx_synth *out, struct linux_proc *lp)
{
	uint64_t pids[LINUX_PROCS_MAX];
	unsigned long irq = cap_lock_take();
	size_t n = 0;
	char name[24];

	list_for_each (it, linux_family_procs(lp)) {
		struct linux_proc *q = container_of(it, struct linux_proc, inst_link);

		if (q->counted && n < LINUX_PROCS_MAX)
			pids[n++] = q->pid;
	}
	cap_lock_drop(irq);
	for (size_t i = 0; i < n; i++) {
		fmt_snprintf(name, sizeof(name), "%lu", pids[i]);
		if (!lx_synth_dir_add(out, LX_DT_DIR, name))
			return false;
	}
	return true;
}

static const char *const top_entries[] = { "self", "meminfo", "uptime", "mounts", "cpuinfo" };

long
lx_procfs_lookup(const char *rest, struct lx_synth *out)
{
	struct linux_proc *lp = lx_current();
	const char *name, *end;
	char pid[24];
	struct text t;

	if (rest[0] == '\0' || !strcmp(rest, "/")) {
		lx_synth_dir(out, PROC_INO_BASE);
		if (!add_pids(out, lp))
			return -LX_ENOMEM;
		for (size_t i = 0; i < sizeof(top_entries) / sizeof(top_entries[0]); i++)
			if (!lx_synth_dir_add(out, i ? LX_DT_REG : LX_DT_LNK, top_entries[i]))
				return -LX_ENOMEM;
		return 1;
	}
	name = rest + 1;
	end = strchr(name, '/');
	if (!end)
		end = name + strlen(name);
	if (!strcmp(name, "self")) {
		fmt_snprintf(pid, sizeof(pid), "%lu", lp->pid);
		return link_to(out, pid, PROC_INO_BASE + 5);
	}
	struct linux_proc *target = find_proc(name, (size_t)(end - name));

	if (target) {
		long r = pid_dir(target, end, out);

		put_proc(target);
		return r;
	}
	t.buf = kmalloc(TEXT_MAX);
	t.len = 0;
	if (!t.buf)
		return -LX_ENOMEM;
	if (!strcmp(name, "meminfo"))
		meminfo_text(&t);
	else if (!strcmp(name, "uptime"))
		uptime_text(&t);
	else if (!strcmp(name, "mounts"))
		ADD(&t, "rootfs / rootfs rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n"
			"devtmpfs /dev devtmpfs rw,nosuid 0 0\n");
	else if (!strcmp(name, "cpuinfo"))
		t.len = arch_linux_cpuinfo(t.buf, TEXT_MAX);
	else {
		kfree(t.buf);
		return -LX_ENOENT;
	}
	return finish(out, &t, PROC_INO_BASE + 0x20 + (uint64_t)name[0]);
}
