/*
 * Capability spaces and the one lookup function (cap/cspace.h): every
 * capability argument of every operation is checked here, so a check
 * cannot be forgotten by a caller.
 */
#include <stddef.h>

#include "cap/cdt.h"
#include "cap/cspace.h"
#include "lib/string.h"
#include "themelios/errno.h"

int
cspace_init(struct cspace *cs, struct cap *slots, uint64_t nslots, const struct kobject_ops *ops)
{
	if (slots == NULL || nslots < 2)
		return -E_INVAL;
	memset(slots, 0, nslots * sizeof(*slots));
	kobject_init(&cs->obj, KOBJ_CSPACE, ops);
	cs->slots = slots;
	cs->nslots = nslots;
	cs->closed = false;
	return 0;
}

/* The range check, shared by both lookups; slot 0 is never valid. */
static struct cap *
cspace_slot(struct cspace *cs, uint64_t slot)
{
	if (slot == CSPACE_SLOT_NULL || slot >= cs->nslots)
		return NULL;
	return &cs->slots[slot];
}

int
cspace_lookup(struct cspace *cs, uint64_t slot, uint32_t type, uint32_t rights, struct cap **out)
{
	struct cap *c = cspace_slot(cs, slot);

	if (c == NULL || c->obj == NULL)
		return -E_NOCAP;
	if (type != KOBJ_ANY && c->type != type)
		return -E_TYPE;
	if (!cap_rights_allow(c->rights, rights))
		return -E_PERM;
	*out = c;
	return 0;
}

int
cspace_lookup_empty(struct cspace *cs, uint64_t slot, struct cap **out)
{
	struct cap *c = cspace_slot(cs, slot);

	if (c == NULL)
		return -E_NOCAP;
	if (c->obj != NULL)
		return -E_EXIST;
	if (cs->closed)
		return -E_DEAD;
	*out = c;
	return 0;
}

void
cspace_clear(struct cspace *cs)
{
	uint64_t i;

	kobject_defer_begin();
	for (i = 1; i < cs->nslots; i++)
		if (cs->slots[i].obj != NULL)
			cdt_erase(&cs->slots[i]);
	kobject_defer_end();
}

void
cspace_close(struct cspace *cs)
{
	cs->closed = true;
	cspace_clear(cs);
}
