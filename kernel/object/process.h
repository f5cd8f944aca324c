/*
 * Processes: an address space, a capability space and the threads that
 * run in them (docs/processes.md).  A process starts from a static ELF
 * image, with the capabilities its creator gives it and nothing else;
 * it can use only the memory its quota allows, charged for everything
 * it causes the kernel to allocate for it; it ends by exiting or by a
 * fault, alone, and its supervisor hears of it through an endpoint.
 */
#ifndef OBJECT_PROCESS_H
#define OBJECT_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap/cspace.h"
#include "object/address_space.h"
#include "object/object.h"
#include "object/readiness.h"
#include "object/thread.h"
#include "lib/cputime.h"
#include "lib/list.h"
#include "sched/wait.h"
#include "themelios/abi.h"

#define PROC_NAME_MAX 32

struct endpoint;
struct frames;
struct thread;
struct fault_info;
struct linux_proc;

enum process_state {
	PROCESS_LIVE,
	PROCESS_DEAD, /* exited or killed; waiting for its last reference */
};

struct process {
	struct kobject obj; /* KOBJ_PROCESS */
	uint64_t pid;
	char name[PROC_NAME_MAX];
	enum process_state state;
	long exit_status;
	struct address_space *as; /* where its threads run; referenced */
	struct list_node as_link; /* on as->procs */
	struct cspace *cs;	  /* the process's own reference */
	/* Memory accounting (object/memory.h): the pool everything the
	 * kernel allocates for the process is charged to; referenced. */
	struct mempool *pool;
	/* Where exit and fault reports go (an endpoint), and their badge. */
	struct endpoint *supervisor;
	uint64_t supervisor_badge;
	struct thread *main;
	struct list_node threads; /* live threads: thread.proc_link */
	unsigned int nthreads;
	/* CPU time (sched/cputime.h): the run time of the threads that have
	 * left threads and the split last reported (capability lock), and
	 * the tick's samples of all its threads, live or gone (atomic: the
	 * CPU that runs a thread adds its tick). */
	uint64_t gone_cpu_ns;
	struct cputime_prev cputime_prev;
	uint64_t user_sample_ns, sys_sample_ns;
	/* Threads not yet freed by the reaper (live ones and those that
	 * ended), and the exit or fault report held back until there are
	 * none: a supervisor that receives it finds every page back. */
	unsigned int unreaped;
	bool report_pending;
	uint64_t report_event;
	uint64_t report_words[IPC_WORDS];
	struct fault_report report_fault; /* the data of a fault report */
	uintptr_t entry;		  /* the ELF entry point */
	uintptr_t initial_sp;		  /* argc, argv (System V layout) */
	uint64_t arg;			  /* the main thread's first argument */
	/* PERSONALITY_NATIVE or _LINUX (linux/personality.h), from the
	 * program loaded in as; a Linux process has its state in lx. */
	uint8_t personality;
	struct linux_proc *lx;
	struct list_node all_link;
	struct wait_queue exit_wq;   /* process_wait */
	struct wait_queue reaped_wq; /* a thread freed (process_exec waits) */
	/* SIGNAL_ENDED once it has ended: a supervisor can wait for that
	 * through a Notification (object_bind) as well as by its report. */
	struct readiness ready;
};

/* What a process is started with. */
struct process_spec {
	const char *name;
	/* Built already (process_load), never run in: the process takes
	 * over the caller's reference on success. */
	struct address_space *as;
	uintptr_t entry, sp;  /* where the main thread starts */
	struct mempool *pool; /* charged for everything else */
	uint64_t arg;
	/* as is the caller's own and runs on (a Linux vfork): the child
	 * runs in it beside its parent instead of in a space of its own. */
	bool share_as;
};

/* What process_load puts in an address space: kernel copies, checked. */
struct vnode;
struct load_spec {
	const char *name; /* argv[0] and AT_EXECFN */
	/* The ELF64 program: a regular file (referenced by the caller), or
	 * when file is NULL, image[0..image_len) (the boot archive's). */
	struct vnode *file;
	const void *image;
	size_t image_len;
	/* Its PT_INTERP's file (proc/program_file.h, referenced by the
	 * caller), or NULL when it names none. */
	struct vnode *interp;
	const char *args, *env; /* NUL-terminated strings, one after another */
	size_t args_len, env_len;
	uint64_t stack_pages; /* the stack reserve; 0: USER_STACK_PAGES */
};

/*
 * Loads the program (and its interpreter) into as (empty), with the
 * stack reserve and the initial stack at its top: *entry (the
 * interpreter's entry when there is one, else the program's) and *sp
 * for process_create or process_exec.  A program from a file (and an
 * interpreter, always from a file) has its segments mapped from the
 * file's pages in the page cache (mm/vm_file.h), private, so a page is
 * copied only when written; the memory past a segment's file bytes is
 * committed anonymous memory; its ELF headers must lie in the file's
 * first page (-E_NOTSUP).  A program from the boot archive is copied.
 * Capability lock not held: the loading runs with interrupts on.
 * -E_NOMEM (quota or memory), -E_CORRUPT / -E_NOTSUP / -E_RANGE /
 * -E_PERM for a bad ELF (see proc/elf.h), -E_RANGE for a stack reserve
 * outside [USER_STACK_MIN_PAGES, USER_STACK_MAX_PAGES] or the strings
 * too long for it, -E_NOENT (a PT_INTERP but no interp given), -E_LOOP
 * (the interpreter names one itself), -E_NOTSUP (an interpreter that is
 * not position-independent), -E_ISDIR / -E_INVAL (no regular file),
 * -E_IO.
 */
