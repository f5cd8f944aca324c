/*
 * Capability spaces and the derivation tree: directed tests of every
 * operation and every error (each error must leave everything as it
 * was), object lifetime through the deferred callbacks, deep and wide
 * trees, and long seeded random sequences checked after every step
 * against a flat reference model with explicit parent ids.
 *
 * Test objects are malloc'd and freed by their destroy callback, so any
 * use after destroy is an ASan error.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap.h"
#include "cap/cspace.h"
#include "object/object.h"
#include "themelios/errno.h"
#include "unit.h"

/* ---- test objects and their callback counters ---- */

#define MAXID 2048

static int destroyed[MAXID], lastcaps[MAXID];
static long destroy_seq[MAXID], lastcap_seq[MAXID], seq;
static uintptr_t sp_min, sp_max; /* stack depth of cspace destroys */

struct tobj {
	struct kobject hdr;
	int id;
};

struct tcs {
	struct cspace cs;
	int id;
};

static void
tobj_last_cap(struct kobject *o)
{
	int id = ((struct tobj *)o)->id;

	lastcaps[id]++;
	lastcap_seq[id] = ++seq;
}

static void
tobj_destroy(struct kobject *o)
{
	struct tobj *t = (struct tobj *)o;

	destroyed[t->id]++;
	destroy_seq[t->id] = ++seq;
	free(t);
}

static void
tcs_last_cap(struct kobject *o)
{
	int id = ((struct tcs *)o)->id;

	lastcaps[id]++;
	lastcap_seq[id] = ++seq;
}

static void
tcs_destroy(struct kobject *o)
{
	struct tcs *t = (struct tcs *)o;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	if (sp_min == 0 || sp < sp_min)
		sp_min = sp;
	if (sp > sp_max)
		sp_max = sp;
	cspace_clear(&t->cs);
	destroyed[t->id]++;
	destroy_seq[t->id] = ++seq;
	free(t->cs.slots);
	free(t);
}

static const struct kobject_ops tobj_ops = {
	.name = "test",
	.last_cap = tobj_last_cap,
	.destroy = tobj_destroy,
};
static const struct kobject_ops tcs_ops = {
	.name = "test-cspace",
	.last_cap = tcs_last_cap,
	.destroy = tcs_destroy,
};

static void
counters_reset(void)
{
	memset(destroyed, 0, sizeof(destroyed));
	memset(lastcaps, 0, sizeof(lastcaps));
	memset(destroy_seq, 0, sizeof(destroy_seq));
	memset(lastcap_seq, 0, sizeof(lastcap_seq));
	seq = 0;
	sp_min = sp_max = 0;
}

static struct kobject *
obj_new(int id, enum kobject_type type)
{
	struct tobj *t = malloc(sizeof(*t));

	kobject_init(&t->hdr, type, &tobj_ops);
	t->id = id;
	return &t->hdr;
}

static struct cspace *
cs_new(int id, uint64_t nslots)
{
	struct tcs *t = malloc(sizeof(*t));
	struct cap *slots = malloc(nslots * sizeof(*slots));

	if (cspace_init(&t->cs, slots, nslots, &tcs_ops) != 0)
		abort();
	t->id = id;
	return &t->cs;
}

/* Drops the creator's reference: a live cspace is then cleared first. */
static void
cs_free(struct cspace *cs)
{
	kobject_unref(&cs->obj);
}

static struct cap *
S(struct cspace *cs, uint64_t slot)
{
	return &cs->slots[slot];
}

static bool
slot_zero(const struct cap *c)
{
	static const struct cap zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

/*
 * Structural invariants of the slots of the given cspaces: empty slots
 * are all zero; children point back, share the object, never hold more
 * rights; roots have no siblings; a child is on its parent's list.
 */
static bool
tree_ok(struct cspace **css, int n)
{
	for (int i = 0; i < n; i++) {
		struct cspace *cs = css[i];

		if (cs == NULL)
			continue;
		if (!slot_zero(&cs->slots[0]))
			return false;
		for (uint64_t s = 1; s < cs->nslots; s++) {
			struct cap *c = &cs->slots[s], *k, *prev = NULL;
			bool found = false;

			if (c->obj == NULL) {
				if (!slot_zero(c))
					return false;
				continue;
			}
			if (c->type != c->obj->type)
				return false;
			for (k = c->first_child; k != NULL; k = k->next) {
				if (k->parent != c || k->prev != prev || k->obj != c->obj ||
				    (k->rights & ~c->rights) != 0 ||
				    (c->badge != 0 && k->badge != c->badge))
					return false;
				prev = k;
			}
			if (c->parent == NULL) {
				if (c->prev != NULL || c->next != NULL)
					return false;
				continue;
			}
			for (k = c->parent->first_child; k != NULL; k = k->next)
				if (k == c)
					found = true;
			if (!found)
				return false;
		}
	}
	return true;
}

/* ---- snapshots: an error must change nothing ---- */

#define SNAP_SLOTS 16

struct snap {
	struct cap slots[2][SNAP_SLOTS];
	uint64_t refs[2][SNAP_SLOTS];
	uint64_t ncaps[2][SNAP_SLOTS];
};

static void
snap_take(struct snap *sn, struct cspace *a, struct cspace *b)
{
	struct cspace *css[2] = { a, b };

	memset(sn, 0, sizeof(*sn));
	for (int i = 0; i < 2; i++)
		for (uint64_t s = 0; css[i] && s < css[i]->nslots; s++) {
			struct cap *c = &css[i]->slots[s];

			sn->slots[i][s] = *c;
			if (c->obj) {
				sn->refs[i][s] = c->obj->refs;
				sn->ncaps[i][s] = c->obj->ncaps;
			}
		}
}

static bool
snap_same(struct snap *sn, struct cspace *a, struct cspace *b)
{
	struct snap now;

	snap_take(&now, a, b);
	return memcmp(&now, sn, sizeof(now)) == 0;
}

/* ---- directed tests ---- */

UNIT_TEST(object_refcount_and_destroy_once)
{
	struct kobject *o;

	counters_reset();
	o = obj_new(1, KOBJ_MEMORY);
	CHECK_EQ(o->refs, 1);
	CHECK_EQ(o->ncaps, 0);
	kobject_ref(o);
	kobject_unref(o);
	CHECK_EQ(o->refs, 1);
	CHECK_EQ(destroyed[1], 0);
	kobject_unref(o);
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(lastcaps[1], 0); /* never had a capability */
	CHECK(kobject_reaper_idle());

	/* Deferred: destroy waits for the outermost end. */
	o = obj_new(2, KOBJ_MEMORY);
	kobject_defer_begin();
	kobject_defer_begin();
	kobject_unref(o);
	kobject_defer_end();
	CHECK_EQ(destroyed[2], 0);
	CHECK(!kobject_reaper_idle());
	kobject_defer_end();
	CHECK_EQ(destroyed[2], 1);
	CHECK(kobject_reaper_idle());
}

UNIT_TEST(cspace_init_rejects_bad_storage)
{
	struct cspace cs;
	struct cap slots[2];

	CHECK_EQ(cspace_init(&cs, NULL, 8, &tcs_ops), -E_INVAL);
	CHECK_EQ(cspace_init(&cs, slots, 1, &tcs_ops), -E_INVAL);
	CHECK_EQ(cspace_init(&cs, slots, 0, &tcs_ops), -E_INVAL);
	memset(slots, 0xa5, sizeof(slots));
	CHECK_EQ(cspace_init(&cs, slots, 2, &tcs_ops), 0);
	CHECK(slot_zero(&slots[0]) && slot_zero(&slots[1]));
	CHECK_EQ(cs.obj.type, KOBJ_CSPACE);
	CHECK_EQ(cs.obj.refs, 1);
	CHECK(cspace_of(&cs.obj) == &cs);
}

UNIT_TEST(lookup_checks_range_empty_type_rights)
{
	struct cspace *a;
	struct kobject *ep;
	struct cap *out = NULL;

	counters_reset();
	a = cs_new(100, 8);
	ep = obj_new(1, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0), 0);

	CHECK_EQ(cspace_lookup(a, 0, KOBJ_ANY, 0, &out), -E_NOCAP);
	CHECK_EQ(cspace_lookup(a, 8, KOBJ_ANY, 0, &out), -E_NOCAP);
	CHECK_EQ(cspace_lookup(a, UINT64_MAX, KOBJ_ANY, 0, &out), -E_NOCAP);
	/* Would be slot 1 if the index were truncated to 32 bits. */
	CHECK_EQ(cspace_lookup(a, (1ull << 32) | 1, KOBJ_ANY, 0, &out), -E_NOCAP);
	CHECK_EQ(cspace_lookup(a, 2, KOBJ_ANY, 0, &out), -E_NOCAP);
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_MEMORY, 0, &out), -E_TYPE);
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_NULL, 0, &out), -E_TYPE);
	/* Type is checked before rights. */
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_MEMORY, CAP_RIGHT_GRANT, &out), -E_TYPE);
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_ENDPOINT, CAP_RIGHT_GRANT, &out), -E_PERM);
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_ENDPOINT, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT, &out),
		 -E_PERM);
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_ANY, 0x100, &out), -E_PERM);
	CHECK(out == NULL); /* untouched on error */
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_ENDPOINT, CAP_RIGHT_READ | CAP_RIGHT_WRITE, &out), 0);
	CHECK(out == S(a, 1));
	CHECK_EQ(cspace_lookup(a, 1, KOBJ_ANY, 0, &out), 0);

	CHECK_EQ(cspace_lookup_empty(a, 0, &out), -E_NOCAP);
	CHECK_EQ(cspace_lookup_empty(a, 8, &out), -E_NOCAP);
	CHECK_EQ(cspace_lookup_empty(a, 1, &out), -E_EXIST);
	CHECK_EQ(cspace_lookup_empty(a, 7, &out), 0);
	CHECK(out == S(a, 7));

	kobject_unref(ep);
	cs_free(a);
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(destroyed[100], 1);
}

