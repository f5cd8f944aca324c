/*
 * What every architecture provides to the arch-neutral kernel.  The
 * x86_64 and aarch64 implementations live under kernel/arch/<arch>/;
 * docs/porting.md walks through each function.
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asm/context.h"
#include "asm/regs.h"

/* Stops this CPU for good, interrupts off. */
void arch_halt(void) __attribute__((noreturn));

/* Ends the QEMU run with a pass or fail status when the test-exit device
 * is present (isa-debug-exit on x86_64, semihosting on aarch64); halts
 * otherwise. */
void arch_qemu_exit(bool success) __attribute__((noreturn));

/* Registers of the caller, as an exception frame would hold them. */
void arch_capture_regs(struct arch_regs *regs);
void arch_print_regs(const struct arch_regs *regs);
uintptr_t arch_regs_frame_pointer(const struct arch_regs *regs);
uintptr_t arch_regs_pc(const struct arch_regs *regs);

/* Reset or switch off the machine (ACPI, or what QEMU answers). */
void arch_reboot(void) __attribute__((noreturn));
void arch_poweroff(void) __attribute__((noreturn));

/* A hint inside spin loops (pause, yield). */
void arch_cpu_relax(void);

/* A cycle counter for benchmarks (rdtsc, cntvct). */
uint64_t arch_cycles(void);

/* Bits no two boots should share (a hardware random number when the CPU
 * has one, else the cycle counter): for the stack guard.  Callable first
 * thing at boot. */
uint64_t arch_boot_entropy(void);

/* True for an address in the kernel's half of the address space. */
bool arch_is_kernel_address(uintptr_t addr);

/* ---- threads ---- */

struct arch_context;
/* Prepares ctx so the first switch to it runs entry() on the given stack. */
void arch_context_init(struct arch_context *ctx, uintptr_t stack_top, void (*entry)(void));
/* Saves the current thread's context in prev and resumes next. */
void arch_context_switch(struct arch_context *prev, struct arch_context *next);

/* ---- memory management ---- */

/* Switches to the page tables rooted at root_pa (physical). */
void arch_vm_activate(uint64_t root_pa);
/* The root currently in use. */
uint64_t arch_vm_current(void);
void arch_tlb_flush_page(uintptr_t va);
void arch_tlb_flush_all(void);
/* Physical extent of the whole loaded kernel, boot code included. */
void arch_kernel_phys_extent(uint64_t *start, uint64_t *end);
/* Physical address of a kernel-image address (text, data, bss). */
uint64_t arch_kernel_image_phys(uintptr_t va);
/* Switches user space to the tables rooted at root_pa (0: no user space). */
void arch_vm_activate_user(uint64_t root_pa);
/* Makes a new user address space's root share the kernel's half. */
void arch_vm_init_user_root(uint64_t root_pa, uint64_t kernel_root_pa);
/* The boot stack's guard page, left unmapped by the kernel's tables. */
uintptr_t arch_boot_stack_guard(void);

/* ---- interrupts, faults and time (docs/interrupts.md) ---- */

struct boot_info;

/* The stack pointer of the context a register frame describes. */
uintptr_t arch_regs_sp(const struct arch_regs *regs);

/*
 * This CPU's interrupt flag.  arch_irq_save disables interrupts and
 * returns the previous state for arch_irq_restore, which must be called
 * with interrupts still disabled (it only turns them back on).  arch_wait_for_interrupt
 * is for idle loops: call it with interrupts disabled (after checking
 * that there is nothing to do); it enables them and sleeps until an
 * interrupt has been taken, without losing one that arrives in between,
 * and returns with interrupts enabled.
 */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
void arch_irq_enable(void);
void arch_irq_disable(void);
bool arch_irq_enabled(void);
void arch_wait_for_interrupt(void);

/*
 * A minimal setjmp/longjmp for the kernel (fault_catch).  arch_longjmp
 * makes arch_setjmp return val (1 when val is 0) and restores the
 * interrupt flag saved by arch_setjmp.  It may be called from a trap
 * handler, even on another stack; the frames in between are abandoned.
 */
int arch_setjmp(struct arch_jmp_buf *jb) __attribute__((returns_twice));
void arch_longjmp(struct arch_jmp_buf *jb, int val) __attribute__((noreturn));

/*
 * The interrupt controllers (x86_64: 8259 masked, ACPI MADT, local APIC,
 * I/O APIC).  Call once, after the kernel's page tables are active (it
 * maps device registers) and before time_init.  Interrupts stay disabled.
 */
void arch_interrupts_init(struct boot_info *bi);

/*
 * The battery-backed real-time clock (x86_64: the CMOS RTC; aarch64:
 * the device tree's PL031), read once at boot for the wall clock:
 * seconds since the epoch, UTC.  0, -E_NOENT (no such clock) or -E_IO
 * (it gave no date that means anything).  *source names the device.
 */
