/*
 * libthemelios: what a ThemeliOS user program links with.  The system
 * calls (stubs generated from include/themelios/syscalls.list; the
 * prototypes here give them types), formatted output to a console
 * capability, strings, and malloc over the process's memory quota.
 */
#ifndef USER_THEMELIOS_H
#define USER_THEMELIOS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/format.h"
#include "lib/string.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

typedef uint64_t slot_t;

long sys_exit(long status) __attribute__((noreturn));
long sys_yield(void);
long sys_console_write(slot_t console, const void *buf, uint64_t len);
long sys_cap_copy(slot_t src, slot_t dst);
long sys_cap_mint(slot_t src, slot_t dst, uint64_t rights, uint64_t badge);
long sys_cap_move(slot_t src, slot_t dst);
long sys_cap_delete(slot_t slot);
long sys_cap_revoke(slot_t slot);
long sys_cap_inspect(slot_t slot, struct cap_info *info);
long sys_endpoint_create(slot_t dst);
long sys_send(slot_t ep, struct ipc_msg *msg, uint64_t flags);
long sys_call(slot_t ep, struct ipc_msg *msg, uint64_t flags);
long sys_recv(slot_t ep, struct ipc_msg *msg, uint64_t flags);
long sys_reply(struct ipc_msg *msg);
long sys_reply_recv(slot_t ep, struct ipc_msg *msg, uint64_t flags);
long sys_reply_save(slot_t dst);
long sys_reply_with(slot_t reply, struct ipc_msg *msg);
long sys_spawn(const struct spawn_args *args);
long sys_map_anonymous(uint64_t pages, uint64_t flags, uint64_t *address);
long sys_cycles(void);
long sys_notification_create(slot_t dst);
long sys_signal(slot_t notification, uint64_t bits);
long sys_wait(slot_t notification, uint64_t flags, uint64_t *word);
long sys_wait_until(slot_t notification, uint64_t deadline_ns, uint64_t *word);
long sys_clock_ns(void);
long sys_random(void *buffer, uint64_t length);
long sys_memory_audit(struct mem_audit *out);
long sys_process_info(slot_t process, struct process_info *info);
long sys_process_kill(slot_t process);
long sys_process_grant(slot_t process, slot_t src, slot_t dst);
long sys_thread_create(uintptr_t entry, uintptr_t stack_top, uint64_t arg, slot_t thread_slot);
long sys_thread_kill(slot_t thread);
long sys_thread_exit(void) __attribute__((noreturn));
long sys_memory_split(slot_t memory, slot_t dst, uint64_t pages);
long sys_memory_info(slot_t memory, struct memory_info *info);
long sys_frames_create(uint64_t pages, slot_t dst);
long sys_frames_map(slot_t frames, uint64_t flags, uint64_t *address);
long sys_process_parts(slot_t process, slot_t cspace_dst, slot_t address_space_dst);
long sys_cspace_copy(slot_t cspace, slot_t src, slot_t dst);
long sys_cspace_delete(slot_t cspace, slot_t slot);
long sys_cspace_inspect(slot_t cspace, slot_t slot, struct cap_info *info);
long sys_frames_map_into(slot_t address_space, slot_t frames, uint64_t flags, uint64_t *address);
long sys_irq_claim(slot_t control, uint64_t line, slot_t dst);
long sys_irq_bind(slot_t irq, slot_t notification, uint64_t bits);
long sys_irq_ack(slot_t irq);
long sys_ioport_claim(slot_t control, uint64_t first, uint64_t count, slot_t dst);
long sys_port_in(slot_t ioports, uint64_t port, uint64_t width);
long sys_port_out(slot_t ioports, uint64_t port, uint64_t width, uint64_t value);
long sys_device_frames(slot_t control, uint64_t phys, uint64_t pages, slot_t dst);
long sys_vm_unmap(slot_t address_space, uint64_t address, uint64_t pages);
long sys_vm_protect(slot_t address_space, uint64_t address, uint64_t pages, uint64_t flags);
long sys_vm_map(slot_t address_space, uint64_t address, uint64_t pages, uint64_t flags,
		uint64_t *address_out);
long sys_as_clone(slot_t address_space, slot_t memory, slot_t dst);
long sys_vm_map_file(slot_t address_space, slot_t file, uint64_t offset, uint64_t pages,
		     uint64_t flags, uint64_t *address_inout);
