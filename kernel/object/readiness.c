/* Readiness: signals and bindings (object/readiness.h). */
#include "object/readiness.h"

#include <stddef.h>

#include "themelios/errno.h"

void
readiness_init(struct readiness *r, uint32_t supported)
{
	r->signals = 0;
	r->supported = supported;
	for (size_t i = 0; i < READINESS_BINDINGS; i++)
		r->bind[i].target = NULL;
}

void
readiness_target_init(struct readiness_target *t, struct kobject *obj,
		      void (*signal)(struct readiness_target *t, uint64_t bits))
{
	t->obj = obj;
	t->signal = signal;
	list_init(&t->bindings);
}

void
readiness_update(struct readiness *r, uint32_t clear, uint32_t set)
{
	r->signals = (r->signals & ~clear) | set;
	if (set == 0)
		return;
	for (size_t i = 0; i < READINESS_BINDINGS; i++) {
		struct readiness_binding *b = &r->bind[i];

		if (b->target != NULL && (b->mask & set))
			b->target->signal(b->target, b->bits);
	}
}

static void
binding_clear(struct readiness_binding *b)
{
	struct kobject *obj = b->target->obj;

	list_del(&b->link);
	b->target = NULL;
	b->mask = 0;
	b->bits = 0;
	kobject_unref(obj); /* a destroy waits for the lock section to end */
}

int
readiness_bind(struct readiness *r, struct readiness_target *t, uint32_t mask, uint64_t bits)
{
	struct readiness_binding *b = NULL;

	if (mask == 0 || bits == 0 || (mask & ~r->supported))
		return -E_INVAL;
	for (size_t i = 0; i < READINESS_BINDINGS; i++) {
		if (r->bind[i].target == t) {
			b = &r->bind[i];
			break;
		}
		if (r->bind[i].target == NULL && b == NULL)
			b = &r->bind[i];
	}
	if (b == NULL)
		return -E_BUSY;
	if (b->target == NULL) {
		kobject_ref(t->obj);
		b->target = t;
		b->source = r;
		list_add_tail(&t->bindings, &b->link);
	}
	b->mask = mask;
	b->bits = bits;
	if (r->signals & mask)
		t->signal(t, bits);
	return 0;
}

int
readiness_unbind(struct readiness *r, struct readiness_target *t)
{
	for (size_t i = 0; i < READINESS_BINDINGS; i++)
		if (r->bind[i].target == t) {
			binding_clear(&r->bind[i]);
			return 0;
		}
	return -E_NOENT;
}

void
readiness_unbind_all(struct readiness *r)
{
	for (size_t i = 0; i < READINESS_BINDINGS; i++)
		if (r->bind[i].target != NULL)
			binding_clear(&r->bind[i]);
}

void
readiness_target_drop(struct readiness_target *t)
{
	while (!list_empty(&t->bindings))
		binding_clear(
			container_of(list_first(&t->bindings), struct readiness_binding, link));
}
