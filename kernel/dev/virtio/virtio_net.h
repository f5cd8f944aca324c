/*
 * virtio-net (virtio 1.x, 5.1) on the virtio core: one receive and one
 * transmit queue, the MAC address and link status from the device's
 * configuration, no offloads.  Each device becomes a network interface
 * (net/netif.h) named "ethN".
 */
#ifndef DEV_VIRTIO_VIRTIO_NET_H
#define DEV_VIRTIO_VIRTIO_NET_H

#include <stdbool.h>

struct netif;
struct pci_device;

/* The PCI driver's probe (pci_drivers.c). */
int virtio_net_probe(struct pci_device *pdev);

/* True when nif is a virtio-net interface. */
bool virtio_net_is(const struct netif *nif);

/*
 * For the in-kernel tests only: moves the receive queue's used index
 * far past what is in flight, as a broken device would, and polls, so
 * the driver stops the device.  net_lock held.
 */
void virtio_net_test_corrupt(struct netif *nif);

#endif
