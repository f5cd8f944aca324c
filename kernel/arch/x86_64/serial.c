/*
 * COM1 input by interrupt: IRQ 4 through the I/O APIC to a handler that
 * empties the UART's receive FIFO into the console ring (core/
 * console_rx.c).  Output keeps polling the UART (uart16550_putc), which
 * works from any context, panics included.
 */
#include "arch/arch.h"
#include "core/console.h"
#include "core/console_rx.h"
#include "core/printk.h"
#include "dev/uart16550.h"

void x86_serial_irq_init(void);

static const struct console_driver serial_irq_console = {
	.name = "16550 COM1 (interrupt-driven input)",
	.putc = uart16550_putc,
	.getc = console_rx_getc,
};

static void
serial_rx_interrupt(struct arch_regs *regs, void *ctx)
{
	int c, n = 0;

	(void)regs;
	(void)ctx;
	/* Reading the data register clears the interrupt; the bound keeps
	 * a stuck "data ready" bit from holding us here forever. */
	while (n++ < 64) {
		if (console_rx_full()) {
			/* The UART holds the rest; the reader resumes us. */
			uart16550_disable_rx_irq();
			console_rx_pause();
			return;
		}
		if ((c = uart16550_getc()) < 0)
			return;
		console_rx_push((uint8_t)c);
	}
}

/* The console ring has room again: drain what the UART held, unmask. */
static void
serial_rx_resume(void)
{
	unsigned long flags = arch_irq_save();

	uart16550_enable_rx_irq();
	serial_rx_interrupt(NULL, NULL);
	arch_irq_restore(flags);
}

void
x86_serial_irq_init(void)
{
	int c, vector;

	if (!uart16550_present())
		return;
	/* Bytes typed before now still count. */
	while ((c = uart16550_getc()) >= 0)
		console_rx_push((uint8_t)c);
	vector = arch_irq_attach(COM1_IRQ, "COM1", serial_rx_interrupt, NULL);
	if (vector < 0) {
		pr_warn("serial: no interrupt for COM1 (error %d); input stays polled\n", vector);
		return;
	}
	console_set_driver(&serial_irq_console);
	console_rx_set_resume(serial_rx_resume);
	uart16550_enable_rx_irq();
}
