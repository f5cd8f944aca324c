/* Pure helpers over struct boot_info, shared by both boot protocols. */
#include "boot/boot_info.h"

uint64_t
boot_info_usable_bytes(const struct boot_info *bi)
{
	uint64_t total = 0;

	for (size_t i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			total += bi->mem[i].length;
	return total;
}
