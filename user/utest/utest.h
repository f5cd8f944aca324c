/* The adversarial test cases (user/utest/utest.c), run one per process
 * by init's suite (user/init/tests.c). */
#ifndef USER_UTEST_H
#define USER_UTEST_H

enum utest_case {
	UT_KERNEL_READ = 1,
	UT_KERNEL_WRITE,
	UT_NULL_READ,
	UT_UNMAPPED_WRITE,
	UT_EXEC_STACK,
	UT_WRITE_TEXT,
	UT_EXEC_KERNEL,
	UT_STACK_OVERFLOW,
	UT_INVALID_INSN,
	UT_PRIVILEGED_INSN,
	UT_BAD_SLOTS,
	UT_BAD_POINTERS,
	UT_RIGHTS,
	UT_REVOKE,
	UT_REVOKE_WAKES,
	UT_NO_CAPS,
	UT_CALL_REPLY,
	UT_MEMORY_EXHAUSTION,
	UT_SPAWN_STORM,
	UT_FAULT_REPORT,
	UT_OTHER_PROCESS,
	UT_FPU,
	UT_BAD_ELF,
	UT_NOTIFICATIONS,
	UT_KILL,
	UT_THREADS,
	UT_MEMORY_OBJECTS,
	UT_ARGS,
	UT_REGISTER_IPC,
	UT_GRANT,
	UT_SHARED_MEMORY,
	UT_THREAD_CAPS,
	UT_IPC_UNDER_LOAD,
	UT_REPLY_CAPS,
	UT_SUPERVISOR_PARTS,
	UT_DEVICE_CLAIMS,
	UT_DEVICE_IRQ,
	UT_VM_CALLS,
	UT_VM_FAULTS,
	UT_THREAD_CONTROL,
	UT_SUSPENDED_ENDS,
	UT_IPC_FASTPATH,
	UT_TIMED_WAITS,
	UT_TLS,
	UT_PT_CHARGE,
	UT_FUZZ,
	UT_STACK_SMASH,
	UT_RANDOM,
	UT_COUNT,
	/* Helpers the cases start as children. */
	UT_H_BLOCKED_RECV = 100,
	UT_H_NO_CAPS,
	UT_H_NO_REPLY,
	UT_H_IDLE,
	UT_H_FAULT,
	UT_H_READ_PARENT,
	UT_H_FPU,
	UT_H_WAIT,
	UT_H_WAIT_REVOKED,
	UT_H_SPIN,
	UT_H_THREAD_FAULT,
	UT_H_THREAD_EXIT,
	UT_H_ARGS,
	UT_H_WORDS_SERVER,
	UT_H_GRANTED,
	UT_H_SHARED,
	UT_H_SHARED_READONLY,
	UT_H_SPIN_COUNT,
	UT_H_REPLY_SERVER,
	UT_H_PARTS,
	UT_H_DRIVER_CRASH,
	UT_H_UNMAPPED_TOUCH,
	UT_H_READONLY_WRITE,
	UT_H_VM_CHILD,
	UT_H_SUSPENDED_EXIT,
	UT_H_SUSPENDED_KILLED,
	UT_H_WORDS_SAVER,
	UT_H_WORDS_TAKE_SPIN,
	UT_H_WORDS_CALLER,
	UT_H_WORDS_UNTIL_REVOKED,
	UT_H_TLS_CHILD,
	UT_H_TLS_SERVER,
	UT_H_PT_SPREAD,
	UT_H_PT_FULL,
	UT_H_SMASH,
};

#define UTEST_QUOTA	512	/* pages per case */
/* Pages for an idle utest child: its program, stack, page tables and
 * kernel structures, and a few to spare. */
#define UT_IDLE_QUOTA	48
#define UT_FAULT_ADDR	0x40000123ull
/* A case's checks: each wrong answer is printed and counted; the case
 * exits with the count. */
extern int utest_failures;
void utest_check(const char *file, int line, const char *what, long got, long want);
#define CHECK(expr, want) \
	utest_check(__FILE__, __LINE__, #expr, (long)(expr), (long)(want))

/* One report on the supervisor endpoint sup, or -E_TIMEOUT after 60 s. */
long await_report(slot_t sup, struct ipc_msg *m);

/* Device drivers (device.c) and clocks and deadlines (time.c). */
void device_claims(void);
void device_irq(void);
int device_driver_crash(void);
void timed_waits(void);
void random_bytes(void);

/* The user stack protector (smash.c). */
void stack_smash(void);
int smash_helper(void);

/* Random system calls (fuzz.c); children are UT_H_FUZZ_FIRST + n. */
#define UT_H_FUZZ_FIRST	1000
void fuzz_syscalls(void);
int fuzz_child(uint64_t n);
/* TLS pointers per thread (tls.c). */
void tls_cases(void);
int tls_child(void);
int tls_server(void);

/* Page tables charged to their address space's owner (ptcharge.c). */
void page_table_charges(void);
int pt_spread_child(void);
int pt_full_child(void);

#define UT_MAP_BASE	0x10000000ull	/* a fresh process's first mapping */

#endif
