/* Formatted output to a console capability, through lib/format.c. */
#include "themelios.h"

struct outbuf {
	slot_t console;
	char buf[256];
	size_t len;
};

static void
flush(struct outbuf *o)
{
	if (o->len)
		sys_console_write(o->console, o->buf, o->len);
	o->len = 0;
}

static void
emit(char c, void *ctx)
{
	struct outbuf *o = ctx;

	if (o->len == sizeof(o->buf))
		flush(o);
	o->buf[o->len++] = c;
}

static int
vcprintf(slot_t console, const char *fmt, va_list ap)
{
	struct outbuf o = { .console = console, .len = 0 };
	int n = fmt_vformat(emit, &o, fmt, ap);

	flush(&o);
	return n;
}

int
cprintf(slot_t console, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vcprintf(console, fmt, ap);
	va_end(ap);
	return n;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vcprintf(CAP_SLOT_CONSOLE, fmt, ap);
	va_end(ap);
	return n;
}
