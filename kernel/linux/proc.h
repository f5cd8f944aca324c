/*
 * The Linux state of a process (kernel/linux/ only): descriptors, root
 * and working directory, the program break, limits and signal
 * dispositions.  The fork and thread work to come shares or
 * copies parts of it (the descriptor table is counted for CLONE_FILES).
 */
#ifndef LINUX_PROC_H
#define LINUX_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/vnode.h"
#include "core/time.h"
#include "lib/list.h"
#include "linux/fdtable.h"
#include "linux/signal.h"
#include "sched/wait.h"
#include "sched/mutex.h"
#include "sched/spinlock.h"
#include "sched/thread.h"
#include "syscall/syscall.h"

struct dir_object;
struct linux_instance;
struct mempool;
struct process;

#define LX_NSIG 64

/* A disposition as rt_sigaction stores it (the kernel's struct sigaction,
 * the same on x86_64 and aarch64). */
struct linux_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* struct termios of the kernel (TCGETS): the console's settings (tty.c). */
struct linux_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[19];
};

/*
 * A thread of a Linux process (linux/thread.c): what each thread has of
 * its own.  The first thread's is inside its process's state (main);
 * clone(CLONE_THREAD) allocates one more per thread.  Its signal fields
 * are under the process's sig_lock, as the process's are.
 */
struct linux_thread {
	uint64_t tid;	       /* numbered with the instance's pids */
	struct thread *thread; /* NULL: the process's first, not yet bound */
	struct list_node link; /* on linux_proc.threads while it lives */
	uintptr_t clear_child_tid, robust_list;
	uint64_t sigmask;
	struct linux_sigpending pending; /* tgkill's and faults': for this thread alone */
	uint64_t waitset; /* rt_sigtimedwait's set while it waits: taken as unblocked */
	/* sigaltstack's, as Linux keeps it: size 0 when there is none; the
	 * flags as given (SS_AUTODISARM). */
	struct linux_stack altstack;
	uint64_t saved_mask; /* rt_sigsuspend's: the mask to go back to */
	bool saved_mask_valid;
	bool regs_changed; /* by rt_sigreturn: the way back restores them all */
	/* A call that returned -ERESTARTSYS: its number and first argument. */
	bool restart;
	uint64_t restart_nr, restart_arg0;
	/* Its own descriptor table and working directory (clone of a
	 * thread without CLONE_FILES or CLONE_FS); NULL: the process's. */
	struct fdtable *fds;
	struct linux_fs *fs;
	uint64_t pages; /* a clone's: charged to the process's pool */
};

/* The working directory and umask, shared by CLONE_FS (linux/shared.c). */
struct linux_fs {
	struct mutex lock; /* cwd and umask */
	unsigned int refs; /* holders, changed atomically */
	uint32_t umask;
	char cwd[VFS_PATH_MAX]; /* canonical, from the root: "/", "/a/b" */
};

#define LX_RLIM_NLIMITS	     16
/* RLIMIT_SIGPENDING: the siginfos one process may have queued (Linux
 * counts a user's); its default, soft and hard.  Each is charged to
 * the process's pool too (signal.c). */
#define LX_RLIMIT_SIGPENDING 11
#define LX_SIGQUEUE_MAX	     1024
#define LX_EXE_MAX	     256