long sys_exec(const struct exec_args *args);
long sys_vm_copy(slot_t address_space, uint64_t address, uint64_t pages, slot_t dst_address_space,
		 uint64_t flags, uint64_t *address_inout);
long sys_thread_suspend(slot_t thread);
long sys_thread_resume(slot_t thread);
long sys_thread_read_regs(slot_t thread, struct thread_regs *regs);
long sys_thread_write_regs(slot_t thread, const struct thread_regs *regs);
long sys_tls_set(uint64_t address);
long sys_object_bind(slot_t object, slot_t notification, uint64_t signals, uint64_t bits);
long sys_object_signals(slot_t object);
long sys_object_info(slot_t object, struct object_info *info);
long sys_object_read(slot_t object, uint64_t offset, void *buffer, uint64_t length);
long sys_object_write(slot_t object, uint64_t offset, const void *buffer, uint64_t length);
long sys_fs_open(slot_t dir, const char *path, uint64_t path_len, uint64_t flags, uint64_t rights,
		 slot_t dst);
long sys_fs_read(slot_t file, void *buf, uint64_t len);
long sys_fs_write(slot_t file, const void *buf, uint64_t len);
long sys_fs_pread(slot_t file, void *buf, uint64_t len, uint64_t off);
long sys_fs_pwrite(slot_t file, const void *buf, uint64_t len, uint64_t off);
long sys_fs_seek(slot_t file, int64_t off, uint64_t whence);
long sys_fs_stat(slot_t dir, const char *path, uint64_t path_len, uint64_t flags,
		 struct fs_stat *st);
long sys_fs_fstat(slot_t slot, struct fs_stat *st);
long sys_fs_readdir(slot_t dir, uint64_t *cookie, void *buf, uint64_t len);
long sys_fs_mkdir(slot_t dir, const char *path, uint64_t path_len, uint64_t mode);
long sys_fs_unlink(slot_t dir, const char *path, uint64_t path_len);
long sys_fs_rmdir(slot_t dir, const char *path, uint64_t path_len);
long sys_fs_rename(slot_t dir, const char *path, uint64_t path_len, slot_t new_dir,
		   const char *new_path, uint64_t new_path_len);
long sys_fs_link(slot_t dir, const char *path, uint64_t path_len, slot_t new_dir,
		 const char *new_path, uint64_t new_path_len);
long sys_fs_symlink(const char *target, uint64_t target_len, slot_t dir, const char *path,
		    uint64_t path_len);
long sys_fs_readlink(slot_t dir, const char *path, uint64_t path_len, char *buf, uint64_t size);
long sys_fs_truncate(slot_t file, uint64_t size);
long sys_fs_fsync(slot_t file);
long sys_fs_close(slot_t slot);

/* Sockets, Ports and the Network (docs/network.md). */
long sys_socket_create(uint64_t kind, uint64_t flags, slot_t dst);
long sys_socket_listen(slot_t sock, slot_t port_cap, uint64_t port, uint64_t backlog);
long sys_socket_accept(slot_t sock, slot_t dst, uint64_t flags);
long sys_socket_connect(slot_t sock, slot_t network, uint64_t addr, uint64_t port);
long sys_socket_send(slot_t sock, const void *buf, uint64_t len, uint64_t flags);
long sys_socket_recv(slot_t sock, void *buf, uint64_t len, uint64_t flags);
long sys_socket_shutdown(slot_t sock);
long sys_socket_close(slot_t sock);
long sys_socket_bind(slot_t sock, slot_t port_cap, uint64_t port);
long sys_socket_sendto(slot_t sock, slot_t network, const void *buf, uint64_t len, uint64_t addr,
		       uint64_t port);
long sys_socket_recvfrom(slot_t sock, void *buf, uint64_t len, struct sock_addr *from,
			 uint64_t flags);
long sys_socket_setopt(slot_t sock, uint64_t option, uint64_t value);
long sys_socket_info(slot_t sock, struct socket_info *info);
long sys_port_create(slot_t network, uint64_t first, uint64_t count, uint64_t protocols,
		     slot_t dst);
