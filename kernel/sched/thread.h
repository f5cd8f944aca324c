/*
 * Kernel threads and the scheduler.  Every thread has its own kernel
 * stack (guard page below it) and is scheduled round-robin with a time
 * slice; the timer preempts.  Processes (Phase 2) run their user code
 * on these same threads.
 */
#ifndef SCHED_THREAD_H
#define SCHED_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asm/context.h"
#include "core/time.h"
#include "lib/cputime.h"
#include "lib/list.h"
#include "sched/percpu.h"
#include "sched/wait.h"

#define THREAD_NAME_MAX	   24
#define THREAD_STACK_PAGES 4	       /* 16 KiB, plus the guard page */
#define SCHED_SLICE_NS	   10000000ull /* 10 ms */

enum thread_state {
	THREAD_READY,
	THREAD_RUNNING,
	THREAD_BLOCKED, /* on a wait queue, or sleeping */
	THREAD_ZOMBIE,	/* exited, waiting to be joined or reaped */
};

struct thread {
	struct arch_context ctx;
	struct list_node rq_link;   /* on the run queue while READY */
	struct list_node wait_link; /* on a wait queue while BLOCKED */
	struct list_node all_link;  /* on the list of all threads */
	struct wait_queue *waiting_on;
	struct time_event timeout; /* sleep and wait deadlines */
	int wake_reason;	   /* 0, or -E_TIMEOUT */

	uint64_t id;
	char name[THREAD_NAME_MAX];
	enum thread_state state;
	uintptr_t stack_base; /* lowest mapped byte; 0 for the boot thread */
	size_t stack_pages;
	void (*entry)(void *arg);
	void *arg;

	uint64_t cpu_ns; /* time spent running */
	/* Where the timer tick found it running (sched/cputime.h): in user
	 * mode or in the kernel, a tick's length each; written by the CPU it
	 * runs on.  prev is the split of cpu_ns last reported (sched_lock). */
	uint64_t user_sample_ns, sys_sample_ns;
	struct cputime_prev cputime_prev;
	uint64_t dispatches; /* times it was given the CPU: round-robin
					 * keeps busy threads' counts within one */
	bool detached;	     /* nobody joins: reaped on exit */
	bool stop_requested; /* `kill`: asks the thread to end */
	bool stop_alone;     /* ...and only the thread, not its process */
	bool suspended;	     /* thread_suspend: no user code until resumed */
	bool parked;	     /* suspended and waiting at its way back to user
					 * mode: its user registers sit still */
	bool interruptible;  /* in an interruptible wait (thread_interrupt) */
	bool interrupted;    /* thread_interrupt since thread_interrupt_clear */
	int exit_code;
	struct wait_queue joiners;

	/* User threads (object/process.c): NULL proc for a kernel thread. */
	struct process *proc;
	struct vm_space *vm;		  /* proc's address space */
	struct list_node proc_link;	  /* on proc->threads */
	struct arch_jmp_buf *uaccess_env; /* armed during a user copy */
	/* Filesystem mutexes held (fs_env.h): a user copy under one may not
	 * fill a file's page, which would read a file and take them. */
	uint32_t fs_locks;
	/* Objects whose destroy this thread finishes after dropping the
	 * capability lock (object/release.h), linked by reap_next, and the
	 * depth of a kernel thread's sections that defer them. */
	struct kobject *releases;
	uint32_t release_scope;
	/* Vnodes whose last reference it dropped there (fs/vnode.h), linked
	 * by covered_by: released with the objects, so a close or munmap
	 * has written a mapping back when it returns. */
	struct vnode *vnode_releases;
	struct ipc_state *ipc;	      /* endpoint rendezvous (ipc/ipc.c) */
	struct thread_handle *handle; /* what a Thread capability names, if any */
	struct linux_thread *lx;      /* a Linux thread's own state (linux/proc.h) */
	struct arch_fpu_state fpu;
	struct arch_tls_state tls; /* kept while switched out; zero: none */
};

