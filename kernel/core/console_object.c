/*
 * The console as a kernel object: what a CONSOLE capability names.  User
 * programs print only through one (console_write); there is one console
 * and it lives for ever (the kernel keeps a reference).
 */
#include "core/console_object.h"

static const struct kobject_ops console_ops = { .name = "console" };
static struct kobject console_obj;
static bool ready;

struct kobject *
console_object(void)
{
	if (!ready) {
		kobject_init(&console_obj, KOBJ_CONSOLE, &console_ops);
		ready = true;
	}
	return &console_obj;
}
