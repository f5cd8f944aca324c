/*
 * virtio-net (virtio 1.x, 5.1) on the virtio core: one receive and one
 * transmit queue, the MAC address and link status from the device's
 * configuration, no offloads.  Each device becomes a network interface
 * (net/netif.h) named "ethN".
 */
#ifndef DEV_VIRTIO_VIRTIO_NET_H
#define DEV_VIRTIO_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * For the in-kernel tests only: queues frame for transmission without
 * notifying the device, as when a notification is lost, so that the
 * transmit watchdog must.  0 or -E_AGAIN.  net_lock held.
 */
int virtio_net_test_send_unannounced(struct netif *nif, const void *frame, size_t len);

/* Frames queued for transmission and not yet taken back. */
unsigned int virtio_net_tx_in_flight(struct netif *nif);

/* The transmit watchdog, which every poll runs: a queue with frames in
 * flight and no progress for 50 ms is notified again.  net_lock held. */
void virtio_net_tx_watchdog(struct netif *nif);

/* How often the transmit watchdog notified a stalled queue again. */
uint64_t virtio_net_tx_renotified(struct netif *nif);

/*
 * For the in-kernel tests only: takes every frame the device has put on
 * the receive queue and gives the buffers back without notifying it,
 * as when that notification is lost; returns how many, and the ring's
 * size in *ring_size.  net_lock held.
 */
unsigned int virtio_net_test_rx_recycle_unannounced(struct netif *nif, unsigned int *ring_size);

/* Frames the device has put on the receive queue, not yet taken. */
unsigned int virtio_net_rx_pending(struct netif *nif);

/* The receive watchdog, which every poll runs: RX_QUIET_MS (500) without
 * a frame, and the queue is notified again.  net_lock held. */
void virtio_net_rx_watchdog(struct netif *nif);

/* How often the receive watchdog notified the queue. */
uint64_t virtio_net_rx_renotified(struct netif *nif);

#endif
