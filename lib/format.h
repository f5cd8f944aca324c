/*
 * printf-style formatting without libc, shared by the kernel's printk,
 * user space and the host tests (which compare it with the host's
 * snprintf).  Conversions: d i u x X p s c %; flags - 0 + space #;
 * width and precision (numbers or *); length modifiers hh h l ll z t.
 * An unknown conversion is copied through literally.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_emit_fn)(char c, void *ctx);

/* Emits every character through emit; returns how many were emitted. */
int fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: always terminates when size > 0, returns the full length. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends to buf[*len..size), keeping *len inside the buffer (a text
 * built piece by piece, cut short when it does not fit). */
void fmt_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
