/*
 * The machine's interrupt topology (and power controls) from ACPI: the
 * MADT when it is there and sane, otherwise what every PC since the
 * 1990s has.  The tables are read through the direct map, each copy
 * under fault_catch, so a table pointer into unmapped memory gives an
 * error and the fallback, not a kernel fault.
 */
#include "asm/platform.h"

#include "asm/cpu.h"
#include "asm/layout.h"
#include "asm/power.h"
#include "boot/boot_info.h"
#include "core/cmdline.h"
#include "core/fault.h"
#include "core/printk.h"
#include "dev/acpi.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "themelios/errno.h"

#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ul
#define IOAPIC_DEFAULT_PHYS 0xfec00000ul
#define ACPI_IO_SPACE	    1

void
platform_defaults(struct apic_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->lapic_phys = rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR_MASK;
	p->nmi_lint = 1;
	p->nioapics = 1;
	p->ioapic[0].id = 0;
	p->ioapic[0].phys = IOAPIC_DEFAULT_PHYS;
	p->ioapic[0].gsi_base = 0;
	for (unsigned int i = 0; i < ISA_IRQS; i++)
		p->isa[i] = (struct isa_route){ .gsi = i };
	p->pcat_compat = true;
}

struct phys_copy {
	void *dst;
	const void *src;
	size_t len;
};

static void
copy_now(void *arg)
{
	struct phys_copy *c = arg;

	memcpy(c->dst, c->src, c->len);
}

/* acpi_parse's window on physical memory. */
static int
read_phys(void *ctx, uint64_t phys, void *dst, size_t len)
{
	struct phys_copy c = { dst, phys_to_virt(phys), len };
	struct fault_info fi;

	(void)ctx;
	if (phys + len < phys || phys + len > DIRECT_MAP_MAX)
		return -E_FAULT;
	if (fault_catch(copy_now, &c, &fi)) {
		pr_warn("acpi: cannot read %zu bytes at physical %#lx (%s)\n", len, phys, fi.name);
		return -E_FAULT;
	}
	return 0;
}

/* For arch_reboot and arch_poweroff (power.c). */
static void
fill_power(const struct acpi_info *info)
{
	if (info->have_reset && info->reset_space == ACPI_IO_SPACE && info->reset_address &&
	    info->reset_address <= 0xffff) {
		acpi_power.reset_port = (uint16_t)info->reset_address;
		acpi_power.reset_value = info->reset_value;
	}
	if (info->have_fadt && info->pm1a_cnt <= 0xffff && info->pm1b_cnt <= 0xffff) {
		acpi_power.pm1a_cnt = (uint16_t)info->pm1a_cnt;
		acpi_power.pm1b_cnt = (uint16_t)info->pm1b_cnt;
	}
	if (info->have_s5) {
		acpi_power.slp_typa = info->slp_typa;
		acpi_power.slp_typb = info->slp_typb;
	}
}

static const char *
parse_error(int err)
{
	switch (err) {
	case -E_NOENT:
		return "no MADT among the tables";
	case -E_CORRUPT:
		return "damaged RSDP, root table or MADT (bad signature, length or checksum)";
	case -E_FAULT:
		return "tables out of reach";
	default:
		return "unexpected error";
	}
}

int
platform_from_acpi(const struct boot_info *bi, struct apic_platform *p)
{
	static struct acpi_info info; /* 1 KiB+: not on the boot stack */
	int err;

	platform_defaults(p);
	if (cmdline_has(bi->cmdline, "acpi=off")) {
		pr_warn("acpi: disabled on the command line (acpi=off)\n");
		return -E_NOENT;
	}
	if (!bi->rsdp_len) {
		pr_warn("acpi: the boot loader passed no RSDP\n");
		return -E_NOENT;
	}
	err = acpi_parse(bi->rsdp_copy, bi->rsdp_len, read_phys, NULL, &info);
	fill_power(&info);
	if (err) {
		pr_warn("acpi: %s (error %d)\n", parse_error(err), err);
		return err;
	}
	if (info.warnings)
		pr_warn("acpi: %u damaged or unreadable entries skipped\n", info.warnings);

	if (info.lapic_address)
		p->lapic_phys = info.lapic_address;
	if (info.nioapics) {
		p->nioapics = 0;
		for (uint32_t i = 0; i < info.nioapics && i < PLATFORM_MAX_IOAPICS; i++) {
			p->ioapic[i].id = info.ioapic[i].id;
			p->ioapic[i].phys = info.ioapic[i].address;
			p->ioapic[i].gsi_base = info.ioapic[i].gsi_base;
			p->nioapics++;
		}
	} else {
		pr_warn("acpi: the MADT lists no I/O APIC; assuming one at %#lx\n",
			p->ioapic[0].phys);
	}
	for (unsigned int irq = 0; irq < ISA_IRQS; irq++) {
		uint32_t gsi;
		uint16_t flags;

		acpi_irq_to_gsi(&info, (uint8_t)irq, &gsi, &flags);
		p->isa[irq].gsi = gsi;
		p->isa[irq].level = (flags & ACPI_TRIGGER_MASK) == ACPI_TRIGGER_LEVEL;
		p->isa[irq].active_low = (flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW;
	}
	for (uint32_t i = 0; i < info.necam; i++)
		if (info.ecam[i].segment == 0 && !p->ecam_phys) {
			p->ecam_phys = info.ecam[i].base;
			p->ecam_bus_start = info.ecam[i].bus_start;
			p->ecam_bus_end = info.ecam[i].bus_end;
		}
	p->noverrides = info.noverrides;
	p->pcat_compat = info.have_8259;
	pr_info("acpi: MADT (RSDP revision %u): local APIC at %#lx, %u CPU(s), "
		"%u I/O APIC(s), %u ISA override(s)%s\n",
		info.revision, info.lapic_address, info.ncpus, info.nioapics, info.noverrides,
		info.have_8259 ? ", 8259s present" : "");
	return 0;
}
