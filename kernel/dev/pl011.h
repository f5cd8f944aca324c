/* The ARM PL011 UART, the aarch64 serial console. */
#ifndef DEV_PL011_H
#define DEV_PL011_H

#include <stdint.h>

struct console_driver;

/* regs: the UART's registers, already mapped as device memory. */
void pl011_init(volatile void *regs);
/* Moves the driver to a new mapping of the same registers. */
void pl011_remap(volatile void *regs);
void pl011_putc(char c);
int pl011_getc(void);
/* Receive interrupts: bytes go to the console input ring. */
void pl011_enable_rx_irq(void);
void pl011_irq(void);

extern const struct console_driver pl011_console;

#endif
