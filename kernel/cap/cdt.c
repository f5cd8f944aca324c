/*
 * Derivation tree links (cap/cdt.h).  Each capability knows its parent,
 * its first child and its siblings, so every operation touches only the
 * capability, its neighbours and its own children, never a whole cspace.
 */
#include <stddef.h>

#include "cap/cdt.h"
#include "lib/string.h"

void
cdt_fill(struct cap *slot, struct cap *parent, struct kobject *obj, uint32_t rights, uint64_t badge)
{
	slot->obj = obj;
	slot->type = obj->type;
	slot->rights = rights;
	slot->badge = badge;
	slot->parent = parent;
	slot->first_child = NULL;
	slot->prev = NULL;
	slot->next = NULL;
	if (parent != NULL) {
		slot->next = parent->first_child;
		if (slot->next != NULL)
			slot->next->prev = slot;
		parent->first_child = slot;
	}
	kobject_cap_get(obj);
}

void
cdt_move(struct cap *src, struct cap *dst)
{
	struct cap *k;

	*dst = *src;
	if (dst->prev != NULL)
		dst->prev->next = dst;
	else if (dst->parent != NULL)
		dst->parent->first_child = dst;
	if (dst->next != NULL)
		dst->next->prev = dst;
	for (k = dst->first_child; k != NULL; k = k->next)
		k->parent = dst;
	memset(src, 0, sizeof(*src));
}

/* Takes c out of the tree; its children replace it among its siblings. */
static void
cdt_unlink(struct cap *c)
{
	struct cap *p = c->parent, *first = c->first_child;
	struct cap *last = NULL, *k, *next;

	for (k = first; k != NULL; k = k->next) {
		k->parent = p;
		last = k;
	}
	if (p == NULL) {
		/* c was a root: each child becomes a root, without siblings. */
		for (k = first; k != NULL; k = next) {
			next = k->next;
			k->prev = NULL;
			k->next = NULL;
		}
		return;
	}
	if (first != NULL) {
		first->prev = c->prev;
		last->next = c->next;
	}
	if (c->prev != NULL)
		c->prev->next = first != NULL ? first : c->next;
	else
		p->first_child = first != NULL ? first : c->next;
	if (c->next != NULL)
		c->next->prev = first != NULL ? last : c->prev;
}

void
cdt_erase(struct cap *c)
{
	struct kobject *obj = c->obj;

	cdt_unlink(c);
	memset(c, 0, sizeof(*c));
	kobject_cap_put(obj);
}

/*
 * Post-order walk: go down first children to a leaf, erase it, go back
 * to its parent.  Each capability is descended into once and erased
 * once, and every erase is of a leaf (O(1)).
 */
void
cdt_revoke(struct cap *c)
{
	struct cap *n = c->first_child, *p;

	while (n != NULL) {
		if (n->first_child != NULL) {
			n = n->first_child;
			continue;
		}
		p = n->parent;
		cdt_erase(n);
		n = p == c ? c->first_child : p;
	}
}
