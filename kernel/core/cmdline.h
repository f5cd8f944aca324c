/*
 * The kernel command line: space-separated words, each "key" or
 * "key=value".  Pure code, unit-tested on the host.
 */
#ifndef CORE_CMDLINE_H
#define CORE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* True when the word key or key=... is present. */
bool cmdline_has(const char *cmdline, const char *key);

/*
 * Copies the value of the last key=value into buf (always terminated).
 * Returns the value's length, or -1 when the key has no value.
 */
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);

/*
 * The values of every key=value, in the order given, each followed by a
 * NUL, into buf: the bytes used (0: none), or -1 when they do not fit.
 */
int cmdline_get_all(const char *cmdline, const char *key, char *buf, size_t size);

/* Parses a decimal value; returns fallback when absent or malformed. */
unsigned long cmdline_get_ulong(const char *cmdline, const char *key, unsigned long fallback);

#endif
