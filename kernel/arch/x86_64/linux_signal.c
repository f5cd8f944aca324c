/*
 * The Linux signal frame of x86_64 (arch/x86/kernel/signal.c): struct
 * rt_sigframe (the restorer's address, a ucontext, a siginfo) with the
 * FPU state above it, where sigcontext.fpstate points.  glibc and musl
 * read uc_mcontext and return through sa_restorer, which calls
 * rt_sigreturn with the stack pointer just past the return address.
 *
 * The FPU state is Linux's (arch/x86/kernel/fpu/signal.c): with XSAVE,
 * the whole XSAVE area (YMM upper halves included), its size and features
 * in the FXSAVE image's software-reserved bytes after FP_XSTATE_MAGIC1,
 * FP_XSTATE_MAGIC2 just past it, and UC_FP_XSTATE in uc_flags; without,
 * the FXSAVE image.  rt_sigreturn takes it back the same way: a frame
 * without both magic words, or with a size out of bounds, gives x87 and
 * SSE only (the rest starts clean); a header XRSTOR would refuse (a
 * feature not enabled, XCOMP_BV, reserved bits) or a bad MXCSR costs the
 * process a SIGSEGV, as Linux's faulting XRSTOR does.
 */
#include "arch/arch.h"
#include "asm/cpu.h"
#include "asm/fpu.h"
#include "asm/gdt.h"
#include "asm/layout.h"
#include "lib/string.h"
#include "linux/signal.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "themelios/abi.h"

struct lx_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct lx_sigcontext) == 256, "struct sigcontext");

struct lx_ucontext {
	uint64_t flags, link;
	struct linux_stack stack;
	struct lx_sigcontext mcontext;
	uint64_t sigmask;
};

struct lx_rt_sigframe {
	uint64_t pretcode;
	struct lx_ucontext uc;
	struct linux_siginfo info;
};
_Static_assert(sizeof(struct lx_rt_sigframe) == 440, "struct rt_sigframe");

/* struct _fpx_sw_bytes, in the FXSAVE image's bytes 464..511. */
struct lx_fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size; /* the whole fpstate: xstate_size + MAGIC2 */
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};
_Static_assert(sizeof(struct lx_fpx_sw_bytes) == 48, "struct _fpx_sw_bytes");

#define UC_FP_XSTATE	     0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4
#define RED_ZONE	     128
#define SW_BYTES_OFFSET	     464
#define FP_XSTATE_MAGIC1     0x46505853u
#define FP_XSTATE_MAGIC2     0x46505845u
#define MAGIC2_BYTES	     4
#define XSTATE_MIN	     (X86_FXSAVE_BYTES + X86_XSAVE_HEADER_BYTES)
#define XFEATURES_FPSSE	     (X86_XFEATURE_X87 | X86_XFEATURE_SSE)
/* What rt_sigreturn may set of RFLAGS: Linux's FIX_EFLAGS (no IF, IOPL, VM). */
#define RFLAGS_ONE	     (1ull << 1)
#define RFLAGS_USER	     (THREAD_FLAGS_X86 | (1ull << 8) | (1ull << 14) | (1ull << 16) | (1ull << 18))

