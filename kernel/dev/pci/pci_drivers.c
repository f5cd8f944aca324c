/*
 * The driver table: which kernel driver takes which PCI function, by
 * vendor and device ID.  The first whose probe succeeds owns it.
 */
#include "dev/pci/pci.h"

#include "dev/virtio/virtio_blk.h"
#include "dev/virtio/virtio_net.h"

const struct pci_driver pci_drivers[] = {
	/* virtio 1.x modern devices are 0x1040 + the virtio device ID. */
	{ "virtio-blk", 0x1af4, 0x1042, virtio_blk_probe },
	/* Transitional virtio-blk: the same driver, over the modern capabilities. */
	{ "virtio-blk", 0x1af4, 0x1001, virtio_blk_probe },
	{ "virtio-net", 0x1af4, 0x1041, virtio_net_probe },
	/* Transitional virtio-net (QEMU's default), likewise. */
	{ "virtio-net", 0x1af4, 0x1000, virtio_net_probe },
};

const size_t pci_ndrivers = sizeof(pci_drivers) / sizeof(pci_drivers[0]);
