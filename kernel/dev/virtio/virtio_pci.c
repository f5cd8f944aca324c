/*
 * The modern virtio PCI transport (virtio.h).  Every structure is found
 * through a vendor capability (cfg_type, BAR, offset, length) and must
 * lie inside its BAR; the first capability of each type is used, as the
 * spec asks.  Registers are accessed at their natural width.
 */
#include "dev/virtio/virtio.h"

#include "core/printk.h"
#include "dev/pci/pci.h"
#include "dev/pci/pci_cap.h"
#include "lib/format.h"
#include "lib/string.h"
#include "themelios/errno.h"

/* Vendor capability layout and types (4.1.4). */
#define CAP_CFG_TYPE	3
#define CAP_BAR		4
#define CAP_OFFSET	8
#define CAP_LENGTH	12
#define CAP_NOTIFY_MULT 16
#define CFG_COMMON	1
#define CFG_NOTIFY	2
#define CFG_ISR		3
#define CFG_DEVICE	4

/* Common configuration (4.1.4.3). */
#define COMMON_DFSELECT 0
#define COMMON_DF	4
#define COMMON_GFSELECT 8
#define COMMON_GF	12
#define COMMON_MSIX	16
#define COMMON_NUMQ	18
#define COMMON_STATUS	20
#define COMMON_CFGGEN	21
#define COMMON_Q_SELECT 22
#define COMMON_Q_SIZE	24
#define COMMON_Q_MSIX	26
#define COMMON_Q_ENABLE 28
#define COMMON_Q_NOFF	30
#define COMMON_Q_DESC	32
#define COMMON_Q_AVAIL	40
#define COMMON_Q_USED	48
#define COMMON_LEN	56
#define NO_VECTOR	0xffff

static void
w8(volatile uint8_t *base, uint32_t off, uint8_t v)
{
	*(volatile uint8_t *)(base + off) = v;
}

static void
w16(volatile uint8_t *base, uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}

static void
w32(volatile uint8_t *base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static uint8_t
r8(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint8_t *)(base + off);
}

static uint16_t
r16(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint16_t *)(base + off);
}