int
arch_linux_sigframe(struct arch_regs *r, const struct linux_sigframe_args *a)
{
	struct thread *t = thread_current();
	struct lx_rt_sigframe f;
	struct arch_fpu_state state;
	uintptr_t sp = a->sp, fp, frame;
	size_t size = x86_fpu_size();
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	unsigned long flags;

	/* No vDSO here: without a restorer there is no way back (Linux
	 * gives SIGSEGV too). */
	if (!(a->flags & LX_SA_RESTORER))
		return -1;
	if (sp == arch_regs_sp(r))
		sp -= RED_ZONE;
	fp = (sp - size - (x86_fpu_xsave() ? MAGIC2_BYTES : 0)) & ~(uintptr_t)63;
	frame = ((fp - sizeof(f)) & ~(uintptr_t)15) - 8; /* as after a call */
	memset(&f, 0, sizeof(f));
	f.pretcode = a->restorer;
	f.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (x86_fpu_xsave() ? UC_FP_XSTATE : 0);
	f.uc.stack = a->stack;
	f.uc.mcontext = (struct lx_sigcontext){
		.r8 = r->r8,
		.r9 = r->r9,
		.r10 = r->r10,
		.r11 = r->r11,
		.r12 = r->r12,
		.r13 = r->r13,
		.r14 = r->r14,
		.r15 = r->r15,
		.rdi = r->rdi,
		.rsi = r->rsi,
		.rbp = r->rbp,
		.rbx = r->rbx,
		.rdx = r->rdx,
		.rax = r->rax,
		.rcx = r->rcx,
		.rsp = r->rsp,
		.rip = r->rip,
		.eflags = r->rflags,
		.cs = (uint16_t)r->cs,
		.ss = (uint16_t)r->ss,
		.err = a->info && a->info->signo != 0 && r->vector < 32 ? r->error : 0,
		.trapno = r->vector < 32 ? r->vector : 0,
		.oldmask = a->mask,
		.cr2 = a->sig == LX_SIGSEGV || a->sig == LX_SIGBUS ? a->info->addr : 0,
		.fpstate = fp,
	};
	f.uc.sigmask = a->mask;
	f.info = *a->info;

	flags = arch_irq_save(); /* the live registers are the thread's */
	x86_fpu_save_all(&state);
	arch_irq_restore(flags);
	if (x86_fpu_xsave()) {
		struct lx_fpx_sw_bytes sw = {
			.magic1 = FP_XSTATE_MAGIC1,
			.extended_size = (uint32_t)size + MAGIC2_BYTES,
			.xfeatures = x86_fpu_features(),
			.xstate_size = (uint32_t)size,
		};

		memcpy(state.area + SW_BYTES_OFFSET, &sw, sizeof(sw));
		/* As Linux: x87 and SSE always marked, so that a handler that
		 * edits only the FXSAVE image is heard. */
		x86_fpu_set_xstate_bv(&state, x86_fpu_xstate_bv(&state) | XFEATURES_FPSSE);
		if (copy_to_user(fp + size, &magic2, sizeof(magic2)))
			return -1;
	}
	if (copy_to_user(fp, state.area, size) || copy_to_user(frame, &f, sizeof(f)))
		return -1;
	/* The handler starts with a clean FPU, as on Linux. */
	flags = arch_irq_save();
	arch_fpu_init_state(&t->fpu);
	arch_fpu_restore(&t->fpu);
	arch_irq_restore(flags);

	r->rdi = (uint64_t)a->sig;
	r->rsi = frame + __builtin_offsetof(struct lx_rt_sigframe, info);
	r->rdx = frame + __builtin_offsetof(struct lx_rt_sigframe, uc);
	r->rax = 0;
	r->rsp = frame;
	r->rip = a->handler;
	r->rflags =
		(r->rflags & ~((1ull << 8) | (1ull << 10) | (1ull << 16) | RFLAGS_AC)) | RFLAGS_IF;
	r->cs = GDT_USER_CODE | 3;
	r->ss = GDT_USER_DATA | 3;
	return 0;
}

/*
 * The FPU state at user address ufp into *fpu, as Linux's
 * __fpu_restore_sig reads it: the XSAVE area when both magic words are
 * there and the size is sane, else the FXSAVE image with the rest in
 * its init state.  -1 when it cannot be read or would make XRSTOR fault.
 */
