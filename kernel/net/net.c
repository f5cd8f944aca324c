/*
 * The stack's frame: its lock, the network thread, bring-up from the
 * command line, and the shell's views.  The thread sleeps until a
 * driver's interrupt (or the loopback) calls net_wake, or until the
 * next 100 ms tick of the protocol timers (ARP, reassembly, DHCP); it
 * then polls every interface with net_lock held.  A driver's poll takes
 * everything that is there and says whether more came meanwhile; the
 * thread polls again, up to NET_POLL_ROUNDS times, then yields so that
 * a flood cannot keep it running for ever.
 */
#include "net/net.h"

#include "core/cmdline.h"
#include "core/printk.h"
#include "core/time.h"
#include "lib/format.h"
#include "lib/string.h"
#include "net/net_internal.h"
#include "net/netif.h"
#include "net/tcp_net.h"
#include "net/udp_echo.h"
#include "net/udp_table.h"
#include "sched/spinlock.h"
#include "sched/thread.h"
#include "sched/wait.h"
#include "themelios/errno.h"

#define NET_TICK_MS	100
#define NET_POLL_ROUNDS 8

struct mutex net_lock;
struct route_table net_routes;

static struct spinlock wake_lock = SPINLOCK_INIT("net-wake");
/* Initialised here: a NIC's interrupt may come before net_init. */
static struct wait_queue wake_wq = { LIST_INIT(wake_wq.waiters) };
static bool wake_pending;
static struct net_work *work_head; /* wake_lock */

uint64_t
net_now_ms(void)
{
	return time_now_ns() / NSEC_PER_MSEC;
}

void
net_wake(void)
{
	unsigned long flags = spin_lock_irqsave(&wake_lock);

	wake_pending = true;
	wait_queue_wake_all(&wake_wq);
	spin_unlock_irqrestore(&wake_lock, flags);
}

void
net_defer(struct net_work *w)
{
	unsigned long flags = spin_lock_irqsave(&wake_lock);

	w->next = work_head;
	work_head = w;
	wake_pending = true;
	wait_queue_wake_all(&wake_wq);
	spin_unlock_irqrestore(&wake_lock, flags);
}

/* net_lock held: the deferred work, oldest last (order does not matter). */
static void
run_deferred(void)
{
	unsigned long flags = spin_lock_irqsave(&wake_lock);
	struct net_work *w = work_head;

	work_head = NULL;
	spin_unlock_irqrestore(&wake_lock, flags);
	while (w) {
		struct net_work *next = w->next;

		w->fn(w);
		w = next;
	}
}

void
net_run_deferred(void)
{
	mutex_lock(&net_lock);
	run_deferred();
	mutex_unlock(&net_lock);
}

void
net_quiesce(void)
{
	mutex_lock(&net_lock);
	run_deferred();
	net_tcp_drop_orphans();
	mutex_unlock(&net_lock);
}

/* net_lock held: one pass over the interfaces; true when work is left. */
static bool
poll_all(void)
{
	bool more = false;

	for (unsigned int i = 0; netif_at(i); i++) {
		struct netif *nif = netif_at(i);

		if (!nif->failed && nif->ops->poll && nif->ops->poll(nif))
			more = true;
	}
	return more;
}

static void
net_thread(void *arg)
{
	uint64_t next_tick = 0, tcp_deadline = UINT64_MAX;

	(void)arg;
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&wake_lock);
		uint64_t deadline = next_tick * NSEC_PER_MSEC;
		bool more = false;
		uint64_t now;

		/* Asleep until a packet, deferred work, the next tick or the
		 * next TCP timer, whichever comes first. */
		if (tcp_deadline < deadline)
			deadline = tcp_deadline;
		while (!wake_pending)
			if (wait_queue_wait_until(&wake_wq, &wake_lock, deadline) == -E_TIMEOUT)
				break;
		wake_pending = false;
		spin_unlock_irqrestore(&wake_lock, flags);

		mutex_lock(&net_lock);
		run_deferred();
		for (unsigned int round = 0; round < NET_POLL_ROUNDS; round++) {
			more = poll_all();
			if (!more)
				break;
		}
		tcp_deadline = net_tcp_timers(net_tcp_now());
		now = net_now_ms();
		if (now >= next_tick) {
			ip_input_tick(now);
			dhcp_client_tick(now);
			next_tick = now + NET_TICK_MS;
		}
		mutex_unlock(&net_lock);
		if (more) {
			net_wake(); /* come straight back, after the others had a turn */
			thread_yield();
		}
	}
}

