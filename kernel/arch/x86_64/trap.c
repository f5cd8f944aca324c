/*
 * The IDT and the C side of every interrupt and exception.  Exceptions
 * are decoded into struct fault_info and go to fault_kernel(); the NMI
 * is reported and survived; interrupts go to irq_dispatch() and get
 * their end-of-interrupt here, so handlers never send one themselves.
 */
#include "asm/trap.h"

#include "arch/arch.h"
#include "asm/cpu.h"
#include "asm/gdt.h"
#include "asm/irq_vectors.h"
#include "core/backtrace.h"
#include "core/fault.h"
#include "core/irqs_off.h"
#include "core/irq.h"
#include "core/printk.h"
#include "proc/uaccess.h"
#include "proc/user_memory.h"

#define IDT_ENTRIES    256
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define TRAP_STUB_SIZE 16   /* trap_entry.S aligns each stub to 16 */

/* Page-fault error code bits. */
#define PF_PRESENT     (1u << 0)
#define PF_WRITE       (1u << 1)
#define PF_USER	       (1u << 2)
#define PF_RESERVED    (1u << 3)
#define PF_FETCH       (1u << 4)

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

extern const char trap_stubs[], trap_stubs_end[];
extern char boot_stack_bottom[], boot_stack_top[];

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
static uint64_t nmi_count;

static const char *const exception_names[VECTOR_EXCEPTIONS] = {
	[0] = "divide error",
	[1] = "debug exception",
	[2] = "non-maskable interrupt",
	[3] = "breakpoint",
	[4] = "overflow",
	[5] = "bound range exceeded",
	[6] = "invalid opcode",
	[7] = "device not available",
	[8] = "double fault",
	[9] = "coprocessor segment overrun",
	[10] = "invalid TSS",
	[11] = "segment not present",
	[12] = "stack-segment fault",
	[13] = "general protection fault",
	[14] = "page fault",
	[15] = "reserved exception 15",
	[16] = "x87 floating-point error",
	[17] = "alignment check",
	[18] = "machine check",
	[19] = "SIMD floating-point exception",
	[20] = "virtualization exception",
	[21] = "control protection exception",
	[22] = "reserved exception 22",
	[23] = "reserved exception 23",
	[24] = "reserved exception 24",
	[25] = "reserved exception 25",
	[26] = "reserved exception 26",
	[27] = "reserved exception 27",
	[28] = "hypervisor injection exception",
	[29] = "VMM communication exception",
	[30] = "security exception",
	[31] = "reserved exception 31",
};