static uint32_t
r32(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

uint8_t
virtio_status(struct virtio_dev *vd)
{
	return r8(vd->common, COMMON_STATUS);
}

static void
set_status(struct virtio_dev *vd, uint8_t bits)
{
	w8(vd->common, COMMON_STATUS, (uint8_t)(virtio_status(vd) | bits));
}

void
virtio_fail(struct virtio_dev *vd, const char *why)
{
	if (!vd->failed)
		pr_err("%s: %s; device stopped (FAILED)\n", vd->name, why);
	vd->failed = true;
	if (vd->common)
		set_status(vd, VIRTIO_STATUS_FAILED);
	/* No more DMA or interrupts from it, whatever it does next. */
	pci_cfg_write16(vd->pdev, PCI_COMMAND,
			(uint16_t)((pci_cfg_read16(vd->pdev, PCI_COMMAND) & ~PCI_COMMAND_MASTER) |
				   PCI_COMMAND_INTX_OFF));
}

/* The structure a vendor capability points at, mapped; NULL when its
 * BAR is missing or it does not fit inside. */
static volatile uint8_t *
map_structure(struct virtio_dev *vd, uint8_t cap, uint32_t min_len, uint32_t *len)
{
	struct pci_device *d = vd->pdev;
	uint8_t bar = pci_cfg_read8(d, (uint16_t)(cap + CAP_BAR));
	uint32_t off = pci_cfg_read32(d, (uint16_t)(cap + CAP_OFFSET));
	uint32_t n = pci_cfg_read32(d, (uint16_t)(cap + CAP_LENGTH));

	if (bar >= PCI_BARS || !d->bar[bar].size || d->bar[bar].io || n < min_len ||
	    (uint64_t)off + n > d->bar[bar].size)
		return NULL;
	if (!vd->bar_va[bar])
		vd->bar_va[bar] = pci_map_bar(d, bar);
	if (!vd->bar_va[bar])
		return NULL;
	if (len)
		*len = n;
	return vd->bar_va[bar] + off;
}

static int
find_structures(struct virtio_dev *vd)
{
	int cap = 0;

	while ((cap = pci_find_cap(vd->pdev, PCI_CAP_ID_VENDOR, (uint8_t)cap)) > 0) {
		uint8_t type = pci_cfg_read8(vd->pdev, (uint16_t)(cap + CAP_CFG_TYPE));

		if (type == CFG_COMMON && !vd->common) {
			vd->common = map_structure(vd, (uint8_t)cap, COMMON_LEN, NULL);
		} else if (type == CFG_NOTIFY && !vd->notify_base) {
			vd->notify_mult =
				pci_cfg_read32(vd->pdev, (uint16_t)(cap + CAP_NOTIFY_MULT));
			vd->notify_base = map_structure(vd, (uint8_t)cap, 2, &vd->notify_len);
		} else if (type == CFG_ISR && !vd->isr) {
			vd->isr = map_structure(vd, (uint8_t)cap, 1, NULL);
		} else if (type == CFG_DEVICE && !vd->device_cfg) {
			vd->device_cfg = map_structure(vd, (uint8_t)cap, 1, &vd->device_cfg_len);
		}
	}
	if (cap < 0)
		pr_warn("%s: damaged capability list\n", vd->name);
	if (!vd->common || !vd->notify_base || !vd->isr)
		return -E_NOENT;
	return 0;
}

int
virtio_pci_init(struct virtio_dev *vd, struct pci_device *pdev, const char *driver,
		uint64_t supported)
{
	uint64_t offered;
	int err;

	memset(vd, 0, sizeof(*vd));
	vd->pdev = pdev;
	fmt_snprintf(vd->name, sizeof(vd->name), "%s %02x:%02x.%u", driver, pdev->bus, pdev->dev,
		     pdev->fn);
	pci_enable(pdev);
	if ((err = find_structures(vd)) != 0) {
		pr_err("%s: no modern virtio structures (common, notify, ISR)\n", vd->name);
		return err;
	}
	/* Reset, and wait for it to finish (a bounded wait: 4.1.4.3.2). */
	w8(vd->common, COMMON_STATUS, 0);
	for (int i = 0; i < 1000000 && virtio_status(vd) != 0; i++)
		;
	set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(vd, VIRTIO_STATUS_DRIVER);

	w32(vd->common, COMMON_DFSELECT, 0);
	offered = r32(vd->common, COMMON_DF);
	w32(vd->common, COMMON_DFSELECT, 1);
	offered |= (uint64_t)r32(vd->common, COMMON_DF) << 32;
	if (!(offered & VIRTIO_F_VERSION_1)) {
		virtio_fail(vd, "no VIRTIO_F_VERSION_1 (a legacy-only device)");
		return -E_NOTSUP;
	}
	/* The core implements indirect tables and event indexes for every
	 * driver (virtqueue.c). */
	vd->features = offered & (supported | VIRTIO_F_VERSION_1 | VIRTIO_RING_F_INDIRECT_DESC |
				  VIRTIO_RING_F_EVENT_IDX);
	w32(vd->common, COMMON_GFSELECT, 0);
	w32(vd->common, COMMON_GF, (uint32_t)vd->features);
	w32(vd->common, COMMON_GFSELECT, 1);
	w32(vd->common, COMMON_GF, (uint32_t)(vd->features >> 32));
	set_status(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_fail(vd, "the device refused our features");
		return -E_NOTSUP;
	}
	w16(vd->common, COMMON_MSIX, NO_VECTOR);
	return 0;
}

int
virtio_queue_setup(struct virtio_dev *vd, uint16_t index, struct virtio_queue *vq,
		   uint16_t max_size)
{
	uint16_t size, noff;
	uint64_t notify_at;

	if (index >= r16(vd->common, COMMON_NUMQ))
		return -E_NOENT;
	w16(vd->common, COMMON_Q_SELECT, index);
	size = r16(vd->common, COMMON_Q_SIZE);
	if (size == 0)
		return -E_NOENT;
	if (size > max_size)
		size = max_size;
	while (size & (size - 1)) /* split queues of any size work; ours are powers of two */
		size &= (uint16_t)(size - 1);
	noff = r16(vd->common, COMMON_Q_NOFF);
	notify_at = (uint64_t)noff * vd->notify_mult;
	if (notify_at + 2 > vd->notify_len) {
		virtio_fail(vd, "queue notify address outside the notify structure");
		return -E_NOENT;
	}
	if (dma_alloc(virtq_mem_size(size), &vq->mem) != 0)
		return -E_NOMEM;
	virtq_init(&vq->q, size, vq->mem.va, vq->mem.phys);
	if (vd->features & VIRTIO_RING_F_EVENT_IDX)
		virtq_set_event_idx(&vq->q);
	/* Without memory for the tables, chains simply stay direct. */
	if ((vd->features & VIRTIO_RING_F_INDIRECT_DESC) &&
	    dma_alloc(virtq_indirect_size(size), &vq->indirect_mem) == 0)
		virtq_set_indirect(&vq->q, vq->indirect_mem.va, vq->indirect_mem.phys);
	vq->index = index;
	vq->notify = (volatile uint16_t *)(vd->notify_base + notify_at);
	w16(vd->common, COMMON_Q_SIZE, size);
	w16(vd->common, COMMON_Q_MSIX, NO_VECTOR);
	w32(vd->common, COMMON_Q_DESC, (uint32_t)vq->q.desc_phys);
	w32(vd->common, COMMON_Q_DESC + 4, (uint32_t)(vq->q.desc_phys >> 32));
	w32(vd->common, COMMON_Q_AVAIL, (uint32_t)vq->q.avail_phys);
	w32(vd->common, COMMON_Q_AVAIL + 4, (uint32_t)(vq->q.avail_phys >> 32));
	w32(vd->common, COMMON_Q_USED, (uint32_t)vq->q.used_phys);
	w32(vd->common, COMMON_Q_USED + 4, (uint32_t)(vq->q.used_phys >> 32));
	w16(vd->common, COMMON_Q_ENABLE, 1);
	return 0;
}

int
virtio_set_msix(struct virtio_dev *vd, struct virtio_queue *vq, uint16_t config_entry,
		uint16_t queue_entry)
{
	/* The device answers NO_VECTOR when it cannot map an entry. */
	w16(vd->common, COMMON_MSIX, config_entry);
	w16(vd->common, COMMON_Q_SELECT, vq->index);
	w16(vd->common, COMMON_Q_MSIX, queue_entry);
	if (r16(vd->common, COMMON_MSIX) == config_entry &&
	    r16(vd->common, COMMON_Q_MSIX) == queue_entry)
		return 0;
	w16(vd->common, COMMON_MSIX, NO_VECTOR);
	w16(vd->common, COMMON_Q_MSIX, NO_VECTOR);
	return -E_NOTSUP;
}

int
virtio_queue_set_msix(struct virtio_dev *vd, struct virtio_queue *vq, uint16_t entry)
{
	w16(vd->common, COMMON_Q_SELECT, vq->index);
	w16(vd->common, COMMON_Q_MSIX, entry);
	if (r16(vd->common, COMMON_Q_MSIX) == entry)
		return 0;
	w16(vd->common, COMMON_Q_MSIX, NO_VECTOR);
	return -E_NOTSUP;
}

void
virtio_driver_ok(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_STATUS_DRIVER_OK);
}

