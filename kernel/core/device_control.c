#include "core/device_control.h"

#include "arch/arch.h"
#include "boot/boot_info.h"
#include "core/printk.h"
#include "core/resource.h"
#include "proc/process.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

static const struct kobject_ops device_control_ops = { .name = "device control" };
static struct kobject device_control_obj;
static bool ready;

struct kobject *
device_control_object(void)
{
	if (!ready) {
		kobject_init(&device_control_obj, KOBJ_DEVICE_CONTROL, &device_control_ops);
		ready = true;
	}
	return &device_control_obj;
}

/* Every memory-map entry, of any type, is RAM or firmware's: no driver
 * may map it.  Entries that overlap an earlier one are covered already. */
void
device_control_init(const struct boot_info *bi)
{
	for (size_t i = 0; i < bi->nmem; i++) {
		int err = resource_claim(RESOURCE_PHYS, bi->mem[i].base, bi->mem[i].length,
					 resource_memory, NULL);

		if (err == -E_NOMEM)
			pr_warn("device: resource table full; memory above %#lx not protected "
				"from device claims\n",
				bi->mem[i].base);
	}
}

void
device_reserve(enum resource_kind kind, uint64_t start, uint64_t size, const char *owner)
{
	const char *holder = NULL;
	int err = resource_claim(kind, start, size, owner, &holder);

	/* Inside the memory map is unclaimable already. */
	if (err && !(err == -E_BUSY && holder == resource_memory))
		pr_warn("device: cannot reserve %s %#lx+%#lx for %s (error %d%s%s)\n",
			kind == RESOURCE_PORTS ? "ports" : "registers", start, size, owner, err,
			holder ? ", held by " : "", holder ? holder : "");
}

static void
io_ports_destroy(struct kobject *obj)
{
	struct io_ports *io = (struct io_ports *)obj;

	resource_release(RESOURCE_PORTS, io->first);
	process_object_free(io->owner, io);
}

static const struct kobject_ops io_ports_ops = {
	.name = "io ports",
	.destroy = io_ports_destroy,
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
