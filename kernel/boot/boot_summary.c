/* The boot summary printed after the greeting. */
#include "boot/boot_info.h"

#include "core/printk.h"

static const char *
mem_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE:
		return "usable";
	case BOOT_MEM_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case BOOT_MEM_ACPI_NVS:
		return "ACPI NVS";
	case BOOT_MEM_BAD:
		return "bad";
	default:
		return "reserved";
	}
}

void
boot_info_print(const struct boot_info *bi)
{
	uint64_t usable = boot_info_usable_bytes(bi);

	printk("Boot loader: %s\n", bi->loader_name[0] ? bi->loader_name : "(unnamed)");
	printk("Command line: %s\n", bi->cmdline);
	printk("Memory map (%zu regions):\n", bi->nmem);
	for (size_t i = 0; i < bi->nmem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		printk("  %016lx-%016lx %-16s %10lu KiB\n", r->base, r->base + r->length - 1,
		       mem_type_name(r->type), r->length >> 10);
	}
	printk("Usable memory: %lu KiB (%lu MiB)\n", usable >> 10, usable >> 20);
	printk("Modules: %zu\n", bi->nmodules);
	for (size_t i = 0; i < bi->nmodules; i++)
		printk("  %016lx-%016lx %s\n", bi->modules[i].start, bi->modules[i].end,
		       bi->modules[i].name);
	if (bi->warnings)
		printk("Boot information: %u warning(s)\n", bi->warnings);
}
