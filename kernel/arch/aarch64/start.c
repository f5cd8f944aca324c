/*
 * The first C code on aarch64, in the higher half with the boot page
 * tables.  Installs the exception vectors, reads the device tree through
 * the direct map, brings up the PL011 console it names, and hands over
 * to kernel_main.
 */
#include "arch/arch.h"

#include "asm/layout.h"
#include "boot/fdt.h"
#include "core/console.h"
#include "core/fault.h"
#include "core/main.h"
#include "core/panic.h"
#include "core/printk.h"
#include "core/stack_guard.h"
#include "dev/pl011.h"

#define QEMU_VIRT_UART 0x09000000 /* only to report an unusable tree */
#define DTB_MAX	       (2u << 20)

void aarch64_start(uint64_t dtb_phys, uint64_t load_phys);
void aarch64_cycles_init(void);
void fault_set_boot_stack(uintptr_t lo, uintptr_t hi);

extern char aarch64_vectors[];
extern char boot_stack_bottom[], boot_stack_top[];
extern uint64_t aarch64_load_address;

static struct boot_info boot_info;

void
aarch64_start(uint64_t dtb_phys, uint64_t load_phys)
{
	const void *dtb = (const void *)(DIRECT_MAP_BASE + dtb_phys);
	size_t len;
	int err;

	stack_guard_init(arch_boot_entropy()); /* first: this never returns */
	aarch64_load_address = load_phys;
	__asm__ volatile("msr vbar_el1, %0; isb" : : "r"(aarch64_vectors));
	fault_set_boot_stack((uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top);
	aarch64_cycles_init();

	len = fdt_total_size(dtb, DTB_MAX);
	err = len ? fdt_parse_boot_info(dtb, len, &boot_info) : -1;
	if (err || !boot_info.uart_base || boot_info.uart_base >= DIRECT_MAP_DEVICE_END) {
		pl011_init((volatile void *)(DIRECT_MAP_BASE + QEMU_VIRT_UART));
		console_set_driver(&pl011_console);
		panic("device tree at %#lx is unusable (error %d, UART %#lx)", dtb_phys, err,
		      boot_info.uart_base);
	}
	pl011_init((volatile void *)(DIRECT_MAP_BASE + boot_info.uart_base));
	console_set_driver(&pl011_console);
	boot_info.info_start = dtb_phys;
	boot_info.info_end = dtb_phys + len;
	kernel_main(&boot_info);
}