UNIT_TEST(a_closed_cspace_takes_nothing_in)
{
	struct cspace *a, *b;
	struct kobject *ep, *mem, *via_obj;
	struct cap *out = NULL;

	counters_reset();
	a = cs_new(1, 8);
	b = cs_new(2, 8);
	ep = obj_new(100, KOBJ_ENDPOINT);
	mem = obj_new(101, KOBJ_MEMORY);
	via_obj = obj_new(102, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 2, mem, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 3, via_obj, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 4, &b->obj, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_copy(a, 1, b, 1), 0);

	cspace_close(b);
	CHECK_EQ(lastcaps[100], 0); /* a still holds the endpoint */
	CHECK_EQ(cspace_lookup(b, 1, KOBJ_ANY, 0, &out), -E_NOCAP);
	/* Every way in is refused, after the usual slot checks. */
	CHECK_EQ(cspace_lookup_empty(b, 0, &out), -E_NOCAP);
	CHECK_EQ(cspace_lookup_empty(b, 5, &out), -E_DEAD);
	CHECK_EQ(cap_install(b, 5, mem, CAP_RIGHTS_ALL, 0), -E_DEAD);
	CHECK_EQ(cap_copy(a, 2, b, 5), -E_DEAD);
	CHECK_EQ(cap_mint(a, 1, b, 5, CAP_RIGHT_READ, 7), -E_DEAD);
	CHECK_EQ(cap_move(a, 2, b, 5), -E_DEAD);
	CHECK_EQ(cap_transfer(S(a, 3), a, 2, b, 5, 0), -E_DEAD);
	CHECK_EQ(cap_transfer(S(a, 3), a, 2, b, 5, CAP_TRANSFER_MOVE), -E_DEAD);
	/* Its own capability, the cycle that would never break. */
	CHECK_EQ(cap_copy(a, 4, b, 6), -E_DEAD);
	for (uint64_t i = 1; i < 8; i++)
		CHECK(S(b, i)->obj == NULL);
	CHECK(S(a, 2)->obj == mem); /* the failed move left it */
	/* Taking out still works (a cleared cspace has nothing to give). */
	CHECK_EQ(cap_copy(b, 1, a, 5), -E_NOCAP);

	/* The last capability to b goes: it is destroyed, nothing leaks. */
	CHECK_EQ(cap_delete(a, 4), 0);
	cs_free(b);
	CHECK_EQ(destroyed[2], 1);
	kobject_unref(ep);
	kobject_unref(mem);
	kobject_unref(via_obj);
	cs_free(a);
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(destroyed[100], 1);
	CHECK_EQ(destroyed[101], 1);
	CHECK_EQ(destroyed[102], 1);
}

UNIT_TEST(install_makes_a_root_and_checks_arguments)
{
	struct cspace *a;
	struct kobject *mem, *ep, nul;
	struct snap sn;

	counters_reset();
	a = cs_new(100, 8);
	mem = obj_new(1, KOBJ_MEMORY);
	ep = obj_new(2, KOBJ_ENDPOINT);
	kobject_init(&nul, KOBJ_NULL, &tobj_ops);

	snap_take(&sn, a, NULL);
	CHECK_EQ(cap_install(a, 1, NULL, CAP_RIGHTS_ALL, 0), -E_INVAL);
	CHECK_EQ(cap_install(a, 1, &nul, CAP_RIGHTS_ALL, 0), -E_INVAL);
	CHECK_EQ(cap_install(a, 1, mem, CAP_RIGHTS_ALL | 0x80, 0), -E_INVAL);
	CHECK_EQ(cap_install(a, 1, mem, CAP_RIGHTS_ALL, 9), -E_TYPE);
	CHECK_EQ(cap_install(a, 0, mem, CAP_RIGHTS_ALL, 0), -E_NOCAP);
	CHECK_EQ(cap_install(a, 8, mem, CAP_RIGHTS_ALL, 0), -E_NOCAP);
	CHECK(snap_same(&sn, a, NULL));
	CHECK_EQ(mem->refs, 1);

	CHECK_EQ(cap_install(a, 1, mem, CAP_RIGHT_READ, 0), 0);
	CHECK_EQ(mem->refs, 2);
	CHECK_EQ(mem->ncaps, 1);
	CHECK(S(a, 1)->obj == mem && S(a, 1)->type == KOBJ_MEMORY);
	CHECK(S(a, 1)->rights == CAP_RIGHT_READ && S(a, 1)->badge == 0);
	CHECK(S(a, 1)->parent == NULL);
	snap_take(&sn, a, NULL);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHTS_ALL, 0), -E_EXIST);
	CHECK(snap_same(&sn, a, NULL));
	CHECK_EQ(cap_install(a, 2, ep, CAP_RIGHTS_ALL, 9), 0);
	CHECK_EQ(S(a, 2)->badge, 9);
	CHECK(tree_ok(&a, 1));

	kobject_unref(mem);
	kobject_unref(ep);
	CHECK_EQ(destroyed[1] + destroyed[2], 0); /* caps hold them */
	cs_free(a);
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(destroyed[2], 1);
	CHECK_EQ(lastcaps[1], 1);
	CHECK(lastcap_seq[1] < destroy_seq[1]);
}

