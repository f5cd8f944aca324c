/*
 * The console as a kernel object: what a CONSOLE capability names.  User
 * programs print only through one (console_write); there is one console
 * and it lives for ever (the kernel keeps a reference).
 */
#include "object/console.h"

#include "core/console.h"
#include "core/printk.h"
#include "object/ops.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* Text to the console, a chunk at a time, with no lock held: the copy
 * from user memory may fault, and the UART may be slow.  A stream: the
 * offset means nothing.  At most CONSOLE_WRITE_MAX bytes (-E_RANGE). */
static long
console_object_write(struct kobject *obj, uint64_t offset, const struct kobject_buf *buf)
{
	char chunk[256];

	(void)obj;
	(void)offset;
	if (buf->len > CONSOLE_WRITE_MAX)
		return -E_RANGE;
	for (size_t done = 0; done < buf->len;) {
		size_t n = buf->len - done < sizeof(chunk) ? buf->len - done : sizeof(chunk);
		int err = kobject_buf_get(buf, done, chunk, n);

		if (err)
			return err;
		printk_write(chunk, n); /* whole, between the kernel's lines */
		done += n;
	}
	return (long)buf->len;
}

static const struct kobject_ops console_ops = {
	.name = "console",
	.write = console_object_write,
};
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