int arch_rtc_read(const struct boot_info *bi, int64_t *unix_seconds, const char **source);

/*
 * Connects a device interrupt line to fn (called in interrupt context,
 * interrupts disabled; the arch sends the end-of-interrupt afterwards).
 * On x86_64 line 0-15 is an ISA IRQ (mapped to a GSI by the ACPI source
 * overrides, edge/high unless overridden) and 16+ a GSI (level, low).
 * Returns the vector used, or -E_INVAL / -E_BUSY / -E_NOENT.
 */
int arch_irq_attach(unsigned int line, const char *name,
		    void (*fn)(struct arch_regs *regs, void *ctx), void *ctx);

/*
 * Device lines for user-space drivers (IRQ capabilities).
 * arch_irq_line_exists: the line is a device line this machine has and
 * one CPU-independent handler can serve (x86_64: ISA IRQ 0-15 but the
 * cascade, or an I/O APIC GSI; aarch64: a GIC SPI).  Whether the kernel
 * uses it already is arch_irq_attach's -E_BUSY.
 * arch_irq_detach undoes arch_irq_attach (line masked, handler gone);
 * arch_irq_mask masks or unmasks an attached line; level-triggered lines
 * are masked by their handler until the driver has quietened the device.
 */
bool arch_irq_line_exists(unsigned int line);
void arch_irq_detach(unsigned int line);
void arch_irq_mask(unsigned int line, bool masked);
bool arch_irq_level_triggered(unsigned int line);

/*
 * The I/O port space (x86_64: 64 Ki ports; 0 where there is none).
 * arch_port_read/write move 1, 2 or 4 bytes.
 */
uint32_t arch_port_space(void);
uint32_t arch_port_read(uint16_t port, unsigned int bytes);
void arch_port_write(uint16_t port, unsigned int bytes, uint32_t value);

/* Sends an interrupt with the given vector to this CPU (self-IPI). */
void arch_irq_send_self(unsigned int vector);

/*
 * Time.  arch_time_init calibrates the counter and the one-shot timer
 * and sends the timer interrupt to fn (in interrupt context).  The
 * counter (TSC, CNTVCT) is monotonic and counts at arch_time_counter_hz.
 * arch_timer_arm asks for one interrupt at or after the counter reaches
 * deadline (ARCH_TIMER_OFF: none); the timer may fire early when the
 * deadline is beyond its range, so the handler must check the time.
 */
int arch_time_init(void (*fn)(struct arch_regs *regs, void *ctx), void *ctx);
uint64_t arch_time_counter(void);
uint64_t arch_time_counter_hz(void);
void arch_timer_arm(uint64_t deadline);
#define ARCH_TIMER_OFF UINT64_MAX

/*
 * PCI (docs/devices.md).  arch_pci_host fills host's ECAM window and
 * bus range (and, from a device tree, the bridge's windows and
 * interrupt-map) from what the firmware describes: x86_64 the ACPI MCFG,
 * aarch64 the pci-host-ecam-generic node; -E_NOENT when there is none.
 * arch_pci_irq_line gives the interrupt line a function's INTx pin
 * raises (x86_64: the ISA IRQ the firmware routed it to, from the
 * interrupt line register; aarch64: the interrupt-map's INTID), or
 * -E_NOENT; arch_pci_irq_attach connects such a line like
 * arch_irq_attach, level-triggered and active low as PCI lines are.
 */
struct pci_host;
/*
 * arch_msi_attach gives fn a vector of its own and the message (address
 * and data) a device writes to raise it, for MSI-X: 0, -E_BUSY (no
 * vector free), or -E_NOTSUP where there is no MSI (aarch64: it would
 * need the GICv3 ITS).
 */
int arch_msi_attach(const char *name, void (*fn)(struct arch_regs *regs, void *ctx), void *ctx,
		    uint64_t *addr, uint32_t *data);
int arch_pci_host(const struct boot_info *bi, struct pci_host *host);
int arch_pci_irq_line(const struct pci_host *host, uint8_t bus, uint8_t dev, uint8_t fn,
		      uint8_t pin, uint8_t line_reg);
int arch_pci_irq_attach(unsigned int line, const char *name,
			void (*fn)(struct arch_regs *regs, void *ctx), void *ctx);

/*
 * Faults on purpose, for the tests: "divzero", "ud", "pagefault" (a
 * read of an unmapped kernel address), "gpf", "breakpoint",
 * "stackoverflow".  Returns false for a word this arch does not know.
 */
bool arch_crash(const char *what);

