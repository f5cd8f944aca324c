/*
 * Capability operations (cap/cap.h): decode and check every argument
 * through cspace_lookup, then act through the derivation tree (cdt.c).
 * Nothing is changed before the last check has passed.
 */
#include <stddef.h>

#include "cap/cdt.h"
#include "cap/cspace.h"
#include "themelios/errno.h"

int
cap_install(struct cspace *cs, uint64_t slot, struct kobject *obj, uint32_t rights, uint64_t badge)
{
	struct cap *dst;
	int err;

	if (obj == NULL || !kobject_type_valid(obj->type) || !cap_rights_valid(rights))
		return -E_INVAL;
	if (badge != 0 && !kobject_type_badgeable(obj->type))
		return -E_TYPE;
	if ((err = cspace_lookup_empty(cs, slot, &dst)) != 0)
		return err;
	cdt_fill(dst, NULL, obj, rights, badge);
	return 0;
}

int
cap_mint(struct cspace *src_cs, uint64_t src_slot, struct cspace *dst_cs, uint64_t dst_slot,
	 uint32_t mask, uint64_t badge)
{
	struct cap *src, *dst;
	int err;

	if (!cap_rights_valid(mask))
		return -E_INVAL;
	err = cspace_lookup(src_cs, src_slot, KOBJ_ANY, CAP_RIGHT_COPY, &src);
	if (err != 0)
		return err;
	if (badge != 0) {
		if (!kobject_type_badgeable(src->type))
			return -E_TYPE;
		/* A badge names a client for good: never re-badge. */
		if (src->badge != 0)
			return -E_PERM;
	} else
		badge = src->badge;
	if ((err = cspace_lookup_empty(dst_cs, dst_slot, &dst)) != 0)
		return err;
	cdt_fill(dst, src, src->obj, src->rights & mask, badge);
	return 0;
}

int
cap_copy(struct cspace *src_cs, uint64_t src_slot, struct cspace *dst_cs, uint64_t dst_slot)
{
	return cap_mint(src_cs, src_slot, dst_cs, dst_slot, CAP_RIGHTS_ALL, 0);
}

int
cap_move(struct cspace *src_cs, uint64_t src_slot, struct cspace *dst_cs, uint64_t dst_slot)
{
	struct cap *src, *dst;
	int err;

	if ((err = cspace_lookup(src_cs, src_slot, KOBJ_ANY, 0, &src)) != 0)
		return err;
	if (src_cs == dst_cs && src_slot == dst_slot)
		return 0;
	if ((err = cspace_lookup_empty(dst_cs, dst_slot, &dst)) != 0)
		return err;
	cdt_move(src, dst);
	return 0;
}

int
cap_delete(struct cspace *cs, uint64_t slot)
{
	struct cap *c;
	int err;

	if ((err = cspace_lookup(cs, slot, KOBJ_ANY, 0, &c)) != 0)
		return err;
	kobject_defer_begin();
	cdt_erase(c);
	kobject_defer_end();
	return 0;
}

int
cap_revoke(struct cspace *cs, uint64_t slot)
{
	struct cap *c;
	int err;

	if ((err = cspace_lookup(cs, slot, KOBJ_ANY, 0, &c)) != 0)
		return err;
	/* Deferred: no destroy callback may clear a cspace mid-walk. */
	kobject_defer_begin();
	cdt_revoke(c);
	kobject_defer_end();
	return 0;
}

int
cap_inspect(struct cspace *cs, uint64_t slot, struct cap_info *info)
{
	struct cap *c;
	int err;

	if ((err = cspace_lookup(cs, slot, KOBJ_ANY, 0, &c)) != 0)
		return err;
	info->type = c->type;
	info->rights = c->rights;
	info->badge = c->badge;
	info->flags = 0;
	if (c->first_child != NULL)
		info->flags |= CAP_INFO_HAS_CHILDREN;
	if (c->parent != NULL)
		info->flags |= CAP_INFO_DERIVED;
	info->reserved = 0;
	return 0;
}

int
cap_transfer(const struct cap *via, struct cspace *src_cs, uint64_t src_slot, struct cspace *dst_cs,
	     uint64_t dst_slot, uint32_t flags)
{
	if (via == NULL || (flags & ~CAP_TRANSFER_MOVE) != 0)
		return -E_INVAL;
	if (via->type != KOBJ_ENDPOINT)
		return -E_TYPE;
	if (!cap_rights_allow(via->rights, CAP_RIGHT_GRANT))
		return -E_PERM;
	if (flags & CAP_TRANSFER_MOVE)
		return cap_move(src_cs, src_slot, dst_cs, dst_slot);
	return cap_copy(src_cs, src_slot, dst_cs, dst_slot);
}
