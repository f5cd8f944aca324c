/* I/O-ports objects (object/io_ports.h). */
#include "object/io_ports.h"

#include "arch/arch.h"
#include "core/resource.h"
#include "object/process.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

static void
io_ports_destroy(struct kobject *obj)
{
	struct io_ports *io = (struct io_ports *)obj;

	resource_release(RESOURCE_PORTS, io->first);
	process_object_free(io->owner, io);
}

static int
io_ports_info(struct kobject *obj, struct object_info *info)
{
	struct io_ports *io = (struct io_ports *)obj;

	info->id = io->first;
	info->size = io->count; /* ports are byte-addressed */
	return 0;
}

static const struct kobject_ops io_ports_ops = {
	.name = "io ports",
	.destroy = io_ports_destroy,
	.info = io_ports_info,
};

int
io_ports_claim(struct process *owner, uint64_t first, uint64_t count, struct io_ports **out)
{
	struct io_ports *io;
	int err;

	if (!arch_port_space())
		return -E_NOTSUP;
	if (count == 0)
		return -E_INVAL;
	if (first >= arch_port_space() || count > arch_port_space() - first)
		return -E_RANGE;
	/* The claim first: an object is made only once it will be kept
	 * (one freed unpublished would skew the audit's object counts). */
	err = resource_claim(RESOURCE_PORTS, first, count, "user driver", NULL);
	if (err)
		return err;
	io = process_object_new(owner, sizeof(*io), KOBJ_IO_PORTS, &io_ports_ops);
	if (!io) {
		resource_release(RESOURCE_PORTS, first);
		return -E_NOMEM;
	}
	io->first = (uint32_t)first;
	io->count = (uint32_t)count;
	io->owner = owner;
	*out = io;
	return 0;
}

int
io_ports_check(const struct io_ports *io, uint64_t port, uint64_t width)
{
	if (width != PORT_WIDTH_8 && width != PORT_WIDTH_16 && width != PORT_WIDTH_32)
		return -E_INVAL;
	if (port < io->first || port - io->first >= io->count ||
	    width > io->count - (port - io->first))
		return -E_RANGE;
	return 0;
}