/* Sends all len bytes (socket_send may take fewer): len or an error. */
long socket_send_all(slot_t sock, const void *buf, uint64_t len);

/* The same with NUL-terminated paths. */
long fs_open(slot_t dir, const char *path, uint64_t flags, uint64_t rights, slot_t dst);
long fs_stat(slot_t dir, const char *path, uint64_t flags, struct fs_stat *st);

/*
 * The calling thread's TLS pointer, as the ABI's TLS code finds it: on
 * aarch64 TPIDR_EL0 itself; on x86_64 the word at %fs:0, which is the
 * pointer only when the block's first word points to itself (the x86_64
 * ABI's convention, musl's too: the FS base itself cannot be read from
 * user mode here, CR4.FSGSBASE being off).
 */
static inline uintptr_t
tls_pointer(void)
{
	uintptr_t p;

#if defined(__x86_64__)
	__asm__ volatile("movq %%fs:0, %0" : "=r"(p));
#else
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(p));
#endif
	return p;
}

/* Starts fn(arg) in a new thread of this process on a fresh stack of
 * stack_pages pages; the thread ends when fn returns.  Its id, or an
 * error. */
long thread_start(void (*fn)(void *), void *arg, unsigned int stack_pages);
/* The same, with a Thread capability for it in thread_slot (0: none). */
long thread_start_cap(void (*fn)(void *), void *arg, unsigned int stack_pages, slot_t thread_slot);

/*
 * The register IPC path: a label and four words, no data, no capability
 * (docs/syscalls.md).  call sends w and puts the reply in it; recv and
 * reply_recv fill w with what arrived, badge included.
 */
struct ipc_words {
	uint64_t label;
	uint64_t w[IPC_WORDS];
	uint64_t badge;
};
long ipc_call_words(slot_t ep, struct ipc_words *w);
long ipc_recv_words(slot_t ep, struct ipc_words *w);
long ipc_reply_recv_words(slot_t ep, struct ipc_words *w);

/* A raw system call by number, for tests of the dispatcher. */
long syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* printf to the console capability in slot console (printf: CAP_SLOT_CONSOLE). */
int cprintf(slot_t console, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The memory audit (test mode): 0 when before and after agree on every
 * count that must come back after work that leaves nothing behind and
 * after shows no anomaly; otherwise each difference is printed, naming
 * the field and prefixed with what, and their number returned.
 */
int audit_compare(const struct mem_audit *before, const struct mem_audit *after, const char *what);

/* The error's name ("E_NOCAP"), for messages. */
const char *strerror(long err);

/* malloc over map_anonymous: NULL when the quota is spent. */
void *malloc(size_t size);
void free(void *p);

/* Spawns a program from the boot archive with the given capabilities
 * (child slots 1..n) and pages of memory split from our own (slot
 * CAP_SLOT_MEMORY, through CAP_SLOT_SCRATCH), reporting to supervisor
 * with badge. */
long spawn(const char *name, uint64_t arg, uint64_t quota, slot_t supervisor, uint64_t badge,
	   const slot_t *caps, unsigned int ncaps);
/* The same with argument strings (NUL-separated, args_len bytes). */
long spawn_args(const char *name, uint64_t arg, uint64_t quota, slot_t supervisor, uint64_t badge,
		const slot_t *caps, unsigned int ncaps, const char *args, uint64_t args_len);

/*
 * Where spawn finds programs: 0 (the default) for the boot archive, or a
 * Directory slot whose bin/NAME is the program (init sets its root).
 * A program's PT_INTERP is looked up there too (spawn_args.root_dir).
 */
extern slot_t spawn_program_dir;

/*
 * Replaces this process's image with the program in File slot file
 * (READ, EXECUTE), argv[0] name, then args, envp env (NUL-separated
 * strings), arg in its first argument register; PT_INTERP is looked up
 * under spawn_program_dir (0: CAP_SLOT_ROOT_DIR).  Returns only on
 * failure, with the error; the old image runs on.
 */
long exec(slot_t file, const char *name, const char *args, uint64_t args_len, const char *env,
	  uint64_t env_len, uint64_t arg);

/* main gets the argument word its creator passed; the strings (argv[0]
 * is the program's name) are here. */
int main(uint64_t arg);
extern long prog_argc;
extern char **prog_argv;

#endif
