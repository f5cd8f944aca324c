/*
 * Readiness (kernel/object/readiness.c): signals, bindings to targets
 * and their lifetimes, against fake targets that count what they get.
 */
#include <string.h>

#include "object/object.h"
#include "object/readiness.h"
#include "themelios/abi.h"
#include "themelios/errno.h"
#include "unit.h"

struct fake_target {
	struct kobject obj;
	struct readiness_target t;
	uint64_t word;	    /* bits ORed in */
	unsigned int fired; /* signal calls */
	unsigned int freed; /* destroy calls */
};

static void
fake_destroy(struct kobject *obj)
{
	((struct fake_target *)obj)->freed++;
}

static const struct kobject_ops fake_ops = { .name = "fake", .destroy = fake_destroy };

static void
fake_signal(struct readiness_target *t, uint64_t bits)
{
	struct fake_target *f = container_of(t, struct fake_target, t);

	f->word |= bits;
	f->fired++;
}

static void
fake_init(struct fake_target *f)
{
	memset(f, 0, sizeof(*f));
	kobject_init(&f->obj, KOBJ_NOTIFICATION, &fake_ops);
	readiness_target_init(&f->t, &f->obj, fake_signal);
}

#define SUPPORTED (SIGNAL_READABLE | SIGNAL_WRITABLE | SIGNAL_PEER_CLOSED)

UNIT_TEST(bind_checks_its_arguments)
{
	struct readiness r;
	struct fake_target a;

	readiness_init(&r, SUPPORTED);
	fake_init(&a);
	CHECK(readiness_bind(&r, &a.t, 0, 1) == -E_INVAL);
	CHECK(readiness_bind(&r, &a.t, SIGNAL_READABLE, 0) == -E_INVAL);
	CHECK(readiness_bind(&r, &a.t, SIGNAL_IRQ, 1) == -E_INVAL);
	CHECK(a.obj.refs == 1);
	CHECK(readiness_unbind(&r, &a.t) == -E_NOENT);
}

UNIT_TEST(assertion_fires_matching_bindings_only)
{
	struct readiness r;
	struct fake_target a, b;

	readiness_init(&r, SUPPORTED);
	fake_init(&a);
	fake_init(&b);
	CHECK(readiness_bind(&r, &a.t, SIGNAL_READABLE, 0x1) == 0);
	CHECK(readiness_bind(&r, &b.t, SIGNAL_WRITABLE | SIGNAL_PEER_CLOSED, 0x30) == 0);
	CHECK(a.obj.refs == 2 && b.obj.refs == 2);
	CHECK(a.fired == 0 && b.fired == 0);
	readiness_update(&r, 0, SIGNAL_READABLE);
	CHECK(a.word == 0x1 && a.fired == 1 && b.fired == 0);
	CHECK(r.signals == SIGNAL_READABLE);
	readiness_update(&r, 0, SIGNAL_PEER_CLOSED);
	CHECK(b.word == 0x30 && b.fired == 1 && a.fired == 1);
	/* Clearing fires nothing. */
	readiness_update(&r, SIGNAL_READABLE | SIGNAL_PEER_CLOSED, 0);
	CHECK(r.signals == 0 && a.fired == 1 && b.fired == 1);
	readiness_unbind_all(&r);
	CHECK(a.obj.refs == 1 && b.obj.refs == 1);
}

UNIT_TEST(every_assertion_fires_even_when_already_asserted)
{
	struct readiness r;
	struct fake_target a;

	readiness_init(&r, SUPPORTED);
	fake_init(&a);
	CHECK(readiness_bind(&r, &a.t, SIGNAL_READABLE, 0x4) == 0);
	readiness_update(&r, 0, SIGNAL_READABLE);
	readiness_update(&r, 0, SIGNAL_READABLE);
	CHECK(a.fired == 2);
	readiness_unbind_all(&r);
}

UNIT_TEST(binding_to_an_asserted_signal_fires_at_once)
{
	struct readiness r;
	struct fake_target a;

	readiness_init(&r, SUPPORTED);
	fake_init(&a);
	readiness_update(&r, 0, SIGNAL_WRITABLE);
	CHECK(readiness_bind(&r, &a.t, SIGNAL_READABLE, 0x1) == 0);
	CHECK(a.fired == 0);
	/* Rebinding the same pair changes it, and fires on the level. */
	CHECK(readiness_bind(&r, &a.t, SIGNAL_WRITABLE, 0x2) == 0);
	CHECK(a.fired == 1 && a.word == 0x2);
	CHECK(a.obj.refs == 2); /* still one binding */
	CHECK(readiness_unbind(&r, &a.t) == 0);
	CHECK(readiness_unbind(&r, &a.t) == -E_NOENT);
	CHECK(a.obj.refs == 1);
}

