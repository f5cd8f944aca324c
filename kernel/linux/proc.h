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
	uint64_t sigpending; /* tgkill's and faults': for this thread alone */
	struct linux_stack altstack;
	uint64_t saved_mask; /* rt_sigsuspend's: the mask to go back to */
	bool saved_mask_valid;
	bool regs_changed; /* by rt_sigreturn: the way back restores them all */
	/* A call that returned -ERESTARTSYS: its number and first argument. */
	bool restart;
	uint64_t restart_nr, restart_arg0;
};

#define LX_RLIM_NLIMITS 16
#define LX_EXE_MAX	256

struct linux_proc {
	struct mutex lock; /* fds, cwd, signal state */
	struct fdtable *fds;
	struct dir_object *root; /* referenced; NULL: no filesystem */
	char *cwd;		 /* canonical, from the root: "/", "/a/b" */
	uint32_t umask;
	uint64_t pid; /* numbered in its personality instance */
	struct process *proc;
	char exe[LX_EXE_MAX]; /* the program's path from the root (/proc/self/exe) */
	char comm[16];	      /* prctl(PR_SET_NAME)'s; "": the basename of exe */
	/* Signals (linux/signal.h), under sig_lock: interrupts send them.
	 * sigpending is the process's (any thread not blocking one takes
	 * it); each thread's own mask and pending set are in its
	 * linux_thread, on threads. */
	struct spinlock sig_lock;
	uint64_t sigpending;
	struct linux_sigaction act[LX_NSIG];
	struct linux_siginfo siginfo[LX_NSIG];
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

/* The calling thread's Linux state (never NULL inside a Linux call). */
struct linux_thread *lx_thread_current(void);

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

/* The program's path (execve sets it; at spawn it is the process's
 * name, which linux.run makes the path). */
void linux_set_exe(struct linux_proc *lp, const char *path);

/* The process's name as /proc shows it (prctl's, else the basename of
 * its program), at most 15 bytes and a NUL. */
void linux_comm(const struct linux_proc *lp, char out[16]);

/* Disarms lp's ITIMER_REAL (the process is being freed). */
void linux_timer_release(struct linux_proc *lp);

/* A process's own Linux state, a copy of lp's for a fork: descriptors
 * (each referenced once more), working directory, limits, break and
 * signal dispositions; charged to pool.  Not yet in the tree
 * (linux_family_fork) and with no root reference yet.  NULL when out
 * of memory.  No capability lock held; lp->lock is taken. */
struct linux_proc *linux_proc_copy(struct linux_proc *lp, struct mempool *pool);
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
