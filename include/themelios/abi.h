/*
 * The user/kernel ABI beyond the system-call numbers: the structures
 * system calls read and write, the rights bits, and where a new process
 * finds its first capabilities.  docs/syscalls.md explains them.  Shared
 * by the kernel and user space, so only fixed-size types.
 */
#ifndef THEMELIOS_ABI_H
#define THEMELIOS_ABI_H

#include <stdint.h>

/* The capability slots every process starts with.  Slot 0 is always
 * empty; the creator fills slots 1.. (spawn_args.caps) in order. */
#define CAP_SLOT_NULL	       0
#define CAP_SLOT_CONSOLE       1  /* by convention: the console */
#define CAP_SLOTS	       64 /* slots per process, 0 included */
#define CAP_SLOT_MEMORY	       63 /* the kernel puts the process's Memory here */
#define CAP_SLOT_SCRATCH       62 /* libthemelios's, for spawn */
#define CAP_SLOT_INIT_DEVICES  60 /* init only: the device-control capability */
#define CAP_SLOT_ADDRESS_SPACE 61 /* the kernel puts the process's own AddressSpace here */
#define CAP_SLOT_ROOT_DIR      59 /* init only: the root Directory (all rights) */
#define CAP_SLOT_PROGRAM       58 /* libthemelios's, for spawn from a file */
#define CAP_SLOT_NETWORK       57 /* init only: the Network (all rights) */

/* memory_info. */
struct memory_info {
	uint64_t limit; /* pages */
	uint64_t used;	/* pages charged now, page tables included */
};

/* Rights (a capability's rights only ever shrink). */
#define RIGHT_READ	   (1u << 0) /* receive, wait */
#define RIGHT_WRITE	   (1u << 1) /* send, signal, write text */
#define RIGHT_EXECUTE	   (1u << 2)
#define RIGHT_GRANT	   (1u << 3) /* pass capabilities in messages */
#define RIGHT_COPY	   (1u << 4) /* copy and mint */
#define RIGHT_CREATE	   (1u << 5) /* make names in a directory */
#define RIGHT_DELETE	   (1u << 6) /* remove or rename names in a directory */
#define RIGHTS_ALL	   0x7fu

/* Object types, as cap_inspect reports them. */
#define OBJ_PROCESS	   1
#define OBJ_THREAD	   2
#define OBJ_ADDRESS_SPACE  3
#define OBJ_MEMORY	   4
#define OBJ_CSPACE	   5
#define OBJ_ENDPOINT	   6
#define OBJ_REPLY	   7
#define OBJ_NOTIFICATION   8
#define OBJ_IRQ		   9
#define OBJ_CONSOLE	   10
#define OBJ_FRAMES	   11
#define OBJ_IO_PORTS	   12
#define OBJ_DEVICE_CONTROL 13
#define OBJ_FILE	   14
#define OBJ_DIRECTORY	   15
#define OBJ_SOCKET	   16
#define OBJ_NETWORK	   17
#define OBJ_PORT	   18
#define OBJ_PIPE	   19 /* a pipe (the Linux personality's pipe2) */

/*
 * Object signals (object_signals, object_bind): the state of a waitable
 * object, each bit asserted while its condition holds.  The low 16 bits
 * mean the same for every type; the high 16 are the type's own.
 */
#define SIGNAL_READABLE	   (1u << 0)  /* a read or receive would not block */
#define SIGNAL_WRITABLE	   (1u << 1)  /* a write or send would not block */
#define SIGNAL_PEER_CLOSED (1u << 2)  /* the other end has gone */
#define SIGNAL_ENDED	   (1u << 3)  /* Process: it has ended (exit, fault, kill) */
#define SIGNAL_ERROR	   (1u << 4)  /* an error is pending (Socket: reset, timed out...) */
#define SIGNAL_IRQ	   (1u << 16) /* IRQ: an interrupt came, not yet irq_ack'ed */

/* What object_info reports (fields a type does not have are 0). */
struct object_info {
	uint32_t type;	  /* OBJ_* */
	uint32_t signals; /* asserted now; 0 for a type that has none */
	uint64_t size;	  /* bytes: Frames' pages, a Memory pool's limit, I/O ports */
	uint64_t used;	  /* bytes in use: a Memory pool's charges */
	uint64_t id;	  /* Process: pid; IRQ: line; I/O ports: first port */
};