void
ipv4_format(uint32_t ip, char buf[16])
{
	fmt_snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		     ip & 0xff);
}

int
ipv4_parse_addr(const char *s, uint32_t *ip)
{
	uint32_t v = 0;

	for (int part = 0; part < 4; part++) {
		unsigned int n = 0, digits = 0;

		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			n = n * 10 + (unsigned int)(*s - '0');
		if (!digits || n > 255 || (digits > 1 && s[-(int)digits] == '0'))
			return -E_INVAL;
		v = v << 8 | n;
		if (part < 3 && *s++ != '.')
			return -E_INVAL;
	}
	if (*s)
		return -E_INVAL;
	*ip = v;
	return 0;
}

/* net.ip=A.B.C.D/N and net.gw=A.B.C.D: 0, -E_NOENT (not given), -E_INVAL. */
static int
static_config(const char *cmdline, uint32_t *ip, uint32_t *mask, uint32_t *gw)
{
	char val[32];
	char *slash;
	unsigned long prefix = 24;

	if (cmdline_get(cmdline, "net.ip", val, sizeof(val)) < 0)
		return -E_NOENT;
	slash = strchr(val, '/');
	if (slash) {
		char *p = slash + 1;

		*slash = '\0';
		prefix = 0;
		if (!*p || strlen(p) > 2)
			return -E_INVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -E_INVAL;
			prefix = prefix * 10 + (unsigned long)(*p - '0');
		}
		if (prefix > 32)
			return -E_INVAL;
	}
	if (ipv4_parse_addr(val, ip) != 0 || !*ip)
		return -E_INVAL;
	*mask = route_mask((unsigned)prefix);
	*gw = 0;
	if (cmdline_get(cmdline, "net.gw", val, sizeof(val)) >= 0 && ipv4_parse_addr(val, gw) != 0)
		return -E_INVAL;
	return 0;
}

void
net_init(const char *cmdline)
{
	struct netif *lo, *eth;
	uint32_t ip, mask, gw;
	char a[16], g[16];
	int err;

	mutex_init(&net_lock, "net");
	route_init(&net_routes);
	ip_input_init();
	udp_table_init();
	net_tcp_init();
	lo = loopback_init();
	mutex_lock(&net_lock);
	if (lo)
		netif_set_address(lo, IPV4_LOOPBACK, 0xff000000u, 0, NETIF_ADDR_LOOPBACK);
	mutex_unlock(&net_lock);
	if (!thread_create("net", net_thread, NULL)) {
		pr_err("net: cannot start the network thread\n");
		return;
	}
	eth = netif_first_ethernet();
	err = static_config(cmdline, &ip, &mask, &gw);
	if (eth && err == 0) {
		mutex_lock(&net_lock);
		netif_set_address(eth, ip, mask, gw, NETIF_ADDR_STATIC);
		mutex_unlock(&net_lock);
		ipv4_format(ip, a);
		ipv4_format(gw, g);
		pr_info("net: %s %s/%d gateway %s (static, from the command line)\n", eth->name, a,
			route_prefix_len(mask), g);
	} else if (eth) {
		if (err == -E_INVAL)
			pr_err("net: bad net.ip= or net.gw= on the command line; using DHCP\n");
		dhcp_client_start(eth);
	}
	if (cmdline_has(cmdline, "net.echo"))
		udp_echo_start((uint16_t)cmdline_get_ulong(cmdline, "net.echo", UDP_ECHO_PORT));
}

