/*
 * The generated table (see tools/gen-ksyms.sh) is sorted by address:
 * ksyms_addrs[i] with its name at ksyms_names + ksyms_name_offsets[i].
 * A lookup is a binary search for the last symbol at or below addr.
 */
#include "core/ksyms.h"

extern const uint64_t ksyms_table_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];
extern const char __text_start[], __text_end[];

size_t
ksyms_count(void)
{
	return (size_t)ksyms_table_count;
}

const char *
ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
	size_t lo = 0, hi = (size_t)ksyms_table_count;

	if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end)
		return NULL;
	if (hi == 0 || addr < ksyms_addrs[0])
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - ksyms_addrs[lo];
	return ksyms_names + ksyms_name_offsets[lo];
}
