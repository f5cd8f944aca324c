/* x86_64 trap setup and the interrupt controllers behind arch_interrupts_init. */
#ifndef ASM_TRAP_H
#define ASM_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asm/regs.h"

/*
 * GDT, TSS and IDT: after this every exception gives a named report.
 * Needs nothing else (no memory allocation), so x86_64_start calls it
 * first, before the kernel's page tables exist.
 */
void x86_traps_init(void);

/* The C entry from trap_entry.S. */
void x86_trap(struct arch_regs *regs);

/* Device registers, uncached (see interrupts.c). */
void *x86_mmio_map(uint64_t phys, size_t size);

/* Legacy 8259 PICs: remapped to VECTOR_PIC_BASE and fully masked. */
void pic_disable(void);
/* For a vector from the PICs: true when it was a real interrupt (the
 * PIC got its EOI), false for a spurious one. */
bool pic_acknowledge(unsigned int vector);

/* Local APIC (xAPIC, memory-mapped). */
void lapic_init(uint64_t phys, int nmi_lint);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_self(unsigned int vector);
bool lapic_ready(void);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);

#define LAPIC_LVT_TIMER		 0x320
#define LAPIC_TIMER_INITIAL	 0x380
#define LAPIC_TIMER_CURRENT	 0x390
#define LAPIC_TIMER_DIVIDE	 0x3e0
#define LAPIC_LVT_MASKED	 (1u << 16)
#define LAPIC_TIMER_TSC_DEADLINE (2u << 17)

/* I/O APICs. */
int ioapic_add(uint32_t id, uint64_t phys, uint32_t gsi_base);
/* Programs the redirection entry for gsi (unmasked), to this CPU. */
int ioapic_route(uint32_t gsi, unsigned int vector, bool level, bool active_low);
int ioapic_mask(uint32_t gsi, bool masked);
bool ioapic_has_gsi(uint32_t gsi);
unsigned int ioapic_count(void);

#endif
