/*
 * Commands are looked up in a table; each gets its arguments split on
 * blanks.  Bad input (unknown command, missing or malformed argument)
 * gets an error line and the prompt comes back.
 */
#include "shell/shell.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "core/irqs_off.h"
#include "core/console.h"
#include "core/console_rx.h"
#include "core/irq.h"
#include "core/panic.h"
#include "core/printk.h"
#include "core/resource.h"
#include "dev/pci/pci.h"
#include "core/time.h"
#include "core/wall_clock.h"
#include "lib/format.h"
#include "object/process.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "net/net.h"
#include "sched/thread.h"
#include "shell/fs_commands.h"
#include "shell/line_editor.h"
#include "themelios/errno.h"

#define SHELL_MAX_ARGS 8
#define SPAWN_MAX      64

struct command {
	const char *name;
	const char *usage;
	void (*run)(int argc, char **argv);
};

static const struct command commands[];

/* Parses a decimal number; false for anything else or an overflow. */
static bool
parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (~0ul - 9) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

static void
cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		printk("  %-10s %s\n", c->name, c->usage);
}

static void
cmd_mem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pmm_print_stats();
	kmalloc_print_stats();
}

static void
cmd_ps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sched_print_threads();
}

static void
cmd_uptime(int argc, char **argv)
{
	uint64_t ns = time_now_ns();

	(void)argc;
	(void)argv;
	printk("up %lu.%03lu s, %lu context switches\n", ns / 1000000000, (ns / 1000000) % 1000,
	       sched_context_switches());
}

static void
cmd_date(int argc, char **argv)
{
	char date[32];

	(void)argc;
	(void)argv;
	wall_clock_format((int64_t)(wall_clock_ns() / NSEC_PER_SEC), date);
	printk("%s%s\n", date,
	       wall_clock_known() ? "" : " (no real-time clock: the epoch was at boot)");
}

static void
cmd_irq(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	irq_print_stats();
	printk("console input: %lu bytes waiting, held in the device %lu times, %lu dropped\n",
	       (unsigned long)console_rx_pending(), (unsigned long)console_rx_pauses(),
	       (unsigned long)console_rx_dropped());
}

/* Who owns which ports and physical ranges (docs/drivers.md). */
static void
cmd_devices(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pci_print_devices();
	for (unsigned int i = 0; resource_at(i); i++) {
		const struct resource *r = resource_at(i);

		if (r->used)
			printk("%-9s 0x%012lx-0x%012lx  %s\n",
			       r->kind == RESOURCE_PORTS ? "ports" : "physical", r->start,
			       r->end - 1, r->owner);
	}
}

static void
cmd_procs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	process_print_all();
}

static void
busy_loop(void *arg)
{
	volatile uint64_t *spins = arg;

	while (!thread_should_stop())
		(*spins)++;
}

static volatile uint64_t busy_spins[SPAWN_MAX];
static unsigned int busy_next;

static void
cmd_spawn(int argc, char **argv)
{
	unsigned long n;

	if (argc != 2 || !parse_ulong(argv[1], &n) || n == 0 || n > SPAWN_MAX) {
		printk("spawn: usage: spawn N (1..%d)\n", SPAWN_MAX);
		return;
	}
	for (unsigned long i = 0; i < n; i++) {
		char name[THREAD_NAME_MAX];
		unsigned int k = busy_next++ % SPAWN_MAX;
		struct thread *t;

		fmt_snprintf(name, sizeof(name), "busy-%u", busy_next);
		t = thread_spawn_detached(name, busy_loop, (void *)&busy_spins[k]);
		if (!t) {
			printk("spawn: out of memory after %lu threads\n", i);
			return;
		}
		printk("spawned thread %lu (%s)\n", t->id, name);
	}
}

static void
cmd_kill(int argc, char **argv)
{
	unsigned long id;
	int err;

	if (argc != 2 || !parse_ulong(argv[1], &id)) {
		printk("kill: usage: kill ID\n");
		return;
	}
	/* A user thread's process ends with it, at once (as process_kill). */
	err = process_kill_thread_id(id);
	if (err == -E_NOENT)
		err = thread_request_stop(id);
	if (err == -E_DEAD)
		printk("kill: thread %lu is already ending\n", id);
	else if (err == -E_NOENT)
		printk("kill: no thread %lu\n", id);
	else if (err == -E_PERM)
		printk("kill: thread %lu is part of the kernel\n", id);
	else
		printk("kill: asked thread %lu to stop\n", id);
}

static void
cmd_panic(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	panic("requested from the shell");
}

static void
cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("rebooting\n");
	arch_reboot();
}

static void
cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("powering off\n");
	arch_poweroff();
}

static void
cmd_net(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	net_print_interfaces();
}

static void
cmd_sockets(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	net_print_sockets();
}

static void
cmd_arp(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	net_print_arp();
}

static void
cmd_route(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	net_print_routes();
}

