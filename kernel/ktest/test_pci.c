/*
 * What PCI enumeration left behind, on whatever machine this is (q35's
 * own functions on x86_64; on aarch64 only the host bridge unless a
 * test added devices): every BAR with an address is the registry's, no
 * two BARs overlap, and on a bridge with windows every memory BAR lies
 * inside one.
 */
#include "core/printk.h"
#include "core/resource.h"
#include "dev/pci/pci.h"
#include "ktest/ktest.h"

static bool
overlap(const struct pci_bar *a, const struct pci_bar *b)
{
	return a->io == b->io && a->addr < b->addr + b->size && b->addr < a->addr + a->size;
}

static bool
in_a_window(const struct pci_bar *b)
{
	const struct boot_pci_host *dt = &pci_host_get()->dt;

	if (!dt->nranges)
		return true; /* the firmware's choice: nothing to check against */
	for (size_t w = 0; w < dt->nranges; w++) {
		const struct boot_pci_range *r = &dt->ranges[w];
		if (r->space != BOOT_PCI_IO && b->addr >= r->cpu_addr &&
		    b->addr + b->size <= r->cpu_addr + r->size)
			return true;
	}
	return false;
}

KTEST(pci_bars_reserved_and_disjoint)
{
	unsigned int functions = 0, bars = 0;
	struct pci_device *d, *e;

	for (unsigned int i = 0; (d = pci_device_at(i)); i++, functions++) {
		for (unsigned int b = 0; b < PCI_BARS; b++) {
			const struct pci_bar *bar = &d->bar[b];

			if (!bar->size || !bar->addr)
				continue;
			bars++;
			KTEST_CHECK(resource_owner(bar->io ? RESOURCE_PORTS : RESOURCE_PHYS,
						   bar->addr) == bar->owner);
			KTEST_CHECK(resource_owner(bar->io ? RESOURCE_PORTS : RESOURCE_PHYS,
						   bar->addr + bar->size - 1) == bar->owner);
			KTEST_CHECK(bar->addr % bar->size == 0);
			if (!bar->io)
				KTEST_CHECK(in_a_window(bar));
			for (unsigned int j = 0; (e = pci_device_at(j)); j++)
				for (unsigned int c = 0; c < PCI_BARS; c++)
					if ((e != d || c != b) && e->bar[c].size && e->bar[c].addr)
						KTEST_CHECK(!overlap(bar, &e->bar[c]));
		}
	}
	printk("ktest: pci: %u function(s), %u BAR(s) reserved\n", functions, bars);
}
