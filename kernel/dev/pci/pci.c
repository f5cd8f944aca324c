/*
 * The PCI bus driver: enumerates the host bridge's first bus through
 * ECAM, sizes every BAR, gives addresses to those the firmware left
 * unassigned (aarch64 virt has no firmware that does it) from the
 * bridge's memory window, reserves each in the resource registry and
 * offers each function to the driver table.
 *
 * Bridges are listed but not crossed: QEMU's q35 and virt put their
 * devices on bus 0.
 */
#include "dev/pci/pci.h"

#include "arch/arch.h"
#include "core/cmdline.h"
#include "core/device_control.h"
#include "core/printk.h"
#include "dev/pci/pci_cap.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/vmm.h"
#include "themelios/errno.h"

static struct pci_host host;
static struct pci_device devices[PCI_MAX_DEVICES];
static unsigned int ndevices;

/* Where the next BAR goes in each window the device tree gave. */
static uint64_t window_next[BOOT_PCI_MAX_RANGES];

uint8_t
pci_cfg_read8(const struct pci_device *d, uint16_t off)
{
	return *(volatile uint8_t *)(d->cfg + off);
}

uint16_t
pci_cfg_read16(const struct pci_device *d, uint16_t off)
{
	return *(volatile uint16_t *)(d->cfg + off);
}

uint32_t
pci_cfg_read32(const struct pci_device *d, uint16_t off)
{
	return *(volatile uint32_t *)(d->cfg + off);
}

void
pci_cfg_write16(struct pci_device *d, uint16_t off, uint16_t v)
{
	*(volatile uint16_t *)(d->cfg + off) = v;
}

void
pci_cfg_write32(struct pci_device *d, uint16_t off, uint32_t v)
{
	*(volatile uint32_t *)(d->cfg + off) = v;
}

static uint8_t
cap_read8(void *ctx, uint16_t off)
{
	return pci_cfg_read8(ctx, off);
}

int
pci_find_cap(const struct pci_device *d, uint8_t id, uint8_t prev)
{
	return pci_cap_next(cap_read8, (void *)d, id, prev);
}

struct pci_device *
pci_device_at(unsigned int i)
{
	return i < ndevices ? &devices[i] : NULL;
}

/* Writes all ones and reads back which address bits the BAR decodes;
 * decoding is off meanwhile, so the probe address is never live. */
static uint32_t
bar_probe(struct pci_device *d, uint16_t off, uint32_t *orig)
{
	uint32_t v;

	*orig = pci_cfg_read32(d, off);
	pci_cfg_write32(d, off, 0xffffffff);
	v = pci_cfg_read32(d, off);
	pci_cfg_write32(d, off, *orig);
	return v;
}

static void
size_bars(struct pci_device *d)
{
	/* No interrupt handler may touch the device while it does not decode. */
	unsigned long flags = arch_irq_save();
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	pci_cfg_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned int i = 0; i < PCI_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		uint16_t off = (uint16_t)(PCI_BAR0 + 4 * i);
		uint32_t orig, v = bar_probe(d, off, &orig);

		if (v == 0)
			continue;
		if (orig & 1) {
			b->io = true;
			b->size = (~(uint64_t)(v & ~3u) + 1) & 0xffff;
			b->addr = orig & ~3u;
		} else {
			uint64_t mask = v & ~0xfu;
			b->is64 = (orig >> 1 & 3) == 2 && i + 1 < PCI_BARS;
			b->prefetchable = orig & 8;
			b->addr = orig & ~0xfu;
			if (b->is64) {
				uint32_t orig_hi, hi = bar_probe(d, (uint16_t)(off + 4), &orig_hi);
				mask |= (uint64_t)hi << 32;
				b->addr |= (uint64_t)orig_hi << 32;
			} else {
				mask |= 0xffffffff00000000ull;
			}
			b->size = ~mask + 1;
		}
		fmt_snprintf(b->owner, sizeof(b->owner), "PCI %02x:%02x.%u BAR%u", d->bus, d->dev,
			     d->fn, i);
		if (b->is64)
			i++;
	}
	pci_cfg_write16(d, PCI_COMMAND, cmd);
	arch_irq_restore(flags);
}