struct kobject;
struct vnode;
struct process;
struct ipc_state;
struct linux_thread;
struct thread_handle;
struct vm_space;

/* Brings up the scheduler on this CPU; the caller becomes the "main" thread. */
void sched_init(void);

/* A new READY thread running entry(arg).  NULL when out of memory. */
struct thread *thread_create(const char *name, void (*entry)(void *), void *arg);
/* Like thread_create, and nobody will join it. */
struct thread *thread_spawn_detached(const char *name, void (*entry)(void *), void *arg);
/* A detached thread of a process: the scheduler switches to vm and the
 * thread's FPU and TLS state with it; process_thread_reaped(t) runs when it is
 * freed after exiting. */
struct thread *thread_create_user(const char *name, void (*entry)(void *), void *arg,
				  struct process *proc, struct vm_space *vm);

void thread_yield(void);
/* A snapshot: t waits (on a queue, asleep, or parked suspended). */
static inline bool
thread_is_blocked(const struct thread *t)
{
	return __atomic_load_n(&t->state, __ATOMIC_RELAXED) == THREAD_BLOCKED;
}

/* Sleeps at least ns nanoseconds. */
void thread_sleep_ns(uint64_t ns);
/* Sleeps until time_now_ns() >= deadline_ns (WAIT_FOREVER: until woken),
 * or until a kill or resume wakes the thread early. */
void thread_sleep_until(uint64_t deadline_ns);
void thread_exit(int code) __attribute__((noreturn));

/*
 * Interruptible waits (the Linux personality's signals): a sleep that
 * thread_interrupt ends early with WAKE_INTERRUPTED.  An interrupt that
 * comes between thread_interrupt_clear and the sleep ends the sleep at
 * once, so a waker checked before sleeping is never lost.  Otherwise
 * 0 (woken) or -E_TIMEOUT, as wait_queue_wait_until.
 */
#define WAKE_INTERRUPTED 1
int thread_sleep_interruptible(uint64_t deadline_ns);
void thread_interrupt(struct thread *t);
void thread_interrupt_clear(void);
/* The top of a thread's kernel stack (where user-mode entries land). */
uintptr_t thread_kernel_stack_top(const struct thread *t);
/* Waits for t to exit, returns its code and frees it.  -E_INVAL for a
 * detached thread or oneself. */
int thread_join(struct thread *t, int *code);

/*
 * A user thread's registers while it is in the kernel: the frame at the
 * very top of its kernel stack, where every entry from user mode saves
 * them (the thread's kernel code starts below it).
 */
struct arch_regs *thread_user_regs(const struct thread *t);

/*
 * Suspension (sched_lock inside): a suspended thread runs no more user
 * code until resumed.  It stops on its way back to user mode (at once
 * from an interrupt or its first entry, after the system call it is in)
 * and waits there in thread_park_if_suspended.
 */
enum suspend_state {
	SUSPEND_NONE,	 /* not suspended */
	SUSPEND_PENDING, /* suspended, still runnable: it stops soon */
	SUSPEND_IN_CALL, /* suspended, blocked in a system call it finishes first */
	SUSPEND_STOPPED, /* parked: its user registers stay put */
};
void thread_suspend(struct thread *t);
/* 0, or -E_INVAL when t is not suspended. */
int thread_resume(struct thread *t);
enum suspend_state thread_suspend_state(struct thread *t);
/* Waits while the current thread is suspended (and not asked to stop);
 * true when it waited, so its registers may have been changed. */
bool thread_park_if_suspended(void);

/* Asks thread id to stop (kernel threads check thread_should_stop()). */
int thread_request_stop(uint64_t id);

static inline struct thread *
thread_current(void)
{
	return current_thread();
}

/* On every system call's way out: inline, a field read. */
static inline bool
thread_should_stop(void)
{
	return __atomic_load_n(&current_thread()->stop_requested, __ATOMIC_RELAXED);
}

const char *sched_current_name(void);

/* For the shell's ps. */
void sched_print_threads(void);
uint64_t sched_context_switches(void);

#endif