struct linux_proc {
	/* The process's own state; its threads' uses of the descriptor
	 * table too (with the table's lock: lx_fds_lock). */
	struct mutex lock;
	/* What clone may share with other processes (linux/shared.c), each
	 * with its own lock: the descriptor table, inside a struct
	 * linux_files (CLONE_FILES), and the working directory and umask
	 * (CLONE_FS).  A thread made without them has its own (its
	 * linux_thread's fds and fs). */
	struct fdtable *fds;
	struct linux_fs *fs;
	bool fds_left; /* its use of fds has ended (lx_files_exit) */
	/* A vfork parent waiting for it to exec or end, woken at either
	 * (under the capability lock, while it waits: with CLONE_PARENT
	 * it is not the child's parent). */
	struct linux_proc *vfork_waiter;
	struct dir_object *root; /* referenced; NULL: no filesystem */
	uint64_t pid;		 /* numbered in its personality instance */
	struct process *proc;
	char exe[LX_EXE_MAX]; /* the program's path from the root (/proc/self/exe) */
	char comm[16];	      /* prctl(PR_SET_NAME)'s; "": the basename of exe */
	/* Signals (linux/signal.h), under sig_lock: interrupts send them.
	 * shared is the process's pending set (any thread not blocking one
	 * takes it); each thread's own mask and pending set are in its
	 * linux_thread, on threads.  sigq_count siginfos are queued on all
	 * of them, sigq_pages charged to the pool for them. */
	struct spinlock sig_lock;
	struct linux_sigpending shared;
	unsigned int sigq_count;
	uint64_t sigq_pages;
	struct linux_sigaction act[LX_NSIG];
	struct linux_thread main; /* the first thread's */
	struct list_node threads; /* linux_thread.link: the live ones */
	unsigned int nthreads;	  /* on threads */
	/* Job control (signal.c), changed under the capability lock and
	 * sig_lock both: stopped by stop_sig until SIGCONT or SIGKILL;
	 * wait4 reports a stop once (stop_report, WUNTRACED) and a
	 * continue once (cont_report, WCONTINUED). */
	bool stopped;
	bool stop_report, cont_report;
	int stop_sig;
	bool ended;		  /* linux_proc_ended: no thread to wake */
	uintptr_t sigreturn_page; /* aarch64 without sa_restorer; 0: not yet */
	/* ITIMER_REAL and alarm: SIGALRM at real_deadline, then every
	 * real_interval ns (0: once). */
	struct time_event real_timer;
	uint64_t real_deadline, real_interval;
	/* ITIMER_VIRTUAL and ITIMER_PROF (timer.c), under sig_lock: the
	 * signal when the process's user time (VIRTUAL) or user and system
	 * time (PROF), as the tick samples them, reaches cpu_expires (0:
	 * disarmed), then every cpu_incr ns.  [0] VIRTUAL, [1] PROF. */
	uint64_t cpu_expires[2], cpu_incr[2];
	/* The user and system time of its reaped children and of theirs
	 * (cputime.c; Linux's cutime and cstime), under the capability lock. */
	uint64_t cutime_ns, cstime_ns;
	uint64_t rlim_cur[LX_RLIM_NLIMITS], rlim_max[LX_RLIM_NLIMITS];
	uint64_t pages; /* charged to the process's pool */
	/* The process tree (linux/family.c), under the capability lock. */
	struct linux_instance *inst; /* referenced */
	struct linux_proc *parent;   /* NULL: the instance's first, or orphaned */
	struct list_node children;   /* their sibling links; each references its process */
	struct list_node sibling;    /* on parent->children */
	struct list_node inst_link;  /* on inst->procs */
	uint64_t pgid, sid;	     /* process group and session */
	bool zombie;		     /* ended, not yet waited for */
	bool counted;		     /* in inst's count of processes (until reaped) */
	bool execed;		     /* has run execve since its fork (vfork waits for it) */
	int exit_signal;	     /* sent to the parent at the end (clone's CSIGNAL) */
	struct vnode *exe_vn;	     /* the program execve ran, referenced; NULL: the first's */
	uint32_t wstatus;	     /* wait4's status once ended */
	int term_signal;	     /* the signal that ends it, set before a kill */
	struct wait_queue child_wq;  /* a child ended (wait4, waitid, vfork) */
};

/* A NUL-terminated user string into buf (size bytes), a page at a time
 * (fs.c): its length, -LX_EFAULT, or toolong when it does not fit. */
long lx_copy_user_string(uintptr_t u, char *buf, size_t size, long toolong);

/* The console tty (tty.c).  lp's descriptors are on the console: its
 * session has it as controlling terminal, its group in the foreground. */
void linux_tty_attach(struct linux_proc *lp);
/* lp ends (capability lock held): when it is the leader of the session
 * the console belongs to, the console hangs up (its foreground group
 * gets SIGHUP, the descriptions opened on it so far are hung up) and
 * belongs to no session. */
void linux_tty_detach(struct linux_proc *lp);
/* The hangups so far (a new description of the console keeps the
 * count), and whether the console has hung up since f was opened: its
 * reads then give 0, its writes and ioctls -LX_EIO (TIOCSPGRP
 * -LX_ENOTTY), as Linux's hung_up_tty_fops. */