/* A CPU address for a memory BAR from the bridge's windows: the 32-bit
 * window first (any BAR can use it), naturally aligned. */
static void
assign_bar(struct pci_device *d, unsigned int i)
{
	struct pci_bar *b = &d->bar[i];

	for (int pass = 0; pass < 2; pass++) {
		for (size_t w = 0; w < host.dt.nranges; w++) {
			const struct boot_pci_range *r = &host.dt.ranges[w];
			uint64_t start, pci_addr;

			if (r->space != (pass == 0 ? BOOT_PCI_MEM32 : BOOT_PCI_MEM64) ||
			    (r->space == BOOT_PCI_MEM64 && !b->is64))
				continue;
			if (!window_next[w])
				window_next[w] = r->cpu_addr;
			start = (window_next[w] + b->size - 1) & ~(b->size - 1);
			if (start < window_next[w] || start - r->cpu_addr + b->size > r->size)
				continue;
			pci_addr = r->pci_addr + (start - r->cpu_addr);
			window_next[w] = start + b->size;
			pci_cfg_write32(d, (uint16_t)(PCI_BAR0 + 4 * i),
					(uint32_t)pci_addr | (b->is64 ? 4 : 0) |
						(b->prefetchable ? 8 : 0));
			if (b->is64)
				pci_cfg_write32(d, (uint16_t)(PCI_BAR0 + 4 * i + 4),
						(uint32_t)(pci_addr >> 32));
			b->addr = start;
			return;
		}
	}
	pr_warn("pci: %02x:%02x.%u BAR%u (%#lx bytes): no room in the bridge's windows\n", d->bus,
		d->dev, d->fn, i, b->size);
}

static void
setup_bars(struct pci_device *d)
{
	size_bars(d);
	for (unsigned int i = 0; i < PCI_BARS; i++) {
		struct pci_bar *b = &d->bar[i];

		if (!b->size)
			continue;
		/* A size that is no power of two is a broken device. */
		if (b->size & (b->size - 1)) {
			pr_warn("pci: %02x:%02x.%u BAR%u: impossible size %#lx, ignored\n", d->bus,
				d->dev, d->fn, i, b->size);
			b->size = 0;
			continue;
		}
		if (!b->addr && !b->io)
			assign_bar(d, i);
		if (b->addr)
			device_reserve(b->io ? RESOURCE_PORTS : RESOURCE_PHYS, b->addr, b->size,
				       b->owner);
	}
}

static void
add_function(uint8_t bus, uint8_t dev, uint8_t fn, volatile uint8_t *cfg)
{
	struct pci_device *d;
	uint32_t class_rev;

	if (ndevices == PCI_MAX_DEVICES) {
		pr_warn("pci: more than %u functions; %02x:%02x.%u ignored\n", PCI_MAX_DEVICES, bus,
			dev, fn);
		return;
	}
	d = &devices[ndevices++];
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->cfg = cfg;
	d->vendor = pci_cfg_read16(d, PCI_VENDOR_ID);
	d->device = pci_cfg_read16(d, PCI_DEVICE_ID);
	class_rev = pci_cfg_read32(d, PCI_CLASS_REV);
	d->class_code = (uint8_t)(class_rev >> 24);
	d->subclass = (uint8_t)(class_rev >> 16);
	d->prog_if = (uint8_t)(class_rev >> 8);
	d->revision = (uint8_t)class_rev;
	d->header_type = pci_cfg_read8(d, PCI_HEADER_TYPE) & 0x7f;
	/* Bridges of every kind are left alone: turning off an ISA bridge's
	 * decoding to size a BAR could cut off the console behind it. */
	if (d->header_type != 0 || d->class_code == PCI_CLASS_BRIDGE)
		return;
	d->irq_pin = pci_cfg_read8(d, PCI_INTERRUPT_PIN);
	d->irq_line = pci_cfg_read8(d, PCI_INTERRUPT_LINE);
	if (d->irq_pin > 4)
		d->irq_pin = 0;
	setup_bars(d);
}