int process_load(struct address_space *as, const struct load_spec *ls, uintptr_t *entry,
		 uintptr_t *sp);

/*
 * Builds a process in spec->as (no thread runs yet): its structures are
 * charged to spec->pool, which it references from then on.  The caller
 * holds the capability lock and gets a process with refs = 1 (the
 * creator's), to fill its cspace before process_start.  -E_NOMEM,
 * -E_BUSY (the address space has run a process already, unless
 * spec->share_as and it runs one still).
 */
int process_create(const struct process_spec *spec, struct process **out);

/* Starts the main thread; the creator's reference passes to it.  Drops
 * the process on failure (-E_NOMEM).  Capability lock held. */
int process_start(struct process *p);

/* The same for a fork (a Linux one): the main thread starts with a copy
 * of regs (the caller's, arch_user_regs_forked'ed), the TLS pointer tls
 * and the caller's FPU registers. */
struct arch_regs;
int process_start_forked(struct process *p, const struct arch_regs *regs, uint64_t tls);

/*
 * Another thread in p, starting in user mode at pc with stack sp and arg;
 * charged to p's pool.  *tid gets its id; with handle, *handle gets a
 * new Thread object for it (refs = 1, the caller's).  -E_NOMEM, -E_DEAD.
 * Capability lock held.
 */
int process_thread_create(struct process *p, uintptr_t pc, uintptr_t sp, uint64_t arg,
			  uint64_t *tid, struct thread_handle **handle);

/*
 * Another thread in p starting with a copy of regs, the TLS pointer tls
 * and the caller's FPU registers (a Linux clone(CLONE_THREAD)); charged
 * to p's pool.  *out is the thread, which cannot run before the
 * capability lock is dropped.  -E_NOMEM, -E_DEAD.  Capability lock held.
 */
int process_thread_create_forked(struct process *p, const struct arch_regs *regs, uint64_t tls,
				 struct thread **out);

/* Asks one thread to end, alone (its process goes on).  Capability lock
 * held; 0 or -E_DEAD. */
int process_thread_kill(struct thread_handle *h);

/*
 * After exec, t (the only thread left: the old main one has been freed)
 * is p's main thread; its own charge goes back, as the process's
 * overhead pays for a main thread.  Capability lock held.
 */
void process_adopt_main(struct process *p, struct thread *t);

/* A thread asked to stop ends here: alone or with its process. */
void process_stop_current(void) __attribute__((noreturn));

/*
 * The last stop of a user thread on its way back to user mode (after a
 * system call has written its results, after an interrupt from user
 * mode, before its first instruction): a suspended thread waits here
 * with its registers complete in thread_user_regs, a killed one ends.
 * True when it waited: its registers may have been changed.
 */
bool process_user_return(void);

/* Ends the calling thread; the last one ends the process (status 0). */
void process_thread_exit(void) __attribute__((noreturn));

/*
 * Ends p now, from outside, with status -E_DEAD (capability lock held):
 * it is dead from this moment (a later thread_kill is -E_DEAD, its
 * cspace takes nothing in, its threads have left every IPC queue); each
 * thread ends on its way back to user mode, and the supervisor hears
 * once the last one is freed.  Nothing for a process already ended.
 */
void process_kill(struct process *p);

/* The shell's kill of a user thread: its whole process ends.  0,
 * -E_DEAD (already ending), -E_NOENT (no user thread tid). */
int process_kill_thread_id(uint64_t tid);

/* p no longer runs in p->as (its reference stays the caller's to
 * drop): the last process to leave a space ends it.  Capability lock
 * held. */
void process_leave_space(struct process *p);

/* Undoes process_create before process_start.  Capability lock held. */
void process_discard(struct process *p);

/* The calling thread's process, or NULL for a kernel thread. */
struct process *process_current(void);

/*
 * Charges pages to p's pool (0, or -E_NOMEM when it would exceed it),
 * and gives them back.  Capability lock held.
 */
int process_charge(struct process *p, uint64_t pages);
void process_uncharge(struct process *p, uint64_t pages);

/*
 * A zeroed kernel object of size bytes made for owner: one page is
 * charged to its pool and it references owner until
 * process_object_free.  NULL when the pool or the heap is out.
 * Capability lock held.
 */
void *process_object_new(struct process *owner, size_t size, enum kobject_type type,
			 const struct kobject_ops *ops);
void process_object_free(struct process *owner, void *obj);

/*
 * Ends the calling thread's process: its capabilities go, its supervisor
 * gets the report (kind PROCESS_EVENT_EXIT or _FAULT), the thread exits.
 */
void process_exit(long status) __attribute__((noreturn));

/* Waits until p has ended; its exit status.  The caller holds a
 * reference to p. */
long process_wait(struct process *p);

/*
 * For the scheduler, as a thread of a process is freed: first
 * process_thread_reaped(t) (its IPC state and charge), then, once its
 * stack and structure are back, process_thread_freed(p), which sends
 * the process's report after its last thread, so that a supervisor that
 * gets the report finds every page of it back (its memory audit).
 */
void process_thread_reaped(struct thread *t);
void process_thread_freed(struct process *p);

/* For the shell and the boot log. */
void process_print_all(void);

/* Calls fn on every process not yet freed, ended ones included
 * (capability lock held; fn must not free one). */
void process_for_each(void (*fn)(struct process *p, void *ctx), void *ctx);

#endif
