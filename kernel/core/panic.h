#ifndef CORE_PANIC_H
#define CORE_PANIC_H

#include <stdbool.h>

#include "arch/arch.h"

/*
 * Reports an unrecoverable kernel error: the message, the registers and a
 * backtrace; then halts, or in test mode ends QEMU with a failure status.
 */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The same, for a fault that arrived with a register frame. */
void panic_regs(const struct arch_regs *regs, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* Test mode: panics and test results end the QEMU run with a status. */
void panic_set_test_mode(bool on);
bool panic_test_mode(void);

#define KASSERT(cond)                                                                      \
	do {                                                                               \
		if (!(cond))                                                               \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
