/*
 * I/O APICs: each turns a range of global system interrupts (GSIs),
 * starting at its GSI base, into messages to a local APIC.  Two
 * registers are visible, a select and a window; behind them sit the
 * version register and one 64-bit redirection entry per input.
 */
#include "asm/trap.h"

#include "core/device_control.h"
#include "core/printk.h"
#include "themelios/errno.h"

#define IOAPIC_MAX	    8
#define IOREGSEL	    0x00
#define IOWIN		    0x10
#define IOAPIC_REG_VERSION  0x01
#define IOAPIC_REG_REDIR(n) (0x10 + 2 * (n))

#define REDIR_ACTIVE_LOW    (1u << 13)
#define REDIR_LEVEL	    (1u << 15)
#define REDIR_MASKED	    (1u << 16)

struct ioapic {
	uint32_t id;
	uint32_t gsi_base;
	uint32_t inputs;
	volatile uint32_t *regs;
};

static struct ioapic ioapics[IOAPIC_MAX];
static unsigned int nioapics;

static uint32_t
ioapic_read(const struct ioapic *io, uint32_t reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void
ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t value)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = value;
}

int
ioapic_add(uint32_t id, uint64_t phys, uint32_t gsi_base)
{
	struct ioapic *io;
	uint32_t version;

	if (nioapics == IOAPIC_MAX) {
		pr_warn("apic: more than %d I/O APICs; ignoring the one at %#lx\n", IOAPIC_MAX,
			phys);
		return -E_RANGE;
	}
	io = &ioapics[nioapics];
	io->regs = x86_mmio_map(phys, 0x20);
	device_reserve(RESOURCE_PHYS, phys, 4096, "I/O APIC");
	if (!io->regs)
		return -E_NOMEM;
	io->id = id;
	io->gsi_base = gsi_base;
	version = ioapic_read(io, IOAPIC_REG_VERSION);
	if (version == 0xffffffff) {
		pr_warn("apic: no I/O APIC answers at %#lx\n", phys);
		return -E_NOENT;
	}
	io->inputs = ((version >> 16) & 0xff) + 1;
	/* Nothing gets through until a driver asks. */
	for (uint32_t i = 0; i < io->inputs; i++) {
		ioapic_write(io, IOAPIC_REG_REDIR(i) + 1, 0);
		ioapic_write(io, IOAPIC_REG_REDIR(i), REDIR_MASKED);
	}
	nioapics++;
	pr_info("apic: I/O APIC id %u at %#lx, GSI %u-%u\n", id, phys, gsi_base,
		gsi_base + io->inputs - 1);
	return 0;
}

static struct ioapic *
ioapic_for(uint32_t gsi)
{
	for (unsigned int i = 0; i < nioapics; i++)
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].inputs)
			return &ioapics[i];
	return NULL;
}

bool
ioapic_has_gsi(uint32_t gsi)
{
	return ioapic_for(gsi) != NULL;
}

int
ioapic_route(uint32_t gsi, unsigned int vector, bool level, bool active_low)
{
	struct ioapic *io = ioapic_for(gsi);
	uint32_t pin, lo;

	if (!io)
		return -E_NOENT;
	pin = gsi - io->gsi_base;
	lo = (vector & 0xff) | (level ? REDIR_LEVEL : 0) |
	     (active_low ? REDIR_ACTIVE_LOW : 0); /* fixed, physical */
	/* Masked while the destination changes, then unmasked. */
	ioapic_write(io, IOAPIC_REG_REDIR(pin), REDIR_MASKED);
	ioapic_write(io, IOAPIC_REG_REDIR(pin) + 1, lapic_id() << 24);
	ioapic_write(io, IOAPIC_REG_REDIR(pin), lo);
	return 0;
}

int
ioapic_mask(uint32_t gsi, bool masked)
{
	struct ioapic *io = ioapic_for(gsi);
	uint32_t pin, lo;

	if (!io)
		return -E_NOENT;
	pin = gsi - io->gsi_base;
	lo = ioapic_read(io, IOAPIC_REG_REDIR(pin));
	lo = masked ? lo | REDIR_MASKED : lo & ~REDIR_MASKED;
	ioapic_write(io, IOAPIC_REG_REDIR(pin), lo);
	return 0;
}

unsigned int
ioapic_count(void)
{
	return nioapics;
}
