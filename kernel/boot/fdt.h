/*
 * Flattened device tree (DTB) reader, pure (host-tested with QEMU's own
 * trees and damaged copies).  The blob is untrusted: every offset,
 * length, name and string is checked against the blob's blocks, nesting
 * is bounded, and a damaged tree gives -E_CORRUPT, never a bad read.
 */
#ifndef BOOT_FDT_H
#define BOOT_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"

#define FDT_MAGIC     0xd00dfeed
#define FDT_MAX_DEPTH 16

/* Reads the header's totalsize (to learn how much to map); 0 if not a DTB. */
size_t fdt_total_size(const void *dtb, size_t avail);

/*
 * Fills bi from the tree: memory nodes (usable), /memreserve/ entries and
 * /reserved-memory children (reserved), /chosen bootargs (cmdline) and
 * linux,initrd-start/-end (module "initrd"), the PL011 UART (preferring
 * /chosen stdout-path), the GICv3 distributor and redistributor, the
 * generic timer's EL1 virtual timer interrupt, fw_cfg, and the first
 * pci-host-ecam-generic bridge (ECAM window, bus-range, ranges and
 * interrupt-map, bi->pci).  Interrupts
 * are GIC INTIDs (SPI n -> 32 + n, PPI n -> 16 + n).
 */
int fdt_parse_boot_info(const void *dtb, size_t len, struct boot_info *bi);

#endif
