/*
 * The Linux signal frame of aarch64 (arch/arm64/kernel/signal.c):
 * struct rt_sigframe (a siginfo, then a ucontext whose sigcontext holds
 * the registers and, in its reserved area, the FPSIMD record, with SVE
 * the SVE record, and the null record that ends the list), with a frame
 * record {x29, x30} above
 * it.  The handler returns to x30: sa_restorer when the C library gives
 * one (musl), else the personality's sigreturn page (glibc uses the
 * vDSO's on Linux, and there is no vDSO here).
 */
#include "arch/arch.h"
#include "asm/layout.h"
#include "cpu_features.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "linux/signal.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "themelios/abi.h"

#define FPSIMD_MAGIC 0x46508001u
#define FPSIMD_SIZE  528u

struct lx_fpsimd_context {
	uint32_t magic, size;
	uint32_t fpsr, fpcr;
	uint64_t vregs[64];
};
_Static_assert(sizeof(struct lx_fpsimd_context) == FPSIMD_SIZE, "struct fpsimd_context");

/*
 * The SVE record: its header, then z0-z31 (VL bytes each), p0-p15 and
 * FFR (VL / 8 each), as STR stores them, which is how fpu.S keeps them.
 * Linux writes it whole while SVE state is live, and as the header alone
 * (no registers: the FPSIMD record holds them) after a system call
 * discarded it; this kernel keeps the state across calls, so it always
 * writes it whole, and takes either back.
 */
#define SVE_MAGIC 0x53564501u

struct lx_sve_context {
	uint32_t magic, size;
	uint16_t vl, flags;
	uint16_t reserved[2];
};

static size_t
sve_regs_size(uint32_t vl)
{
	return 32 * vl + 17 * (vl / 8);
}

struct lx_sigcontext {
	uint64_t fault_address;
	uint64_t regs[31];
	uint64_t sp, pc, pstate;
	uint8_t reserved[4096] __attribute__((aligned(16)));
};

struct lx_ucontext {
	uint64_t flags, link;
	struct linux_stack stack;
	uint64_t sigmask;
	uint8_t unused[120];
	struct lx_sigcontext mcontext __attribute__((aligned(16)));
};

struct lx_rt_sigframe {
	struct linux_siginfo info;
	struct lx_ucontext uc;
};
_Static_assert(__builtin_offsetof(struct lx_rt_sigframe, uc.mcontext) == 304, "uc_mcontext");
_Static_assert(sizeof(struct lx_rt_sigframe) == 4688, "struct rt_sigframe");

/* The mode (EL0t, AArch64) and D, A, I, F: a frame that sets any of
 * them asks for what user code may not have. */
#define PSTATE_PRIVILEGED 0x3dfull
#define FPCR_BITS	  0x07ff9f00u
#define FPSR_BITS	  0xf800009fu

_Static_assert(FPSIMD_SIZE + sizeof(struct lx_sve_context) + 32 * SVE_VL_MAX + 17 * SVE_VL_MAX / 8 +
			       15 + 16 <=
		       sizeof(((struct lx_sigcontext *)0)->reserved),
	       "the records and the null record fit the reserved area");

uintptr_t linux_sigreturn_page(void);

/* The V registers are the low 128 bits of the Z registers. */
static void
v_from_z(uint64_t *v, const struct arch_fpu_state *fpu, uint32_t vl)
{
	for (unsigned int i = 0; i < 32; i++)
		memcpy(v + 2 * i, fpu->z + i * vl, 16);
}

