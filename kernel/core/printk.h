/*
 * Kernel logging.  printk() writes as is; pr_err/pr_warn/pr_info/
 * pr_debug prefix a level tag and are dropped below the level set with
 * loglevel=N on the command line (0 err .. 3 debug; default 2, info).
 */
#ifndef CORE_PRINTK_H
#define CORE_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);
/* Bytes to the console as one piece: no message of the kernel's lands
 * in the middle of them (a program's line written by console_write). */
void printk_write(const char *s, size_t len);
void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void printk_set_level(enum log_level level);

#define pr_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

#endif
