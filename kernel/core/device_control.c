#include "core/device_control.h"

#include "boot/boot_info.h"
#include "core/printk.h"
#include "core/resource.h"
#include "themelios/errno.h"

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
