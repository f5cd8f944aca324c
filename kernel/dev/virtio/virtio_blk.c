/*
 * The virtio-blk driver.  A request is three buffers: a 16-byte header
 * the device reads (type, sector), the data, and a status byte the
 * device writes.  Each of VBLK_SLOTS slots owns one header, status and
 * a 4 KiB data page in DMA memory, so up to VBLK_SLOTS requests are in
 * flight; a caller's larger transfer is cut into 4 KiB pieces that go
 * out together.  A read into the direct map (page cache frames, DMA
 * memory: physically contiguous wherever the virtual range is) skips
 * the copy: the device writes the caller's frames, VBLK_DIRECT bytes a
 * request.  The caller sleeps on the device's wait queue; the
 * interrupt handler takes the used ring and wakes it.  A device that
 * breaks the ring protocol, asks for a reset or does not answer is
 * stopped (FAILED): its requests fail with -E_IO and the kernel goes on.
 */
#include "dev/virtio/virtio_blk.h"

#include "arch/arch.h"
#include "core/printk.h"
#include "core/time.h"
#include "dev/block.h"
#include "dev/dma.h"
#include "dev/pci/pci.h"
#include "dev/virtio/virtio.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "sched/spinlock.h"
#include "sched/wait.h"
#include "themelios/errno.h"

/* Feature bits and request types (5.2.3, 5.2.6). */
#define VIRTIO_BLK_F_RO	    (1ull << 5)
#define VIRTIO_BLK_F_FLUSH  (1ull << 9)
#define VIRTIO_BLK_T_IN	    0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define CFG_CAPACITY	    0

#define VBLK_SLOTS	    8
#define VBLK_CHUNK	    4096
#define VBLK_DIRECT	    (256u << 10) /* bytes per request read in place */
#define VBLK_QUEUE_MAX	    64
#define VBLK_TIMEOUT_NS	    (10 * NSEC_PER_SEC)

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk_slot {
	bool busy;
	bool done;
	uint32_t used_len;
	struct vblk_hdr *hdr; /* in DMA memory */
	volatile uint8_t *status;
	uint8_t *data;
	uint64_t hdr_phys, status_phys, data_phys;
};

struct virtio_blk {
	struct virtio_dev vd;
	struct virtio_queue vq;
	struct blk_device bd;
	char bd_name[8];
	struct spinlock lock;
	struct wait_queue wq; /* requests done, slots free, failure */
	struct dma_buf dma;
	struct vblk_slot slot[VBLK_SLOTS];
};

static unsigned int vblk_count;

/* Lock held: every request in flight ends with -E_IO. */
static void
fail_slot(void *cookie, void *ctx)
{
	struct vblk_slot *s = cookie;

	(void)ctx;
	s->done = true;
	s->used_len = 0;
}

static void
fail_device(struct virtio_blk *vb, const char *why)
{
	virtio_fail(&vb->vd, why);
	virtq_drain(&vb->vq.q, fail_slot, NULL);
	wait_queue_wake_all(&vb->wq);
}

/* Lock held, interrupt context: finished requests, or a broken ring. */
static void
take_used(struct virtio_blk *vb)
{
	void *cookie;
	uint32_t len;
	int r;

	while (!vb->vd.failed && (r = virtq_get_used(&vb->vq.q, &cookie, &len)) != 0) {
		if (r < 0) {
			fail_device(vb, "bad used ring entry (index, id or length)");
			break;
		}
		((struct vblk_slot *)cookie)->done = true;
		((struct vblk_slot *)cookie)->used_len = len;
	}
	wait_queue_wake_all(&vb->wq);
}

/* Lock held: a configuration change may be the device asking for a reset. */
static void
config_changed(struct virtio_blk *vb)
{
	if (virtio_status(&vb->vd) & VIRTIO_STATUS_NEEDS_RESET)
		fail_device(vb, "the device needs a reset (DEVICE_NEEDS_RESET)");
}

/* INTx, interrupt context.  Reading the ISR lowers the line and says
 * whether it was this device. */