static int
read_fpstate(uintptr_t ufp, struct arch_fpu_state *fpu)
{
	struct lx_fpx_sw_bytes sw;
	size_t size = X86_FXSAVE_BYTES;
	uint64_t restore = XFEATURES_FPSSE;
	uint32_t magic2;

	arch_fpu_init_state(fpu);
	if (x86_fpu_xsave()) {
		if (copy_from_user(&sw, ufp + SW_BYTES_OFFSET, sizeof(sw)))
			return -1;
		if (sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size >= XSTATE_MIN &&
		    sw.xstate_size <= x86_fpu_size() && sw.xstate_size <= sw.extended_size) {
			if (copy_from_user(&magic2, ufp + sw.xstate_size, sizeof(magic2)))
				return -1;
			/* XRSTOR reads each component where it lies, past
			 * xstate_size too: the whole area. */
			if (magic2 == FP_XSTATE_MAGIC2) {
				size = x86_fpu_size();
				restore = sw.xfeatures;
			}
		}
	}
	if (copy_from_user(fpu->area, ufp, size))
		return -1;
	if (!x86_fpu_xsave())
		return x86_fpu_valid(fpu) ? 0 : -1;
	if (size == X86_FXSAVE_BYTES) {
		/* The init state's header, with x87 and SSE from the image. */
		x86_fpu_set_xstate_bv(fpu, XFEATURES_FPSSE);
		return x86_fpu_valid(fpu) ? 0 : -1;
	}
	/* XRSTOR checks the header against XCR0, not against what the
	 * frame asks to restore; the features not asked for start clean. */
	if (!x86_fpu_valid(fpu))
		return -1;
	x86_fpu_set_xstate_bv(fpu, x86_fpu_xstate_bv(fpu) & restore);
	if (!(restore & (X86_XFEATURE_SSE | X86_XFEATURE_AVX)))
		x86_fpu_set_mxcsr_init(fpu);
	return 0;
}

int
arch_linux_sigreturn(struct arch_regs *r, uint64_t *mask, struct linux_stack *stack)
{
	struct thread *t = thread_current();
	uintptr_t frame = r->rsp - 8; /* the restorer's ret took pretcode */
	struct lx_rt_sigframe f;
	struct arch_fpu_state fpu;
	const struct lx_sigcontext *c = &f.uc.mcontext;
	unsigned long flags;
	int err;

	if (copy_from_user(&f, frame, sizeof(f)))
		return -1;
	/* Back to user code at a user address, or not at all: SYSRET or
	 * IRET to a kernel or non-canonical one would fault in ring 0. */
	if (c->rip >= USER_SPACE_END || c->rsp >= USER_SPACE_END)
		return -1;
	if (c->fpstate) {
		if (read_fpstate(c->fpstate, &fpu))
			return -1;
	} else {
		arch_fpu_init_state(&fpu);
	}
	flags = arch_irq_save();
	t->fpu = fpu;
	err = x86_fpu_restore_user(&t->fpu);
	arch_irq_restore(flags);
	if (err)
		return -1;
	r->r8 = c->r8, r->r9 = c->r9, r->r10 = c->r10, r->r11 = c->r11;
	r->r12 = c->r12, r->r13 = c->r13, r->r14 = c->r14, r->r15 = c->r15;
	r->rdi = c->rdi, r->rsi = c->rsi, r->rbp = c->rbp, r->rbx = c->rbx;
	r->rdx = c->rdx, r->rax = c->rax, r->rcx = c->rcx, r->rsp = c->rsp;
	r->rip = c->rip;
	/* Only the flags user code may set; CS and SS are the user's whatever
	 * the frame says. */
	r->rflags = (c->eflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_ONE;
	r->cs = GDT_USER_CODE | 3;
	r->ss = GDT_USER_DATA | 3;
	r->vector = 0x100; /* a system call's frame, not an exception's */
	*mask = f.uc.sigmask;
	*stack = f.uc.stack;
	return 0;
}

uint64_t
arch_linux_syscall_result(const struct arch_regs *r)
{
	return r->rax;
}

void
arch_linux_syscall_set_result(struct arch_regs *r, uint64_t v)
{
	r->rax = v;
}

/* SYSCALL is two bytes: back to it with the number in RAX again. */
void
arch_linux_syscall_restart(struct arch_regs *r, uint64_t nr, uint64_t arg0)
{
	(void)arg0;
	r->rip -= 2;
	r->rax = nr;
}
