/*
 * INTx interrupts.  Several functions often share one line (four pins
 * per slot, a handful of lines), so each line is attached once and its
 * handler calls every driver on it; each checks its own device's status
 * (virtio's ISR) and says whether the interrupt was its.
 */
#include "dev/pci/pci.h"

#include "arch/arch.h"
#include "core/printk.h"
#include "themelios/errno.h"

#define PCI_IRQ_LINES	 8
#define PCI_IRQ_HANDLERS 8

struct pci_irq_handler {
	bool (*fn)(void *ctx);
	void *ctx;
};

static struct pci_irq_line {
	bool used;
	unsigned int line;
	unsigned int nhandlers;
	struct pci_irq_handler handler[PCI_IRQ_HANDLERS];
	uint64_t unclaimed; /* interrupts no driver owned up to */
} lines[PCI_IRQ_LINES];

static void
line_irq(struct arch_regs *regs, void *ctx)
{
	struct pci_irq_line *l = ctx;
	bool claimed = false;

	(void)regs;
	for (unsigned int i = 0; i < l->nhandlers; i++)
		claimed |= l->handler[i].fn(l->handler[i].ctx);
	if (!claimed)
		l->unclaimed++;
}

int
pci_irq_attach(struct pci_device *d, bool (*fn)(void *ctx), void *ctx)
{
	struct pci_irq_line *l = NULL;
	unsigned long flags;
	int line, err;

	if (!d->irq_pin)
		return -E_NOENT;
	line = arch_pci_irq_line(pci_host_get(), d->bus, d->dev, d->fn, d->irq_pin, d->irq_line);
	if (line < 0)
		return line;
	for (unsigned int i = 0; i < PCI_IRQ_LINES && !l; i++)
		if (lines[i].used && lines[i].line == (unsigned int)line)
			l = &lines[i];
	if (!l) {
		for (unsigned int i = 0; i < PCI_IRQ_LINES && !l; i++)
			if (!lines[i].used)
				l = &lines[i];
		if (!l)
			return -E_NOMEM;
		l->line = (unsigned int)line;
		l->nhandlers = 0;
		err = arch_pci_irq_attach(l->line, "PCI INTx", line_irq, l);
		if (err < 0)
			return err;
		l->used = true;
	}
	if (l->nhandlers == PCI_IRQ_HANDLERS)
		return -E_NOMEM;
	/* The handler may run as soon as the count covers the new slot. */
	flags = arch_irq_save();
	l->handler[l->nhandlers] = (struct pci_irq_handler){ fn, ctx };
	l->nhandlers++;
	arch_irq_restore(flags);
	pr_info("pci: %02x:%02x.%u INT%c -> line %u\n", d->bus, d->dev, d->fn, 'A' + d->irq_pin - 1,
		l->line);
	return 0;
}
