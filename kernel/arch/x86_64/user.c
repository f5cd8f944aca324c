/*
 * User mode on x86_64: SYSCALL/SYSRET set-up, the C side of the system
 * call entry, SMEP/SMAP, the kernel stack in the TSS, the FS base of user
 * threads.  The FPU/SIMD state is fpu.c's.
 */
#include "arch/arch.h"

#include "asm/cpu.h"
#include "asm/fpu.h"
#include "asm/gdt.h"
#include "asm/layout.h"
#include "core/printk.h"
#include "lib/string.h"
#include "sched/percpu.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define EFER_SCE       (1ull << 0)

#define RFLAGS_ONE     (1ull << 1) /* reserved, always set */
#define RFLAGS_TF      (1ull << 8)
#define RFLAGS_IF      (1ull << 9)
#define RFLAGS_DF      (1ull << 10)
#define RFLAGS_IOPL    (3ull << 12)
#define RFLAGS_NT      (1ull << 14)
#define RFLAGS_AC      (1ull << 18)

#define CR0_MP	       (1ull << 1)
#define CR0_EM	       (1ull << 2)
#define CR0_TS	       (1ull << 3)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_FSGSBASE   (1ull << 16)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)

void x86_syscall_entry(void);
int x86_syscall(struct arch_regs *r);

/* Read by trap_entry.S too: CLAC exists only with SMAP. */
bool x86_smap_enabled;
static const char *protections = "none";

void
arch_user_init(void)
{
	struct cpuid_regs id;
	uint64_t cr0, cr4;

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSCALL: CS = 0x08, SS = 0x10.  SYSRET: SS = 0x10 + 8 = user
	 * data, CS = 0x10 + 16 = user code, both with RPL 3. */
	wrmsr(MSR_STAR, (uint64_t)GDT_KERNEL_DATA << 48 | (uint64_t)GDT_KERNEL_CODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)x86_syscall_entry);
	/* Enter with interrupts off (no stack yet), AC clear (SMAP on). */
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);

	/*
	 * CR4.FSGSBASE stays off: with WRGSBASE a thread could put any
	 * value, a kernel address too, where an entry that took the wrong
	 * SWAPGS decision (an NMI in the entry window, or a speculated one)
	 * would look for the kernel's.  Without it user code changes
	 * FS or GS bases only by loading a selector, and every descriptor
	 * it may load has base 0.  So the user GS base is the same for all
	 * threads, 0 (written here: the firmware may have left anything),
	 * and needs no saving; the FS base is the TLS pointer, the
	 * kernel's to set (arch_tls_set) and to switch.
	 */
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);

	/* SSE for user code: FXSAVE/FXRSTOR and SIMD exceptions (fpu.c). */
	__asm__ volatile("movq %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP;
	__asm__ volatile("movq %0, %%cr0" : : "r"(cr0) : "memory");
	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	cr4 = (cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT) & ~CR4_FSGSBASE; /* see above */

	cpuid(0, 0, &id);
	if (id.eax >= 7) {
		cpuid(7, 0, &id);
		if (id.ebx & (1u << 7))
			cr4 |= CR4_SMEP;
		if (id.ebx & (1u << 20)) {
			cr4 |= CR4_SMAP;
			x86_smap_enabled = true;
		}
	}
	__asm__ volatile("movq %0, %%cr4" : : "r"(cr4) : "memory");
	x86_fpu_init(); /* XSAVE and AVX, now that FXSAVE works */
	if ((cr4 & CR4_SMEP) && x86_smap_enabled)
		protections = "SMEP SMAP";
	else if (cr4 & CR4_SMEP)
		protections = "SMEP (no SMAP on this CPU)";
	else if (x86_smap_enabled)
		protections = "SMAP (no SMEP on this CPU)";
	else
		protections = "none (this CPU has neither SMEP nor SMAP)";
}

const char *
arch_user_protections(void)
{
	return protections;
}

void
arch_set_kernel_stack(uintptr_t top)
{
	x86_tss_set_kernel_stack(top);
	arch_cpu_local()->kernel_sp = top;
}

void
arch_user_access_begin(void)
{
	if (x86_smap_enabled)
		__asm__ volatile("stac" : : : "memory");
}

void
arch_user_access_end(void)
{
	if (x86_smap_enabled)
		__asm__ volatile("clac" : : : "memory");
}

/*
 * Read back rather than remembered: a thread that loads FS with a
 * selector has changed its own FS base (to 0), and the next thread must
 * not inherit that.  The write, which ends a translation block under
 * TCG and costs more than the read on hardware, is skipped when the two
 * threads' bases are the same (threads of one process that share a
 * TLS, or none).
 */
void
arch_tls_switch(struct arch_tls_state *prev, const struct arch_tls_state *next)
{
	uint64_t loaded = rdmsr(MSR_FS_BASE);

	if (prev)
		prev->fs_base = loaded;
	if (next && next->fs_base != loaded)
		wrmsr(MSR_FS_BASE, next->fs_base);
}

void
arch_tls_set(struct arch_tls_state *cur, uint64_t address)
{
	cur->fs_base = address;
	wrmsr(MSR_FS_BASE, address);
}

