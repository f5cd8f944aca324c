/*
 * The kernel console: one output/input device chosen by the arch code at
 * boot (the 16550 on x86_64, the PL011 on aarch64).  Output translates
 * '\n' to "\r\n" for terminals.
 */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stddef.h>

struct console_driver {
	const char *name;
	void (*putc)(char c);
	/* Returns a received byte, or -1 when none is waiting. */
	int (*getc)(void);
};

void console_set_driver(const struct console_driver *drv);
void console_putc(char c);
void console_write(const char *s, size_t len);
int console_getc(void);

/* For threads, once the scheduler runs: waits for a byte (console_input.c). */
void console_input_init(void);
int console_getc_wait(void);
/* The same, or CONSOLE_INTERRUPTED when thread_interrupt ends the wait
 * (sched/thread.h: clear before checking why one would not wait). */
#define CONSOLE_INTERRUPTED (-2)
int console_getc_interruptible(void);

#endif
