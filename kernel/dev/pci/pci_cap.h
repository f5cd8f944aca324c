/*
 * The capability list in a PCI function's configuration space: a chain
 * of (id, next) pairs starting at the pointer at 0x34, present when the
 * status register's bit 4 says so.  Pure (host-tested over fake
 * configuration spaces): the device is untrusted, so the walk follows
 * only pointers past the standard header (their reserved low bits
 * masked) and never visits a capability twice, which ends a loop.
 */
#ifndef DEV_PCI_PCI_CAP_H
#define DEV_PCI_PCI_CAP_H

#include <stdint.h>

#define PCI_CAP_MAX	  48 /* (256 - 64) / 4: no more can fit */

#define PCI_CAP_ID_MSI	  0x05
#define PCI_CAP_ID_VENDOR 0x09
#define PCI_CAP_ID_PCIE	  0x10
#define PCI_CAP_ID_MSIX	  0x11

/* Reads one byte of configuration space. */
typedef uint8_t (*pci_cfg_read8_fn)(void *ctx, uint16_t off);

/*
 * The offset of the next capability with the given id after the one at
 * prev (0: from the start of the list); 0 when there is none, and
 * -E_CORRUPT when the list is damaged (a pointer into the standard
 * header, or a loop) before the answer is found.
 */
int pci_cap_next(pci_cfg_read8_fn read8, void *ctx, uint8_t id, uint8_t prev);

#endif