uint64_t
arch_tls_saved(const struct arch_tls_state *s)
{
	return s->fs_base;
}

void
arch_tls_replace(struct arch_tls_state *s, uint64_t address)
{
	s->fs_base = address;
}

/* The register IPC calls' extra results, in the argument registers
 * (a switch rather than a table of pointers: this is on the IPC path). */
_Static_assert(SYSCALL_RET_MAX == 6, "one case per argument register");

static void
extra_results(struct arch_regs *r, const struct syscall_args *a)
{
	switch (a->nret) {
	case 6:
		r->r9 = a->ret[5];
		/* fall through */
	case 5:
		r->r8 = a->ret[4];
		/* fall through */
	case 4:
		r->r10 = a->ret[3];
		/* fall through */
	case 3:
		r->rdx = a->ret[2];
		/* fall through */
	case 2:
		r->rsi = a->ret[1];
		/* fall through */
	case 1:
		r->rdi = a->ret[0];
	}
}

/*
 * The C side of SYSCALL: number in RAX, arguments in RDI RSI RDX R10 R8
 * R9 (R10 for RCX, which SYSCALL takes), result in RAX, the extra
 * results of the register IPC calls in the argument registers.  Returns
 * 0 to leave by SYSRET, 1 by IRET.
 */
/* No canary: on every system call, and its only array (the arguments)
 * is filled field by field, never by a copy of some length. */
int __attribute__((no_stack_protector)) x86_syscall(struct arch_regs *r)
{
	struct syscall_args a;

	/* Field by field: ret[] is written before it is read, and clearing it
	 * would cost every system call. */
	a.nr = r->rax;
	a.a[0] = r->rdi;
	a.a[1] = r->rsi;
	a.a[2] = r->rdx;
	a.a[3] = r->r10;
	a.a[4] = r->r8;
	a.a[5] = r->r9;
	a.nret = 0;

	bool waited;

	/* Interrupts back on at once.  The stretch since SYSCALL, and the
	 * one from the CLI below to SYSRET, are this file's and the entry's
	 * few fixed instructions: timing them (irqs_off) would cost a tenth
	 * of a short system call, so plain STI and CLI. */
	__asm__ volatile("sti" ::: "memory");
	r->rax = (uint64_t)syscall_dispatch(&a);
	if (a.nret)
		extra_results(r, &a);
	waited = syscall_return_to_user();
	__asm__ volatile("cli" ::: "memory"); /* the rest is the way out to user mode */
	/* Suspended on the way, its registers may have been rewritten
	 * (thread_write_regs): IRET restores every one, RCX and R11 too. */
	if (waited)
		return 1;
	/* SYSRET takes RCX and R11 from the frame; it must not return to
	 * a non-canonical or kernel address (that #GP would be taken in
	 * ring 0 on the user's stack). */
	r->rcx = r->rip;
	r->r11 = r->rflags;
	return r->rip >= USER_SPACE_END;
}

void
arch_user_regs_init(struct arch_regs *r, uintptr_t pc, uintptr_t sp, uint64_t arg)
{
	memset(r, 0, sizeof(*r));
	r->rip = pc;
	r->rsp = sp;
	r->rdi = arg;
	r->cs = GDT_USER_CODE | 3;
	r->ss = GDT_USER_DATA | 3;
	r->rflags = RFLAGS_IF | RFLAGS_ONE;
}

void
arch_user_regs_forked(struct arch_regs *r, uint64_t ret, uintptr_t sp)
{
	r->rax = ret;
	if (sp)
		r->rsp = sp;
}

void
arch_thread_regs_read(const struct arch_regs *r, struct thread_regs *out)
{
	out->pc = r->rip;
	out->sp = r->rsp;
	out->arg[0] = r->rdi;
	out->arg[1] = r->rsi;
	out->arg[2] = r->rdx;
	out->arg[3] = r->rcx;
	out->arg[4] = r->r8;
	out->arg[5] = r->r9;
	out->ret = r->rax;
	out->flags = r->rflags & THREAD_FLAGS_X86;
}

int
arch_thread_regs_valid(const struct thread_regs *in)
{
	return in->flags & ~THREAD_FLAGS_X86 ? -E_INVAL : 0;
}

/* CS and SS stay the user's; IF stays on and IOPL 0 whatever the frame
 * held.  A RIP outside user space leaves by IRET (x86_syscall), never
 * SYSRET. */
void
arch_thread_regs_write(struct arch_regs *r, const struct thread_regs *in)
{
	r->rip = in->pc;
	r->rsp = in->sp;
	r->rdi = in->arg[0];
	r->rsi = in->arg[1];
	r->rdx = in->arg[2];
	r->rcx = in->arg[3];
	r->r8 = in->arg[4];
	r->r9 = in->arg[5];
	r->rax = in->ret;
	r->rflags = (r->rflags & ~(THREAD_FLAGS_X86 | RFLAGS_IOPL)) |
		    (in->flags & THREAD_FLAGS_X86) | RFLAGS_IF | RFLAGS_ONE;
}
