/*
 * ACPI table parsing, pure (host-tested): the RSDP the boot loader
 * copied, then RSDT/XSDT, the MADT (interrupt controllers) and the FADT
 * (power management) and the MCFG (where PCI configuration space is).  Physical memory is read only through a callback
 * into bounded buffers, and every checksum and length is checked: bad
 * tables give an error, never a fault, and the caller falls back to the
 * PC defaults.
 */
#ifndef DEV_ACPI_H
#define DEV_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS	   64
#define ACPI_MAX_IOAPICS   16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_ECAM	   4

/* Interrupt source override flags (MPS INTI): polarity and trigger. */
#define ACPI_POLARITY_MASK 0x3
#define ACPI_POLARITY_HIGH 0x1
#define ACPI_POLARITY_LOW  0x3
#define ACPI_TRIGGER_MASK  0xc
#define ACPI_TRIGGER_EDGE  0x4
#define ACPI_TRIGGER_LEVEL 0xc

typedef int (*acpi_read_phys_fn)(void *ctx, uint64_t phys, void *dst, size_t len);

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t bus;
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;
};

/* An MCFG entry: one PCI segment's ECAM window, 1 MiB per bus from bus_start. */
struct acpi_ecam {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

struct acpi_info {
	uint8_t revision; /* of the RSDP */
	bool have_madt;
	uint64_t lapic_address;
	uint32_t ncpus; /* enabled local APICs */
	uint8_t cpu_apic_id[ACPI_MAX_CPUS];
	uint32_t nioapics;
	struct acpi_ioapic ioapic[ACPI_MAX_IOAPICS];
	uint32_t noverrides;
	struct acpi_override override[ACPI_MAX_OVERRIDES];
	uint32_t nnmi; /* NMI source and local APIC NMI entries */
	uint32_t nx2apic;
	bool have_8259; /* MADT PCAT_COMPAT flag */

	bool have_fadt;
	uint64_t dsdt;
	uint32_t pm1a_cnt, pm1b_cnt; /* I/O ports, 0 if none */
	bool have_reset;
	uint8_t reset_space; /* 1: I/O port */
	uint64_t reset_address;
	uint8_t reset_value;
	bool have_s5;
	uint8_t slp_typa, slp_typb;

	bool have_mcfg;
	uint32_t necam;
	struct acpi_ecam ecam[ACPI_MAX_ECAM];

	unsigned int warnings;
};

/*
 * Parses from the RSDP copy.  0 when at least the MADT was found;
 * -E_CORRUPT for a bad RSDP, root table or MADT; -E_NOENT for no MADT;
 * -E_FAULT when the callback failed.  info is filled as far as it got.
 */
int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_read_phys_fn read_phys, void *ctx,
	       struct acpi_info *info);

/* ISA IRQ -> GSI and flags, applying the overrides (identity, edge, high otherwise). */
void acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq, uint32_t *gsi, uint16_t *flags);

/* Finds \_S5's package in AML bytes: SLP_TYPa/b.  0 or -E_NOENT. */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif
