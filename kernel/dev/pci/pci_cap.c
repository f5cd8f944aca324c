/*
 * Walking the capability list (pci_cap.h).  The list is device data:
 * every pointer is checked before it is followed.
 */
#include "dev/pci/pci_cap.h"

#include <stdbool.h>

#include "themelios/errno.h"

#define PCI_STATUS	    0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR	    0x34
#define PCI_HEADER_END	    0x40

/*
 * Every step checks the pointer and marks the capability visited; a
 * second visit is a loop.  So the walk is bounded, and a caller that
 * iterates with prev also ends: a loop shows up as -E_CORRUPT.
 */
int
pci_cap_next(pci_cfg_read8_fn read8, void *ctx, uint8_t id, uint8_t prev)
{
	uint64_t visited = 0;
	bool past_prev = prev == 0;
	uint8_t p;

	if (!(read8(ctx, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	/* The low two bits of every pointer are reserved. */
	for (p = read8(ctx, PCI_CAP_PTR) & 0xfc; p; p = read8(ctx, (uint16_t)(p + 1)) & 0xfc) {
		uint64_t bit;

		if (p < PCI_HEADER_END)
			return -E_CORRUPT;
		bit = 1ull << ((p - PCI_HEADER_END) / 4);
		if (visited & bit)
			return -E_CORRUPT;
		visited |= bit;
		if (past_prev && read8(ctx, p) == id)
			return p;
		if (p == prev)
			past_prev = true;
	}
	return 0;
}
