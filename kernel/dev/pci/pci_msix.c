/*
 * MSI-X: a table in one of the function's BARs, 16 bytes per entry
 * (message address low and high, data, vector control), and the enable
 * bit in the capability's message control.  Each entry gets a vector of
 * its own from the arch (arch_msi_attach), so nothing is shared and no
 * status register needs reading to know who interrupted.  Entries stay
 * masked until pci_msix_enable.
 */
#include "dev/pci/pci.h"

#include "arch/arch.h"
#include "core/printk.h"
#include "dev/pci/pci_cap.h"
#include "themelios/errno.h"

#define MSIX_CONTROL	     2
#define MSIX_TABLE	     4
#define MSIX_CONTROL_ENABLE  0x8000
#define MSIX_CONTROL_MASKALL 0x4000
#define MSIX_ENTRY_SIZE	     16
#define MSIX_ENTRY_MASKED    1

bool pci_msi_allowed = true;

static volatile uint32_t *
entry(const struct pci_device *d, unsigned int i)
{
	return (volatile uint32_t *)((volatile uint8_t *)d->msix_table + i * MSIX_ENTRY_SIZE);
}

int
pci_msix_init(struct pci_device *d)
{
	int cap = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);
	uint32_t table, size, bir;
	volatile uint8_t *bar;

	if (!pci_msi_allowed)
		return -E_NOTSUP;
	if (cap <= 0)
		return -E_NOENT;
	size = (pci_cfg_read16(d, (uint16_t)(cap + MSIX_CONTROL)) & 0x7ff) + 1;
	table = pci_cfg_read32(d, (uint16_t)(cap + MSIX_TABLE));
	bir = table & 7;
	table &= ~7u;
	if (bir >= PCI_BARS || d->bar[bir].io ||
	    (uint64_t)table + size * MSIX_ENTRY_SIZE > d->bar[bir].size)
		return -E_NOENT;
	bar = pci_map_bar(d, bir);
	if (!bar)
		return -E_NOENT;
	d->msix_cap = (uint8_t)cap;
	d->msix_table = bar + table;
	d->msix_size = (uint16_t)size;
	for (unsigned int i = 0; i < size; i++)
		entry(d, i)[3] = MSIX_ENTRY_MASKED;
	return (int)size;
}

int
pci_msix_set(struct pci_device *d, unsigned int i, const char *name,
	     void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	uint64_t addr;
	uint32_t data;
	int err;

	if (!d->msix_table || i >= d->msix_size)
		return -E_INVAL;
	err = arch_msi_attach(name, fn, ctx, &addr, &data);
	if (err)
		return err;
	entry(d, i)[0] = (uint32_t)addr;
	entry(d, i)[1] = (uint32_t)(addr >> 32);
	entry(d, i)[2] = data;
	d->msix_used |= 1u << (i < 32 ? i : 31);
	return 0;
}

void
pci_msix_enable(struct pci_device *d)
{
	uint16_t ctl = pci_cfg_read16(d, (uint16_t)(d->msix_cap + MSIX_CONTROL));
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	pci_cfg_write16(d, PCI_COMMAND, cmd | PCI_COMMAND_INTX_OFF);
	pci_cfg_write16(d, (uint16_t)(d->msix_cap + MSIX_CONTROL),
			(uint16_t)((ctl | MSIX_CONTROL_ENABLE) & ~MSIX_CONTROL_MASKALL));
	for (unsigned int i = 0; i < d->msix_size && i < 32; i++)
		if (d->msix_used & (1u << i))
			entry(d, i)[3] = 0;
	d->msix_on = true;
}
