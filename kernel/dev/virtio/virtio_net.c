/*
 * The virtio-net driver.  Every receive buffer is one 2 KiB piece of
 * DMA memory, device-writable, holding the 12-byte virtio-net header
 * and a whole Ethernet frame (no mergeable buffers, no offloads, so
 * 1526 bytes are enough); all of them are on the receive queue except
 * the one being read.  A frame to send is copied into one of the
 * transmit slots, header in front.
 *
 * Receiving is batched: the interrupt (MSI-X entry 1, or INTx) asks the
 * device for no more receive interrupts and wakes the network thread,
 * whose poll takes every used buffer, hands the frames to the stack and
 * gives the buffers back; then it turns interrupts on again and looks
 * once more, since a frame that arrived in between raised none.  The
 * transmit queue never interrupts: finished slots are taken back on the
 * next send and at every poll, where a watchdog also notifies a queue
 * that stopped moving (tx_watchdog), and one notifies the receive queue
 * after a quiet spell (rx_watchdog).  A device that breaks the ring protocol
 * or asks for a reset is stopped (FAILED) and its interface marked
 * failed; the kernel carries on.
 */
#include "dev/virtio/virtio_net.h"

#include "arch/arch.h"
#include "core/printk.h"
#include "core/random.h"
#include "dev/dma.h"
#include "dev/pci/pci.h"
#include "dev/virtio/virtio.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/net.h"
#include "net/netif.h"
#include "sched/spinlock.h"
#include "themelios/errno.h"

/* Feature bits and configuration (5.1.3, 5.1.4). */
#define VIRTIO_NET_F_MAC     (1ull << 5)
#define VIRTIO_NET_F_STATUS  (1ull << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define CFG_MAC		     0
#define CFG_STATUS	     6

#define VNET_HDR_LEN	     12 /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VNET_BUF	     2048
#define VNET_RX_MAX	     64
#define VNET_TX_MAX	     256
#define VNET_POLL_BUDGET     64 /* frames per poll; more, and the thread comes back */
#define TX_STALL_MS	     50
#define RX_QUIET_MS	     500
#define RX_QUEUE	     0
#define TX_QUEUE	     1

struct virtio_net {
	struct virtio_dev vd;
	struct virtio_queue rxq, txq;
	struct netif nif;
	struct spinlock lock; /* the queues, tx_busy, config_changed */
	struct dma_buf rx_mem, tx_mem;
	bool tx_busy[VNET_TX_MAX];
	/* The transmit watchdog: when the queue last made progress (a
	 * frame taken back, or the first queued into an empty ring), and
	 * how often a stalled queue was notified again. */
	uint64_t tx_seen_ms;
	uint64_t tx_rekicks;
	/* The receive watchdog: when a frame last came, how often the
	 * queue was notified after a quiet spell, and how often frames
	 * came at the very next poll (the device had them, unannounced). */
	uint64_t rx_seen_ms;
	uint64_t rx_rekicks, rx_rekick_frames;
	bool rx_rekicked;
	bool config_changed;
};

static const struct netif_ops vnet_ops;

static uint8_t *
rx_buf(struct virtio_net *vn, unsigned int i)
{
	return (uint8_t *)vn->rx_mem.va + (size_t)i * VNET_BUF;
}

/* Lock held.  Cookies are index + 1, so that none is NULL. */
static int
post_rx(struct virtio_net *vn, unsigned int i)
{
	struct virtq_buf b = { vn->rx_mem.phys + (uint64_t)i * VNET_BUF, VNET_BUF, true };
	int head = virtq_add(&vn->rxq.q, &b, 1, (void *)(uintptr_t)(i + 1));

	return head < 0 ? head : 0;
}

/* Lock held. */
static void
fail_device(struct virtio_net *vn, const char *why)
{
	virtio_fail(&vn->vd, why);
	vn->nif.failed = true;
	vn->nif.link_up = false;
}

/* Lock held: finished transmissions give their slots back. */
static void
reap_tx(struct virtio_net *vn)
{
	bool progress = false;
	void *cookie;
	uint32_t len;
	int r;

	while (!vn->vd.failed && (r = virtq_get_used(&vn->txq.q, &cookie, &len)) != 0) {
		if (r < 0) {
			fail_device(vn, "bad used ring entry on the transmit queue");
			return;
		}
		vn->tx_busy[(uintptr_t)cookie - 1] = false;
		progress = true;
	}
	if (progress)
		vn->tx_seen_ms = net_now_ms();
}

