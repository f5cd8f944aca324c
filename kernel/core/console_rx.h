/*
 * Console input received by interrupt.  The console's receive interrupt
 * handler pushes bytes into a ring; console_getc() (through a console
 * driver whose getc is console_rx_getc) takes them out.  The notify
 * callback, run from the interrupt after bytes arrived, is where a
 * scheduler wakes a thread waiting for input (the shell).
 *
 * Input is never dropped for lack of room: when the ring is full the
 * driver stops reading its FIFO and masks its receive interrupt
 * (console_rx_full), so the device holds the bytes (and QEMU stops
 * reading its host side); the reader turns the interrupt back on
 * through the resume hook once it has made room.
 */
#ifndef CORE_CONSOLE_RX_H
#define CORE_CONSOLE_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_RX_SIZE 1024 /* bytes buffered before the device must hold them */

/* Interrupt side: one producer.  console_rx_full says the ring has no
 * room: the driver must then mask its receive interrupt and call
 * console_rx_pause instead of reading more. */
void console_rx_push(uint8_t c);
bool console_rx_full(void);
void console_rx_pause(void);
/* Reader side: one consumer.  A byte, or -1 when none is waiting. */
int console_rx_getc(void);

size_t console_rx_pending(void);
uint64_t console_rx_dropped(void);

/* fn sees each byte first, in interrupt context: true takes it out of
 * the input (the Linux tty's interrupt character).  NULL to remove. */
void console_rx_set_filter(bool (*fn)(uint8_t c));
/* fn runs in interrupt context after new input; NULL to remove. */
void console_rx_set_notify(void (*fn)(void));
/* The driver's "unmask receive interrupt", run by the reader once a
 * paused ring has room again. */
void console_rx_set_resume(void (*fn)(void));
uint64_t console_rx_pauses(void);

#endif