UNIT_TEST(copy_makes_a_child_and_errors_change_nothing)
{
	struct cspace *a, *b, *both[2];
	struct kobject *ep;
	struct snap sn;

	counters_reset();
	a = cs_new(100, 8);
	b = cs_new(101, 8);
	both[0] = a;
	both[1] = b;
	ep = obj_new(1, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHTS_ALL, 5), 0);
	CHECK_EQ(cap_install(a, 2, ep, CAP_RIGHT_READ, 0), 0); /* no COPY */

	CHECK_EQ(cap_copy(a, 1, b, 3), 0);
	CHECK(S(b, 3)->obj == ep && S(b, 3)->rights == CAP_RIGHTS_ALL);
	CHECK_EQ(S(b, 3)->badge, 5);
	CHECK(S(b, 3)->parent == S(a, 1) && S(a, 1)->first_child == S(b, 3));
	CHECK_EQ(ep->refs, 4);
	CHECK_EQ(ep->ncaps, 3);
	CHECK_EQ(cap_copy(b, 3, b, 4), 0); /* grandchild */
	CHECK(S(b, 4)->parent == S(b, 3));
	CHECK(tree_ok(both, 2));

	snap_take(&sn, a, b);
	CHECK_EQ(cap_copy(a, 5, b, 5), -E_NOCAP); /* empty source */
	CHECK_EQ(cap_copy(a, 0, b, 5), -E_NOCAP);
	CHECK_EQ(cap_copy(a, 9, b, 5), -E_NOCAP);
	CHECK_EQ(cap_copy(a, 1, b, 0), -E_NOCAP); /* slot 0 */
	CHECK_EQ(cap_copy(a, 1, b, 8), -E_NOCAP);
	CHECK_EQ(cap_copy(a, 1, b, UINT64_MAX), -E_NOCAP);
	CHECK_EQ(cap_copy(a, 1, b, 3), -E_EXIST);
	CHECK_EQ(cap_copy(a, 1, a, 1), -E_EXIST); /* onto itself */
	CHECK_EQ(cap_copy(a, 2, b, 5), -E_PERM);  /* lacks COPY */
	CHECK(snap_same(&sn, a, b));

	cs_free(a);
	CHECK(S(b, 3)->parent == NULL); /* orphans become roots */
	CHECK(tree_ok(&b, 1));
	kobject_unref(ep);
	cs_free(b);
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(lastcaps[1], 1);
}