struct cap_info {
	uint32_t type;
	uint32_t rights;
	uint64_t badge;
	uint32_t flags; /* 1: has derived capabilities; 2: is derived */
	uint32_t reserved;
};

/* What process_info tells a supervisor about a process it holds. */
struct process_info {
	uint64_t pid;
	uint64_t ended;	  /* 1 once it has ended (exit, fault, kill) */
	uint64_t threads; /* its threads not yet ended */
	uint64_t blocked; /* of which waiting in a system call or suspended */
};

/* The console accepts at most this many bytes per console_write. */
#define CONSOLE_WRITE_MAX      4096

/*
 * A new process's stack: the top, and the reserve below it (pages,
 * anonymous and filled on first touch: only the pages touched are
 * charged).  spawn_args.stack_pages and exec_args.stack_pages may ask
 * for another reserve in [USER_STACK_MIN_PAGES, USER_STACK_MAX_PAGES];
 * below the reserve lie USER_STACK_GUARD_PAGES that are never mapped.
 */
#define USER_STACK_TOP	       0x0000000080000000ull
#define USER_STACK_PAGES       2048	  /* 8 MiB, the default */
#define USER_STACK_MIN_PAGES   16	  /* 64 KiB */
#define USER_STACK_MAX_PAGES   (1u << 18) /* 1 GiB */
#define USER_STACK_GUARD_PAGES 16	  /* 64 KiB */

/*
 * An IPC message.  label and the words are the fast part; data[0..len)
 * is the bounded buffer.  cap: on send, a slot whose capability goes
 * with the message (0: none; needs GRANT on the endpoint); on receive,
 * the empty slot that takes one (0: refuse any).  badge and the received
 * cap slot are written back on receive.
 */
#define IPC_WORDS	       4
#define IPC_DATA_MAX	       256
struct ipc_msg {
	uint64_t label;
	uint64_t words[IPC_WORDS];
	uint32_t len;	/* bytes of data */
	uint32_t flags; /* IPC_MSG_* (set by the kernel on receive) */
	uint64_t cap;
	uint64_t badge; /* out: the sender's badge */
	uint8_t data[IPC_DATA_MAX];
};
#define IPC_MSG_CAP	    (1u << 0) /* a capability arrived in msg.cap */
#define IPC_MSG_CAP_REFUSED (1u << 1) /* one was sent but not taken */

/* ipc_* flags argument. */
#define IPC_NONBLOCK	    (1u << 0) /* -E_AGAIN instead of waiting */

/* What the kernel sends a supervisor (label), with the badge the
 * supervisor chose at spawn.  words: pid, status (-E_FAULT for a fault),
 * fault address, faulting pc.  A fault report also carries a struct
 * fault_report as its data (len = sizeof(struct fault_report)). */
#define PROCESS_EVENT_EXIT  0x45584954ull /* "EXIT" */
#define PROCESS_EVENT_FAULT 0x46414c54ull /* "FALT" */

/* What went wrong, in the same words on every architecture. */
struct fault_report {
	uint32_t kind;	 /* FAULT_KIND_* */
	uint32_t access; /* FAULT_ACCESS_* bits; memory faults only */
};
#define FAULT_KIND_OTHER       0 /* anything not below (the log names it) */
#define FAULT_KIND_MEMORY      1 /* page fault, data or instruction abort */
#define FAULT_KIND_INSTRUCTION 2 /* undefined or invalid instruction */
#define FAULT_KIND_PRIVILEGED  3 /* privileged instruction or register */
#define FAULT_KIND_ALIGNMENT   4 /* misaligned access, pc or stack */
#define FAULT_KIND_ARITHMETIC  5 /* divide error, floating point */
#define FAULT_KIND_BREAKPOINT  6 /* breakpoint or debug trap */
#define FAULT_ACCESS_READ      (1u << 0)
#define FAULT_ACCESS_WRITE     (1u << 1)
#define FAULT_ACCESS_EXEC      (1u << 2) /* an instruction fetch */
#define FAULT_ACCESS_PRESENT   (1u << 4) /* mapped, but not for this: protection */

