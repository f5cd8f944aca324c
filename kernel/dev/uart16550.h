/* The 16550 UART on COM1, the x86_64 serial console. */
#ifndef DEV_UART16550_H
#define DEV_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define COM1_PORT 0x3f8
#define COM1_IRQ  4

/* Programs 115200 8N1 with FIFOs; returns false when no UART answers. */
bool uart16550_init(uint16_t port);
void uart16550_putc(char c);
/* A received byte, or -1 when the receive buffer is empty. */
int uart16550_getc(void);
/* True once uart16550_init found a UART. */
bool uart16550_present(void);
/* Asks the UART to interrupt when a byte arrives. */
void uart16550_enable_rx_irq(void);
void uart16550_disable_rx_irq(void);

struct console_driver;
extern const struct console_driver uart16550_console;

#endif
