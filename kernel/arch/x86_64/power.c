/*
 * Reboot and power-off.  ACPI's reset register and S5 sleep state are
 * used when the FADT gave them (platform code fills acpi_power); else the
 * chipset ports QEMU's q35 and i440fx machines answer.
 */
#include "arch/arch.h"

#include "asm/io.h"
#include "asm/power.h"
#include "core/device_control.h"
#include "core/printk.h"

#define RESET_CONTROL_PORT 0xcf9 /* PCI reset control (q35, i440fx) */
#define RESET_CPU	   0x06
#define KBC_COMMAND_PORT   0x64
#define KBC_PULSE_RESET	   0xfe
#define SLP_EN		   (1u << 13)
#define Q35_PM1A_CNT	   0x604
#define PIIX_PM1A_CNT	   0xb004

struct acpi_power acpi_power;

/* The ports reboot and power-off use, kept from user-space drivers
 * (after the platform code has filled acpi_power). */
void
x86_power_reserve(void)
{
	device_reserve(RESOURCE_PORTS, 0xcf8, 8, "PCI configuration, reset control");
	/* QEMU's isa-debug-exit (arch_qemu_exit): the test verdict is the kernel's. */
	device_reserve(RESOURCE_PORTS, 0xf4, 4, "QEMU isa-debug-exit");
	device_reserve(RESOURCE_PORTS, 0x60, 1, "8042 keyboard controller");
	device_reserve(RESOURCE_PORTS, KBC_COMMAND_PORT, 1, "8042 keyboard controller");
	if (acpi_power.reset_port && !resource_owner(RESOURCE_PORTS, acpi_power.reset_port))
		device_reserve(RESOURCE_PORTS, acpi_power.reset_port, 1, "ACPI reset");
	if (acpi_power.pm1a_cnt)
		device_reserve(RESOURCE_PORTS, acpi_power.pm1a_cnt, 2, "ACPI PM1a control");
	if (acpi_power.pm1b_cnt)
		device_reserve(RESOURCE_PORTS, acpi_power.pm1b_cnt, 2, "ACPI PM1b control");
	if (!acpi_power.pm1a_cnt) {
		device_reserve(RESOURCE_PORTS, Q35_PM1A_CNT, 2, "ACPI PM1a control (q35)");
		device_reserve(RESOURCE_PORTS, PIIX_PM1A_CNT, 2, "ACPI PM1a control (i440fx)");
	}
}

void
arch_reboot(void)
{
	arch_irq_disable();
	if (acpi_power.reset_port)
		outb(acpi_power.reset_port, acpi_power.reset_value);
	outb(RESET_CONTROL_PORT, RESET_CPU);
	outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
	/* Last resort: an empty IDT makes the next exception a triple fault. */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(none));
	arch_halt();
}

void
arch_poweroff(void)
{
	arch_irq_disable();
	if (acpi_power.pm1a_cnt) {
		outw(acpi_power.pm1a_cnt, (uint16_t)(acpi_power.slp_typa << 10 | SLP_EN));
		if (acpi_power.pm1b_cnt)
			outw(acpi_power.pm1b_cnt, (uint16_t)(acpi_power.slp_typb << 10 | SLP_EN));
	}
	outw(Q35_PM1A_CNT, SLP_EN); /* QEMU's \_S5 is SLP_TYP 0 */
	outw(PIIX_PM1A_CNT, SLP_EN);
	printk("poweroff: no ACPI power control answered; halting\n");
	arch_halt();
}
