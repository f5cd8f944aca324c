/*
 * The arch-neutral boot sequence.  Each subsystem comes up in dependency
 * order; test mode (the "test" command-line word) runs the in-kernel
 * tests and ends QEMU with their verdict.
 */
#include "core/irqs_off.h"
#include "core/main.h"

#include "arch/arch.h"
#include "core/bench.h"
#include "core/cmdline.h"
#include "linux/linux.h"
#include "core/console.h"
#include "core/device_control.h"
#include "core/irq.h"
#include "core/panic.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/stack_guard.h"
#include "core/time.h"
#include "core/wall_clock.h"
#include "dev/block_bench.h"
#include "dev/pci/pci.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/page_cache.h"
#include "mm/page_ref.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "fs/rootfs.h"
#include "net/net.h"
#include "proc/init.h"
#include "object/process.h"
#include "sched/thread.h"
#include "shell/shell.h"

static void
crash_on_request(const char *cmdline)
{
	char what[32];

	if (cmdline_get(cmdline, "crash", what, sizeof(what)) < 0)
		return;
	printk("crash=%s requested on the command line\n", what);
	if (!strcmp(what, "panic"))
		panic("deliberate panic requested with crash=panic");
	if (!strcmp(what, "smash"))
		stack_guard_crash();
	if (!arch_crash(what))
		pr_err("unknown crash=%s; continuing\n", what);
}

/* The boot thread has nothing left to do: it sleeps for good. */
/* init's argument in test mode (user/init/init.h): 1 "user", 2 "bench",
 * 4 "fsbench", 5 with linux.run= words (the Linux programs, then exit);
 * 0 when init is not run as a test. */
static uint64_t
init_test_mode(const char *cmdline)
{
	if (cmdline_has(cmdline, "linux.run"))
		return 5;
	if (cmdline_has(cmdline, "fsbench"))
		return 4;
	if (cmdline_has(cmdline, "mtree"))
		return 3;
	if (cmdline_has(cmdline, "bench"))
		return 2;
	return cmdline_has(cmdline, "user") ? 1 : 0;
}

static void __attribute__((noreturn)) main_thread_rest(void)
{
	for (;;)
		thread_sleep_ns(3600 * NSEC_PER_SEC);
}

void
kernel_main(struct boot_info *bi)
{
	printk("\nHello from ThemeliOS\n");
	printk_set_level((enum log_level)cmdline_get_ulong(bi->cmdline, "loglevel", LOG_INFO));
	panic_set_test_mode(cmdline_has(bi->cmdline, "test"));
	boot_info_print(bi);

	if (pmm_init(bi) != 0)
		panic("no usable memory for the frame allocator");
	if (vmm_init(bi) != 0)
		panic("cannot build the kernel page tables");
	kmalloc_init();
	page_ref_init();
	random_init();
	device_control_init(bi);  /* RAM is nobody's device */
	arch_interrupts_init(bi); /* after vmm_init: maps the APICs */
	time_init();
	wall_clock_init(bi);
	sched_init();
	arch_irq_enable();
	console_input_init();
	pci_init(bi);		  /* drivers sleep on interrupts: after the scheduler */
	rootfs_init(bi->cmdline); /* after the disks registered */
	net_init(bi->cmdline);	  /* after the NICs registered */
	if (cmdline_has(bi->cmdline, "bench")) {
		run_benchmarks();
		block_bench();
	}

	crash_on_request(bi->cmdline);
	arch_user_init();
	linux_init(bi->cmdline);
	pr_info("user: protections %s\n", arch_user_protections());

	/* "test user": init runs the user-space suite, "test bench" the user
	 * benchmarks, "test mtree" the manifest of the root's data/, "test
	 * fsbench" the storage benchmark (then the page cache's size, for
	 * tools/bench.py); its status is the verdict. */
	if (panic_test_mode() && init_test_mode(bi->cmdline)) {
		struct process *init;
		long status;
		if (init_start(bi, init_test_mode(bi->cmdline), &init) != 0)
			arch_qemu_exit(false);
		status = process_wait(init);
		if (cmdline_has(bi->cmdline, "fsbench"))
			pcache_print_stats();
		irqs_off_print(); /* over the whole run: make bench reads it */
		printk("test mode: init exited with status %ld\n", status);
		arch_qemu_exit(status == 0);
	}

	/* "test shell": the shell under the test harness (a panic ends QEMU). */
	if (panic_test_mode() && !cmdline_has(bi->cmdline, "shell")) {
		char filter[64] = "";

		cmdline_get(bi->cmdline, "ktest", filter, sizeof(filter));
		printk("test mode: boot complete\n");
		arch_qemu_exit(ktest_run_all(filter) == 0);
	}
	if (!cmdline_has(bi->cmdline, "noinit"))
		init_start(bi, 0, NULL);
	printk("ThemeliOS is up.\n");
	pmm_print_stats();
	kmalloc_print_stats();
#if CONFIG_SHELL
	if (!cmdline_has(bi->cmdline, "noshell") && shell_start() != 0)
		pr_err("cannot start the shell\n");
#endif
	main_thread_rest();
}
