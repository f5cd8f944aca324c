/*
 * Offsets into struct cpu_local (sched/percpu.h) for the entry assembly,
 * which reaches them before it has a stack (x86_64 through GS, aarch64
 * through TPIDR_EL1).  The one definition: the assembly includes this
 * file and sched/percpu.h asserts that the structure agrees.
 */
#ifndef SCHED_PERCPU_OFFSETS_H
#define SCHED_PERCPU_OFFSETS_H

#define CPU_LOCAL_KERNEL_SP 8  /* the current user thread's kernel stack top */
#define CPU_LOCAL_USER_SP   16 /* scratch: the user stack pointer at entry */

#endif
