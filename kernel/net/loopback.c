/*
 * The loopback interface "lo", 127.0.0.1/8.  What it sends is copied to
 * a bounded queue and comes back in through the same receive path as a
 * NIC's frames, from the network thread: never from inside the send, so
 * a reply to a reply cannot recurse.
 */
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/net.h"
#include "net/netif.h"
#include "themelios/errno.h"

#define LOOPBACK_QUEUE 64
#define LOOPBACK_MTU   16384

struct lo_frame {
	struct lo_frame *next;
	size_t len;
	uint8_t data[];
};

static struct netif lo;
static struct lo_frame *head, **tail = &head;
static unsigned int queued;

/* net_lock held, like every transmit. */
static int
lo_transmit(struct netif *nif, const void *frame, size_t len)
{
	struct lo_frame *f;

	(void)nif;
	if (queued == LOOPBACK_QUEUE)
		return -E_AGAIN;
	f = kmalloc(sizeof(*f) + len);
	if (!f)
		return -E_NOMEM;
	f->next = NULL;
	f->len = len;
	memcpy(f->data, frame, len);
	*tail = f;
	tail = &f->next;
	queued++;
	net_wake();
	return 0;
}

/* Delivers what is queued now; frames sent meanwhile wait for the next call. */
static bool
lo_poll(struct netif *nif)
{
	unsigned int n = queued;

	for (unsigned int i = 0; i < n && head; i++) {
		struct lo_frame *f = head;

		head = f->next;
		if (!head)
			tail = &head;
		queued--;
		netif_input(nif, f->data, f->len);
		kfree(f);
	}
	return queued != 0;
}

static const struct netif_ops lo_ops = {
	.transmit = lo_transmit,
	.poll = lo_poll,
};

struct netif *
loopback_init(void)
{
	lo.ops = &lo_ops;
	lo.loopback = true;
	lo.link_up = true;
	lo.mtu = LOOPBACK_MTU;
	if (netif_register(&lo, "lo") != 0)
		return NULL;
	return &lo;
}
