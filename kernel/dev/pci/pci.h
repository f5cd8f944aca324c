/*
 * PCI: the functions found on the host bridge's bus, their BARs, and the
 * drivers that took them (docs/devices.md).  Configuration space is read
 * through the ECAM window the firmware describes (ACPI MCFG on x86_64,
 * the device tree on aarch64).
 */
#ifndef DEV_PCI_PCI_H
#define DEV_PCI_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"

#define PCI_MAX_DEVICES	     32
#define PCI_BARS	     6

/* Configuration-space registers (type 0 header). */
#define PCI_VENDOR_ID	     0x00
#define PCI_DEVICE_ID	     0x02
#define PCI_COMMAND	     0x04
#define PCI_STATUS	     0x06
#define PCI_CLASS_REV	     0x08
#define PCI_HEADER_TYPE	     0x0e
#define PCI_BAR0	     0x10
#define PCI_INTERRUPT_LINE   0x3c
#define PCI_INTERRUPT_PIN    0x3d

#define PCI_CLASS_BRIDGE     0x06

#define PCI_COMMAND_IO	     0x1
#define PCI_COMMAND_MEMORY   0x2
#define PCI_COMMAND_MASTER   0x4
#define PCI_COMMAND_INTX_OFF 0x400

/* The host bridge: where its configuration space and windows are. */
struct pci_host {
	uint64_t ecam_phys;	/* of bus bus_start */
	volatile uint8_t *ecam; /* mapped, bus_start .. bus_end */
	uint8_t bus_start, bus_end;
	struct boot_pci_host dt; /* aarch64: windows and interrupt-map */
};

struct pci_bar {
	uint64_t addr; /* CPU physical (or port); 0: unassigned */
	uint64_t size; /* 0: not implemented */
	bool io;
	bool is64; /* takes this BAR and the next */
	bool prefetchable;
	char owner[24]; /* "PCI 00:03.0 BAR4", for the registry */
};

struct pci_device {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;
	uint8_t irq_pin;  /* 1..4: INTA..INTD, 0: none */
	uint8_t irq_line; /* the interrupt line register */
	struct pci_bar bar[PCI_BARS];
	volatile uint8_t *cfg; /* this function's 4 KiB of ECAM */
	/* MSI-X (pci_msix.c): the capability, the mapped table, entries used. */
	uint8_t msix_cap;
	uint16_t msix_size;
	volatile uint8_t *msix_table;
	uint32_t msix_used;
	bool msix_on;
	const char *driver; /* the driver that took it, or NULL */
	void *driver_data;
};

/* A driver, bound to functions by vendor and device ID (pci_drivers.c). */
struct pci_driver {
	const char *name;
	uint16_t vendor;
	uint16_t device;
	/* 0 when the function is now the driver's; else it stays free. */
	int (*probe)(struct pci_device *pdev);
};

/* Finds the host bridge, enumerates, assigns BARs, binds drivers.  Once,
 * after interrupts are set up and the scheduler runs.  Without a host
 * bridge it says so and returns. */
void pci_init(const struct boot_info *bi);

/* The i-th function found (NULL past the end). */
struct pci_device *pci_device_at(unsigned int i);

/* The shell's `devices`: every function, its BARs and driver. */
void pci_print_devices(void);

uint8_t pci_cfg_read8(const struct pci_device *d, uint16_t off);
uint16_t pci_cfg_read16(const struct pci_device *d, uint16_t off);
uint32_t pci_cfg_read32(const struct pci_device *d, uint16_t off);
void pci_cfg_write16(struct pci_device *d, uint16_t off, uint16_t v);
void pci_cfg_write32(struct pci_device *d, uint16_t off, uint32_t v);

/* The next capability with id after prev (pci_cap.h): offset, 0, or -E_CORRUPT. */
int pci_find_cap(const struct pci_device *d, uint8_t id, uint8_t prev);

/* Memory decoding and bus mastering on (a driver's first step). */
void pci_enable(struct pci_device *d);

/* Maps a memory BAR uncached: NULL if it is absent, unassigned or I/O. */
volatile void *pci_map_bar(struct pci_device *d, unsigned int bar);

/*
 * Connects the function's INTx pin to fn, which returns true when its
 * device raised the interrupt.  Lines are shared: every handler on a
 * line is called.  0, -E_NOENT (no pin or no route), -E_NOMEM, or the
 * arch's error.
 */
int pci_irq_attach(struct pci_device *d, bool (*fn)(void *ctx), void *ctx);

/*
 * MSI-X (pci_msix.c).  pci_msix_init finds the table and masks every
 * entry: its size, or -E_NOENT (no usable MSI-X), -E_NOTSUP (MSIs off:
 * "pci=nomsi" on the command line).  pci_msix_set gives entry i its own
 * vector for fn (called in interrupt context); pci_msix_enable turns
 * MSI-X on, INTx off and unmasks the entries set.
 */
struct arch_regs;
int pci_msix_init(struct pci_device *d);
int pci_msix_set(struct pci_device *d, unsigned int i, const char *name,
		 void (*fn)(struct arch_regs *regs, void *ctx), void *ctx);
void pci_msix_enable(struct pci_device *d);
extern bool pci_msi_allowed;

/* The host bridge pci_init found (for pci_irq.c). */
const struct pci_host *pci_host_get(void);

/* The drivers, in pci_drivers.c. */
extern const struct pci_driver pci_drivers[];
extern const size_t pci_ndrivers;

#endif
