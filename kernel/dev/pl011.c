/*
 * PL011 driver.  Transmit polls the flag register (the console works
 * before interrupts and inside a panic); receive is drained into the
 * console input ring by the interrupt handler.
 */
#include "dev/pl011.h"

#include "core/console.h"
#include "core/console_rx.h"

#define UART_DR	   0x00
#define UART_FR	   0x18
#define UART_LCR_H 0x2c
#define UART_CR	   0x30
#define UART_IMSC  0x38
#define UART_ICR   0x44

#define FR_RXFE	   (1u << 4)
#define FR_TXFF	   (1u << 5)
#define LCR_8BIT   0x60	 /* 8 bits, no parity, one stop bit; FIFO off */
#define CR_ENABLE  0x301 /* UARTEN, TXE, RXE */
#define INT_RX	   (1u << 4)
#define INT_RT	   (1u << 6) /* receive timeout */
#define IMSC_RX	   (INT_RX | INT_RT)

static volatile uint8_t *uart;

static uint32_t
rd(unsigned int reg)
{
	return *(volatile uint32_t *)(uart + reg);
}

static void
wr(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(uart + reg) = v;
}

/* Moves what waits in the UART to the console ring. */
static void
drain(void)
{
	while (!console_rx_full() && !(rd(UART_FR) & FR_RXFE))
		console_rx_push((uint8_t)(rd(UART_DR) & 0xff));
}

void
pl011_init(volatile void *regs)
{
	uart = regs;
	/*
	 * Input waiting before now (piped into QEMU's serial port, say)
	 * goes to the console ring first, which this console reads from
	 * the start.  The FIFO stays off: switching it on empties it, and
	 * a byte arriving between a drain and the switch was lost ("help"
	 * came out as "hep").  With one holding register QEMU waits for
	 * each byte to be read, at one interrupt per byte, which a console
	 * can afford.  Clearing the interrupts clears the receive one of a
	 * byte that came in after the first drain, and QEMU raises it only
	 * when the register fills again, which it never would (piped input
	 * stalled after one byte): so drain once more after the clear.
	 */
	drain();
	wr(UART_CR, 0);
	wr(UART_LCR_H, LCR_8BIT);
	wr(UART_ICR, 0x7ff);
	wr(UART_CR, CR_ENABLE);
	drain();
}

void
pl011_remap(volatile void *regs)
{
	uart = regs;
}

void
pl011_putc(char c)
{
	unsigned int spins = 0;

	if (!uart)
		return;
	while ((rd(UART_FR) & FR_TXFF) && ++spins < 1000000)
		;
	wr(UART_DR, (uint8_t)c);
}

int
pl011_getc(void)
{
	if (!uart || (rd(UART_FR) & FR_RXFE))
		return -1;
	return rd(UART_DR) & 0xff;
}

void
pl011_enable_rx_irq(void)
{
	if (uart)
		wr(UART_IMSC, IMSC_RX);
}

void
pl011_irq(void)
{
	while (!(rd(UART_FR) & FR_RXFE)) {
		if (console_rx_full()) {
			/* Leave the rest in the FIFO; the reader resumes us. */
			wr(UART_IMSC, 0);
			console_rx_pause();
			return;
		}
		console_rx_push((uint8_t)(rd(UART_DR) & 0xff));
	}
	/* The receive interrupt clears itself as the FIFO empties; clearing
	 * it by hand could lose a byte that arrived after the last read
	 * (the interrupt would not rise again until the FIFO drained). */
	wr(UART_ICR, INT_RT);
}

const struct console_driver pl011_console = {
	.name = "PL011",
	.putc = pl011_putc,
	.getc = console_rx_getc,
};