void
virtio_notify(struct virtio_dev *vd, struct virtio_queue *vq)
{
	if (vd->failed || !virtq_should_notify(&vq->q))
		return;
	*vq->notify = vq->index;
}

void
virtio_notify_always(struct virtio_dev *vd, struct virtio_queue *vq)
{
	if (vd->failed)
		return;
	vq->q.kicked_idx = vq->q.avail_idx;
	*vq->notify = vq->index;
}

uint8_t
virtio_isr(struct virtio_dev *vd)
{
	return r8(vd->isr, 0);
}

/* The generation counter changes when the device changes its
 * configuration; read until it stands still across the read. */
uint64_t
virtio_cfg_read64(struct virtio_dev *vd, uint32_t off)
{
	uint8_t gen;
	uint64_t v;

	if (!vd->device_cfg || off + 8 > vd->device_cfg_len)
		return 0;
	do {
		gen = r8(vd->common, COMMON_CFGGEN);
		v = r32(vd->device_cfg, off) | (uint64_t)r32(vd->device_cfg, off + 4) << 32;
	} while (gen != r8(vd->common, COMMON_CFGGEN));
	return v;
}

uint32_t
virtio_cfg_read32(struct virtio_dev *vd, uint32_t off)
{
	if (!vd->device_cfg || off + 4 > vd->device_cfg_len)
		return 0;
	return r32(vd->device_cfg, off);
}

uint16_t
virtio_cfg_read16(struct virtio_dev *vd, uint32_t off)
{
	if (!vd->device_cfg || off + 2 > vd->device_cfg_len)
		return 0;
	return r16(vd->device_cfg, off);
}

void
virtio_cfg_read_bytes(struct virtio_dev *vd, uint32_t off, uint8_t *out, uint32_t len)
{
	uint8_t gen;

	if (!vd->device_cfg || off + len > vd->device_cfg_len) {
		memset(out, 0, len);
		return;
	}
	do {
		gen = r8(vd->common, COMMON_CFGGEN);
		for (uint32_t i = 0; i < len; i++)
			out[i] = r8(vd->device_cfg, off + i);
	} while (gen != r8(vd->common, COMMON_CFGGEN));
}