/*
 * User mode (docs/syscalls.md).  The arch code owns the way in and out:
 *   - arch_user_init enables the system-call instruction and the
 *     protections that keep the kernel out of user memory (SMEP/SMAP,
 *     PAN) and user code out of the kernel;
 *   - arch_user_regs_init fills a new thread's first user registers (pc,
 *     stack sp, arg in the first argument register, all else zero, user
 *     privilege, interrupts on); arch_enter_user leaves for user mode
 *     with the registers of a frame at the top of the current thread's
 *     kernel stack (thread_user_regs), where every entry from user mode
 *     saves them too;
 *   - a system call reaches syscall_dispatch (syscall/syscall.h) with
 *     the number and six arguments, its result goes back in the first
 *     return register; an exception in user mode reaches fault_user
 *     (core/fault.h), which never returns to the faulting code;
 *   - arch_set_kernel_stack names the stack the CPU enters the kernel on
 *     from user mode (the scheduler calls it for every user thread it
 *     switches to);
 *   - arch_user_access_begin/end bracket every kernel access to user
 *     memory (proc/uaccess.c), lifting SMAP/PAN for just that long.
 */
void arch_user_init(void);
/* Did the trap in regs come from user mode? */
bool arch_regs_user_mode(const struct arch_regs *regs);
/* Were interrupts on where the exception happened? */
bool arch_regs_irqs_on(const struct arch_regs *regs);
void arch_user_regs_init(struct arch_regs *regs, uintptr_t pc, uintptr_t sp, uint64_t arg);
/* A copy of a thread's registers made in a system call (a Linux fork)
 * returns ret from it, on stack sp when sp is not 0. */
void arch_user_regs_forked(struct arch_regs *regs, uint64_t ret, uintptr_t sp);
void arch_enter_user(struct arch_regs *regs) __attribute__((noreturn));

/*
 * A suspended thread's user registers as the ABI shows them (struct
 * thread_regs in themelios/abi.h).  arch_thread_regs_valid refuses
 * (-E_INVAL) what a program may not set: flags outside the condition
 * flags, and on aarch64 a ret that differs from arg[0] (both are x0).
 * arch_thread_regs_write changes only pc, sp, the argument and result
 * registers and the condition flags, never the privilege state (x86_64
 * CS, SS, IOPL, IF; aarch64 the SPSR mode and mask bits).  pc and sp
 * are the caller's to check.
 */
struct thread_regs;
void arch_thread_regs_read(const struct arch_regs *regs, struct thread_regs *out);
int arch_thread_regs_valid(const struct thread_regs *in);
void arch_thread_regs_write(struct arch_regs *regs, const struct thread_regs *in);
void arch_set_kernel_stack(uintptr_t top);
void arch_user_access_begin(void);
void arch_user_access_end(void);
/* What the user-mode protections are, for the boot log ("SMEP SMAP"). */
const char *arch_user_protections(void);

/*
 * The CPU's features as a Linux program is told them, AT_HWCAP and
 * AT_HWCAP2 of its auxiliary vector: Linux's bits for what the CPU has
 * and this kernel lets user code use (x86_64 CPUID.1:EDX and no
 * HWCAP2 bit; aarch64 from the ID registers, kernel/arch/aarch64/idregs.h).
 */
void arch_linux_hwcaps(uint64_t *hwcap, uint64_t *hwcap2);

/*
 * /proc/cpuinfo: Linux's block of fields for each CPU the kernel runs
 * (one), from the CPU itself (x86_64 CPUID; aarch64 MIDR_EL1 and the
 * bits above).  Writes at most size - 1 bytes and a NUL; the length.
 */
size_t arch_linux_cpuinfo(char *buf, size_t size);

/* FPU/SIMD state of user threads: a clean state, and save/restore at a
 * switch between threads (the kernel itself never touches it). */
void arch_fpu_init_state(struct arch_fpu_state *fpu);
void arch_fpu_save(struct arch_fpu_state *fpu);
void arch_fpu_restore(const struct arch_fpu_state *fpu);

/*
 * The TLS pointer of user threads (x86_64 FS base, aarch64 TPIDR_EL0).
 * User code may change the register behind the kernel's back (aarch64
 * msr; x86_64 a segment load), so arch_tls_switch reads what the CPU
 * holds into prev (NULL: a kernel thread, nothing to keep) and loads
 * next's (NULL: leave it) only if it differs.  arch_tls_set gives the
 * running thread a new one, interrupts off; the caller has checked it
 * is below USER_SPACE_END (x86_64: a non-canonical FS base is a #GP in
 * the kernel).  A zeroed state is no TLS.
 */
void arch_tls_switch(struct arch_tls_state *prev, const struct arch_tls_state *next);
void arch_tls_set(struct arch_tls_state *cur, uint64_t address);
/* A switched-out thread's pointer, read or replaced (thread_read_regs,
 * thread_write_regs); a new one is loaded when the thread next runs. */
uint64_t arch_tls_saved(const struct arch_tls_state *s);
void arch_tls_replace(struct arch_tls_state *s, uint64_t address);

#endif