static bool
vblk_irq(void *ctx)
{
	struct virtio_blk *vb = ctx;
	uint8_t isr;

	spin_lock_noirq(&vb->lock);
	isr = virtio_isr(&vb->vd); /* even when failed: it lowers the line */
	if (isr & VIRTIO_ISR_CONFIG)
		config_changed(vb);
	if (isr)
		take_used(vb);
	spin_unlock_noirq(&vb->lock);
	return isr != 0;
}

/* MSI-X entry 1: the request queue. */
static void
vblk_msix_queue(struct arch_regs *regs, void *ctx)
{
	struct virtio_blk *vb = ctx;

	(void)regs;
	spin_lock_noirq(&vb->lock);
	take_used(vb);
	spin_unlock_noirq(&vb->lock);
}

/* MSI-X entry 0: configuration changes. */
static void
vblk_msix_config(struct arch_regs *regs, void *ctx)
{
	struct virtio_blk *vb = ctx;

	(void)regs;
	spin_lock_noirq(&vb->lock);
	config_changed(vb);
	spin_unlock_noirq(&vb->lock);
}

/* MSI-X when the machine and the device have it, else INTx. */
static int
setup_interrupts(struct virtio_blk *vb, struct pci_device *pdev)
{
	if (pci_msix_init(pdev) >= 2 &&
	    pci_msix_set(pdev, 0, "virtio-blk config", vblk_msix_config, vb) == 0 &&
	    pci_msix_set(pdev, 1, "virtio-blk queue", vblk_msix_queue, vb) == 0 &&
	    virtio_set_msix(&vb->vd, &vb->vq, 0, 1) == 0) {
		pci_msix_enable(pdev);
		return 0;
	}
	return pci_irq_attach(pdev, vblk_irq, vb);
}

/* Lock held.  A free slot, sleeping until one is; NULL once failed. */
static struct vblk_slot *
get_slot(struct virtio_blk *vb)
{
	for (;;) {
		if (vb->vd.failed)
			return NULL;
		for (unsigned int i = 0; i < VBLK_SLOTS; i++)
			if (!vb->slot[i].busy) {
				vb->slot[i].busy = true;
				vb->slot[i].done = false;
				return &vb->slot[i];
			}
		wait_queue_wait(&vb->wq, &vb->lock, VBLK_TIMEOUT_NS);
	}
}

/* Lock held.  Puts a request on the ring; its data is bytes long at
 * data_phys (the slot's page, or the caller's frames). */
static int
submit(struct virtio_blk *vb, struct vblk_slot *s, uint32_t type, uint64_t sector,
       uint64_t data_phys, uint32_t bytes)
{
	struct virtq_buf bufs[3];
	unsigned int n = 0;
	int head;

	s->hdr->type = type;
	s->hdr->reserved = 0;
	s->hdr->sector = sector;
	*s->status = 0xff;
	bufs[n++] = (struct virtq_buf){ s->hdr_phys, sizeof(struct vblk_hdr), false };
	if (bytes)
		bufs[n++] = (struct virtq_buf){ data_phys, bytes, type != VIRTIO_BLK_T_OUT };
	bufs[n++] = (struct virtq_buf){ s->status_phys, 1, true };
	head = virtq_add(&vb->vq.q, bufs, n, s);
	return head < 0 ? head : 0;
}

/* Lock held.  Waits for s and turns its status into an error code. */
static int
finish(struct virtio_blk *vb, struct vblk_slot *s, uint64_t sector)
{
	int err = 0;

	while (!s->done) {
		if (wait_queue_wait(&vb->wq, &vb->lock, VBLK_TIMEOUT_NS) == -E_TIMEOUT && !s->done)
			fail_device(vb, "no answer in 10 s");
	}
	if (s->used_len == 0) {
		err = -E_IO; /* failed device, or the status byte never written */
	} else if (*s->status == VIRTIO_BLK_S_UNSUPP) {
		err = -E_NOTSUP;
	} else if (*s->status != VIRTIO_BLK_S_OK) {
		pr_err("%s: I/O error at sector %lu (status %u)\n", vb->vd.name,
		       (unsigned long)sector, *s->status);
		err = -E_IO;
	}
	return err;
}