UNIT_TEST(mint_masks_rights_and_badges_once)
{
	struct cspace *a;
	struct kobject *mem, *ep, *ntf, *rep;
	struct snap sn;
	uint32_t rc = CAP_RIGHT_READ | CAP_RIGHT_COPY;

	counters_reset();
	a = cs_new(100, 16);
	mem = obj_new(1, KOBJ_MEMORY);
	ep = obj_new(2, KOBJ_ENDPOINT);
	ntf = obj_new(3, KOBJ_NOTIFICATION);
	rep = obj_new(4, KOBJ_REPLY);
	CHECK_EQ(cap_install(a, 1, mem, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 2, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 3, ntf, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 4, rep, CAP_RIGHTS_ALL, 0), 0);

	/* Rights are ANDed, and never come back. */
	CHECK_EQ(cap_mint(a, 1, a, 5, rc, 0), 0);
	CHECK_EQ(S(a, 5)->rights, rc);
	CHECK(S(a, 5)->parent == S(a, 1));
	CHECK_EQ(cap_mint(a, 5, a, 6, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(S(a, 6)->rights, rc);
	CHECK_EQ(cap_copy(a, 6, a, 7), 0);
	CHECK_EQ(S(a, 7)->rights, rc);
	CHECK_EQ(cap_mint(a, 7, a, 8, CAP_RIGHT_READ, 0), 0);
	CHECK_EQ(S(a, 8)->rights, CAP_RIGHT_READ);
	snap_take(&sn, a, NULL);
	CHECK_EQ(cap_mint(a, 8, a, 9, CAP_RIGHTS_ALL, 0), -E_PERM);
	CHECK_EQ(cap_mint(a, 1, a, 9, 0x80, 0), -E_INVAL);
	CHECK_EQ(cap_mint(a, 9, a, 10, 0x80, 0), -E_INVAL); /* args first */
	CHECK_EQ(cap_mint(a, 1, a, 9, CAP_RIGHTS_ALL, 1), -E_TYPE);
	CHECK_EQ(cap_mint(a, 4, a, 9, CAP_RIGHTS_ALL, 1), -E_TYPE);
	CHECK_EQ(cap_mint(a, 2, a, 0, CAP_RIGHTS_ALL, 1), -E_NOCAP);
	CHECK_EQ(cap_mint(a, 2, a, 1, CAP_RIGHTS_ALL, 1), -E_EXIST);
	CHECK(snap_same(&sn, a, NULL));

	/* Badges: only on endpoints and notifications, only once. */
	CHECK_EQ(cap_mint(a, 2, a, 9, CAP_RIGHTS_ALL, 7), 0);
	CHECK_EQ(S(a, 9)->badge, 7);
	CHECK_EQ(S(a, 2)->badge, 0);
	CHECK_EQ(cap_mint(a, 3, a, 10, CAP_RIGHT_WRITE | CAP_RIGHT_COPY, UINT64_MAX), 0);
	CHECK(S(a, 10)->badge == UINT64_MAX);
	snap_take(&sn, a, NULL);
	CHECK_EQ(cap_mint(a, 9, a, 11, CAP_RIGHTS_ALL, 8), -E_PERM);
	CHECK_EQ(cap_mint(a, 9, a, 11, CAP_RIGHTS_ALL, 7), -E_PERM);
	CHECK_EQ(cap_mint(a, 10, a, 11, CAP_RIGHTS_ALL, 1), -E_PERM);
	CHECK(snap_same(&sn, a, NULL));
	CHECK_EQ(cap_mint(a, 9, a, 11, CAP_RIGHT_WRITE | CAP_RIGHT_COPY, 0), 0);
	CHECK_EQ(S(a, 11)->badge, 7); /* badge 0 keeps */
	CHECK_EQ(S(a, 11)->rights, CAP_RIGHT_WRITE | CAP_RIGHT_COPY);
	CHECK_EQ(cap_copy(a, 11, a, 12), 0);
	CHECK_EQ(S(a, 12)->badge, 7);
	CHECK(tree_ok(&a, 1));

	kobject_unref(mem);
	kobject_unref(ep);
	kobject_unref(ntf);
	kobject_unref(rep);
	cs_free(a);
	for (int id = 1; id <= 4; id++)
		CHECK_EQ(destroyed[id], 1);
}

UNIT_TEST(move_keeps_the_derivation_position)
{
	struct cspace *a, *b, *both[2];
	struct kobject *ep;
	struct cap *r, *k;
	struct snap sn;
	int n;

	counters_reset();
	a = cs_new(100, 8);
	b = cs_new(101, 8);
	both[0] = a;
	both[1] = b;
	ep = obj_new(1, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_copy(a, 1, a, 2), 0);
	CHECK_EQ(cap_copy(a, 1, b, 2), 0); /* the middle sibling */
	CHECK_EQ(cap_copy(a, 1, a, 3), 0);
	CHECK_EQ(cap_copy(b, 2, b, 4), 0);
	CHECK_EQ(cap_mint(b, 2, b, 5, CAP_RIGHT_READ, 3), 0);
	CHECK(tree_ok(both, 2));

	CHECK_EQ(cap_move(b, 2, a, 7), 0);
	CHECK(slot_zero(S(b, 2)));
	CHECK(S(a, 7)->parent == S(a, 1));
	CHECK(S(b, 4)->parent == S(a, 7) && S(b, 5)->parent == S(a, 7));
	n = 0;
	for (k = S(a, 1)->first_child; k != NULL; k = k->next, n++)
		CHECK(k != S(b, 2));
	CHECK_EQ(n, 3);
	CHECK(tree_ok(both, 2));
	CHECK_EQ(ep->refs, 7);
	CHECK_EQ(ep->ncaps, 6);

	/* Move the root, and a head-of-list sibling. */
	CHECK_EQ(cap_move(a, 1, b, 1), 0);
	r = S(b, 1);
	CHECK(r->parent == NULL && r->first_child != NULL);
	for (k = r->first_child; k != NULL; k = k->next)
		CHECK(k->parent == r);
	CHECK_EQ(cap_move(a, 3, b, 3), 0); /* a[3] was the first child */
	CHECK(r->first_child == S(b, 3));
	CHECK(tree_ok(both, 2));

	snap_take(&sn, a, b);
	CHECK_EQ(cap_move(b, 1, b, 1), 0); /* onto itself: no-op */
	CHECK(snap_same(&sn, a, b));
	CHECK_EQ(cap_move(b, 1, a, 2), -E_EXIST);
	CHECK_EQ(cap_move(b, 6, a, 6), -E_NOCAP);
	CHECK_EQ(cap_move(b, 1, a, 0), -E_NOCAP);
	CHECK_EQ(cap_move(b, 0, b, 0), -E_NOCAP);
	CHECK_EQ(cap_move(b, 1, a, 8), -E_NOCAP);
	CHECK(snap_same(&sn, a, b));

	/* Moving needs no right: a READ-only (no COPY) cap moves. */
	CHECK_EQ(cap_move(b, 5, a, 1), 0);
	CHECK_EQ(S(a, 1)->rights, CAP_RIGHT_READ);
	CHECK_EQ(S(a, 1)->badge, 3);
	CHECK(tree_ok(both, 2));
	CHECK_EQ(ep->refs, 7);

	kobject_unref(ep);
	cs_free(a);
	cs_free(b);
	CHECK_EQ(destroyed[1], 1);
}

UNIT_TEST(delete_reparents_children_so_revoke_still_reaches_them)
{
	struct cspace *a, *b, *both[2];
	struct kobject *mem;

	counters_reset();
	a = cs_new(100, 8);
	b = cs_new(101, 8);
	both[0] = a;
	both[1] = b;
	mem = obj_new(1, KOBJ_MEMORY);
	CHECK_EQ(cap_install(a, 1, mem, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_copy(a, 1, a, 2), 0); /* R -> C */
	CHECK_EQ(cap_copy(a, 2, b, 1), 0); /* C -> G1 */
	CHECK_EQ(cap_copy(a, 2, b, 2), 0); /* C -> G2 */
	CHECK_EQ(cap_copy(a, 1, a, 3), 0); /* R -> D */
	CHECK_EQ(cap_copy(b, 1, b, 3), 0); /* G1 -> H */

	CHECK_EQ(cap_delete(a, 2), 0);
	CHECK(slot_zero(S(a, 2)));
	CHECK(S(b, 1)->parent == S(a, 1) && S(b, 2)->parent == S(a, 1));
	CHECK(S(b, 3)->parent == S(b, 1));
	CHECK(tree_ok(both, 2));
	CHECK_EQ(mem->ncaps, 5);
	CHECK_EQ(cap_delete(a, 2), -E_NOCAP);
	CHECK_EQ(cap_delete(a, 0), -E_NOCAP);
	CHECK_EQ(cap_delete(a, 8), -E_NOCAP);

	CHECK_EQ(cap_revoke(a, 1), 0);
	CHECK(slot_zero(S(b, 1)) && slot_zero(S(b, 2)) && slot_zero(S(b, 3)));
	CHECK(slot_zero(S(a, 3)));
	CHECK(S(a, 1)->obj == mem && S(a, 1)->first_child == NULL);
	CHECK_EQ(mem->ncaps, 1);

	/* Deleting a root with children: each child becomes a root. */
	CHECK_EQ(cap_copy(a, 1, b, 1), 0);
	CHECK_EQ(cap_copy(a, 1, b, 2), 0);
	CHECK_EQ(cap_copy(b, 2, b, 3), 0);
	CHECK_EQ(cap_delete(a, 1), 0);
	CHECK(S(b, 1)->parent == NULL && S(b, 2)->parent == NULL);
	CHECK(S(b, 3)->parent == S(b, 2));
	CHECK(tree_ok(both, 2));

	/* The last capability goes: last_cap, then (no kernel ref) destroy. */
	kobject_unref(mem);
	CHECK_EQ(cap_delete(b, 1), 0);
	CHECK_EQ(cap_delete(b, 2), 0);
	CHECK_EQ(destroyed[1], 0);
	CHECK_EQ(cap_delete(b, 3), 0);
	CHECK_EQ(lastcaps[1], 1);
	CHECK_EQ(destroyed[1], 1);
	CHECK(lastcap_seq[1] < destroy_seq[1]);
	cs_free(a);
	cs_free(b);
}

UNIT_TEST(revoke_removes_descendants_in_every_cspace)
{
	struct cspace *c[3];
	struct kobject *ep;
	struct snap sn;

	counters_reset();
	for (int i = 0; i < 3; i++)
		c[i] = cs_new(100 + i, 16);
	ep = obj_new(1, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(c[0], 1, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(c[2], 9, ep, CAP_RIGHTS_ALL, 0), 0); /* 2nd root */
	CHECK_EQ(cap_mint(c[0], 1, c[1], 1, CAP_RIGHTS_ALL, 11), 0);
	CHECK_EQ(cap_mint(c[0], 1, c[2], 1, CAP_RIGHTS_ALL, 12), 0);
	for (int s = 2; s < 8; s++) {
		CHECK_EQ(cap_copy(c[1], s - 1, c[2], s), 0);
		CHECK_EQ(cap_copy(c[2], s, c[1], s), 0);
		CHECK_EQ(cap_copy(c[2], 1, c[0], s), 0);
	}
	CHECK_EQ(cap_copy(c[2], 9, c[0], 12), 0); /* under the other root */
	CHECK(tree_ok(c, 3));

	/* Revoking a leaf, or a cap without children, changes nothing. */
	snap_take(&sn, c[0], c[1]);
	CHECK_EQ(cap_revoke(c[1], 7), 0);
	CHECK_EQ(cap_revoke(c[0], 12), 0);
	CHECK(snap_same(&sn, c[0], c[1]));
	CHECK_EQ(cap_revoke(c[0], 13), -E_NOCAP);
	CHECK_EQ(cap_revoke(c[0], 0), -E_NOCAP);
	CHECK_EQ(cap_revoke(c[0], 16), -E_NOCAP);

	CHECK_EQ(cap_revoke(c[0], 1), 0);
	for (int i = 0; i < 3; i++)
		for (int s = 1; s < 16; s++) {
			bool keep = (i == 0 && (s == 1 || s == 12)) || (i == 2 && s == 9);

			CHECK(keep ? S(c[i], s)->obj == ep : slot_zero(S(c[i], s)));
		}
	CHECK(S(c[0], 1)->first_child == NULL);
	CHECK(S(c[0], 12)->parent == S(c[2], 9));
	CHECK_EQ(ep->ncaps, 3);
	CHECK_EQ(ep->refs, 4);
	CHECK(tree_ok(c, 3));
	CHECK_EQ(lastcaps[1], 0);
	CHECK(kobject_reaper_idle());

	kobject_unref(ep);
	for (int i = 0; i < 3; i++)
		cs_free(c[i]);
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(lastcaps[1], 1);
}

/* A recursive revoke would need ~100000 frames here. */
UNIT_TEST(revoke_and_delete_deep_and_wide_trees)
{
	enum {
		N = 100000
	};
	struct cspace *a;
	struct kobject *mem;

	counters_reset();
	a = cs_new(100, N + 2);
	mem = obj_new(1, KOBJ_MEMORY);
	CHECK_EQ(cap_install(a, 1, mem, CAP_RIGHTS_ALL, 0), 0);
	for (uint64_t s = 2; s <= N; s++)
		if (cap_copy(a, s - 1, a, s) != 0)
			CHECK(0);
	CHECK_EQ(mem->ncaps, N);
	CHECK_EQ(cap_delete(a, N / 2), 0); /* splice out a middle link */
	CHECK(S(a, N / 2 + 1)->parent == S(a, N / 2 - 1));
	CHECK_EQ(cap_revoke(a, 2), 0);
	CHECK_EQ(mem->ncaps, 2);
	CHECK(S(a, 2)->first_child == NULL && slot_zero(S(a, N)));

	/* Wide: N children of one capability. */
	for (uint64_t s = 3; s <= N; s++)
		if (cap_copy(a, 1, a, s) != 0)
			CHECK(0);
	CHECK_EQ(mem->ncaps, N);
	CHECK_EQ(cap_move(a, 1, a, N + 1), 0); /* re-points N children */
	CHECK(S(a, 3)->parent == S(a, N + 1));
	CHECK_EQ(cap_delete(a, N + 1), 0); /* N children become roots */
	CHECK(S(a, 3)->parent == NULL && S(a, N)->next == NULL);
	CHECK(tree_ok(&a, 1));
	CHECK_EQ(cap_copy(a, 2, a, 1), 0);
	for (uint64_t s = 3; s <= N; s++)
		if (cap_delete(a, s) != 0)
			CHECK(0);
	for (uint64_t s = 3; s <= N; s++)
		if (cap_copy(a, 1, a, s) != 0)
			CHECK(0);
	CHECK_EQ(cap_revoke(a, 2), 0);
	CHECK_EQ(mem->ncaps, 1);
	kobject_unref(mem);
	cs_free(a);
	CHECK_EQ(destroyed[1], 1);
}

UNIT_TEST(last_cap_hook_runs_while_kernel_still_holds_a_reference)
{
	struct cspace *a;
	struct kobject *ep;

	counters_reset();
	a = cs_new(100, 8);
	ep = obj_new(1, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_copy(a, 1, a, 2), 0);
	kobject_ref(ep);   /* a thread blocks on the endpoint */
	kobject_unref(ep); /* the creator lets go */
	CHECK_EQ(cap_delete(a, 2), 0);
	CHECK_EQ(lastcaps[1], 0);
	CHECK_EQ(cap_delete(a, 1), 0);
	CHECK_EQ(lastcaps[1], 1); /* the IPC layer wakes the thread */
	CHECK_EQ(destroyed[1], 0);
	CHECK_EQ(ep->refs, 1);
	/* A new capability and its loss run the hook again. */
	CHECK_EQ(cap_install(a, 3, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_delete(a, 3), 0);
	CHECK_EQ(lastcaps[1], 2);
	kobject_unref(ep); /* the woken thread lets go */
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(lastcaps[1], 2);
	cs_free(a);
}

/* Callbacks run when the outermost region ends, and only if still due. */
UNIT_TEST(last_cap_is_deferred_and_rechecked)
{
	struct cspace *a;
	struct kobject *ep;

	counters_reset();
	a = cs_new(100, 8);
	ep = obj_new(1, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHTS_ALL, 0), 0);

	kobject_defer_begin();
	CHECK_EQ(cap_delete(a, 1), 0);
	CHECK_EQ(lastcaps[1], 0);
	CHECK_EQ(cap_install(a, 2, ep, CAP_RIGHTS_ALL, 0), 0);
	kobject_defer_end();
	CHECK_EQ(lastcaps[1], 0); /* a capability is back: not due */
	CHECK(kobject_reaper_idle());
	CHECK_EQ(ep->refs, 2);

	/* Twice due in one region: queued once, run once. */
	kobject_defer_begin();
	CHECK_EQ(cap_delete(a, 2), 0);
	CHECK_EQ(cap_install(a, 3, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_delete(a, 3), 0);
	CHECK_EQ(ep->refs, 2); /* creator + the queue */
	kobject_defer_end();
	CHECK_EQ(lastcaps[1], 1);
	CHECK_EQ(ep->refs, 1);
	CHECK(kobject_reaper_idle());

	/* Creator's reference dropped inside a region: destroy waits too. */
	CHECK_EQ(cap_install(a, 4, ep, CAP_RIGHTS_ALL, 0), 0);
	kobject_defer_begin();
	kobject_unref(ep);
	CHECK_EQ(cap_delete(a, 4), 0);
	CHECK_EQ(destroyed[1], 0);
	kobject_defer_end();
	CHECK_EQ(lastcaps[1], 2);
	CHECK_EQ(destroyed[1], 1);
	CHECK(lastcap_seq[1] < destroy_seq[1]);
	cs_free(a);
}

UNIT_TEST(cspace_destruction_cascades_without_recursion)
{
	enum {
		CHAIN = 1000
	};
	struct cspace *a, *x, *chain[CHAIN];
	struct kobject *mem, *ep;

	counters_reset();
	a = cs_new(100, 8);
	x = cs_new(101, 8);
	mem = obj_new(1, KOBJ_MEMORY);
	ep = obj_new(2, KOBJ_ENDPOINT);
	CHECK_EQ(cap_install(x, 1, mem, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_copy(x, 1, a, 2), 0); /* a child outside x */
	CHECK_EQ(cap_install(x, 2, ep, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 1, &x->obj, CAP_RIGHTS_ALL, 0), 0);
	kobject_unref(mem);
	kobject_unref(ep);
	kobject_unref(&x->obj);
	CHECK_EQ(destroyed[101], 0);
	CHECK_EQ(cap_delete(a, 1), 0); /* the only cap to x */
	CHECK_EQ(destroyed[101], 1);
	CHECK_EQ(destroyed[2], 1); /* only x named it */
	CHECK_EQ(destroyed[1], 0); /* a[2] still does */
	CHECK(S(a, 2)->parent == NULL);
	CHECK(tree_ok(&a, 1));

	/* x holds the only cap to itself: deleting it frees x afterwards. */
	x = cs_new(102, 4);
	CHECK_EQ(cap_install(x, 1, &x->obj, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_copy(a, 2, x, 2), 0);
	kobject_unref(&x->obj);
	CHECK_EQ(cap_delete(x, 1), 0);
	CHECK_EQ(destroyed[102], 1);
	CHECK(S(a, 2)->first_child == NULL);

	/* A cycle: only clearing breaks it; slots after the self cap too. */
	x = cs_new(103, 4);
	CHECK_EQ(cap_install(x, 1, &x->obj, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_copy(x, 1, x, 2), 0);
	CHECK_EQ(cap_copy(a, 2, x, 3), 0);
	kobject_unref(&x->obj);
	CHECK_EQ(destroyed[103], 0);
	cspace_clear(x);
	CHECK_EQ(destroyed[103], 1);
	CHECK_EQ(lastcaps[103], 1);

	/* c[i] holds the only cap to c[i+1]: one delete frees them all. */
	for (int i = 0; i < CHAIN; i++)
		chain[i] = cs_new(200 + i, 2);
	for (int i = 0; i + 1 < CHAIN; i++) {
		CHECK_EQ(cap_install(chain[i], 1, &chain[i + 1]->obj, CAP_RIGHT_READ, 0), 0);
		kobject_unref(&chain[i + 1]->obj);
	}
	CHECK_EQ(cap_copy(a, 2, chain[CHAIN - 1], 1), 0);
	CHECK_EQ(cap_install(a, 3, &chain[0]->obj, CAP_RIGHTS_ALL, 0), 0);
	kobject_unref(&chain[0]->obj);
	sp_min = sp_max = 0;
	CHECK_EQ(cap_delete(a, 3), 0);
	for (int i = 0; i < CHAIN; i++)
		if (destroyed[200 + i] != 1)
			CHECK(0);
	CHECK(sp_max - sp_min < 1024); /* a queue, not a recursion */
	CHECK(S(a, 2)->first_child == NULL);
	CHECK(kobject_reaper_idle());

	cs_free(a);
	CHECK_EQ(destroyed[1], 1);
	CHECK_EQ(destroyed[100], 1);
}

UNIT_TEST(inspect_reports_type_rights_badge_family)
{
	struct cspace *a;
	struct kobject *ntf;
	struct cap_info info;

	counters_reset();
	a = cs_new(100, 8);
	ntf = obj_new(1, KOBJ_NOTIFICATION);
	CHECK_EQ(cap_install(a, 1, ntf, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_mint(a, 1, a, 2, CAP_RIGHT_WRITE, 42), 0);
	memset(&info, 0xff, sizeof(info));
	CHECK_EQ(cap_inspect(a, 1, &info), 0);
	CHECK_EQ(info.type, KOBJ_NOTIFICATION);
	CHECK_EQ(info.rights, CAP_RIGHTS_ALL);
	CHECK_EQ(info.badge, 0);
	CHECK_EQ(info.flags, CAP_INFO_HAS_CHILDREN);
	CHECK_EQ(info.reserved, 0);
	CHECK_EQ(cap_inspect(a, 2, &info), 0);
	CHECK_EQ(info.rights, CAP_RIGHT_WRITE);
	CHECK_EQ(info.badge, 42);
	CHECK_EQ(info.flags, CAP_INFO_DERIVED);
	CHECK_EQ(cap_inspect(a, 3, &info), -E_NOCAP);
	CHECK_EQ(cap_inspect(a, 0, &info), -E_NOCAP);
	CHECK_EQ(cap_inspect(a, 1ull << 40, &info), -E_NOCAP);
	CHECK_EQ(info.badge, 42); /* untouched on error */
	kobject_unref(ntf);
	cs_free(a);
	CHECK_EQ(destroyed[1], 1);
}

UNIT_TEST(transfer_needs_grant_on_an_endpoint)
{
	struct cspace *a, *b, *both[2];
	struct kobject *ep, *mem, *rep;
	struct cap *via;
	struct snap sn;

	counters_reset();
	a = cs_new(100, 8);
	b = cs_new(101, 8);
	both[0] = a;
	both[1] = b;
	ep = obj_new(1, KOBJ_ENDPOINT);
	mem = obj_new(2, KOBJ_MEMORY);
	rep = obj_new(3, KOBJ_REPLY);
	CHECK_EQ(cap_install(a, 1, ep, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT | CAP_RIGHT_COPY, 0), 0);
	CHECK_EQ(cap_mint(a, 1, a, 2, CAP_RIGHT_WRITE, 0), 0);
	CHECK_EQ(cap_install(a, 3, mem, CAP_RIGHTS_ALL, 0), 0);
	CHECK_EQ(cap_install(a, 4, rep, CAP_RIGHT_WRITE, 0), 0); /* one-shot */

	snap_take(&sn, a, b);
	CHECK_EQ(cap_transfer(NULL, a, 3, b, 1, 0), -E_INVAL);
	CHECK_EQ(cap_transfer(S(a, 1), a, 3, b, 1, 2), -E_INVAL);
	CHECK_EQ(cap_transfer(S(a, 3), a, 3, b, 1, 0), -E_TYPE);
	CHECK_EQ(cap_transfer(S(a, 2), a, 3, b, 1, 0), -E_PERM);
	CHECK_EQ(cap_transfer(S(a, 2), a, 3, b, 1, CAP_TRANSFER_MOVE), -E_PERM);
	CHECK_EQ(cap_transfer(S(a, 1), a, 4, b, 1, 0), -E_PERM); /* no COPY */
	CHECK_EQ(cap_transfer(S(a, 1), a, 5, b, 1, 0), -E_NOCAP);
	CHECK_EQ(cap_transfer(S(a, 1), a, 3, b, 0, 0), -E_NOCAP);
	CHECK(snap_same(&sn, a, b));

	CHECK_EQ(cspace_lookup(a, 1, KOBJ_ENDPOINT, CAP_RIGHT_GRANT, &via), 0);
	CHECK_EQ(cap_transfer(via, a, 3, b, 1, 0), 0);
	CHECK(S(b, 1)->parent == S(a, 3) && S(b, 1)->obj == mem);
	CHECK_EQ(cap_transfer(via, a, 4, b, 2, CAP_TRANSFER_MOVE), 0);
	CHECK(slot_zero(S(a, 4)) && S(b, 2)->obj == rep);
	CHECK_EQ(cap_transfer(via, b, 2, b, 1, CAP_TRANSFER_MOVE), -E_EXIST);
	/* The endpoint capability may travel through itself. */
	CHECK_EQ(cap_transfer(via, a, 1, b, 3, CAP_TRANSFER_MOVE), 0);
	CHECK(S(b, 3)->obj == ep && S(a, 2)->parent == S(b, 3));
	CHECK(tree_ok(both, 2));

	kobject_unref(ep);
	kobject_unref(mem);
	kobject_unref(rep);
	cs_free(a);
	cs_free(b);
	for (int id = 1; id <= 3; id++)
		CHECK_EQ(destroyed[id], 1);
}

/* ---- random sequences against a reference model ---- */

#define R_NCS	 6 /* cspaces 0..3 pinned by the test */
#define R_PINNED 4
#define R_NSLOTS 20
#define R_NOBJ	 10
#define R_NALL	 (R_NOBJ + R_NCS) /* cspace i is object R_NOBJ+i */
#define R_NGID	 (R_NCS * R_NSLOTS)
#define R_ROUNDS 100
#define R_OPS	 2000

struct mcap {
	int obj; /* -1: empty */
	uint32_t rights;
	uint64_t badge;
	int parent; /* gid, -1: root */
};

struct mobj {
	uint32_t type;
	int caps;
	int krefs;
	bool dead;
	int lastcap;
};

static struct mcap mc[R_NGID];
static struct mobj mo[R_NALL];
static struct kobject *optr[R_NALL];
static struct cspace *rcs[R_NCS];
static char why[160];
static long kind_ok[12], kind_err[12]; /* per operation kind */
static long cs_deaths;

static int
gid(int cs, uint64_t slot)
{
	return cs * R_NSLOTS + (int)slot;
}

static bool
cs_alive(int cs)
{
	return !mo[R_NOBJ + cs].dead;
}

static int
m_slot_err(uint64_t slot)
{
	return slot == 0 || slot >= R_NSLOTS ? -E_NOCAP : 0;
}

static int
m_lookup(int cs, uint64_t slot, uint32_t type, uint32_t rights)
{
	struct mcap *m;

	if (m_slot_err(slot) != 0 || mc[gid(cs, slot)].obj < 0)
		return -E_NOCAP;
	m = &mc[gid(cs, slot)];
	if (type != KOBJ_ANY && mo[m->obj].type != type)
		return -E_TYPE;
	if ((m->rights & rights) != rights)
		return -E_PERM;
	return 0;
}

static int
m_empty(int cs, uint64_t slot)
{
	if (m_slot_err(slot) != 0)
		return -E_NOCAP;
	return mc[gid(cs, slot)].obj >= 0 ? -E_EXIST : 0;
}

static void
m_erase(int g)
{
	int o = mc[g].obj;

	for (int k = 0; k < R_NGID; k++)
		if (mc[k].obj >= 0 && mc[k].parent == g)
			mc[k].parent = mc[g].parent;
	mc[g].obj = -1;
	mc[g].parent = -1;
	mc[g].rights = 0;
	mc[g].badge = 0;
	if (--mo[o].caps == 0)
		mo[o].lastcap++;
}

static void
m_clear(int cs)
{
	for (int s = 1; s < R_NSLOTS; s++)
		if (mc[gid(cs, s)].obj >= 0)
			m_erase(gid(cs, s));
}

/* Objects with no reference die; a dying cspace deletes its slots. */
static void
m_settle(void)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (int o = 0; o < R_NALL; o++) {
			if (mo[o].dead || mo[o].caps > 0 || mo[o].krefs > 0)
				continue;
			mo[o].dead = true;
			changed = true;
			if (o >= R_NOBJ)
				m_clear(o - R_NOBJ);
		}
	}
}

static int
m_mint(int scs, uint64_t ss, int dcs, uint64_t ds, uint32_t mask, uint64_t badge)
{
	struct mcap *src;
	int err;

	if (mask & ~CAP_RIGHTS_ALL)
		return -E_INVAL;
	if ((err = m_lookup(scs, ss, KOBJ_ANY, CAP_RIGHT_COPY)) != 0)
		return err;
	src = &mc[gid(scs, ss)];
	if (badge != 0) {
		if (!kobject_type_badgeable(mo[src->obj].type))
			return -E_TYPE;
		if (src->badge != 0)
			return -E_PERM;
	}
	if ((err = m_empty(dcs, ds)) != 0)
		return err;
	mc[gid(dcs, ds)] = (struct mcap){ src->obj, src->rights & mask,
					  badge != 0 ? badge : src->badge, gid(scs, ss) };
	mo[src->obj].caps++;
	return 0;
}

static int
m_move(int scs, uint64_t ss, int dcs, uint64_t ds)
{
	int err, sg, dg;

	if ((err = m_lookup(scs, ss, KOBJ_ANY, 0)) != 0)
		return err;
	if (scs == dcs && ss == ds)
		return 0;
	if ((err = m_empty(dcs, ds)) != 0)
		return err;
	sg = gid(scs, ss);
	dg = gid(dcs, ds);
	mc[dg] = mc[sg];
	for (int k = 0; k < R_NGID; k++)
		if (mc[k].obj >= 0 && mc[k].parent == sg)
			mc[k].parent = dg;
	mc[sg] = (struct mcap){ -1, 0, 0, -1 };
	return 0;
}

static int
m_revoke(int cs, uint64_t slot)
{
	bool mark[R_NGID] = { false };
	bool changed = true;
	int err, root = gid(cs, slot);

	if ((err = m_lookup(cs, slot, KOBJ_ANY, 0)) != 0)
		return err;
	while (changed) {
		changed = false;
		for (int k = 0; k < R_NGID; k++)
			if (mc[k].obj >= 0 && !mark[k] && mc[k].parent >= 0 &&
			    (mc[k].parent == root || mark[mc[k].parent])) {
				mark[k] = true;
				changed = true;
			}
	}
	for (int k = 0; k < R_NGID; k++)
		if (mark[k])
			m_erase(k);
	return 0;
}

static struct cap *
gptr(int g)
{
	return &rcs[g / R_NSLOTS]->slots[g % R_NSLOTS];
}

static bool
fail(const char *what, int a, int b)
{
	snprintf(why, sizeof(why), "%s (%d, %d)", what, a, b);
	return false;
}

static bool
check_all(void)
{
	struct cspace *live[R_NCS];

	for (int i = 0; i < R_NCS; i++) {
		live[i] = cs_alive(i) ? rcs[i] : NULL;
		if (live[i] == NULL)
			continue;
		for (int s = 0; s < R_NSLOTS; s++) {
			struct cap *c = &rcs[i]->slots[s];
			struct mcap *m = &mc[gid(i, s)];

			if (m->obj < 0) {
				if (!slot_zero(c))
					return fail("slot not empty", i, s);
				continue;
			}
			if (c->obj != optr[m->obj] || c->rights != m->rights ||
			    c->badge != m->badge || c->type != mo[m->obj].type)
				return fail("slot contents", i, s);
			if (c->parent != (m->parent < 0 ? NULL : gptr(m->parent)))
				return fail("parent", i, s);
		}
	}
	if (!tree_ok(live, R_NCS))
		return fail("tree invariants", 0, 0);
	for (int o = 0; o < R_NALL; o++) {
		int id = o < R_NOBJ ? o : 100 + o - R_NOBJ;

		if (destroyed[id] != (mo[o].dead ? 1 : 0))
			return fail("destroy count", o, destroyed[id]);
		if (lastcaps[id] != mo[o].lastcap)
			return fail("last_cap count", o, lastcaps[id]);
		if (mo[o].dead)
			continue;
		if (optr[o]->ncaps != (uint64_t)mo[o].caps ||
		    optr[o]->refs != (uint64_t)(mo[o].caps + mo[o].krefs))
			return fail("reference counts", o, (int)optr[o]->refs);
	}
	if (!kobject_reaper_idle())
		return fail("reaper busy", 0, 0);
	return true;
}

static int
pick_cs(void)
{
	int cs;

	do
		cs = (int)(unit_rand() % R_NCS);
	while (!cs_alive(cs));
	return cs;
}

/* Mostly a valid slot, biased to occupied ones; sometimes garbage. */
static uint64_t
pick_slot(int cs, bool occupied)
{
	uint64_t r = unit_rand() % 100;

	if (r < 3)
		return 0;
	if (r < 6)
		return R_NSLOTS + unit_rand() % 3;
	if (r < 8)
		return (unit_rand() & 1) ? UINT64_MAX : (1ull << 32) | (unit_rand() % 4);
	if (occupied && r < 70)
		for (int tries = 0; tries < 8; tries++) {
			uint64_t s = 1 + unit_rand() % (R_NSLOTS - 1);

			if (mc[gid(cs, s)].obj >= 0)
				return s;
		}
	return 1 + unit_rand() % (R_NSLOTS - 1);
}

static uint32_t
pick_rights(void)
{
	uint32_t r = (uint32_t)unit_rand() & CAP_RIGHTS_ALL;

	if (unit_rand() % 4 == 0)
		r |= CAP_RIGHT_COPY;
	if (unit_rand() % 40 == 0)
		r |= 1u << (5 + unit_rand() % 20);
	return r;
}

static uint64_t
pick_badge(void)
{
	return unit_rand() % 3 == 0 ? 1 + unit_rand() % 5 : 0;
}

static int
pick_obj(void)
{
	int o;

	for (int tries = 0; tries < 32; tries++) {
		o = (int)(unit_rand() % R_NALL);
		if (!mo[o].dead)
			return o;
	}
	return -1;
}

static void
round_setup(void)
{
	static const uint32_t types[R_NOBJ] = {
		KOBJ_ENDPOINT, KOBJ_NOTIFICATION, KOBJ_MEMORY,	KOBJ_THREAD, KOBJ_REPLY,
		KOBJ_ENDPOINT, KOBJ_MEMORY,	  KOBJ_PROCESS, KOBJ_IRQ,    KOBJ_ADDRESS_SPACE,
	};

	counters_reset();
	for (int g = 0; g < R_NGID; g++)
		mc[g] = (struct mcap){ -1, 0, 0, -1 };
	for (int o = 0; o < R_NALL; o++) {
		if (o < R_NOBJ) {
			optr[o] = obj_new(o, types[o]);
		} else {
			rcs[o - R_NOBJ] = cs_new(100 + o - R_NOBJ, R_NSLOTS);
			optr[o] = &rcs[o - R_NOBJ]->obj;
		}
		mo[o] = (struct mobj){ optr[o]->type, 0, 1, false, 0 };
	}
}

/* One random operation on both sides; returns false on a mismatch. */
static bool
step(void)
{
	int op = (int)(unit_rand() % 100), cs = pick_cs(), dcs = pick_cs();
	uint64_t s = pick_slot(cs, true), d = pick_slot(dcs, false);
	int got, want, o, kind, alive = 0;
	struct cap *out;
	static const int bounds[12] = { 10, 26, 42, 54, 64, 70, 78, 82, 85, 89, 90, 100 };

	for (kind = 0; op >= bounds[kind]; kind++)
		;
	for (int i = 0; i < R_NCS; i++)
		alive += cs_alive(i);

	if (op < 10) { /* install */
		uint32_t rights = pick_rights();
		uint64_t badge = pick_badge();

		if ((o = pick_obj()) < 0)
			return true;
		want = !cap_rights_valid(rights)			   ? -E_INVAL
		       : badge != 0 && !kobject_type_badgeable(mo[o].type) ? -E_TYPE
									   : m_empty(dcs, d);
		got = cap_install(rcs[dcs], d, optr[o], rights, badge);
		if (want == 0) {
			mc[gid(dcs, d)] = (struct mcap){ o, rights, badge, -1 };
			mo[o].caps++;
		}
	} else if (op < 26) { /* copy */
		want = m_mint(cs, s, dcs, d, CAP_RIGHTS_ALL, 0);
		got = cap_copy(rcs[cs], s, rcs[dcs], d);
	} else if (op < 42) { /* mint */
		uint32_t mask = pick_rights();
		uint64_t badge = pick_badge();

		want = m_mint(cs, s, dcs, d, mask, badge);
		got = cap_mint(rcs[cs], s, rcs[dcs], d, mask, badge);
	} else if (op < 54) { /* move */
		if (unit_rand() % 10 == 0) {
			dcs = cs;
			d = s;
		}
		want = m_move(cs, s, dcs, d);
		got = cap_move(rcs[cs], s, rcs[dcs], d);
	} else if (op < 64) { /* delete */
		want = m_lookup(cs, s, KOBJ_ANY, 0);
		if (want == 0)
			m_erase(gid(cs, s));
		got = cap_delete(rcs[cs], s);
	} else if (op < 70) { /* revoke */
		want = m_revoke(cs, s);
		got = cap_revoke(rcs[cs], s);
	} else if (op < 78) { /* lookup */
		uint32_t type = unit_rand() % 4 == 0 ? KOBJ_ANY
						     : (uint32_t)(unit_rand() % (KOBJ_NTYPES + 1));
		uint32_t rights = (uint32_t)unit_rand() & 0x3f & (uint32_t)unit_rand();

		out = NULL;
		want = m_lookup(cs, s, type, rights);
		got = cspace_lookup(rcs[cs], s, type, rights, &out);
		if (got == 0 && out != gptr(gid(cs, s)))
			return fail("lookup pointer", cs, (int)s);
	} else if (op < 82) { /* inspect */
		struct cap_info info;

		want = m_lookup(cs, s, KOBJ_ANY, 0);
		got = cap_inspect(rcs[cs], s, &info);
		if (want == 0 && got == 0) {
			struct mcap *m = &mc[gid(cs, s)];
			uint32_t flags = m->parent >= 0 ? CAP_INFO_DERIVED : 0;

			for (int k = 0; k < R_NGID; k++)
				if (mc[k].obj >= 0 && mc[k].parent == gid(cs, s))
					flags |= CAP_INFO_HAS_CHILDREN;
			if (info.type != mo[m->obj].type || info.rights != m->rights ||
			    info.badge != m->badge || info.flags != flags)
				return fail("inspect", cs, (int)s);
		}
	} else if (op < 85) { /* kernel ref */
		if ((o = pick_obj()) < 0)
			return true;
		kobject_ref(optr[o]);
		mo[o].krefs++;
		want = got = 0;
	} else if (op < 89) { /* kernel unref */
		if ((o = pick_obj()) < 0)
			return true;
		if (mo[o].krefs <= (o >= R_NOBJ && o < R_NOBJ + R_PINNED))
			return true;
		mo[o].krefs--;
		kobject_unref(optr[o]);
		want = got = 0;
	} else if (op < 90) { /* clear a whole cspace */
		m_clear(cs);
		cspace_clear(rcs[cs]);
		want = got = 0;
	} else { /* transfer through an endpoint */
		uint64_t vs = pick_slot(cs, true);
		struct cap *via = NULL;
		struct mcap *vm = NULL;
		uint32_t flags = unit_rand() % 2 ? CAP_TRANSFER_MOVE : 0;

		if (unit_rand() % 30 == 0)
			flags |= 4;
		/* Mostly go through a granting endpoint when there is one. */
		for (uint64_t k = unit_rand() % 4 ? 1 : R_NSLOTS; k < R_NSLOTS; k++)
			if (m_lookup(cs, k, KOBJ_ENDPOINT, CAP_RIGHT_GRANT) == 0) {
				vs = k;
				break;
			}
		if (m_slot_err(vs) == 0 && mc[gid(cs, vs)].obj >= 0) {
			via = gptr(gid(cs, vs));
			vm = &mc[gid(cs, vs)];
		}
		if (vm == NULL || (flags & ~CAP_TRANSFER_MOVE))
			want = -E_INVAL;
		else if (mo[vm->obj].type != KOBJ_ENDPOINT)
			want = -E_TYPE;
		else if (!(vm->rights & CAP_RIGHT_GRANT))
			want = -E_PERM;
		else if (flags & CAP_TRANSFER_MOVE)
			want = m_move(cs, s, dcs, d);
		else
			want = m_mint(cs, s, dcs, d, CAP_RIGHTS_ALL, 0);
		got = cap_transfer(via, rcs[cs], s, rcs[dcs], d, flags);
	}
	m_settle();
	if (got != want)
		return fail("result", op, got * 100 + want);
	if (got == 0)
		kind_ok[kind]++;
	else
		kind_err[kind]++;
	for (int i = 0; i < R_NCS; i++)
		alive -= cs_alive(i);
	cs_deaths += alive;
	return check_all();
}

/* Everything goes: each object must be destroyed exactly once. */
static bool
round_teardown(void)
{
	for (int i = 0; i < R_NCS; i++)
		if (cs_alive(i)) {
			m_clear(i);
			cspace_clear(rcs[i]);
			m_settle();
			if (!check_all())
				return false;
		}
	for (int o = 0; o < R_NALL; o++)
		while (!mo[o].dead && mo[o].krefs > 0) {
			mo[o].krefs--;
			kobject_unref(optr[o]);
			m_settle();
			if (!check_all())
				return false;
		}
	for (int o = 0; o < R_NALL; o++)
		if (!mo[o].dead)
			return fail("object survived teardown", o, 0);
	return true;
}

UNIT_TEST(random_sequences_match_the_reference_model)
{
	long ops = 0, leftover = 0;
	bool good = true;

	for (int round = 0; round < R_ROUNDS && good; round++) {
		unit_srand(0x9e3779b97f4a7c15ull ^ (uint64_t)(round + 1) * 7919);
		round_setup();
		for (int i = 0; i < R_OPS && good; i++, ops++) {
			good = step();
			if (!good)
				printf("  round %d op %d: %s\n", round, i, why);
		}
		if (good && !(good = round_teardown()))
			printf("  round %d teardown: %s\n", round, why);
		for (int g = 0; g < R_NGID; g++)
			leftover += mc[g].obj >= 0;
	}
	CHECK(good);
	CHECK(ops == (long)R_ROUNDS * R_OPS);
	CHECK_EQ(leftover, 0);
	/* The mix must really exercise both outcomes of every operation
	 * (kinds 8-10 cannot fail) and cspaces dying mid-sequence. */
	printf("  %ld ops; ok/err per kind:", ops);
	for (int k = 0; k < 12; k++)
		printf(" %ld/%ld", kind_ok[k], kind_err[k]);
	printf("; %ld cspaces died mid-round\n", cs_deaths);
	for (int k = 0; k < 12; k++) {
		CHECK(kind_ok[k] > 200);
		CHECK(k >= 8 && k <= 10 ? kind_err[k] == 0 : kind_err[k] > 200);
	}
	CHECK(cs_deaths > 10);
}

UNIT_MAIN()
