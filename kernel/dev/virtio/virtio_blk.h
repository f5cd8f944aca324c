/*
 * virtio-blk (virtio 1.x, 5.2) on the virtio core: one request queue,
 * reads, writes, flush when the device offers it, the read-only flag
 * honoured.  Each device becomes a block device (dev/block.h) named
 * "vblkN".
 */
#ifndef DEV_VIRTIO_VIRTIO_BLK_H
#define DEV_VIRTIO_VIRTIO_BLK_H

struct blk_device;
struct pci_device;

/* The PCI driver's probe (pci_drivers.c). */
int virtio_blk_probe(struct pci_device *pdev);

/*
 * For the in-kernel tests only: makes the disk's used ring look as a
 * broken device would leave it (its index moved with nothing in
 * flight) and runs what the queue's interrupt runs, so the driver stops
 * the device.
 * bd must be a virtio-blk disk with no request in flight.
 */
void virtio_blk_test_corrupt(struct blk_device *bd);

#endif
