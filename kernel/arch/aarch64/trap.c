/*
 * Exceptions on aarch64.  Synchronous exceptions are decoded from
 * ESR_EL1 (data and instruction aborts with their address and cause,
 * undefined instructions, SVC, breakpoints, alignment) into struct
 * fault_info: from the kernel they go to fault_kernel(), from EL0 to
 * fault_user(), except SVC, which is a system call.  Interrupts go to
 * the GIC code whichever level they came from.
 */
#include "arch/arch.h"

#include "core/fault.h"
#include "core/irqs_off.h"
#include "core/panic.h"
#include "cpu_features.h"
#include "proc/uaccess.h"
#include "proc/user_memory.h"
#include "syscall/syscall.h"

#define EC_UNKNOWN	    0x00
#define EC_SVC64	    0x15
#define EC_IABT_LOW	    0x20
#define EC_IABT_CUR	    0x21
#define EC_PC_ALIGN	    0x22
#define EC_DABT_LOW	    0x24
#define EC_DABT_CUR	    0x25
#define EC_SP_ALIGN	    0x26
#define EC_SYSREG	    0x18
#define EC_BRK		    0x3c

#define SPSR_MODE	    0x1f /* M[4] (AArch32) and M[3:0] (EL and SP) */

#define KIND_SYNC_SP0	    0
#define KIND_IRQ_SP0	    1
#define KIND_SYNC	    4
#define KIND_IRQ	    5
#define KIND_SYNC_EL0	    8
#define KIND_IRQ_EL0	    9
#define KIND_STACK_OVERFLOW 16 /* vectors.S, on the emergency stack */

void aarch64_trap(struct arch_regs *regs, unsigned long kind);
void aarch64_irq(struct arch_regs *regs);

static const char *const kind_names[16] = {
	"sync (SP_EL0)", "IRQ (SP_EL0)", "FIQ (SP_EL0)", "SError (SP_EL0)",
	"sync",		 "IRQ",		 "FIQ",		 "SError",
	"sync from EL0", "IRQ from EL0", "FIQ from EL0", "SError from EL0",
	"AArch32 sync",	 "AArch32 IRQ",	 "AArch32 FIQ",	 "AArch32 SError",
};

/* Fault status codes 0x04-0x07 are translation faults: nothing mapped. */
static unsigned int
abort_access(uint64_t esr, bool data)
{
	unsigned int status = esr & 0x3f, access = 0;

	if (data)
		access |= (esr & (1u << 6)) ? FAULT_WRITE : FAULT_READ;
	else
		access |= FAULT_EXEC;
	if (!(status >= 0x04 && status <= 0x07))
		access |= FAULT_PRESENT;
	return access;
}

static void
decode_sync(const struct arch_regs *regs, struct fault_info *out)
{
	uint64_t esr = regs->esr;
	unsigned int ec = (unsigned int)(esr >> 26);
	struct fault_info fi = { .pc = regs->pc, .code = esr };

	switch (ec) {
	case EC_DABT_CUR:
	case EC_DABT_LOW:
		fi.name = (esr & 0x3f) == 0x21 ? "alignment fault" : "data abort";
		fi.kind = (esr & 0x3f) == 0x21 ? FAULT_KIND_ALIGNMENT : FAULT_KIND_MEMORY;
		fi.addr = regs->far;
		fi.has_addr = true;
		fi.access = abort_access(esr, true);
		break;
	case EC_IABT_CUR:
	case EC_IABT_LOW:
		fi.name = "instruction abort";
		fi.kind = FAULT_KIND_MEMORY;
		fi.addr = regs->far;
		fi.has_addr = true;
		fi.access = abort_access(esr, false);
		break;
	case EC_UNKNOWN:
		fi.name = "undefined instruction";
		fi.kind = FAULT_KIND_INSTRUCTION;
		break;
	case EC_SVC64:
		fi.name = "SVC";
		break;
	case EC_SYSREG:
		fi.name = "system register access";
		fi.kind = FAULT_KIND_PRIVILEGED;
		break;
	case EC_BRK:
		fi.name = "breakpoint";
		fi.kind = FAULT_KIND_BREAKPOINT;
		break;
	case EC_PC_ALIGN:
	case EC_SP_ALIGN:
		fi.name = "alignment fault";
		fi.kind = FAULT_KIND_ALIGNMENT;
		break;
	default:
		fi.name = "synchronous exception";
		break;
	}
	*out = fi;
}

