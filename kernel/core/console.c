#include "core/console.h"

static const struct console_driver *console_drv;

void
console_set_driver(const struct console_driver *drv)
{
	console_drv = drv;
}

void
console_putc(char c)
{
	if (!console_drv)
		return;
	if (c == '\n')
		console_drv->putc('\r');
	console_drv->putc(c);
}

void
console_write(const char *s, size_t len)
{
	while (len--)
		console_putc(*s++);
}

int
console_getc(void)
{
	return console_drv && console_drv->getc ? console_drv->getc() : -1;
}
