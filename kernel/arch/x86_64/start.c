/*
 * The first C code on x86_64, entered from boot.S in the higher half with
 * the boot page tables.  Brings up the serial console, reads the
 * Multiboot2 information through the direct map, appends any extra
 * arguments passed through fw_cfg, and hands over to kernel_main.
 */
#include "arch/arch.h"
#include "asm/layout.h"
#include "asm/trap.h"
#include "boot/multiboot2.h"
#include "core/console.h"
#include "core/main.h"
#include "core/panic.h"
#include "core/printk.h"
#include "core/stack_guard.h"
#include "dev/fw_cfg.h"
#include "dev/uart16550.h"
#include "lib/string.h"

void x86_64_start(uint32_t magic, uint64_t info_phys);

static struct boot_info boot_info;

static void
mb2_warn(const char *what, uint32_t tag_type, size_t offset)
{
	pr_warn("multiboot2: %s (tag type %u at offset %zu)\n", what, tag_type, offset);
}

/* Extra arguments from the host: -fw_cfg name=opt/themelios/cmdline,string=... */
static void
append_fw_cfg_cmdline(struct boot_info *bi)
{
	char extra[BOOT_CMDLINE_MAX];
	size_t used = strlen(bi->cmdline);
	long n;

	if (fw_cfg_init(&fw_cfg_port_transport) != 0)
		return;
	n = fw_cfg_read_file("opt/themelios/cmdline", extra, sizeof(extra) - 1);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(extra)) {
		pr_warn("fw_cfg: command line of %ld bytes truncated\n", n);
		n = sizeof(extra) - 1;
	}
	extra[n] = '\0';
	if (used + 1 + (size_t)n >= sizeof(bi->cmdline)) {
		pr_warn("fw_cfg: command line does not fit; ignored\n");
		return;
	}
	if (used)
		bi->cmdline[used++] = ' ';
	memcpy(bi->cmdline + used, extra, (size_t)n + 1);
}

void
x86_64_start(uint32_t magic, uint64_t info_phys)
{
	const void *info = (const void *)(DIRECT_MAP_BASE + info_phys);
	uint32_t total;
	int err;

	stack_guard_init(arch_boot_entropy()); /* first: this never returns */
	if (uart16550_init(COM1_PORT))
		console_set_driver(&uart16550_console);
	x86_traps_init(); /* from here on, faults are reported by name */

	/* boot.S checked the magic; a second look costs nothing. */
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("bad Multiboot2 magic %#x", magic);
	/* The boot tables map the first 4 GiB; GRUB puts the info below that. */
	if (info_phys >= (4ull << 30) - 8)
		panic("Multiboot2 information at %#lx is out of reach", info_phys);
	memcpy(&total, info, sizeof(total));
	if (info_phys + total > (4ull << 30))
		total = (uint32_t)((4ull << 30) - info_phys);
	err = mb2_parse(info, total, info_phys, &boot_info, mb2_warn);
	if (err)
		panic("Multiboot2 information is unusable (error %d)", err);
	append_fw_cfg_cmdline(&boot_info);
	kernel_main(&boot_info);
}