struct linux_file;
uint32_t linux_tty_hangups(void);
bool linux_tty_hung_up(const struct linux_file *f);
/* An open of the console by lp: /dev/tty (dev_tty) is -LX_ENXIO unless
 * the console is lp's controlling terminal; another open by a session
 * leader, without O_NOCTTY (noctty), makes it lp's session's terminal
 * when no session has it.  0 otherwise. */
long linux_tty_open(struct linux_proc *lp, bool dev_tty, bool noctty);
/* TIOCGPGRP: lp's foreground group, -LX_ENOTTY when the console is not
 * its controlling terminal (also /proc/PID/stat's tty_nr and tpgid). */
long linux_tty_pgrp(struct linux_proc *lp);
/* TIOCSPGRP: -LX_ENOTTY, -LX_EINVAL, -LX_ESRCH, -LX_EPERM, or a
 * background caller's SIGTTOU (below). */
long linux_tty_set_pgrp(struct linux_proc *lp, int32_t pgrp);
/* TIOCSCTTY: lp, a session leader (-LX_EPERM), takes the console when
 * no session has it, or with steal. */
long linux_tty_set_ctty(struct linux_proc *lp, bool steal);
/*
 * Job control: may lp, outside the foreground group of the session the
 * console is the terminal of, go on with an access that sig (SIGTTIN or
 * SIGTTOU) stops?  0 when it may (not that session, the foreground
 * group, or SIGTTOU ignored or blocked); -LX_EIO for SIGTTIN ignored or
 * blocked, or an orphaned group; else sig goes to lp's group and
 * -LX_ERESTARTSYS: the call starts again once the group continues.
 */
long linux_tty_check(struct linux_proc *lp, int sig);
/* A write: the check for SIGTTOU when TOSTOP is set, else 0. */
long linux_tty_check_write(struct linux_proc *lp);
/* TCGETS, and TCSETS (a background caller's SIGTTOU first). */
struct linux_termios;
void linux_tty_get_termios(struct linux_termios *t);
long linux_tty_set_termios(struct linux_proc *lp, const struct linux_termios *t);

/* A thread's end: 0 into its clear_child_tid word (set_tid_address) and
 * one waiter there woken (thread.c). */
void linux_clear_child_tid(struct linux_thread *lt);

/* The calling thread's Linux state (never NULL inside a Linux call).
 * Inline: every Linux call asks on its way back to user mode, and
 * only a process's first call goes further (thread.c). */
struct linux_thread *lx_thread_adopt_main(void);

static inline struct linux_thread *
lx_thread_current(void)
{
	struct linux_thread *lt = thread_current()->lx;

	return lt ? lt : lx_thread_adopt_main();
}

/* lp's first thread, in its list of threads (a new process's state). */
void linux_thread_init_main(struct linux_proc *lp);

/* clone(CLONE_THREAD) (thread.c): a new thread of the caller's process
 * on stack sp with TLS tls; its tid or an errno. */
long linux_thread_clone(uint64_t flags, uintptr_t sp, uintptr_t ptid, uintptr_t ctid, uint64_t tls);

/*
 * execve from a process with several threads (exec.c): before the other
 * threads are ended, their states leave lp's list onto others (no signal
 * reaches them any more); once they have all been freed (done), their
 * states go too and the caller's becomes the first thread's, taking the
 * pid as its tid with its mask and pending signals; when the exec failed
 * (the process is ending) they go back to lp's list.
 */
void linux_threads_exec_begin(struct linux_proc *lp, struct list_node *others);
void linux_threads_exec_end(struct linux_proc *lp, struct list_node *others, bool done);

/* Frees every thread's state but the first's (the process is freed). */
void linux_threads_release(struct linux_proc *lp);

/* The thread tid of lp (sig_lock held), or NULL. */
struct linux_thread *linux_thread_find(struct linux_proc *lp, uint64_t tid);

/*
 * The parts of a process clone may share (linux/shared.c).  A table is
 * held by each process (and thread with its own) that has it; its
 * descriptors close when the last of them ends (lx_files_exit, once per
 * holder), and its memory goes with the last reference (lx_files_put:
 * a process's release, under the capability lock).  Allocations are
 * charged by the caller (a linux_proc's pages count one of each).
 * Locks: lp->lock, then the table's; the fs's alone.
 */