/* spawn: a program from the boot archive, by name. */
#define SPAWN_CAPS_MAX	       8
struct spawn_args {
	const char *name;
	uint64_t name_len;
	uint64_t memory;     /* a Memory slot (WRITE, COPY): the child's pages */
	uint64_t arg;	     /* the child's first argument */
	uint64_t supervisor; /* endpoint slot for exit/fault reports; 0: none */
	uint64_t supervisor_badge;
	uint64_t process_slot; /* empty slot for the child's Process cap; 0: none */
	uint64_t ncaps;
	uint64_t caps[SPAWN_CAPS_MAX]; /* caller's slots, copied to child slots 1.. */
	const char *args;	       /* NUL-terminated strings, one after another */
	uint64_t args_len;	       /* bytes, the last NUL included; 0: none */
	/* A File slot (EXECUTE): the program, its segments mapped from the
	 * page cache; 0: the name in the boot archive (copied in). */
	uint64_t image_file;
	/* An AddressSpace slot (WRITE) that has never run a process (an
	 * as_clone): the child runs in it from entry with its stack pointer
	 * at stack; no program is loaded, image_file and args must be 0.
	 * 0: a fresh address space with the program. */
	uint64_t address_space;
	uint64_t entry;
	uint64_t stack;
	/* The environment: NUL-terminated strings like args (0: none). */
	const char *env;
	uint64_t env_len;
	/* Stack reserve in pages (0: USER_STACK_PAGES). */
	uint64_t stack_pages;
	/* A Directory slot (READ, EXECUTE) in which the program's PT_INTERP
	 * path is looked up; 0: the caller's CAP_SLOT_ROOT_DIR. */
	uint64_t root_dir;
};

/*
 * exec: the calling process replaces its own image with the program in
 * the File slot image_file (READ, EXECUTE).  On success the call does
 * not return: the thread starts at the new entry with a new stack, arg
 * in its first argument register; other threads have ended; the
 * capabilities stay.  On failure the old image runs on with the error.
 */
struct exec_args {
	uint64_t image_file;
	const char *name; /* argv[0], AT_EXECFN and the process's new name */
	uint64_t name_len;
	const char *args; /* as spawn_args */
	uint64_t args_len;
	const char *env;
	uint64_t env_len;
	uint64_t arg;
	uint64_t stack_pages; /* 0: USER_STACK_PAGES */
	uint64_t root_dir;    /* as spawn_args.root_dir */
};

/* The child's argv is its name, then the strings of args; envp the
 * strings of env.  Together at most SPAWN_STRINGS_MAX bytes (-E_RANGE),
 * and at most SPAWN_ARGC_MAX strings in argv (its name included) and
 * SPAWN_ENVC_MAX in envp (-E_RANGE). */
#define SPAWN_STRINGS_MAX  16384 /* bytes, args_len + env_len */
#define SPAWN_ARGC_MAX	   64

/*
 * A new process's stack at entry (the System V and Linux layout): sp
 * points at argc, then argv[0..argc-1] and a NULL, envp and a NULL, then
 * the auxiliary vector: (type, value) pairs ending with AT_NULL; the
 * strings, the 16 AT_RANDOM bytes and (when no segment loads them) a
 * copy of the program headers sit above.
 */
#define SPAWN_ENVC_MAX	   64
#define AT_NULL		   0
#define AT_PHDR		   3 /* the program headers in memory */
#define AT_PHENT	   4 /* their size, each */
#define AT_PHNUM	   5 /* how many */
#define AT_PAGESZ	   6
#define AT_BASE		   7 /* the interpreter's base (0: no PT_INTERP) */
#define AT_FLAGS	   8
#define AT_ENTRY	   9 /* the program's entry (not the interpreter's) */
#define AT_UID		   11
#define AT_EUID		   12
#define AT_GID		   13
#define AT_EGID		   14
#define AT_HWCAP	   16
#define AT_CLKTCK	   17 /* times()'s clock ticks a second (Linux's USER_HZ) */
#define AT_SECURE	   23
#define AT_RANDOM	   25 /* 16 random bytes */
#define AT_HWCAP2	   26
#define AT_EXECFN	   31 /* the program's name */

