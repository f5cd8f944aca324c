/*
 * The local APIC in xAPIC mode: 4 KiB of registers, each 32 bits on a
 * 16-byte boundary.  It receives every interrupt for this CPU, takes
 * the end-of-interrupt, owns the timer (timer.c) and sends IPIs.
 */
#include "asm/trap.h"

#include "asm/cpu.h"
#include "asm/irq_vectors.h"
#include "core/device_control.h"
#include "core/irq.h"
#include "core/printk.h"

#define LAPIC_ID	   0x020
#define LAPIC_VERSION	   0x030
#define LAPIC_TPR	   0x080
#define LAPIC_EOI	   0x0b0
#define LAPIC_SVR	   0x0f0
#define LAPIC_ESR	   0x280
#define LAPIC_ICR_LO	   0x300
#define LAPIC_ICR_HI	   0x310
#define LAPIC_LVT_LINT0	   0x350
#define LAPIC_LVT_LINT1	   0x360
#define LAPIC_LVT_ERROR	   0x370

#define APIC_BASE_ENABLE   (1ull << 11)
#define APIC_BASE_ADDR	   0x000ffffffffff000ul
#define SVR_ENABLE	   (1u << 8)
#define LVT_DELIVERY_NMI   (4u << 8)
#define ICR_SHORTHAND_SELF (1u << 18)
#define ICR_PENDING	   (1u << 12)

static volatile uint32_t *lapic;

uint32_t
lapic_read(uint32_t reg)
{
	return lapic[reg / 4];
}

void
lapic_write(uint32_t reg, uint32_t value)
{
	lapic[reg / 4] = value;
}

bool
lapic_ready(void)
{
	return lapic != NULL;
}

uint32_t
lapic_id(void)
{
	return lapic ? lapic_read(LAPIC_ID) >> 24 : 0;
}

void
lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static void
lapic_error(struct arch_regs *regs, void *ctx)
{
	uint32_t esr;

	(void)regs;
	(void)ctx;
	/* ESR latches on a write; read it after writing. */
	lapic_write(LAPIC_ESR, 0);
	esr = lapic_read(LAPIC_ESR);
	pr_err("apic: local APIC error, ESR %#x\n", esr);
}

static void
spurious(struct arch_regs *regs, void *ctx)
{
	(void)regs;
	(void)ctx;
	/* Counted by irq_dispatch; no EOI (see x86_trap). */
}

/* nmi_lint: the LINT pin (0 or 1) wired to NMI per ACPI, -1 for none. */
void
lapic_init(uint64_t phys, int nmi_lint)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if ((base & APIC_BASE_ADDR) != phys)
		pr_warn("apic: ACPI puts the local APIC at %#lx, the MSR at %#lx\n", phys,
			base & APIC_BASE_ADDR);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic = x86_mmio_map(phys, 4096);
	device_reserve(RESOURCE_PHYS, phys, 4096, "local APIC");

	irq_register(VECTOR_SPURIOUS, "APIC spurious", spurious, NULL);
	irq_register(VECTOR_APIC_ERROR, "APIC error", lapic_error, NULL);

	lapic_write(LAPIC_TPR, 0);			/* accept every priority */
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED); /* the PIC's line: unused */
	lapic_write(LAPIC_LVT_LINT1, nmi_lint == 1 ? LVT_DELIVERY_NMI : LAPIC_LVT_MASKED);
	if (nmi_lint == 0)
		lapic_write(LAPIC_LVT_LINT0, LVT_DELIVERY_NMI);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	lapic_write(LAPIC_LVT_ERROR, VECTOR_APIC_ERROR);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
	lapic_eoi(); /* drop anything left in service */
}

void
lapic_send_self(unsigned int vector)
{
	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, ICR_SHORTHAND_SELF | (vector & 0xff));
}

void
arch_irq_send_self(unsigned int vector)
{
	if (lapic)
		lapic_send_self(vector);
}