struct fdtable *lx_files_new(void);
/* A copy of t (each file referenced once more), or NULL; lp is the
 * caller's process (its lock is taken, then t's). */
struct fdtable *lx_files_copy(struct linux_proc *lp, struct fdtable *t);
/* One more holder of t (CLONE_FILES). */
void lx_files_share(struct linux_proc *lp, struct fdtable *t);
/* A holder's use of t ends: the last one closes its descriptors. */
void lx_files_exit(struct linux_proc *lp, struct fdtable *t);
/* A holder's reference goes; locked: under the capability lock. */
void lx_files_put(struct fdtable *t, bool locked);
/* The calling thread's table, locked with lp->lock (lp is the caller's
 * process); lx_fds_lock_of locks lp's own table (another process's). */
struct fdtable *lx_fds_lock(struct linux_proc *lp);
struct fdtable *lx_fds_lock_of(struct linux_proc *lp);
void lx_fds_unlock(struct linux_proc *lp, struct fdtable *t);
/* The calling process's end of its use of its table (once). */
void lx_fds_exit(struct linux_proc *lp);
/*
 * execve, once the other threads have ended and before their states go:
 * the caller's table and working directory become the process's, the
 * others' own go, and the table is unshared (a copy of the caller's,
 * made before the point of no return, when another process holds it
 * too; NULL: none needed), as Linux's execve unshares it.
 */
void lx_shared_exec(struct linux_proc *lp, struct list_node *others, struct fdtable *unshared);
/* unshare(CLONE_FILES, CLONE_FS): the calling thread's table or
 * directory, when anyone else uses it, becomes a copy of its own (the
 * process's, when it is the only thread): 0 or -LX_ENOMEM. */
long lx_unshare(struct linux_proc *lp, bool files, bool fs);

struct linux_fs *lx_fs_new(const char *cwd, uint32_t umask);
struct linux_fs *lx_fs_copy(struct linux_fs *fs);
void lx_fs_share(struct linux_fs *fs);
void lx_fs_put(struct linux_fs *fs);
/* The calling thread's working directory and umask (not locked; the
 * umask is read and written atomically, the directory under fs->lock). */
struct linux_fs *lx_fs(struct linux_proc *lp);
uint32_t lx_umask(void);

/* The program's path (execve sets it; at spawn it is the process's
 * name, which linux.run makes the path). */
void linux_set_exe(struct linux_proc *lp, const char *path);

/* The process's name as /proc shows it (prctl's, else the basename of
 * its program), at most 15 bytes and a NUL. */
void linux_comm(const struct linux_proc *lp, char out[16]);

/* Disarms lp's interval timers (the process has ended or is freed). */
void linux_timer_release(struct linux_proc *lp);

/*
 * CPU time (cputime.c).  lp's user and system time with its reaped
 * children's (what wait4's rusage gives of it), in ns (capability lock
 * held).  A wait that reaps child c adds that to lp's children's.
 */
void linux_cputime_both(struct linux_proc *lp, uint64_t *utime, uint64_t *stime);
void linux_cputime_reaped(struct linux_proc *lp, uint64_t utime, uint64_t stime);
/* struct rusage with the times given (ns), the rest 0, to user address u:
 * 0 or -LX_EFAULT. */
long linux_rusage_put(uintptr_t u, uint64_t utime, uint64_t stime);
/* lp's live thread tid (capability lock held), or NULL. */
struct thread *linux_live_thread(struct linux_proc *lp, uint64_t tid);

/*
 * The CPU-time clocks (linux/cpuclock.h says which ids they are):
 * linux_cpu_clock_get's value and linux_cpu_clock_res's resolution in
 * ns, 0 or -LX_EINVAL (no such process or thread of the caller's).
 * linux_cpu_clock_sleep waits until the clock has gone ns further (or
 * reached ns, abs): 0, -LX_EINVAL (a thread's own clock, as Linux), or
 * -LX_EINTR for a signal with *left what was still to go.
 */
long linux_cpu_clock_get(int32_t clock, uint64_t *ns);
long linux_cpu_clock_res(int32_t clock, uint64_t *ns);
long linux_cpu_clock_sleep(int32_t clock, bool abs, uint64_t ns, uint64_t *left);

