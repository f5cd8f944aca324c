/*
 * The Linux system-call personality (docs/linux.md): what the rest of
 * the kernel calls.  A process whose program has no ThemeliOS note
 * (linux/personality.h) runs with Linux's call numbers and errno
 * values, a descriptor table and root and working directories instead
 * of capability slots.
 */
#ifndef LINUX_LINUX_H
#define LINUX_LINUX_H

#include <stdbool.h>
#include <stdint.h>

struct address_space;
struct arch_regs;
struct process;
struct syscall_args;

/* Reads the command line's linux.trace (every call printed, strace-style). */
void linux_init(const char *cmdline);

/*
 * Runs one Linux system call for the calling thread: a->nr is Linux's
 * number on this architecture, a->a[] its arguments; the result is
 * Linux's (a value, or a negative errno).  The arch entry calls it in
 * place of syscall_dispatch for a process with the Linux personality.
 */
long linux_syscall(struct syscall_args *a);

/*
 * The state of a new Linux process p (capability lock held, before it
 * runs): descriptors 0, 1 and 2 on the object in its slot 1 (the
 * console), root and working directory the Directory in its slot 2 (no
 * Directory: every path is -ENOENT).  Charged to p's pool.  -E_NOMEM.
 */
int linux_proc_setup(struct process *p);

/* p has ended (capability lock held): its timer is disarmed, the tty
 * forgets it, and signals sent to it wake no thread (they may be freed
 * before p is). */
void linux_proc_ended(struct process *p);

/*
 * A Linux process is ending by exit, kill or fault: its descriptors
 * close now (a pipe's reader sees the end at once), from the ending
 * thread with no lock held.
 */
void linux_proc_exiting(struct process *p);

/*
 * p has ended (capability lock held): it becomes a zombie with Linux's
 * wait status for how it ended (event PROCESS_EVENT_EXIT with status,
 * or _FAULT), its parent is woken, its children go to the instance's
 * first process; when that first process ends, every other process of
 * the instance is killed, as in a Linux pid namespace.
 */
void linux_proc_end(struct process *p, uint64_t event, long status);

/* Frees p's Linux state (capability lock held, p being destroyed). */
void linux_proc_release(struct process *p);

/*
 * The tick found a thread of p running (interrupt context): p's user
 * and system time as the tick samples them are now virt_ns and prof_ns
 * (user + system); an expired ITIMER_VIRTUAL or ITIMER_PROF sends its
 * signal (linux/timer.c).
 */
void linux_cputime_tick(struct process *p, uint64_t virt_ns, uint64_t prof_ns);

/* A Linux program's stack reserve at least (lazy; process_load). */
#define LINUX_STACK_BYTES (8ull << 20)

/*
 * The way back to user mode of a thread of a Linux process (r its user
 * registers; interrupts in either state, left as they were): delivers
 * signals, restarts an interrupted call (linux/signal.h).  True when r
 * changed in a way only a full restore gives back.
 */
bool linux_user_return(struct arch_regs *r);

#endif