UNIT_TEST(bindings_are_bounded)
{
	struct readiness r;
	struct fake_target t[READINESS_BINDINGS + 1];

	readiness_init(&r, SUPPORTED);
	for (int i = 0; i <= READINESS_BINDINGS; i++)
		fake_init(&t[i]);
	for (int i = 0; i < READINESS_BINDINGS; i++)
		CHECK(readiness_bind(&r, &t[i].t, SIGNAL_READABLE, 1) == 0);
	CHECK(readiness_bind(&r, &t[READINESS_BINDINGS].t, SIGNAL_READABLE, 1) == -E_BUSY);
	/* One already bound may still change. */
	CHECK(readiness_bind(&r, &t[0].t, SIGNAL_WRITABLE, 2) == 0);
	CHECK(readiness_unbind(&r, &t[1].t) == 0);
	CHECK(readiness_bind(&r, &t[READINESS_BINDINGS].t, SIGNAL_READABLE, 1) == 0);
	readiness_unbind_all(&r);
	for (int i = 0; i <= READINESS_BINDINGS; i++)
		CHECK(t[i].obj.refs == 1);
}

UNIT_TEST(a_target_dying_leaves_every_source)
{
	struct readiness r1, r2;
	struct fake_target a, b;

	readiness_init(&r1, SUPPORTED);
	readiness_init(&r2, SUPPORTED);
	fake_init(&a);
	fake_init(&b);
	CHECK(readiness_bind(&r1, &a.t, SIGNAL_READABLE, 1) == 0);
	CHECK(readiness_bind(&r2, &a.t, SIGNAL_READABLE, 1) == 0);
	CHECK(readiness_bind(&r2, &b.t, SIGNAL_READABLE, 2) == 0);
	CHECK(a.obj.refs == 3);
	readiness_target_drop(&a.t);
	CHECK(a.obj.refs == 1 && b.obj.refs == 2);
	readiness_update(&r1, 0, SIGNAL_READABLE);
	readiness_update(&r2, 0, SIGNAL_READABLE);
	CHECK(a.fired == 0 && b.fired == 1);
	CHECK(readiness_unbind(&r1, &a.t) == -E_NOENT);
	/* The last reference goes with the owner's, not with a binding. */
	kobject_unref(&a.obj);
	CHECK(a.freed == 1);
	readiness_unbind_all(&r2);
	CHECK(b.obj.refs == 1 && b.freed == 0);
	kobject_unref(&b.obj);
	CHECK(b.freed == 1);
}

UNIT_TEST(a_binding_keeps_its_target_alive)
{
	struct readiness r;
	struct fake_target a;

	readiness_init(&r, SUPPORTED);
	fake_init(&a);
	CHECK(readiness_bind(&r, &a.t, SIGNAL_READABLE, 1) == 0);
	kobject_unref(&a.obj); /* the creator's */
	CHECK(a.freed == 0);
	readiness_update(&r, 0, SIGNAL_READABLE);
	CHECK(a.fired == 1);
	readiness_unbind_all(&r);
	CHECK(a.freed == 1);
}

/* Random binds, unbinds, updates and drops against a simple model. */
UNIT_TEST(random_sequences_match_a_model)
{
	enum {
		NT = 6,
		NR = 3,
		STEPS = 20000
	};
	struct readiness r[NR];
	struct fake_target t[NT];
	uint32_t mask[NR][NT];
	uint64_t bits[NR][NT];

	unit_srand(10);
	memset(mask, 0, sizeof(mask));
	memset(bits, 0, sizeof(bits));
	for (int i = 0; i < NR; i++)
		readiness_init(&r[i], SUPPORTED);
	for (int j = 0; j < NT; j++)
		fake_init(&t[j]);
	for (int step = 0; step < STEPS; step++) {
		int i = (int)(unit_rand() % NR), j = (int)(unit_rand() % NT), n = 0;
		uint32_t m = (uint32_t)(unit_rand() % 8);
		uint64_t expect[NT] = { 0 };
		int err;

		switch (unit_rand() % 4) {
		case 0:
			for (int k = 0; k < NT; k++)
				n += mask[i][k] != 0;
			err = readiness_bind(&r[i], &t[j].t, m, 1ull << j);
			if (m == 0) {
				CHECK(err == -E_INVAL);
			} else if (!mask[i][j] && n == READINESS_BINDINGS) {
				CHECK(err == -E_BUSY);
			} else {
				CHECK(err == 0);
				mask[i][j] = m;
				bits[i][j] = 1ull << j;
			}
			break;
		case 1:
			err = readiness_unbind(&r[i], &t[j].t);
			CHECK(err == (mask[i][j] ? 0 : -E_NOENT));
			mask[i][j] = 0;
			break;
		case 2:
			for (int k = 0; k < NT; k++)
				t[k].word = 0;
			readiness_update(&r[i], 0, m);
			for (int k = 0; k < NT; k++)
				if (mask[i][k] & m)
					expect[k] = bits[i][k];
			for (int k = 0; k < NT; k++)
				CHECK(t[k].word == expect[k]);
			readiness_update(&r[i], m, 0);
			break;
		default:
			readiness_target_drop(&t[j].t);
			for (int k = 0; k < NR; k++)
				mask[k][j] = 0;
			break;
		}
		for (int k = 0; k < NT; k++) {
			uint64_t bound = 0;

			for (int q = 0; q < NR; q++)
				bound += mask[q][k] != 0;
			CHECK(t[k].obj.refs == 1 + bound);
		}
	}
	for (int i = 0; i < NR; i++)
		readiness_unbind_all(&r[i]);
	for (int j = 0; j < NT; j++)
		CHECK(t[j].obj.refs == 1 && list_empty(&t[j].t.bindings));
}

UNIT_MAIN();
