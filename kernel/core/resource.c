#include "core/resource.h"

#include <stddef.h>

#include "themelios/errno.h"

const char resource_memory[] = "memory map (RAM, firmware)";
static struct resource table[RESOURCE_MAX];

int
resource_claim(enum resource_kind kind, uint64_t start, uint64_t size, const char *owner,
	       const char **holder)
{
	struct resource *free_slot = NULL;
	uint64_t end = start + size;

	if ((unsigned int)kind >= RESOURCE_KINDS || size == 0 || end < start)
		return -E_INVAL;
	for (unsigned int i = 0; i < RESOURCE_MAX; i++) {
		struct resource *r = &table[i];

		if (!r->used) {
			if (!free_slot)
				free_slot = r;
			continue;
		}
		if (r->kind == kind && start < r->end && r->start < end) {
			if (holder)
				*holder = r->owner;
			return -E_BUSY;
		}
	}
	if (!free_slot)
		return -E_NOMEM;
	*free_slot = (struct resource){
		.start = start,
		.end = end,
		.owner = owner ? owner : "?",
		.kind = (uint8_t)kind,
		.used = true,
	};
	return 0;
}

int
resource_release(enum resource_kind kind, uint64_t start)
{
	for (unsigned int i = 0; i < RESOURCE_MAX; i++) {
		struct resource *r = &table[i];

		if (r->used && r->kind == kind && r->start == start) {
			r->used = false;
			return 0;
		}
	}
	return -E_NOENT;
}

const char *
resource_owner(enum resource_kind kind, uint64_t addr)
{
	for (unsigned int i = 0; i < RESOURCE_MAX; i++) {
		const struct resource *r = &table[i];

		if (r->used && r->kind == kind && addr >= r->start && addr < r->end)
			return r->owner;
	}
	return NULL;
}

const struct resource *
resource_at(unsigned int i)
{
	return i < RESOURCE_MAX ? &table[i] : NULL;
}
