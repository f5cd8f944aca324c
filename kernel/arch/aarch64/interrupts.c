/*
 * Interrupts on aarch64: the GICv3 from the device tree, the exception
 * vectors, and the arch_irq_* interface.  Device registers are reached
 * through the direct map, whose first GiB (where QEMU virt keeps its
 * devices) is mapped as device memory.
 */
#include "arch/arch.h"

#include "asm/layout.h"
#include "boot/boot_info.h"
#include "core/device_control.h"
#include "core/irq.h"
#include "core/panic.h"
#include "core/printk.h"
#include "dev/gicv3.h"
#include "core/console_rx.h"
#include "dev/pl011.h"
#include "themelios/errno.h"

uint32_t aarch64_timer_intid;

/* Register frames: the distributor, and one CPU's redistributor (its
 * RD_base and SGI_base frames). */
#define GICD_SIZE 0x10000
#define GICR_SIZE 0x20000

void aarch64_irq(struct arch_regs *regs);

static void
uart_irq(struct arch_regs *regs, void *ctx)
{
	(void)regs;
	(void)ctx;
	pl011_irq();
}

/* The console ring has room again: take what the FIFO held while the
 * interrupt was masked (no new byte may come to raise it), then
 * unmask. */
static void
uart_resume(void)
{
	unsigned long flags = arch_irq_save();

	pl011_enable_rx_irq();
	pl011_irq();
	arch_irq_restore(flags);
}

void
arch_interrupts_init(struct boot_info *bi)
{
	if (!bi->gicd_base || !bi->gicr_base || bi->gicd_base >= DIRECT_MAP_DEVICE_END ||
	    bi->gicr_base >= DIRECT_MAP_DEVICE_END)
		panic("gic: the device tree names no usable GICv3 (dist %#lx, redist %#lx)",
		      bi->gicd_base, bi->gicr_base);
	gicv3_init((volatile void *)(DIRECT_MAP_BASE + bi->gicd_base),
		   (volatile void *)(DIRECT_MAP_BASE + bi->gicr_base));
	device_reserve(RESOURCE_PHYS, bi->gicd_base, GICD_SIZE, "GICv3 distributor");
	device_reserve(RESOURCE_PHYS, bi->gicr_base, GICR_SIZE, "GICv3 redistributor");
	if (bi->uart_base)
		device_reserve(RESOURCE_PHYS, bi->uart_base, 0x1000, "PL011 UART");
	if (bi->fw_cfg_base)
		device_reserve(RESOURCE_PHYS, bi->fw_cfg_base, 0x1000, "fw_cfg");
	aarch64_timer_intid = bi->timer_irq ? bi->timer_irq : 27;
	printk("gic: GICv3 distributor %#lx, redistributor %#lx; timer INTID %u\n", bi->gicd_base,
	       bi->gicr_base, aarch64_timer_intid);
	if (bi->uart_irq && arch_irq_attach(bi->uart_irq, "PL011", uart_irq, NULL) >= 0) {
		console_rx_set_resume(uart_resume);
		pl011_enable_rx_irq();
		printk("irq: PL011 -> INTID %u\n", bi->uart_irq);
	}
}

int
arch_irq_attach(unsigned int line, const char *name, void (*fn)(struct arch_regs *regs, void *ctx),
		void *ctx)
{
	int err;

	if (line < 16 || line >= IRQ_VECTORS)
		return -E_INVAL;
	if ((err = irq_register(line, name, fn, ctx)) != 0)
		return err;
	gicv3_enable(line, line >= 32);
	return (int)line;
}

/* SPIs are the lines a device drives; SGIs and PPIs are per CPU. */
bool
arch_irq_line_exists(unsigned int line)
{
	return line >= 32 && line < gicv3_lines() && line < IRQ_VECTORS;
}

void
arch_irq_detach(unsigned int line)
{
	unsigned long flags = arch_irq_save();

	gicv3_disable(line);
	irq_unregister(line);
	arch_irq_restore(flags);
}

void
arch_irq_mask(unsigned int line, bool masked)
{
	if (masked)
		gicv3_disable(line);
	else
		gicv3_unmask(line);
}

/* arch_irq_attach configures every SPI level-triggered: the QEMU virt
 * devices are. */
bool
arch_irq_level_triggered(unsigned int line)
{
	return line >= 32;
}

void
arch_irq_send_self(unsigned int vector)
{
	static bool enabled[16];

	if (vector < 16 && !enabled[vector]) {
		gicv3_enable(vector, 0);
		enabled[vector] = true;
	}
	gicv3_send_sgi_self(vector);
}

/* An interrupt: acknowledge, dispatch, end it, then the exit hook (which
 * may switch threads on this stack). */
void
aarch64_irq(struct arch_regs *regs)
{
	unsigned int intid = gicv3_ack();

	if (intid >= GIC_SPURIOUS - 3)
		return;
	irq_dispatch(intid, regs);
	gicv3_eoi(intid);
	irq_exit(regs);
}