/* Whether the device may write buf directly: it lies in the direct map,
 * where the virtual range is the physical one shifted. */
static bool
in_direct_map(const uint8_t *buf, uint32_t count)
{
	uintptr_t va = (uintptr_t)buf;

	return va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < DIRECT_MAP_MAX &&
	       (uint64_t)count * BLK_SECTOR_SIZE <= DIRECT_MAP_MAX - (va - DIRECT_MAP_BASE);
}

/* Reads or writes count sectors, VBLK_SLOTS pieces at a time. */
static int
transfer(struct virtio_blk *vb, uint32_t type, uint64_t sector, uint32_t count, uint8_t *buf)
{
	bool direct = type == VIRTIO_BLK_T_IN && in_direct_map(buf, count);
	uint32_t piece = (direct ? VBLK_DIRECT : VBLK_CHUNK) / BLK_SECTOR_SIZE;
	unsigned long flags = spin_lock_irqsave(&vb->lock);
	int err = 0;

	while (count && !err) {
		struct vblk_slot *batch[VBLK_SLOTS];
		uint64_t at[VBLK_SLOTS];
		uint32_t len[VBLK_SLOTS];
		unsigned int n = 0;

		while (count && n < VBLK_SLOTS) {
			uint32_t k = count < piece ? count : piece;
			struct vblk_slot *s = get_slot(vb);
			uint64_t data = direct ? virt_to_phys(buf) : s ? s->data_phys : 0;

			if (!s) {
				err = -E_IO;
				break;
			}
			if (type == VIRTIO_BLK_T_OUT)
				memcpy(s->data, buf, k * BLK_SECTOR_SIZE);
			if (submit(vb, s, type, sector, data, k * BLK_SECTOR_SIZE) != 0) {
				s->busy = false; /* cannot happen: a slot means room */
				err = -E_IO;
				break;
			}
			batch[n] = s;
			at[n] = sector;
			len[n++] = k;
			sector += k;
			count -= k;
			buf += k * BLK_SECTOR_SIZE;
		}
		virtio_notify(&vb->vd, &vb->vq);
		for (unsigned int i = 0; i < n; i++) {
			int r = finish(vb, batch[i], at[i]);

			if (!r && type == VIRTIO_BLK_T_IN && !direct)
				memcpy(buf - (sector - at[i]) * BLK_SECTOR_SIZE, batch[i]->data,
				       len[i] * BLK_SECTOR_SIZE);
			if (!err)
				err = r;
			batch[i]->busy = false;
		}
		wait_queue_wake_all(&vb->wq); /* slots are free again */
	}
	spin_unlock_irqrestore(&vb->lock, flags);
	return err;
}

static int
vblk_read(struct blk_device *bd, uint64_t sector, uint32_t count, void *buf)
{
	return transfer(bd->priv, VIRTIO_BLK_T_IN, sector, count, buf);
}

static int
vblk_write(struct blk_device *bd, uint64_t sector, uint32_t count, const void *buf)
{
	return transfer(bd->priv, VIRTIO_BLK_T_OUT, sector, count, (uint8_t *)buf);
}

/* One request without data from the caller (flush, get ID): bytes of
 * the slot's page go to the device, which writes them for GET_ID. */
static int
single(struct virtio_blk *vb, uint32_t type, uint32_t bytes, void *out)
{
	unsigned long flags = spin_lock_irqsave(&vb->lock);
	struct vblk_slot *s = get_slot(vb);
	int err = s ? submit(vb, s, type, 0, s->data_phys, bytes) : -E_IO;

	if (s && !err) {
		virtio_notify(&vb->vd, &vb->vq);
		err = finish(vb, s, 0);
		if (!err && out)
			memcpy(out, s->data, bytes);
	}
	if (s)
		s->busy = false;
	wait_queue_wake_all(&vb->wq);
	spin_unlock_irqrestore(&vb->lock, flags);
	return err;
}

static int
vblk_flush(struct blk_device *bd)
{
	struct virtio_blk *vb = bd->priv;

	if (!(vb->vd.features & VIRTIO_BLK_F_FLUSH))
		return 0; /* no write cache to flush */
	return single(vb, VIRTIO_BLK_T_FLUSH, 0, NULL);
}