/* ping IP [COUNT]: echo requests a second apart, each waiting 1 s. */
static void
cmd_ping(int argc, char **argv)
{
	unsigned long count = 3, got = 0;
	uint32_t dst;

	if (argc < 2 || argc > 3 || ipv4_parse_addr(argv[1], &dst) != 0 ||
	    (argc == 3 && (!parse_ulong(argv[2], &count) || count == 0 || count > 100))) {
		printk("usage: ping A.B.C.D [COUNT 1-100]\n");
		return;
	}
	for (unsigned long i = 0; i < count; i++) {
		uint64_t rtt, start = time_now_ns();
		int err = net_ping(dst, (uint16_t)(i + 1), 56, NSEC_PER_SEC, &rtt);

		if (err == 0) {
			got++;
			printk("reply from %s: seq %lu time %lu us\n", argv[1], i + 1,
			       (unsigned long)(rtt / NSEC_PER_USEC));
		} else {
			printk("no reply from %s: seq %lu (%s)\n", argv[1], i + 1,
			       err == -E_TIMEOUT ? "timeout"
			       : err == -E_NOENT ? "no route"
						 : "error");
		}
		if (i + 1 < count && time_now_ns() - start < NSEC_PER_SEC)
			thread_sleep_ns(NSEC_PER_SEC - (time_now_ns() - start));
	}
	printk("ping: %lu sent, %lu received\n", count, got);
}

static void
cmd_irqsoff(int argc, char **argv)
{
	irqs_off_print();
	if (argc > 1 && strcmp(argv[1], "reset") == 0)
		irqs_off_reset();
}

static const struct command commands[] = {
	{ "help", "this list", cmd_help },
	{ "mem", "frame and heap statistics", cmd_mem },
	{ "ps", "threads: id, name, state, CPU time, runs", cmd_ps },
	{ "uptime", "time since boot", cmd_uptime },
	{ "date", "the wall clock (UTC)", cmd_date },
	{ "irq", "interrupt counts per vector", cmd_irq },
	{ "irqsoff", "[reset]: the longest stretch with interrupts off", cmd_irqsoff },
	{ "devices",
	  "PCI functions and their drivers; device ports and registers, and their owners",
	  cmd_devices },
	{ "net", "network interfaces: address, lease, counters", cmd_net },
	{ "sockets", "TCP connections and listeners, UDP endpoints", cmd_sockets },
	{ "arp", "the ARP caches", cmd_arp },
	{ "route", "the routing table", cmd_route },
	{ "ping", "IP [COUNT]: ICMP echo requests", cmd_ping },
	{ "procs", "user processes: pid, name, state, quota", cmd_procs },
	{ "ls", "[PATH]: a directory of the root filesystem", cmd_ls },
	{ "cat", "PATH: a file's contents", cmd_cat },
	{ "stat", "PATH: a name's attributes (links not followed)", cmd_stat },
	{ "mounts", "mounted filesystems and the root image's state", cmd_mounts },
	{ "cache", "page cache and name cache: pages, hits, misses", cmd_cache },
	{ "spawn", "N: start N busy threads", cmd_spawn },
	{ "kill", "ID: stop a thread", cmd_kill },
	{ "panic", "panic on purpose", cmd_panic },
	{ "reboot", "reset the machine", cmd_reboot },
	{ "poweroff", "switch the machine off", cmd_poweroff },
	{ NULL, NULL, NULL },
};

static int
split(char *line, char **argv)
{
	int argc = 0;

	while (*line) {
		while (*line == ' ')
			*line++ = '\0';
		if (!*line)
			break;
		if (argc == SHELL_MAX_ARGS)
			return -1;
		argv[argc++] = line;
		while (*line && *line != ' ')
			line++;
	}
	return argc;
}

static void
run_line(char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = split(line, argv);

	if (argc < 0) {
		printk("error: too many arguments (at most %d)\n", SHELL_MAX_ARGS);
		return;
	}
	if (argc == 0)
		return;
	for (const struct command *c = commands; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			c->run(argc, argv);
			return;
		}
	}
	printk("error: unknown command '%s' (try help)\n", argv[0]);
}

static void
echo_to_console(const char *s, size_t len, void *ctx)
{
	(void)ctx;
	console_write(s, len);
}

static void
shell_main(void *arg)
{
	static struct line_editor le;

	(void)arg;
	line_editor_init(&le, echo_to_console, NULL);
	printk("ThemeliOS debug shell; type help\n");
	for (;;) {
		enum line_event ev;

		printk("themelios> ");
		do
			ev = line_editor_feed(&le, (unsigned char)console_getc_wait());
		while (ev == LINE_NONE);
		if (ev == LINE_DONE)
			run_line(le.buf);
		else if (ev == LINE_TOO_LONG)
			printk("error: line too long (at most %d characters)\n", LINE_MAX_LEN);
		line_editor_reset(&le);
	}
}

int
shell_start(void)
{
	return thread_create("shell", shell_main, NULL) ? 0 : -E_NOMEM;
}