static void
scan_bus(uint8_t bus)
{
	volatile uint8_t *base = host.ecam + ((uint64_t)(bus - host.bus_start) << 20);

	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			volatile uint8_t *cfg = base + ((uint32_t)dev << 15) + ((uint32_t)fn << 12);

			if (*(volatile uint16_t *)cfg == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			add_function(bus, dev, fn, cfg);
			/* Functions 1-7 exist only behind a multi-function header. */
			if (fn == 0 && !(cfg[PCI_HEADER_TYPE] & 0x80))
				break;
		}
	}
}

void
pci_enable(struct pci_device *d)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	pci_cfg_write16(d, PCI_COMMAND,
			(uint16_t)((cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER) &
				   ~PCI_COMMAND_INTX_OFF));
}

volatile void *
pci_map_bar(struct pci_device *d, unsigned int bar)
{
	const struct pci_bar *b = bar < PCI_BARS ? &d->bar[bar] : NULL;

	if (!b || !b->size || !b->addr || b->io)
		return NULL;
	return vmm_map_mmio(b->addr, b->size);
}

static void
bind_drivers(void)
{
	for (unsigned int i = 0; i < ndevices; i++) {
		struct pci_device *d = &devices[i];

		for (size_t k = 0; k < pci_ndrivers && !d->driver; k++) {
			const struct pci_driver *drv = &pci_drivers[k];

			if (drv->vendor != d->vendor || drv->device != d->device)
				continue;
			if (drv->probe(d) == 0)
				d->driver = drv->name;
		}
	}
}

static void
print_device(const struct pci_device *d)
{
	printk("pci %02x:%02x.%u %04x:%04x class %02x.%02x.%02x", d->bus, d->dev, d->fn, d->vendor,
	       d->device, d->class_code, d->subclass, d->prog_if);
	if (d->header_type == 1)
		printk(" bridge (not crossed)");
	if (d->msix_on)
		printk(" MSI-X");
	else if (d->irq_pin)
		printk(" INT%c", 'A' + d->irq_pin - 1);
	printk(" driver %s\n", d->driver ? d->driver : "-");
	for (unsigned int i = 0; i < PCI_BARS; i++) {
		const struct pci_bar *b = &d->bar[i];

		if (!b->size)
			continue;
		if (b->addr)
			printk("    BAR%u %s %#lx+%#lx%s\n", i,
			       b->io	 ? "io "
			       : b->is64 ? "m64"
					 : "m32",
			       b->addr, b->size, b->prefetchable ? " prefetchable" : "");
		else
			printk("    BAR%u %s unassigned (%#lx bytes)\n", i, b->io ? "io " : "mem",
			       b->size);
	}
}

void
pci_print_devices(void)
{
	if (!host.ecam) {
		printk("pci: no host bridge\n");
		return;
	}
	for (unsigned int i = 0; i < ndevices; i++)
		print_device(&devices[i]);
}

void
pci_init(const struct boot_info *bi)
{
	uint64_t size;
	int err = arch_pci_host(bi, &host);

	pci_msi_allowed = !cmdline_has(bi->cmdline, "pci=nomsi");
	if (err) {
		pr_info("pci: no ECAM host bridge (error %d)\n", err);
		return;
	}
	/* Only the first bus is scanned: map just that much. */
	host.bus_end = host.bus_start;
	size = (uint64_t)(host.bus_end - host.bus_start + 1) << 20;
	host.ecam = vmm_map_mmio(host.ecam_phys, size);
	if (!host.ecam) {
		pr_err("pci: cannot map the ECAM window at %#lx\n", host.ecam_phys);
		return;
	}
	device_reserve(RESOURCE_PHYS, host.ecam_phys, size, "PCI ECAM");
	scan_bus(host.bus_start);
	pr_info("pci: ECAM at %#lx, bus %u: %u function(s)\n", host.ecam_phys, host.bus_start,
		ndevices);
	bind_drivers();
	for (unsigned int i = 0; i < ndevices; i++)
		print_device(&devices[i]);
}

const struct pci_host *
pci_host_get(void)
{
	return &host;
}
