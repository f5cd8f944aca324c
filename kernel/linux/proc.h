/*
 * The Linux state of a process (kernel/linux/ only): descriptors, root
 * and working directory, the program break, limits, signal dispositions
 * and the tty's settings.  The fork and thread work to come shares or
 * copies parts of it (the descriptor table is counted for CLONE_FILES).
 */
#ifndef LINUX_PROC_H
#define LINUX_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/vnode.h"
#include "core/time.h"
#include "linux/fdtable.h"
#include "linux/signal.h"
#include "sched/mutex.h"
#include "sched/spinlock.h"
#include "syscall/syscall.h"

struct dir_object;
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

/* struct termios of the kernel (TCGETS): the console's settings. */
struct linux_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[19];
};

#define LX_RLIM_NLIMITS 16
#define LX_EXE_MAX	256

struct linux_proc {
	struct mutex lock; /* fds, cwd, brk, signal state */
	struct fdtable *fds;
	struct dir_object *root; /* referenced; NULL: no filesystem */
	char *cwd;		 /* canonical, from the root: "/", "/a/b" */
	uint32_t umask;
	uint64_t pid, ppid;	  /* numbered in its personality instance */
	uintptr_t brk_start, brk; /* the break, and how far it is mapped */
	uintptr_t clear_child_tid, robust_list;
	struct process *proc;
	char exe[LX_EXE_MAX]; /* the program's path from the root (/proc/self/exe) */
	/* Signals (linux/signal.h), under sig_lock: interrupts send them. */
	struct spinlock sig_lock;
	uint64_t sigmask, sigpending;
	struct linux_sigaction act[LX_NSIG];
	struct linux_siginfo siginfo[LX_NSIG];
	struct linux_stack altstack;
	uint64_t saved_mask; /* rt_sigsuspend's: the mask to go back to */
	bool saved_mask_valid;
	bool stopped;	   /* by a stop signal, until SIGCONT or SIGKILL */
	bool ended;	   /* linux_proc_ended: no thread to wake */
	bool regs_changed; /* by rt_sigreturn: the way back restores them all */
	/* A call that returned -ERESTARTSYS: its number and first argument. */
	bool restart;
	uint64_t restart_nr, restart_arg0;
	uintptr_t sigreturn_page; /* aarch64 without sa_restorer; 0: not yet */
	/* ITIMER_REAL and alarm: SIGALRM at real_deadline, then every
	 * real_interval ns (0: once). */
	struct time_event real_timer;
	uint64_t real_deadline, real_interval;
	struct linux_termios termios;
	uint64_t rlim_cur[LX_RLIM_NLIMITS], rlim_max[LX_RLIM_NLIMITS];
	uint64_t pages; /* charged to the process's pool */
};

/* The console tty (tty.c): lp becomes the foreground (its descriptors
 * are on the console), and stops being it as it is freed. */
void linux_tty_attach(struct linux_proc *lp);
void linux_tty_detach(struct linux_proc *lp);
int32_t linux_tty_pgrp(void);
long linux_tty_set_pgrp(struct linux_proc *lp, int32_t pgrp);

/* A thread's end: 0 into its clear_child_tid word (set_tid_address) and
 * one waiter there woken (misc.c). */
void linux_clear_child_tid(struct linux_proc *lp);

/* The program's path (execve sets it; at spawn it is the process's
 * name, which linux.run makes the path). */
void linux_set_exe(struct linux_proc *lp, const char *path);

/* Disarms lp's ITIMER_REAL (the process is being freed). */
void linux_timer_release(struct linux_proc *lp);

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

#endif
