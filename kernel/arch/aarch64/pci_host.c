/*
 * PCI on aarch64: the pci-host-ecam-generic node of the device tree
 * (kernel/boot/fdt.c decoded it), and INTx through its interrupt-map.
 */
#include "arch/arch.h"

#include "dev/pci/pci.h"
#include "lib/string.h"
#include "themelios/errno.h"

int
arch_pci_host(const struct boot_info *bi, struct pci_host *host)
{
	if (!bi->pci.ecam_size)
		return -E_NOENT;
	memset(host, 0, sizeof(*host));
	host->dt = bi->pci;
	/* The binding's reg starts at the first bus of bus-range. */
	host->ecam_phys = bi->pci.ecam_base;
	host->bus_start = bi->pci.bus_start;
	host->bus_end = bi->pci.bus_end;
	return 0;
}

int
arch_pci_irq_line(const struct pci_host *host, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t pin,
		  uint8_t line_reg)
{
	const struct boot_pci_host *pci = &host->dt;
	uint32_t addr = (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8;

	(void)line_reg;
	if (!pin)
		return -E_NOENT;
	for (size_t i = 0; i < pci->nirq; i++)
		if ((pci->irq[i].addr & pci->map_mask_addr) == (addr & pci->map_mask_addr) &&
		    (pci->irq[i].pin & pci->map_mask_pin) == (pin & pci->map_mask_pin))
			return (int)pci->irq[i].intid;
	return -E_NOENT;
}

int
arch_pci_irq_attach(unsigned int line, const char *name,
		    void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	return arch_irq_attach(line, name, fn, ctx);
}

int
arch_msi_attach(const char *name, void (*fn)(struct arch_regs *regs, void *ctx), void *ctx,
		uint64_t *addr, uint32_t *data)
{
	(void)name;
	(void)fn;
	(void)ctx;
	(void)addr;
	(void)data;
	return -E_NOTSUP; /* MSIs on a GICv3 go through the ITS: not driven yet */
}