/* SVC #0 from EL0: number in x8, arguments in x0-x5, result in x0, and
 * the extra results of the register IPC calls in x1-x6.  ELR already
 * points past the SVC.  Interrupts are on for the call, as for any
 * other kernel code a thread runs. */
/* No canary: on every system call, and its only array (the arguments)
 * is filled field by field, never by a copy of some length. */
static void __attribute__((no_stack_protector)) user_syscall(struct arch_regs *regs)
{
	struct syscall_args a;

	/* Field by field: ret[] is written before it is read, and clearing it
	 * would cost every system call. */
	a.nr = regs->x[8];
	a.a[0] = regs->x[0];
	a.a[1] = regs->x[1];
	a.a[2] = regs->x[2];
	a.a[3] = regs->x[3];
	a.a[4] = regs->x[4];
	a.a[5] = regs->x[5];
	a.nret = 0;
	arch_irq_enable();
	regs->x[0] = (uint64_t)syscall_dispatch(&a);
	for (unsigned int i = 0; i < a.nret; i++)
		regs->x[1 + i] = a.ret[i];
	syscall_return_to_user(); /* the way back restores the whole frame */
	arch_irq_disable();
}

static void
user_sync(struct arch_regs *regs)
{
	struct fault_info fi;
	unsigned int ec = (unsigned int)(regs->esr >> 26);

	if (ec == EC_SVC64) {
		user_syscall(regs);
		return;
	}
	if ((ec == EC_SYSREG || ec == EC_UNKNOWN) && aarch64_emulate_mrs(regs))
		return; /* an ID register read, as Linux emulates it */
	decode_sync(regs, &fi);
	fi.access |= FAULT_USER;
	if (user_fault_resolve(regs, &fi))
		return; /* a page was made: the access runs again */
	if (fault_user_signal(regs, &fi))
		return; /* a Linux program's handler runs */
	fault_user(regs, &fi);
}

/* PSTATE.I (bit 7) masks IRQs. */
bool
arch_regs_irqs_on(const struct arch_regs *regs)
{
	return !(regs->pstate & (1u << 7));
}

/* M[3:0] = 0 is EL0t, the only way this kernel runs user code. */
bool
arch_regs_user_mode(const struct arch_regs *regs)
{
	return (regs->pstate & SPSR_MODE) == 0;
}

/* No canary: every exception comes through here (its locals are fixed
 * structures filled in place), and a stack overflow is handled on
 * another stack. */
static void __attribute__((no_stack_protector))
trap_dispatch(struct arch_regs *regs, unsigned long kind)
{
	switch (kind) {
	case KIND_IRQ:
	case KIND_IRQ_SP0:
		aarch64_irq(regs);
		return;
	case KIND_SYNC:
	case KIND_SYNC_SP0: {
		struct fault_info fi;

		decode_sync(regs, &fi);
		if (user_fault_resolve(regs, &fi))
			return; /* a user copy's page was made */
		fault_kernel(regs, &fi);
		return;
	}
	case KIND_IRQ_EL0:
		/* The entry set PAN (SCTLR_EL1.SPAN is 0): test mode checks
		 * it holds (nothing otherwise). */
		uaccess_guard_check(regs->sp);
		aarch64_irq(regs);
		break;
	case KIND_SYNC_EL0:
		user_sync(regs);
		break;
	case KIND_STACK_OVERFLOW: {
		struct fault_info fi = {
			.name = "kernel stack overflow",
			.addr = regs->far,
			.has_addr = true,
			.access = FAULT_WRITE | FAULT_PRESENT,
			.pc = regs->pc,
			.code = regs->esr,
		};
		regs->sp = regs->x[1]; /* the overflowed stack pointer */
		fault_kernel(regs, &fi);
		panic_regs(regs, "kernel stack overflow");
	}
	default:
		panic_regs(regs, "unexpected %s exception (ESR %#lx)",
			   kind < 16 ? kind_names[kind] : "?", regs->esr);
	}
	/* vectors.S returns to whatever the frame says: it must still be
	 * EL0, or a changed frame would hand EL1 to user code. */
	if (!arch_regs_user_mode(regs))
		panic_regs(regs, "return to user mode with SPSR %#lx", regs->pstate);
}

void __attribute__((no_stack_protector)) aarch64_trap(struct arch_regs *regs, unsigned long kind)
{
	irqs_off_trap_enter(arch_regs_irqs_on(regs));
	trap_dispatch(regs, kind);
	irqs_off_trap_leave(arch_regs_irqs_on(regs));
}
