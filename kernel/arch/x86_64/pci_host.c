/*
 * PCI on x86_64: the ECAM window from the ACPI MCFG (platform.c read
 * it), and INTx through the interrupt line register, where SeaBIOS and
 * OVMF write the ISA IRQ they routed the function's PIRQ link to.
 */
#include "arch/arch.h"

#include "asm/platform.h"
#include "dev/pci/pci.h"
#include "lib/string.h"
#include "themelios/errno.h"

int
arch_pci_host(const struct boot_info *bi, struct pci_host *host)
{
	const struct apic_platform *p = x86_platform();

	(void)bi;
	if (!p->ecam_phys)
		return -E_NOENT;
	memset(host, 0, sizeof(*host));
	host->ecam_phys = p->ecam_phys + ((uint64_t)p->ecam_bus_start << 20);
	host->bus_start = p->ecam_bus_start;
	host->bus_end = p->ecam_bus_end;
	return 0;
}

int
arch_pci_irq_line(const struct pci_host *host, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t pin,
		  uint8_t line_reg)
{
	(void)host;
	(void)bus;
	(void)dev;
	(void)fn;
	/* 0xff: the firmware routed nothing; 0 and 2 are never PCI lines. */
	if (!pin || line_reg >= ISA_IRQS || line_reg == 0 || line_reg == 2)
		return -E_NOENT;
	return line_reg;
}
