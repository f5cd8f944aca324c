/*
 * The virtio core: virtio 1.x devices over the modern PCI transport
 * (virtio 1.x, 4.1), shared by every virtio driver.  It finds the
 * common, notify, ISR and device-specific configuration structures
 * through the vendor capabilities, resets the device, negotiates
 * features, sets up split virtqueues in DMA memory and notifies them.
 * A device that breaks the protocol is stopped: its status becomes
 * FAILED and the driver fails what was in flight; the kernel carries on.
 */
#ifndef DEV_VIRTIO_VIRTIO_H
#define DEV_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/dma.h"
#include "dev/virtio/virtqueue.h"

struct pci_device;

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE   1
#define VIRTIO_STATUS_DRIVER	    2
#define VIRTIO_STATUS_DRIVER_OK	    4
#define VIRTIO_STATUS_FEATURES_OK   8
#define VIRTIO_STATUS_NEEDS_RESET   64
#define VIRTIO_STATUS_FAILED	    128

#define VIRTIO_RING_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_RING_F_EVENT_IDX	    (1ull << 29)
#define VIRTIO_F_VERSION_1	    (1ull << 32)

/* ISR status bits (4.1.4.5). */
#define VIRTIO_ISR_QUEUE	    1
#define VIRTIO_ISR_CONFIG	    2

struct virtio_queue {
	struct virtq q;
	struct dma_buf mem;
	struct dma_buf indirect_mem; /* tables of indirect descriptors, if negotiated */
	volatile uint16_t *notify;
	uint16_t index;
};

struct virtio_dev {
	struct pci_device *pdev;
	char name[24]; /* "virtio-blk 00:02.0", for the log */
	volatile uint8_t *common;
	volatile uint8_t *isr;
	volatile uint8_t *device_cfg;
	uint32_t device_cfg_len;
	volatile uint8_t *notify_base;
	uint32_t notify_len;
	uint32_t notify_mult;
	volatile uint8_t *bar_va[6];
	uint64_t features; /* negotiated */
	bool failed;
};

/*
 * Finds the structures, resets the device, sets ACKNOWLEDGE and DRIVER
 * and negotiates: VIRTIO_F_VERSION_1 must be offered, and of the rest
 * only what `supported` names is accepted.  Then FEATURES_OK, checked.
 * 0, -E_NOENT (a structure is missing or outside its BAR), -E_NOTSUP
 * (no VERSION_1, or FEATURES_OK refused), -E_NOMEM; on error the device
 * is left FAILED.
 */
int virtio_pci_init(struct virtio_dev *vd, struct pci_device *pdev, const char *driver,
		    uint64_t supported);

/* Queue index with at most max_size entries in fresh DMA memory: 0,
 * -E_NOENT (no such queue), -E_NOMEM. */
int virtio_queue_setup(struct virtio_dev *vd, uint16_t index, struct virtio_queue *vq,
		       uint16_t max_size);

/* Routes configuration changes and the queue's interrupts to these
 * MSI-X entries (the ISR is then unused): 0, or -E_NOTSUP when the
 * device refuses (both left at no vector). */
int virtio_set_msix(struct virtio_dev *vd, struct virtio_queue *vq, uint16_t config_entry,
		    uint16_t queue_entry);

/* One more queue's interrupts to an MSI-X entry, for a device with
 * several queues (after virtio_set_msix): 0, or -E_NOTSUP when the
 * device refuses (the queue left at no vector). */
int virtio_queue_set_msix(struct virtio_dev *vd, struct virtio_queue *vq, uint16_t entry);

/* DRIVER_OK: the device may start. */
void virtio_driver_ok(struct virtio_dev *vd);

/* Tells the device the queue has new buffers (unless it asked not to be told). */
void virtio_notify(struct virtio_dev *vd, struct virtio_queue *vq);
/* Notifies whatever the device asked for (a full ring waits for it). */
void virtio_notify_always(struct virtio_dev *vd, struct virtio_queue *vq);

/* Reads (and so clears) the ISR status: which interrupt this was. */
uint8_t virtio_isr(struct virtio_dev *vd);

uint8_t virtio_status(struct virtio_dev *vd);

/* Stops a device that misbehaved: FAILED status, bus mastering and
 * INTx off, a log line with why.  Callable in interrupt context. */
void virtio_fail(struct virtio_dev *vd, const char *why);

/* Device-specific configuration, read consistently (config_generation). */
uint64_t virtio_cfg_read64(struct virtio_dev *vd, uint32_t off);
uint32_t virtio_cfg_read32(struct virtio_dev *vd, uint32_t off);
uint16_t virtio_cfg_read16(struct virtio_dev *vd, uint32_t off);
/* len bytes from off, one byte at a time (a MAC address), consistently. */
void virtio_cfg_read_bytes(struct virtio_dev *vd, uint32_t off, uint8_t *out, uint32_t len);

#endif