void
net_print_interfaces(void)
{
	mutex_lock(&net_lock);
	netif_print_all();
	dhcp_client_print();
	ip_input_print_stats();
	printk("tcp: segments in %lu out %lu retransmits %lu bad %lu resets-sent %lu "
	       "connections %lu timed-out %lu cookies %lu/%lu\n",
	       (unsigned long)net_tcp.stats.in_segs, (unsigned long)net_tcp.stats.out_segs,
	       (unsigned long)net_tcp.stats.retransmits, (unsigned long)net_tcp.stats.bad_segs,
	       (unsigned long)net_tcp.stats.rst_sent, (unsigned long)net_tcp.stats.conns_opened,
	       (unsigned long)net_tcp.stats.conns_timed_out,
	       (unsigned long)net_tcp.stats.cookies_sent,
	       (unsigned long)net_tcp.stats.cookies_accepted);
	printk("tcp buffers: receive windows grown %lu times, segments dropped for memory %lu, "
	       "out of order %lu\n",
	       (unsigned long)net_tcp.stats.rcv_grown, (unsigned long)net_tcp.stats.mem_drops,
	       (unsigned long)net_tcp.stats.ooo_segs);
	/* Why: a peer's "connection reset" is traced to one of these. */
	printk("tcp resets by cause:");
	for (unsigned i = 0; i < TCP_RST_CAUSES; i++)
		printk(" %s %lu", tcp_rst_cause_name((enum tcp_rst_cause)i),
		       (unsigned long)net_tcp.stats.rst_causes[i]);
	printk("\n");
	mutex_unlock(&net_lock);
}

void
net_print_sockets(void)
{
	unsigned int n = 0;

	mutex_lock(&net_lock);
	for (const struct tcp_conn *c = net_tcp.all; c && n < 1000; c = c->all_next, n++) {
		char la[16], ra[16];

		ipv4_format(c->local_addr, la);
		ipv4_format(c->remote_addr, ra);
		printk("tcp  %s:%-5u %s:%-5u %-12s rx %u/%u tx %u/%u%s\n", la, c->local_port, ra,
		       c->remote_port, tcp_state_name(c->state), c->rcv_buf.len, c->rcv_buf.cap,
		       c->snd_buf.len, c->snd_buf.cap,
		       c->listener ? " (waiting to be accepted)"
		       : c->owner  ? ""
				   : " (closed by its owner)");
	}
	udp_print_endpoints();
	mutex_unlock(&net_lock);
}

void
net_print_arp(void)
{
	uint64_t now = net_now_ms();

	mutex_lock(&net_lock);
	for (unsigned int i = 0; netif_at(i); i++) {
		const struct netif *nif = netif_at(i);

		for (unsigned int k = 0; k < ARP_CACHE_ENTRIES; k++) {
			const struct arp_entry *e = &nif->arp.entries[k];
			const uint8_t *m = e->mac;
			char ip[16];

			if (e->state == ARP_ENTRY_FREE)
				continue;
			ipv4_format(e->ip, ip);
			if (e->state == ARP_ENTRY_PENDING)
				printk("%-16s (pending, %u requests, %u waiting) %s\n", ip,
				       e->requests, e->queued, nif->name);
			else
				printk("%-16s %02x:%02x:%02x:%02x:%02x:%02x %s, %lu s old\n", ip,
				       m[0], m[1], m[2], m[3], m[4], m[5], nif->name,
				       (unsigned long)((now - e->since) / 1000));
		}
	}
	mutex_unlock(&net_lock);
}

void
net_print_routes(void)
{
	mutex_lock(&net_lock);
	for (unsigned int i = 0; i < ROUTE_MAX; i++) {
		const struct route *r = &net_routes.r[i];
		char dest[16], gw[16];

		if (!r->used)
			continue;
		ipv4_format(r->dest, dest);
		ipv4_format(r->gateway, gw);
		printk("%s/%d %s%s dev %s\n", dest, route_prefix_len(r->mask),
		       r->gateway ? "via " : "on link", r->gateway ? gw : "",
		       ((const struct netif *)r->netif)->name);
	}
	mutex_unlock(&net_lock);
}