/* Pages per Frames object (frames_create): bounds the time spent zeroing. */
#define FRAMES_MAX_PAGES   256

/* Device drivers in user space (docs/drivers.md).  port_in/port_out
 * move this many bytes. */
#define PORT_WIDTH_8	   1
#define PORT_WIDTH_16	   2
#define PORT_WIDTH_32	   4
/* device_frames: physical addresses below this only. */
#define DEVICE_PHYS_LIMIT  (1ull << 48)

/* random: at most this many bytes per call. */
#define RANDOM_MAX	   256

/*
 * memory_audit (test mode only): where every frame and heap byte is, and
 * what holds it.  Two audits around work that should leave nothing
 * behind (a suite case, a fuzz round) must agree on every field but the
 * free frames the heap keeps cached (compare frames_used - heap_pages);
 * anomalies counts what is wrong on its own (logged by the kernel, each
 * named): an ended process whose CSpace still holds capabilities, a
 * Memory object charged past its limit, heap damage.
 */
#define AUDIT_OBJECT_TYPES 24
struct mem_audit {
	uint64_t frames_free;
	uint64_t frames_used; /* handed out, the heap's included */
	uint64_t heap_pages;  /* frames the kernel heap holds */
	uint64_t heap_live;   /* allocations */
	uint64_t heap_bytes;  /* their sizes */
	uint64_t processes;   /* not yet freed, ended ones included */
	uint64_t processes_ended;
	uint64_t pools;			      /* Memory objects */
	uint64_t pools_used;		      /* pages charged, over every pool */
	uint64_t objects[AUDIT_OBJECT_TYPES]; /* live kernel objects by type */
	uint64_t anomalies;
	uint64_t syscalls;     /* made since boot (not compared: it counts work) */
	uint64_t guard_checks; /* kernel reads of user memory in interrupts from
					 * user mode that faulted, as SMAP/PAN must make
					 * them (not compared) */
	/* What the storage stack holds (files in the RAM layer, caches,
	 * after the audit dropped what it could): state that outlives a
	 * call, so audit_compare takes it out of the figures above. */
	uint64_t fs_heap_live, fs_heap_bytes;
	uint64_t fs_frames;    /* page cache and RAM layer pages */
	uint64_t fs_pool_used; /* pages charged to the RAM layer's Memory */
};

/* map_anonymous, frames_map and vm_protect flags (reading is implied). */
#define MAP_WRITE	 (1u << 1)
#define MAP_EXEC	 (1u << 2) /* vm_protect only; never with MAP_WRITE */
/* vm_map only: at address exactly (-E_EXIST when anything is there);
 * without it address must be 0 and the kernel chooses. */
#define MAP_FIXED	 (1u << 3)
/* vm_map only: every page made and charged now; without it a page is
 * made, zeroed and charged when first touched (map_anonymous commits). */
#define MAP_COMMIT	 (1u << 4)
/* vm_map_file only: the file's cached pages themselves, so writes reach
 * the file and others' mappings; without it the mapping is private
 * (copy-on-write).  vm_map_file also takes MAP_EXEC (never with
 * MAP_WRITE) for code. */
#define MAP_SHARED	 (1u << 5)
/* vm_protect only, alone: no access at all (a guard); every user access
 * is a protection fault, and the pages keep their data. */
#define MAP_NOACCESS	 (1u << 6)

/*
 * A suspended thread's user registers (thread_read_regs,
 * thread_write_regs), the same on every architecture:
 *   arg[0..5]  the C argument registers: x86_64 rdi rsi rdx rcx r8 r9,
 *              aarch64 x0-x5
 *   ret        the result register: x86_64 rax, aarch64 x0 (the same
 *              register as arg[0]: on aarch64 a write needs ret == arg[0])
 *   flags      the condition flags a program may change: x86_64 RFLAGS
 *              CF PF AF ZF SF DF OF (THREAD_FLAGS_X86), aarch64 NZCV in
 *              bits 31-28 (THREAD_FLAGS_ARM); any other bit is -E_INVAL
 * Other registers are neither reported nor changed.
 */
