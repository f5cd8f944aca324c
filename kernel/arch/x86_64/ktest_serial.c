/*
 * COM1 input through the whole interrupt path, without a human: the
 * UART's loopback mode feeds what it transmits to its own receiver,
 * which raises IRQ 4 -> I/O APIC -> vector -> handler -> console ring.
 */
#include "arch/arch.h"
#include "asm/io.h"
#include "asm/irq_vectors.h"
#include "core/console.h"
#include "core/console_rx.h"
#include "core/irq.h"
#include "core/printk.h"
#include "core/time.h"
#include "dev/uart16550.h"
#include "ktest/ktest.h"

#define UART_MCR     4
#define MCR_LOOPBACK 0x10

KTEST(serial_input_by_interrupt)
{
	static const uint8_t sent[] = { 'o', 'k', 0x00, 0xff, '\r' };
	unsigned int vector = VECTOR_DEVICE_BASE + COM1_IRQ;
	uint64_t before = irq_count(vector), end;
	unsigned long flags;
	uint8_t mcr;

	if (!uart16550_present())
		return;
	while (console_getc() >= 0)
		;
	/* Nothing may print while the transmitter is looped back. */
	flags = arch_irq_save();
	mcr = inb(COM1_PORT + UART_MCR);
	outb(COM1_PORT + UART_MCR, mcr | MCR_LOOPBACK);
	/* One byte at a time, each taken by the interrupt before the next:
	 * the driver leaves the FIFO as the firmware set it (off under
	 * GRUB's BIOS boot), and one holding register would overrun. */
	for (unsigned int i = 0; i < sizeof(sent); i++) {
		uart16550_putc((char)sent[i]);
		arch_irq_enable();
		end = time_now_ns() + 200 * NSEC_PER_MSEC;
		while (console_rx_pending() < i + 1 && time_now_ns() < end)
			arch_cpu_relax();
		arch_irq_disable();
	}
	outb(COM1_PORT + UART_MCR, mcr);
	arch_irq_restore(flags);

	KTEST_CHECK_EQ(console_rx_pending(), sizeof(sent));
	for (unsigned int i = 0; i < sizeof(sent); i++)
		KTEST_CHECK_EQ(console_getc(), sent[i]);
	KTEST_CHECK_EQ(console_getc(), -1);
	KTEST_CHECK(irq_count(vector) > before);
	printk("    %zu bytes looped back, %lu COM1 interrupt(s)\n", sizeof(sent),
	       irq_count(vector) - before);
}