/* A process's own Linux state, a copy of lp's for a fork: the calling
 * thread's descriptor table and working directory (shared with it for
 * CLONE_FILES and CLONE_FS, else copied: each file referenced once
 * more), limits, break and signal dispositions; charged to pool.  Not
 * yet in the tree (linux_family_fork) and with no root reference yet.
 * NULL when out of memory.  No capability lock held; lp->lock is taken. */
struct linux_proc *linux_proc_copy(struct linux_proc *lp, struct mempool *pool, bool share_fds,
				   bool share_fs);
/* Undoes linux_proc_copy (nothing else done with it). */
void linux_proc_copy_free(struct linux_proc *lp, struct mempool *pool);

/*
 * The process tree of a personality instance (linux/family.c); all
 * under the capability lock.  linux_family_first makes lp the first
 * process (pid 1) of a new instance; linux_family_fork puts child under
 * parent with the next pid of its instance: 0, -LX_EAGAIN (the
 * instance's LINUX_PROCS_MAX processes exist), -LX_ENOMEM.
 */
#define LINUX_PROCS_MAX 64
int linux_family_first(struct linux_proc *lp);
/* A pid for a child about to be made (an unused one is a gap), or
 * -LX_EAGAIN at the limit. */
long linux_family_new_pid(struct linux_proc *parent);
int linux_family_fork(struct linux_proc *parent, struct linux_proc *child, uint64_t pid);
void linux_family_release(struct linux_proc *lp);
/* An ended child is reaped: it no longer counts against the limit, even
 * before its last reference goes. */
void linux_family_reaped(struct linux_proc *lp);

/* lp's process group is orphaned: no member has a parent in another
 * group of the same session (pid 1's parent is outside the instance),
 * so no job-control shell is there to continue it. */
bool linux_family_pgrp_orphaned(struct linux_proc *lp);

/* The list of every process state of lp's instance (inst_link). */
struct list_node *linux_family_procs(struct linux_proc *lp);

/* The process of pid in lp's instance (ended ones too), or NULL. */
struct linux_proc *linux_family_find(struct linux_proc *lp, uint64_t pid);

/* The calling process's Linux state (never NULL inside a Linux call). */
struct linux_proc *lx_current(void);

/* A handler's result from a ThemeliOS error or count (linux/errno.h). */
long lx_err(long err);

/* Declarations of every handler of this architecture's list. */
#include "asm/linux_abi.h"
#define LX_DECLARE(nr, name, nargs) long lx_sys_##name(struct syscall_args *a);
#define LX_DECLARE_NONE(nr, name)
LINUX_CALLS(LX_DECLARE, LX_DECLARE_NONE)
#undef LX_DECLARE
#undef LX_DECLARE_NONE

/* The old calls x86_64 has beside the *at forms: built on every
 * architecture (arch-neutral code), listed only where they exist. */
long lx_sys_open(struct syscall_args *a);
long lx_sys_creat(struct syscall_args *a);
long lx_sys_stat(struct syscall_args *a);
long lx_sys_lstat(struct syscall_args *a);
long lx_sys_access(struct syscall_args *a);
long lx_sys_dup2(struct syscall_args *a);
long lx_sys_rename(struct syscall_args *a);
long lx_sys_mkdir(struct syscall_args *a);
long lx_sys_rmdir(struct syscall_args *a);
long lx_sys_link(struct syscall_args *a);
long lx_sys_unlink(struct syscall_args *a);
long lx_sys_symlink(struct syscall_args *a);
long lx_sys_readlink(struct syscall_args *a);
long lx_sys_chmod(struct syscall_args *a);
long lx_sys_chown(struct syscall_args *a);
long lx_sys_lchown(struct syscall_args *a);
long lx_sys_time(struct syscall_args *a);
long lx_sys_arch_prctl(struct syscall_args *a);
long lx_sys_alarm(struct syscall_args *a);
long lx_sys_pause(struct syscall_args *a);
long lx_sys_fork(struct syscall_args *a);
long lx_sys_vfork(struct syscall_args *a);
long lx_sys_pipe(struct syscall_args *a);
long lx_sys_poll(struct syscall_args *a);
long lx_sys_select(struct syscall_args *a);
long lx_sys_getpgrp(struct syscall_args *a);

#endif