static void
idt_set_gate(unsigned int vector, uintptr_t handler, unsigned int ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_lo = handler & 0xffff;
	g->selector = GDT_KERNEL_CODE;
	g->ist = ist & 7;
	g->type = GATE_INTERRUPT;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

void
x86_traps_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;

	_Static_assert(IDT_ENTRIES == IRQ_VECTORS, "one IDT entry per vector");
	if (trap_stubs_end - trap_stubs > IDT_ENTRIES * TRAP_STUB_SIZE)
		for (;;) /* a stub outgrew its slot: nothing can report it yet */
			__asm__ volatile("cli; hlt");

	x86_gdt_init();
	/* Interrupt gates for everything: handlers start with interrupts
	 * off and decide themselves whether to turn them on. */
	for (unsigned int v = 0; v < IDT_ENTRIES; v++)
		idt_set_gate(v, (uintptr_t)trap_stubs + v * TRAP_STUB_SIZE, 0);
	idt_set_gate(8, (uintptr_t)trap_stubs + 8 * TRAP_STUB_SIZE, IST_DOUBLE_FAULT);
	idt_set_gate(2, (uintptr_t)trap_stubs + 2 * TRAP_STUB_SIZE, IST_NMI);
	idt_set_gate(18, (uintptr_t)trap_stubs + 18 * TRAP_STUB_SIZE, IST_MACHINE_CHECK);

	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
	fault_set_boot_stack((uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top);
}

static unsigned int
page_fault_access(uint64_t code)
{
	unsigned int a;

	if (code & PF_FETCH)
		a = FAULT_EXEC;
	else if (code & PF_WRITE)
		a = FAULT_WRITE;
	else
		a = FAULT_READ;
	if (code & PF_USER)
		a |= FAULT_USER;
	if (code & PF_PRESENT)
		a |= FAULT_PRESENT;
	return a;
}

/* The arch-neutral kind of an exception, for a user fault's report.  A
 * general protection fault from user mode is a privileged instruction,
 * or an access through a non-canonical address (the pc tells which). */
static unsigned int
exception_kind(unsigned int v)
{
	switch (v) {
	case 14:
		return FAULT_KIND_MEMORY;
	case 6:
		return FAULT_KIND_INSTRUCTION;
	case 13:
		return FAULT_KIND_PRIVILEGED;
	case 17:
		return FAULT_KIND_ALIGNMENT;
	case 0:
	case 16:
	case 19:
		return FAULT_KIND_ARITHMETIC;
	case 1:
	case 3:
		return FAULT_KIND_BREAKPOINT;
	default:
		return FAULT_KIND_OTHER;
	}
}

static void
trap_exception(struct arch_regs *r)
{
	unsigned int v = (unsigned int)r->vector;
	struct fault_info fi = {
		.name = exception_names[v],
		.kind = exception_kind(v),
		.pc = r->rip,
		.code = r->error,
	};

	if (v == 2) {
		/* Nothing sends NMIs on purpose yet (no watchdog, no other
		 * CPUs): say so and carry on, as Linux does. */
		nmi_count++;
		printk("NMI received (count %lu) at ", nmi_count);
		backtrace_print_symbol(r->rip);
		printk("; continuing\n");
		return;
	}
	if ((r->cs & 3) == 3)
		fi.access |= FAULT_USER;
	if (v == 14) {
		fi.addr = read_cr2();
		fi.has_addr = true;
		fi.access = page_fault_access(r->error);
		if (r->error & PF_RESERVED)
			printk("page fault: reserved bit set in a page-table entry\n");
		else if (user_fault_resolve(r, &fi))
			return; /* a page was made: the access runs again */
	}
	if ((r->cs & 3) == 3) {
		if (fault_user_signal(r, &fi))
			return;	    /* a Linux program's handler runs */
		fault_user(r, &fi); /* the process dies, not the kernel */
	}
	fault_kernel(r, &fi);
}

static void
trap_dispatch(struct arch_regs *r)
{
	unsigned int v = (unsigned int)r->vector;

	if (v < VECTOR_EXCEPTIONS) {
		trap_exception(r);
		return;
	}
	if (v >= VECTOR_PIC_BASE && v < VECTOR_PIC_BASE + 16) {
		/* Masked, so only spurious IRQ 7 or 15 should get here. */
		irq_dispatch(v, r);
		pic_acknowledge(v);
		return;
	}
	/* User code that set AC must not have lifted SMAP for us. */
	if ((r->cs & 3) && (r->rflags & RFLAGS_AC))
		uaccess_guard_check(r->rsp);
	irq_dispatch(v, r);
	/* The spurious vector is the one interrupt that takes no EOI. */
	if (v != VECTOR_SPURIOUS)
		lapic_eoi();
	irq_exit(r);
}

void
x86_trap(struct arch_regs *r)
{
	irqs_off_trap_enter(arch_regs_irqs_on(r));
	trap_dispatch(r);
	irqs_off_trap_leave(arch_regs_irqs_on(r));
}

uintptr_t
arch_regs_sp(const struct arch_regs *r)
{
	return r->rsp;
}

bool
arch_regs_irqs_on(const struct arch_regs *r)
{
	return r->rflags & RFLAGS_IF;
}

bool
arch_regs_user_mode(const struct arch_regs *r)
{
	return (r->cs & 3) == 3;
}
