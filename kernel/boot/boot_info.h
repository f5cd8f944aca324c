/*
 * What the boot protocol told us, in one arch-neutral shape.  The
 * Multiboot2 parser (x86_64) and the device-tree parser (aarch64) fill
 * it; everything after early boot reads only this.  All addresses are
 * physical.  Strings point into the loader's memory, reached through the
 * early mapping, and are copied before that memory is reused.
 */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MEM_REGIONS 64
#define BOOT_MAX_MODULES     16
#define BOOT_CMDLINE_MAX     512
#define BOOT_NAME_MAX	     64

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum boot_mem_type */
};

struct boot_module {
	uint64_t start;
	uint64_t end; /* exclusive */
	char name[BOOT_NAME_MAX];
};

/*
 * The PCI host bridge a device tree describes (pci-host-ecam-generic):
 * its ECAM window, the windows through which the CPU reaches PCI
 * addresses (ranges), and how INTx pins reach the interrupt controller
 * (interrupt-map).  ecam_size 0: none.
 */
#define BOOT_PCI_MAX_RANGES  4
#define BOOT_PCI_MAX_IRQ_MAP 64

enum boot_pci_space {
	BOOT_PCI_IO = 1,
	BOOT_PCI_MEM32 = 2,
	BOOT_PCI_MEM64 = 3,
};

struct boot_pci_range {
	uint8_t space; /* enum boot_pci_space */
	bool prefetchable;
	uint64_t pci_addr;
	uint64_t cpu_addr;
	uint64_t size;
};

/* Devices whose (address & mask) and pin match raise this INTID. */
struct boot_pci_irq {
	uint32_t addr; /* phys.hi: bus << 16 | dev << 11 | fn << 8 */
	uint8_t pin;   /* 1..4: INTA..INTD */
	uint32_t intid;
};

struct boot_pci_host {
	uint64_t ecam_base;
	uint64_t ecam_size;
	uint8_t bus_start, bus_end;
	size_t nranges;
	struct boot_pci_range ranges[BOOT_PCI_MAX_RANGES];
	uint32_t map_mask_addr; /* interrupt-map-mask: phys.hi, and pin */
	uint32_t map_mask_pin;
	size_t nirq;
	struct boot_pci_irq irq[BOOT_PCI_MAX_IRQ_MAP];
};

struct boot_info {
	char loader_name[BOOT_NAME_MAX];
	char cmdline[BOOT_CMDLINE_MAX];

	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];
	size_t nmem;

	struct boot_module modules[BOOT_MAX_MODULES];
	size_t nmodules;

	/* The boot protocol's own data, to be kept out of the allocator. */
	uint64_t info_start;
	uint64_t info_end;

	/* ACPI root pointer (x86_64); 0 when the loader gave none. */
	uint64_t rsdp_phys;
	uint8_t rsdp_revision;
	uint8_t rsdp_copy[36]; /* the table as the loader copied it */
	size_t rsdp_len;

	/* Devices found in the device tree (aarch64); 0 when absent. */
	uint64_t uart_base;
	uint32_t uart_irq; /* GIC INTID */
	uint64_t gicd_base;
	uint64_t gicr_base;
	uint32_t timer_irq; /* INTID of the EL1 virtual or physical timer */
	uint64_t fw_cfg_base;
	uint64_t rtc_base; /* an arm,pl031 real-time clock */
	struct boot_pci_host pci;

	/* Anything skipped or rejected while parsing. */
	unsigned int warnings;
};

uint64_t boot_info_usable_bytes(const struct boot_info *bi);
void boot_info_print(const struct boot_info *bi);

#endif