int
arch_linux_sigframe(struct arch_regs *r, const struct linux_sigframe_args *a)
{
	struct thread *t = thread_current();
	struct lx_rt_sigframe *f = NULL;
	struct lx_fpsimd_context *fp;
	uint64_t record[2] = { r->x[29], r->x[30] };
	uintptr_t next, frame, ret = a->restorer;
	unsigned long flags;
	int err = -1;

	if (!(a->flags & LX_SA_RESTORER)) {
		ret = linux_sigreturn_page();
		if (!ret)
			return -1;
	}
	next = (a->sp - sizeof(record)) & ~(uintptr_t)15;
	frame = (next - sizeof(*f)) & ~(uintptr_t)15;
	/* Too big for the kernel stack: built in a buffer of its own. */
	f = kcalloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->info = *a->info;
	f->uc.stack = a->stack;
	f->uc.sigmask = a->mask;
	f->uc.mcontext.fault_address =
		a->sig == LX_SIGSEGV || a->sig == LX_SIGBUS ? a->info->addr : 0;
	memcpy(f->uc.mcontext.regs, r->x, sizeof(r->x));
	f->uc.mcontext.sp = r->sp;
	f->uc.mcontext.pc = r->pc;
	f->uc.mcontext.pstate = r->pstate;
	fp = (struct lx_fpsimd_context *)f->uc.mcontext.reserved;
	fp->magic = FPSIMD_MAGIC;
	fp->size = FPSIMD_SIZE;
	flags = arch_irq_save(); /* the live registers are the thread's */
	arch_fpu_save(&t->fpu);
	arch_irq_restore(flags);
	if (aarch64_sve_vl) {
		uint32_t vl = aarch64_sve_vl;
		struct lx_sve_context *sve =
			(struct lx_sve_context *)(f->uc.mcontext.reserved + FPSIMD_SIZE);

		v_from_z(fp->vregs, &t->fpu, vl);
		sve->magic = SVE_MAGIC;
		sve->size = (uint32_t)((sizeof(*sve) + sve_regs_size(vl) + 15) & ~(size_t)15);
		sve->vl = (uint16_t)vl;
		memcpy(sve + 1, t->fpu.z, 32 * vl);
		memcpy((uint8_t *)(sve + 1) + 32 * vl, t->fpu.p, 17 * (vl / 8));
	} else {
		memcpy(fp->vregs, t->fpu.q, sizeof(fp->vregs));
	}
	fp->fpsr = t->fpu.fpsr;
	fp->fpcr = t->fpu.fpcr;
	/* The null record after it ends the list (the buffer is zeroed). */
	if (!copy_to_user(next, record, sizeof(record)) && !copy_to_user(frame, f, sizeof(*f)))
		err = 0;
	kfree(f);
	if (err)
		return err;
	r->x[0] = (uint64_t)a->sig;
	r->x[1] = frame + __builtin_offsetof(struct lx_rt_sigframe, info);
	r->x[2] = frame + __builtin_offsetof(struct lx_rt_sigframe, uc);
	r->x[29] = next;
	r->x[30] = ret;
	r->sp = frame;
	r->pc = a->handler;
	return 0;
}

int
arch_linux_sigreturn(struct arch_regs *r, uint64_t *mask, struct linux_stack *stack)
{
	struct thread *t = thread_current();
	struct lx_rt_sigframe *f;
	const struct lx_fpsimd_context *fp;
	const struct lx_sve_context *sve;
	const struct lx_sigcontext *c;
	uint32_t vl = aarch64_sve_vl;
	unsigned long flags;
	int err = -1;

	if (r->sp & 15)
		return -1;
	f = kcalloc(1, sizeof(*f));
	if (!f)
		return -1;
	c = &f->uc.mcontext;
	fp = (const struct lx_fpsimd_context *)c->reserved;
	if (copy_from_user(f, r->sp, sizeof(*f)))
		goto out;
	if ((c->pstate & PSTATE_PRIVILEGED) || c->pc >= USER_SPACE_END || c->sp >= USER_SPACE_END)
		goto out;
	if (fp->magic != FPSIMD_MAGIC || fp->size != FPSIMD_SIZE)
		goto out;
	/* An SVE record must be of this length, whole or the header alone
	 * (Linux refuses others too). */
	sve = (const struct lx_sve_context *)(c->reserved + FPSIMD_SIZE);
	if (vl && sve->magic == SVE_MAGIC &&
	    (sve->vl != vl ||
	     (sve->size != sizeof(*sve) && sve->size < sizeof(*sve) + sve_regs_size(vl))))
		goto out;
	memcpy(r->x, c->regs, sizeof(r->x));
	r->sp = c->sp;
	r->pc = c->pc;
	r->pstate = c->pstate & THREAD_FLAGS_ARM;
	*mask = f->uc.sigmask;
	*stack = f->uc.stack;
	flags = arch_irq_save();
	if (vl && sve->magic == SVE_MAGIC && sve->size != sizeof(*sve)) {
		memcpy(t->fpu.z, sve + 1, 32 * vl);
		memcpy(t->fpu.p, (const uint8_t *)(sve + 1) + 32 * vl, 17 * (vl / 8));
	} else if (vl) {
		/* The V registers alone: the rest of the SVE state is zero. */
		memset(t->fpu.z, 0, sizeof(t->fpu.z));
		memset(t->fpu.p, 0, sizeof(t->fpu.p));
		for (unsigned int i = 0; i < 32; i++)
			memcpy(t->fpu.z + i * vl, fp->vregs + 2 * i, 16);
	} else {
		memcpy(t->fpu.q, fp->vregs, sizeof(t->fpu.q));
	}
	t->fpu.fpsr = fp->fpsr & FPSR_BITS;
	t->fpu.fpcr = fp->fpcr & FPCR_BITS;
	arch_fpu_restore(&t->fpu);
	arch_irq_restore(flags);
	err = 0;
out:
	kfree(f);
	return err;
}

uint64_t
arch_linux_syscall_result(const struct arch_regs *r)
{
	return r->x[0];
}

void
arch_linux_syscall_set_result(struct arch_regs *r, uint64_t v)
{
	r->x[0] = v;
}

/* SVC is four bytes; the result overwrote x0, the first argument. */
void
arch_linux_syscall_restart(struct arch_regs *r, uint64_t nr, uint64_t arg0)
{
	(void)nr; /* still in x8 */
	r->pc -= 4;
	r->x[0] = arg0;
}
