/*
 * What the interrupt setup needs to know about the machine: where the
 * local APIC and the I/O APICs are, and how the 16 ISA IRQs reach
 * global system interrupts (GSIs).  Filled from the ACPI MADT
 * (platform.c), or from PC defaults when ACPI is missing or bad.
 */
#ifndef ASM_PLATFORM_H
#define ASM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#define PLATFORM_MAX_IOAPICS 8
#define ISA_IRQS	     16

struct isa_route {
	uint32_t gsi;
	bool level;	 /* level-triggered (ISA default: edge) */
	bool active_low; /* (ISA default: active high) */
};

struct apic_platform {
	uint64_t lapic_phys;
	int nmi_lint; /* LINT pin wired to NMI, -1 for none */
	unsigned int nioapics;
	struct {
		uint32_t id;
		uint64_t phys;
		uint32_t gsi_base;
	} ioapic[PLATFORM_MAX_IOAPICS];
	struct isa_route isa[ISA_IRQS];
	unsigned int noverrides;
	bool pcat_compat; /* 8259s present (they are masked either way) */
	/* PCI segment 0's ECAM window from the MCFG; ecam_phys 0: none. */
	uint64_t ecam_phys; /* of bus 0 */
	uint8_t ecam_bus_start, ecam_bus_end;
};

struct boot_info;

/* The PC defaults: local APIC from its MSR, one I/O APIC at 0xfec00000
 * with GSI base 0, ISA IRQ n = GSI n, edge, active high. */
void platform_defaults(struct apic_platform *p);

/* Fills p from the ACPI tables; 0, or a negative error after printing
 * why (p then holds the defaults).  "acpi=off" on the command line
 * skips the tables (for machines whose tables are wrong). */
int platform_from_acpi(const struct boot_info *bi, struct apic_platform *p);

/* The platform arch_interrupts_init found. */
const struct apic_platform *x86_platform(void);

/* Keeps the fw_cfg ports from user-space drivers. */
void x86_fw_cfg_reserve(void);

#endif
