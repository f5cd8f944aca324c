/*
 * The UDP echo service (udp_echo.h).
 */
#include "net/udp_echo.h"

#include "core/printk.h"
#include "core/time.h"
#include "mm/kmalloc.h"
#include "net/udp_table.h"
#include "sched/thread.h"
#include "themelios/errno.h"

static void
echo_loop(void *arg)
{
	struct udp_endpoint *ep = arg;
	uint8_t *buf = kmalloc(UDP_DATA_MAX);

	if (!buf) {
		pr_err("udp-echo: out of memory\n");
		udp_close(ep);
		return;
	}
	for (;;) {
		struct udp_meta from;
		int n = udp_recvfrom(ep, buf, UDP_DATA_MAX, &from, WAIT_FOREVER);

		if (n >= 0)
			udp_sendto(ep, from.src, from.src_port, buf, (size_t)n);
	}
}

int
udp_echo_start(uint16_t port)
{
	struct udp_endpoint *ep;
	int err = udp_bind(port, NULL, &ep);

	if (err) {
		pr_err("udp-echo: cannot bind port %u (%d)\n", port, err);
		return err;
	}
	if (!thread_create("udp-echo", echo_loop, ep)) {
		udp_close(ep);
		return -E_NOMEM;
	}
	pr_info("udp-echo: port %u\n", ep->port);
	return 0;
}