static const struct blk_ops vblk_ops = {
	.read = vblk_read,
	.write = vblk_write,
	.flush = vblk_flush,
};

/* Header and status share one page per 128 slots; data pages follow. */
static int
slots_init(struct virtio_blk *vb)
{
	if (dma_alloc(VBLK_CHUNK * (1 + VBLK_SLOTS), &vb->dma) != 0)
		return -E_NOMEM;
	for (unsigned int i = 0; i < VBLK_SLOTS; i++) {
		struct vblk_slot *s = &vb->slot[i];
		uint8_t *small = (uint8_t *)vb->dma.va + 32 * i;

		s->hdr = (struct vblk_hdr *)small;
		s->status = small + sizeof(struct vblk_hdr);
		s->data = (uint8_t *)vb->dma.va + VBLK_CHUNK * (1 + i);
		s->hdr_phys = vb->dma.phys + 32 * i;
		s->status_phys = s->hdr_phys + sizeof(struct vblk_hdr);
		s->data_phys = vb->dma.phys + VBLK_CHUNK * (1 + i);
	}
	return 0;
}

int
virtio_blk_probe(struct pci_device *pdev)
{
	struct virtio_blk *vb = kcalloc(1, sizeof(*vb));
	int err;

	if (!vb)
		return -E_NOMEM;
	err = virtio_pci_init(&vb->vd, pdev, "virtio-blk", VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH);
	if (!err)
		err = virtio_queue_setup(&vb->vd, 0, &vb->vq, VBLK_QUEUE_MAX);
	if (!err)
		err = slots_init(vb);
	if (err) {
		if (!vb->vd.failed)
			virtio_fail(&vb->vd, "cannot set it up");
		kfree(vb); /* the queue's DMA memory stays: the device may own it */
		return err;
	}
	vb->lock = (struct spinlock)SPINLOCK_INIT("virtio-blk");
	wait_queue_init(&vb->wq);
	fmt_snprintf(vb->bd_name, sizeof(vb->bd_name), "vblk%u", vblk_count++);
	vb->bd = (struct blk_device){
		.name = vb->bd_name,
		.sectors = virtio_cfg_read64(&vb->vd, CFG_CAPACITY),
		.read_only = vb->vd.features & VIRTIO_BLK_F_RO,
		.ops = &vblk_ops,
		.priv = vb,
	};
	err = setup_interrupts(vb, pdev);
	if (err) {
		virtio_fail(&vb->vd, "no interrupt line");
		return err;
	}
	virtio_driver_ok(&vb->vd);
	/* The ID string is NUL-padded, and unterminated when 20 bytes long. */
	if (single(vb, VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_ID_BYTES, vb->bd.serial) != 0)
		memset(vb->bd.serial, 0, sizeof(vb->bd.serial));
	vb->bd.serial[BLK_SERIAL_MAX] = '\0';
	blk_register(&vb->bd);
	pr_info("%s: %s, %lu sectors (%lu KiB)%s%s, queue of %u, %s%s%s%s\n", vb->vd.name,
		vb->bd_name, (unsigned long)vb->bd.sectors, (unsigned long)(vb->bd.sectors / 2),
		vb->bd.read_only ? ", read-only" : "",
		vb->vd.features & VIRTIO_BLK_F_FLUSH ? ", flush" : "", vb->vq.q.size,
		pdev->msix_on ? "MSI-X" : "INTx", vb->bd.serial[0] ? ", serial \"" : "",
		vb->bd.serial, vb->bd.serial[0] ? "\"" : "");
	return 0;
}

void
virtio_blk_test_corrupt(struct blk_device *bd)
{
	struct virtio_blk *vb = bd->priv;
	unsigned long flags = spin_lock_irqsave(&vb->lock);

	/* Nothing is in flight (the caller waited for its requests), so a
	 * used index that moves is a device writing what it never got. */
	vb->vq.q.used->idx = (uint16_t)(vb->vq.q.used->idx + 5);
	take_used(vb); /* what the queue's interrupt would run */
	spin_unlock_irqrestore(&vb->lock, flags);
}