/* Lock held. */
static void
read_link(struct virtio_net *vn, bool log)
{
	bool up = true;

	if (vn->vd.features & VIRTIO_NET_F_STATUS)
		up = virtio_cfg_read16(&vn->vd, CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
	if (log && up != vn->nif.link_up)
		pr_info("%s: %s link %s\n", vn->vd.name, vn->nif.name, up ? "up" : "down");
	vn->nif.link_up = up;
}

/* Copies frame into a free transmit slot: 0, -E_AGAIN, -E_IO. */
static int
tx_queue(struct virtio_net *vn, const void *frame, size_t len, bool notify)
{
	unsigned long flags;
	int err = -E_AGAIN;

	if (len > ETH_FRAME_MAX)
		return -E_RANGE;
	flags = spin_lock_irqsave(&vn->lock);
	reap_tx(vn);
	if (vn->vd.failed) {
		spin_unlock_irqrestore(&vn->lock, flags);
		return -E_IO;
	}
	for (unsigned int i = 0; i < vn->txq.q.size; i++) {
		uint8_t *slot = (uint8_t *)vn->tx_mem.va + (size_t)i * VNET_BUF;
		struct virtq_buf b = { vn->tx_mem.phys + (uint64_t)i * VNET_BUF,
				       (uint32_t)(VNET_HDR_LEN + len), false };

		if (vn->tx_busy[i])
			continue;
		if (vn->txq.q.num_free == vn->txq.q.size)
			vn->tx_seen_ms = net_now_ms(); /* the watchdog's clock starts */
		memset(slot, 0, VNET_HDR_LEN);
		memcpy(slot + VNET_HDR_LEN, frame, len);
		if (virtq_add(&vn->txq.q, &b, 1, (void *)(uintptr_t)(i + 1)) < 0)
			break;
		vn->tx_busy[i] = true;
		if (notify)
			virtio_notify(&vn->vd, &vn->txq);
		err = 0;
		break;
	}
	spin_unlock_irqrestore(&vn->lock, flags);
	return err;
}

static int
vnet_transmit(struct netif *nif, const void *frame, size_t len)
{
	return tx_queue(nif->priv, frame, len, true);
}

/*
 * Lock held.  Transmissions still in flight with no progress for
 * TX_STALL_MS: notify the device again, whatever it asked for.  QEMU's
 * virtio-net (7.2, under TCG) has been seen to sit on a full transmit
 * ring with avail_event at an index the driver had passed without a
 * notification being due, so the wake-up was lost on one side; this
 * keeps the interface alive whichever side it was (docs/network.md).
 */
static void
tx_watchdog(struct virtio_net *vn)
{
	uint64_t now = net_now_ms();

	if (vn->txq.q.num_free == vn->txq.q.size || now - vn->tx_seen_ms < TX_STALL_MS)
		return;
	vn->tx_rekicks++;
	vn->tx_seen_ms = now;
	virtio_notify_always(&vn->vd, &vn->txq);
}

/*
 * Lock held; after a poll that took `taken` frames.  No frame for
 * RX_QUIET_MS: notify the receive queue, whatever the device asked.
 * A device that ran out of buffers waits for a notification once we
 * post more; QEMU before 9.1 could miss the one that was due (its
 * commit "virtio-net: Fix network stall at the host side waiting for
 * kick": the guest sends, but receives nothing ever again), and a
 * wake-up lost as on the transmit queue would do the same.  A TCP peer
 * then looks silent, and its connections end after their retries.  On
 * an idle link this costs one notification per RX_QUIET_MS.
 */
static void
rx_watchdog(struct virtio_net *vn, unsigned int taken)
{
	uint64_t now = net_now_ms();

	if (taken) {
		if (vn->rx_rekicked)
			vn->rx_rekick_frames++;
		vn->rx_rekicked = false;
		vn->rx_seen_ms = now;
		return;
	}
	vn->rx_rekicked = false;
	if (now - vn->rx_seen_ms < RX_QUIET_MS)
		return;
	vn->rx_rekicks++;
	vn->rx_rekicked = true;
	vn->rx_seen_ms = now;
	virtio_notify_always(&vn->vd, &vn->rxq);
}

/* The network thread, net_lock held. */
static bool
vnet_poll(struct netif *nif)
{
	struct virtio_net *vn = nif->priv;
	unsigned long flags = spin_lock_irqsave(&vn->lock);
	unsigned int taken = 0;
	bool more;

	virtq_disable_interrupts(&vn->rxq.q);
	while (!vn->vd.failed && taken < VNET_POLL_BUDGET) {
		void *cookie;
		uint32_t len;
		unsigned int i;
		int r = virtq_get_used(&vn->rxq.q, &cookie, &len);

		if (r == 0)
			break;
		if (r < 0) {
			fail_device(vn, "bad used ring entry (index, id or length)");
			break;
		}
		taken++;
		i = (unsigned int)((uintptr_t)cookie - 1);
		/* The buffer is ours until posted again: no lock needed to read it. */
		spin_unlock_irqrestore(&vn->lock, flags);
		if (len > VNET_HDR_LEN) {
			netif_input(nif, rx_buf(vn, i) + VNET_HDR_LEN, len - VNET_HDR_LEN);
		} else {
			nif->stats.rx_packets++;
			nif->stats.rx_drops++;
		}
		flags = spin_lock_irqsave(&vn->lock);
		if (!vn->vd.failed)
			post_rx(vn, i);
	}
	if (taken)
		virtio_notify(&vn->vd, &vn->rxq);
	reap_tx(vn);
	if (!vn->vd.failed) {
		tx_watchdog(vn);
		rx_watchdog(vn, taken);
	}
	if (vn->config_changed && !vn->vd.failed) {
		vn->config_changed = false;
		if (virtio_status(&vn->vd) & VIRTIO_STATUS_NEEDS_RESET)
			fail_device(vn, "the device needs a reset (DEVICE_NEEDS_RESET)");
		else
			read_link(vn, true);
	}
	more = !vn->vd.failed && (taken == VNET_POLL_BUDGET || virtq_enable_interrupts(&vn->rxq.q));
	spin_unlock_irqrestore(&vn->lock, flags);
	return more;
}

/* One queue's indexes, as `net` shows them: a stalled queue shows in
 * them (docs/network.md). */
struct queue_snapshot {
	uint16_t size, in_flight, avail, last_used, used, kicked, avail_event, used_event;
	bool interrupts_off;
};

/* Lock held. */
static void
snapshot_queue(const struct virtq *q, struct queue_snapshot *s)
{
	s->size = q->size;
	s->in_flight = (uint16_t)(q->size - q->num_free);
	s->avail = q->avail_idx;
	s->last_used = q->last_used;
	s->used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	s->kicked = q->kicked_idx;
	s->avail_event = q->event_idx
				 ? __atomic_load_n((volatile uint16_t *)&q->used->ring[q->size],
						   __ATOMIC_ACQUIRE)
				 : 0;
	s->used_event = q->event_idx ? q->avail->ring[q->size] : 0;
	s->interrupts_off = q->interrupts_off;
}

static void
print_queue(const char *name, const struct queue_snapshot *s)
{
	printk("    %s ring: size %u in-flight %u avail %u used %u/%u kicked %u avail-event %u "
	       "used-event %u%s\n",
	       name, s->size, s->in_flight, s->avail, s->last_used, s->used, s->kicked,
	       s->avail_event, s->used_event, s->interrupts_off ? " (interrupts off)" : "");
}

static void
vnet_print(struct netif *nif)
{
	struct virtio_net *vn = nif->priv;
	struct queue_snapshot rx, tx;
	unsigned long flags = spin_lock_irqsave(&vn->lock);

	snapshot_queue(&vn->rxq.q, &rx);
	snapshot_queue(&vn->txq.q, &tx);
	spin_unlock_irqrestore(&vn->lock, flags);
	print_queue("rx", &rx);
	print_queue("tx", &tx);
	printk("    tx re-notified after a stall %lu times\n", (unsigned long)vn->tx_rekicks);
	printk("    rx re-notified after %u ms without a frame %lu times, frames at the next "
	       "poll %lu times\n",
	       RX_QUIET_MS, (unsigned long)vn->rx_rekicks, (unsigned long)vn->rx_rekick_frames);
}

static const struct netif_ops vnet_ops = {
	.transmit = vnet_transmit,
	.poll = vnet_poll,
	.print = vnet_print,
};

/* INTx, interrupt context.  Reading the ISR lowers the line and says
 * whether the interrupt was ours. */
static bool
vnet_irq(void *ctx)
{
	struct virtio_net *vn = ctx;
	uint8_t isr;

	spin_lock_noirq(&vn->lock);
	isr = virtio_isr(&vn->vd);
	if (isr & VIRTIO_ISR_CONFIG)
		vn->config_changed = true;
	if (isr && !vn->vd.failed)
		virtq_disable_interrupts(&vn->rxq.q);
	spin_unlock_noirq(&vn->lock);
	if (isr)
		net_wake();
	return isr != 0;
}

/* MSI-X entry 1: the receive queue. */
static void
vnet_msix_rx(struct arch_regs *regs, void *ctx)
{
	struct virtio_net *vn = ctx;

	(void)regs;
	spin_lock_noirq(&vn->lock);
	if (!vn->vd.failed)
		virtq_disable_interrupts(&vn->rxq.q);
	spin_unlock_noirq(&vn->lock);
	net_wake();
}

/* MSI-X entry 0: configuration changes (link status, reset requests). */
static void
vnet_msix_config(struct arch_regs *regs, void *ctx)
{
	struct virtio_net *vn = ctx;

	(void)regs;
	spin_lock_noirq(&vn->lock);
	vn->config_changed = true;
	spin_unlock_noirq(&vn->lock);
	net_wake();
}

static int
setup_interrupts(struct virtio_net *vn, struct pci_device *pdev)
{
	if (pci_msix_init(pdev) >= 2 &&
	    pci_msix_set(pdev, 0, "virtio-net config", vnet_msix_config, vn) == 0 &&
	    pci_msix_set(pdev, 1, "virtio-net rx", vnet_msix_rx, vn) == 0 &&
	    virtio_set_msix(&vn->vd, &vn->rxq, 0, 1) == 0) {
		pci_msix_enable(pdev);
		return 0;
	}
	return pci_irq_attach(pdev, vnet_irq, vn);
}

static int
buffers_init(struct virtio_net *vn)
{
	if (dma_alloc((size_t)vn->rxq.q.size * VNET_BUF, &vn->rx_mem) != 0 ||
	    dma_alloc((size_t)vn->txq.q.size * VNET_BUF, &vn->tx_mem) != 0)
		return -E_NOMEM;
	for (unsigned int i = 0; i < vn->rxq.q.size; i++)
		if (post_rx(vn, i) != 0)
			return -E_NOMEM;
	/* Transmissions are reaped when convenient: no interrupts for them. */
	virtq_disable_interrupts(&vn->txq.q);
	return 0;
}

int
virtio_net_probe(struct pci_device *pdev)
{
	struct virtio_net *vn = kcalloc(1, sizeof(*vn));
	struct netif *nif;
	int err;

	if (!vn)
		return -E_NOMEM;
	err = virtio_pci_init(&vn->vd, pdev, "virtio-net", VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
	if (!err)
		err = virtio_queue_setup(&vn->vd, RX_QUEUE, &vn->rxq, VNET_RX_MAX);
	if (!err)
		err = virtio_queue_setup(&vn->vd, TX_QUEUE, &vn->txq, VNET_TX_MAX);
	if (!err)
		err = buffers_init(vn);
	if (err) {
		if (!vn->vd.failed)
			virtio_fail(&vn->vd, "cannot set it up");
		kfree(vn); /* the DMA memory stays: the device may own it */
		return err;
	}
	vn->lock = (struct spinlock)SPINLOCK_INIT("virtio-net");
	nif = &vn->nif;
	if (vn->vd.features & VIRTIO_NET_F_MAC) {
		virtio_cfg_read_bytes(&vn->vd, CFG_MAC, nif->mac, ETH_ADDR_LEN);
	} else {
		random_fill(nif->mac, ETH_ADDR_LEN);
		nif->mac[0] = (uint8_t)((nif->mac[0] & ~1u) | 2u); /* unicast, local */
	}
	nif->ops = &vnet_ops;
	nif->priv = vn;
	read_link(vn, false);
	err = setup_interrupts(vn, pdev);
	if (!err)
		err = netif_register(nif, "eth");
	if (err) {
		virtio_fail(&vn->vd, err == -E_NOMEM ? "too many interfaces" : "no interrupt line");
		return err;
	}
	virtio_driver_ok(&vn->vd);
	pr_info("%s: %s, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s%s, queues %u+%u, %s\n",
		vn->vd.name, nif->name, nif->mac[0], nif->mac[1], nif->mac[2], nif->mac[3],
		nif->mac[4], nif->mac[5], nif->link_up ? "up" : "down",
		vn->vd.features & VIRTIO_NET_F_STATUS ? "" : " (no status)", vn->rxq.q.size,
		vn->txq.q.size, pdev->msix_on ? "MSI-X" : "INTx");
	return 0;
}

bool
virtio_net_is(const struct netif *nif)
{
	return nif->ops == &vnet_ops;
}

void
virtio_net_test_corrupt(struct netif *nif)
{
	struct virtio_net *vn = nif->priv;
	unsigned long flags = spin_lock_irqsave(&vn->lock);

	/* More used entries than the ring has buffers: a device writing
	 * what it never got. */
	vn->rxq.q.used->idx = (uint16_t)(vn->rxq.q.last_used + vn->rxq.q.size + 7);
	spin_unlock_irqrestore(&vn->lock, flags);
	vnet_poll(nif);
}

int
virtio_net_test_send_unannounced(struct netif *nif, const void *frame, size_t len)
{
	return tx_queue(nif->priv, frame, len, false);
}

unsigned int
virtio_net_tx_in_flight(struct netif *nif)
{
	struct virtio_net *vn = nif->priv;
	unsigned long flags = spin_lock_irqsave(&vn->lock);
	unsigned int n;

	reap_tx(vn);
	n = (unsigned int)(vn->txq.q.size - vn->txq.q.num_free);
	spin_unlock_irqrestore(&vn->lock, flags);
	return n;
}

uint64_t
virtio_net_tx_renotified(struct netif *nif)
{
	return __atomic_load_n(&((struct virtio_net *)nif->priv)->tx_rekicks, __ATOMIC_RELAXED);
}

void
virtio_net_tx_watchdog(struct netif *nif)
{
	struct virtio_net *vn = nif->priv;
	unsigned long flags = spin_lock_irqsave(&vn->lock);

	if (!vn->vd.failed)
		tx_watchdog(vn);
	spin_unlock_irqrestore(&vn->lock, flags);
}

unsigned int
virtio_net_test_rx_recycle_unannounced(struct netif *nif, unsigned int *ring_size)
{
	struct virtio_net *vn = nif->priv;
	unsigned long flags = spin_lock_irqsave(&vn->lock);
	unsigned int n = 0;
	void *cookie;
	uint32_t len;

	*ring_size = vn->rxq.q.size;
	while (!vn->vd.failed && virtq_get_used(&vn->rxq.q, &cookie, &len) > 0) {
		post_rx(vn, (unsigned int)((uintptr_t)cookie - 1));
		n++;
	}
	spin_unlock_irqrestore(&vn->lock, flags);
	return n;
}

unsigned int
virtio_net_rx_pending(struct netif *nif)
{
	struct virtio_net *vn = nif->priv;
	unsigned long flags = spin_lock_irqsave(&vn->lock);
	uint16_t used = __atomic_load_n(&vn->rxq.q.used->idx, __ATOMIC_ACQUIRE);
	unsigned int n = (uint16_t)(used - vn->rxq.q.last_used);

	spin_unlock_irqrestore(&vn->lock, flags);
	return n;
}

void
virtio_net_rx_watchdog(struct netif *nif)
{
	struct virtio_net *vn = nif->priv;
	unsigned long flags = spin_lock_irqsave(&vn->lock);

	if (!vn->vd.failed)
		rx_watchdog(vn, 0);
	spin_unlock_irqrestore(&vn->lock, flags);
}

uint64_t
virtio_net_rx_renotified(struct netif *nif)
{
	return __atomic_load_n(&((struct virtio_net *)nif->priv)->rx_rekicks, __ATOMIC_RELAXED);
}
