/*
 * 16550 driver.  Transmit polls the line status register: the console
 * must work before interrupts exist and from a panic.  Receive is read
 * by the serial interrupt handler (Phase 1b) or polled.
 */
#include "dev/uart16550.h"

#include "asm/io.h"
#include "core/console.h"
#include "core/device_control.h"

#define REG_DATA	 0 /* DLAB=0: receive/transmit */
#define REG_IER		 1 /* DLAB=0: interrupt enable */
#define REG_DLL		 0 /* DLAB=1: divisor low */
#define REG_DLH		 1 /* DLAB=1: divisor high */
#define REG_LCR		 3
#define REG_MCR		 4
#define REG_LSR		 5
#define REG_SCRATCH	 7

#define LCR_8N1		 0x03
#define LCR_DLAB	 0x80
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the IRQ line on PCs */
#define LSR_DATA_READY	 0x01
#define LSR_THR_EMPTY	 0x20
#define IER_RX_AVAILABLE 0x01

static uint16_t uart_port;

/*
 * The FIFO is left as the firmware or boot loader set it: changing its
 * enable bit empties it (QEMU resets both FIFOs on a toggle), and a
 * byte piped into the serial port that arrived just before would be
 * lost.  Without the FIFO QEMU holds further input until the one byte
 * is read; with it, up to 16 wait.  Either way nothing is dropped.
 */
bool
uart16550_init(uint16_t port)
{
	/* The scratch register reads back what was written on a real UART. */
	outb(port + REG_SCRATCH, 0x5a);
	if (inb(port + REG_SCRATCH) != 0x5a)
		return false;
	device_reserve(RESOURCE_PORTS, port, 8, "16550 UART");

	outb(port + REG_IER, 0);
	outb(port + REG_LCR, LCR_DLAB);
	outb(port + REG_DLL, 1); /* 115200 baud */
	outb(port + REG_DLH, 0);
	outb(port + REG_LCR, LCR_8N1);
	outb(port + REG_MCR, MCR_DTR_RTS_OUT2);
	uart_port = port;
	return true;
}

void
uart16550_putc(char c)
{
	unsigned int spins = 0;

	if (!uart_port)
		return;
	/* Bounded: a wedged UART must not hang a panic forever. */
	while (!(inb(uart_port + REG_LSR) & LSR_THR_EMPTY) && ++spins < 1000000)
		;
	outb(uart_port + REG_DATA, (uint8_t)c);
}

int
uart16550_getc(void)
{
	if (!uart_port)
		return -1;
	if (!(inb(uart_port + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(uart_port + REG_DATA);
}

bool
uart16550_present(void)
{
	return uart_port != 0;
}

void
uart16550_enable_rx_irq(void)
{
	if (uart_port)
		outb(uart_port + REG_IER, IER_RX_AVAILABLE);
}

void
uart16550_disable_rx_irq(void)
{
	if (uart_port)
		outb(uart_port + REG_IER, 0);
}

const struct console_driver uart16550_console = {
	.name = "16550 COM1",
	.putc = uart16550_putc,
	.getc = uart16550_getc,
};