#define THREAD_REGS_ARGS 6
struct thread_regs {
	uint64_t pc;
	uint64_t sp;
	uint64_t arg[THREAD_REGS_ARGS];
	uint64_t ret;
	uint64_t flags;
	uint64_t tls; /* the TLS pointer (tls_set): FS base, TPIDR_EL0 */
};
#define THREAD_FLAGS_X86 0x0cd5ull     /* CF PF AF ZF SF DF OF */
#define THREAD_FLAGS_ARM 0xf0000000ull /* N Z C V */

/*
 * Files and directories (docs/storage.md).  Paths are (pointer, length)
 * pairs, at most FS_PATH_MAX bytes, resolved under the Directory
 * capability given: they cannot leave it.
 */
#define FS_PATH_MAX	 4096
#define FS_NAME_MAX	 255
/* fs_open flags */
#define FS_O_CREAT	 0x01
#define FS_O_EXCL	 0x02
#define FS_O_TRUNC	 0x04
#define FS_O_DIRECTORY	 0x08 /* only a directory (a Directory capability) */
#define FS_O_NOFOLLOW	 0x10 /* a final symbolic link is -E_LOOP */
#define FS_O_APPEND	 0x20 /* every write goes to the end */
/* fs_stat flags */
#define FS_STAT_NOFOLLOW 0x01
/* fs_seek whence */
#define FS_SEEK_SET	 0
#define FS_SEEK_CUR	 1
#define FS_SEEK_END	 2

/* st_mode's type bits: Linux's values. */
#define FS_S_IFMT	 0170000
#define FS_S_IFLNK	 0120000
#define FS_S_IFREG	 0100000
#define FS_S_IFDIR	 0040000

struct fs_stat {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid, rdev, blksize;
	uint64_t size, blocks;
	int64_t mtime_sec;
	uint32_t mtime_nsec, reserved;
};

/* fs_readdir records, packed one after another (reclen bytes each,
 * 8-byte aligned); type is Linux's DT_* value. */
struct fs_dirent {
	uint64_t ino;
	uint16_t reclen;
	uint8_t type;
	uint8_t name_len; /* the name follows, NUL-terminated */
	char name[];
};

/*
 * Sockets (docs/network.md).  Addresses are IPv4 in host order
 * (127.0.0.1 is 0x7f000001).  A Socket is made by anyone (charged to
 * its Memory); listening or binding needs a Port capability covering
 * the port, connecting or sending to an address a Network capability.
 */
#define SOCK_TCP	  1
#define SOCK_UDP	  2
/* socket_create flags, and the flags of accept, send, recv, recvfrom */
#define SOCK_NONBLOCK	  (1u << 0) /* -E_AGAIN instead of waiting */
/* port_create protocols */
#define PORT_TCP	  (1u << 0)
#define PORT_UDP	  (1u << 1)
/* socket_setopt */
#define SOCKOPT_NODELAY	  1 /* TCP: 1 turns Nagle off */
#define SOCKOPT_KEEPALIVE 2 /* TCP: 1 probes an idle connection */
#define SOCKOPT_SNDBUF	  3 /* TCP: bytes, before connect or listen */
#define SOCKOPT_RCVBUF	  4 /* TCP: bytes, before connect or listen */
#define SOCKOPT_REUSEADDR 5 /* accepted; TIME_WAIT never blocks a listen here */
#define SOCKOPT_NONBLOCK  6 /* 1: every call as with SOCK_NONBLOCK */
#define SOCKOPT_KEEPIDLE  7 /* TCP: seconds idle before the first probe */

/* socket_info; states are RFC 9293's (0 CLOSED, 1 LISTEN, ... 10 TIME_WAIT) */
struct socket_info {
	uint32_t kind;	/* SOCK_TCP, SOCK_UDP */
	uint32_t state; /* TCP; UDP: 1 when bound */
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;
	int32_t error;	   /* 0 or -E_... that ended it */
	uint64_t readable; /* bytes (UDP: datagrams) waiting */
	uint64_t writable; /* bytes of send buffer free */
};

/* recvfrom's source. */
struct sock_addr {
	uint32_t addr;
	uint16_t port;
	uint16_t reserved;
};

#endif
