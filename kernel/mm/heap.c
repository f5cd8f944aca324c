/*
 * Invariants: a slab is on partial[cls] exactly when 0 < inuse < nobj,
 * or it is empty[cls], or it is full and on no list.  A page's metadata
 * slot points to the descriptor of the slab or large allocation that
 * starts there, or to the descriptor pool's marker, or is NULL.
 */
#include "mm/heap.h"

#include <stdbool.h>

#include "lib/string.h"
#include "themelios/errno.h"

#define MAX_OBJS (HEAP_PAGE_SIZE / HEAP_MIN_CLASS)
#define POISON	 0x6b
#define REDZONE	 0xcb

enum desc_kind {
	DESC_FREE,
	DESC_SLAB,
	DESC_LARGE
};

struct slab {
	uint8_t kind;
	uint8_t cls;
	uint16_t inuse;
	uint16_t nobj;
	struct slab *prev, *next;
	uint8_t *page;
	uint64_t freemask[MAX_OBJS / 64]; /* 1 = free */
#ifdef HEAP_DEBUG
	uint16_t req[MAX_OBJS]; /* requested size of each live object */
#endif
};

struct large {
	uint8_t kind;
	size_t npages;
	size_t req;
	uint8_t *mem;
};

union heap_desc {
	uint8_t kind;
	struct slab slab;
	struct large large;
	struct {
		uint8_t kind;
		union heap_desc *next;
	} free;
};

/* The metadata of descriptor-pool pages: never a valid allocation. */
static char pool_marker;

static size_t
class_size(unsigned int cls)
{
	return (size_t)HEAP_MIN_CLASS << cls;
}

static int
size_class(size_t size)
{
	for (unsigned int c = 0; c < HEAP_NCLASSES; c++)
		if (size <= class_size(c))
			return (int)c;
	return -1;
}

void
heap_init(struct heap *h, const struct heap_backend *be)
{
	memset(h, 0, sizeof(*h));
	h->be = be;
}

static void *
pages_get(struct heap *h, size_t n)
{
	void *p = h->be->alloc_pages(h->be->ctx, n);

	if (p)
		h->stats.pages += n;
	return p;
}

static void
pages_put(struct heap *h, void *p, size_t n)
{
	*h->be->page_meta(h->be->ctx, p) = NULL;
	h->be->free_pages(h->be->ctx, p, n);
	h->stats.pages -= n;
}

/* Descriptors come from pool pages carved into equal records; pool pages
 * are never returned (descriptors are few and reused). */
static union heap_desc *
desc_get(struct heap *h)
{
	union heap_desc *d;

	if (!h->free_descs) {
		uint8_t *page = pages_get(h, 1);
		size_t n = HEAP_PAGE_SIZE / sizeof(union heap_desc);

		if (!page)
			return NULL;
		*h->be->page_meta(h->be->ctx, page) = &pool_marker;
		h->stats.desc_pages++;
		for (size_t i = 0; i < n; i++) {
			d = (union heap_desc *)(page + i * sizeof(union heap_desc));
			d->free.kind = DESC_FREE;
			d->free.next = h->free_descs;
			h->free_descs = d;
		}
	}
	d = h->free_descs;
	h->free_descs = d->free.next;
	return d;
}

static void
desc_put(struct heap *h, union heap_desc *d)
{
	d->free.kind = DESC_FREE;
	d->free.next = h->free_descs;
	h->free_descs = d;
}

static void
list_push(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void
list_remove(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

static struct slab *
slab_new(struct heap *h, unsigned int cls)
{
	union heap_desc *d = desc_get(h);
	struct slab *s;
	uint8_t *page;

	if (!d)
		return NULL;
	page = pages_get(h, 1);
	if (!page) {
		desc_put(h, d);
		return NULL;
	}
	s = &d->slab;
	memset(s, 0, sizeof(*s));
	s->kind = DESC_SLAB;
	s->cls = (uint8_t)cls;
	s->page = page;
	s->nobj = (uint16_t)(HEAP_PAGE_SIZE / class_size(cls));
	for (unsigned int i = 0; i < s->nobj; i++)
		s->freemask[i / 64] |= 1ull << (i % 64);
#ifdef HEAP_DEBUG
	memset(page, POISON, HEAP_PAGE_SIZE);
#endif
	*h->be->page_meta(h->be->ctx, page) = d;
	h->stats.slabs++;
	return s;
}

static void
slab_release(struct heap *h, struct slab *s)
{
	pages_put(h, s->page, 1);
	h->stats.slabs--;
	desc_put(h, (union heap_desc *)s);
}

#ifdef HEAP_DEBUG
typedef uint64_t __attribute__((may_alias)) heap_word;

/* Is every byte of [p, p + n) v?  A word at a time where aligned: every
 * slab allocation and free checks its poison or red zone with it (a
 * 4 KiB object is 512 loads, not 4096). */
static bool
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	heap_word w = v * (heap_word)0x0101010101010101ull;

	for (; n && ((uintptr_t)p & (sizeof(w) - 1)); n--, p++)
		if (*p != v)
			return false;
	for (; n >= sizeof(w); n -= sizeof(w), p += sizeof(w))
		if (*(const heap_word *)(const void *)p != w)
			return false;
	for (; n; n--, p++)
		if (*p != v)
			return false;
	return true;
}
#endif

static void *
slab_alloc(struct heap *h, unsigned int cls, size_t size)
{
	struct slab *s = h->partial[cls];
	unsigned int i = 0;
	uint8_t *obj;

	if (!s) {
		if (h->empty[cls]) {
			s = h->empty[cls];
			h->empty[cls] = NULL;
		} else if (!(s = slab_new(h, cls))) {
			return NULL;
		}
		list_push(&h->partial[cls], s);
	}
	for (unsigned int w = 0; w < MAX_OBJS / 64; w++) {
		if (s->freemask[w]) {
			i = w * 64 + (unsigned int)__builtin_ctzll(s->freemask[w]);
			break;
		}
	}
	s->freemask[i / 64] &= ~(1ull << (i % 64));
	if (++s->inuse == s->nobj)
		list_remove(&h->partial[cls], s);
	obj = s->page + i * class_size(cls);
#ifdef HEAP_DEBUG
	/* A write to a freed object shows up here, one allocation later. */
	if (!all_bytes(obj, class_size(cls), POISON))
		h->stats.corruptions++;
	s->req[i] = (uint16_t)size;
	memset(obj + size, REDZONE, class_size(cls) - size);
#endif
	(void)size;
	return obj;
}

static void *
large_alloc(struct heap *h, size_t size)
{
	size_t npages;
	union heap_desc *d;
	uint8_t *mem;

	if (size > SIZE_MAX / 2)
		return NULL;
	npages = (size + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
	if (!(d = desc_get(h)))
		return NULL;
	if (!(mem = pages_get(h, npages))) {
		desc_put(h, d);
		return NULL;
	}
	d->large = (struct large){ DESC_LARGE, npages, size, mem };
	*h->be->page_meta(h->be->ctx, mem) = d;
#ifdef HEAP_DEBUG
	memset(mem + size, REDZONE, npages * HEAP_PAGE_SIZE - size);
#endif
	h->stats.large++;
	return mem;
}

void *
heap_alloc(struct heap *h, size_t size)
{
	int cls = size_class(size);
	void *p;

	if (size == 0)
		return NULL;
	p = cls >= 0 ? slab_alloc(h, (unsigned int)cls, size) : large_alloc(h, size);
	if (p) {
		h->stats.live++;
		h->stats.live_bytes += size;
	}
	return p;
}

void *
heap_calloc(struct heap *h, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = heap_alloc(h, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

/* The descriptor of the allocation starting at p, or NULL if there is none. */
static union heap_desc *
lookup(struct heap *h, const void *p, unsigned int *index)
{
	const uint8_t *page = (const uint8_t *)((uintptr_t)p & ~(uintptr_t)(HEAP_PAGE_SIZE - 1));
	void **meta = h->be->page_meta(h->be->ctx, page);
	union heap_desc *d;

	if (!meta || !*meta || *meta == &pool_marker)
		return NULL;
	d = *meta;
	if (d->kind == DESC_LARGE)
		return p == d->large.mem ? d : NULL;
	if (d->kind != DESC_SLAB)
		return NULL;
	size_t off = (size_t)((const uint8_t *)p - page);
	if (off % class_size(d->slab.cls) || off / class_size(d->slab.cls) >= d->slab.nobj)
		return NULL;
	*index = (unsigned int)(off / class_size(d->slab.cls));
	return d;
}

static size_t
requested_size(union heap_desc *d, unsigned int i)
{
	if (d->kind == DESC_LARGE)
		return d->large.req;
#ifdef HEAP_DEBUG
	return d->slab.req[i];
#else
	(void)i;
	return class_size(d->slab.cls);
#endif
}

static int
large_free(struct heap *h, struct large *l)
{
	int err = 0;

#ifdef HEAP_DEBUG
	if (!all_bytes(l->mem + l->req, l->npages * HEAP_PAGE_SIZE - l->req, REDZONE)) {
		h->stats.corruptions++;
		err = -E_CORRUPT;
	}
#endif
	h->stats.live_bytes -= l->req;
	pages_put(h, l->mem, l->npages);
	h->stats.large--;
	desc_put(h, (union heap_desc *)l);
	return err;
}

static int
slab_free(struct heap *h, struct slab *s, unsigned int i)
{
	size_t csize = class_size(s->cls);
	uint8_t *obj = s->page + i * csize;
	int err = 0;

	if (s->freemask[i / 64] & (1ull << (i % 64))) {
		h->stats.bad_frees++;
		return -E_NOENT;
	}
#ifdef HEAP_DEBUG
	if (!all_bytes(obj + s->req[i], csize - s->req[i], REDZONE)) {
		h->stats.corruptions++;
		err = -E_CORRUPT;
	}
	h->stats.live_bytes -= s->req[i];
	s->req[i] = 0;
	memset(obj, POISON, csize);
#else
	h->stats.live_bytes -= csize;
	(void)obj;
#endif
	s->freemask[i / 64] |= 1ull << (i % 64);
	if (s->inuse-- == s->nobj)
		list_push(&h->partial[s->cls], s);
	if (s->inuse == 0) {
		list_remove(&h->partial[s->cls], s);
		if (!h->empty[s->cls])
			h->empty[s->cls] = s;
		else
			slab_release(h, s);
	}
	return err;
}

int
heap_free(struct heap *h, void *p)
{
	unsigned int i = 0;
	union heap_desc *d;
	int err;

	if (!p)
		return 0;
	d = lookup(h, p, &i);
	if (!d) {
		h->stats.bad_frees++;
		return -E_INVAL;
	}
	err = d->kind == DESC_LARGE ? large_free(h, &d->large) : slab_free(h, &d->slab, i);
	if (err != -E_NOENT)
		h->stats.live--;
	return err;
}

size_t
heap_usable_size(struct heap *h, const void *p)
{
	unsigned int i = 0;
	union heap_desc *d = lookup(h, p, &i);

	if (!d)
		return 0;
	if (d->kind == DESC_LARGE)
		return d->large.npages * HEAP_PAGE_SIZE;
	if (d->slab.freemask[i / 64] & (1ull << (i % 64)))
		return 0;
	return class_size(d->slab.cls);
}

void *
heap_realloc(struct heap *h, void *p, size_t size)
{
	unsigned int i = 0;
	union heap_desc *d;
	void *q;
	size_t old;

	if (!p)
		return heap_alloc(h, size);
	if (size == 0) {
		heap_free(h, p);
		return NULL;
	}
	d = lookup(h, p, &i);
	if (!d || heap_usable_size(h, p) == 0)
		return NULL;
	old = requested_size(d, i);
	q = heap_alloc(h, size);
	if (!q)
		return NULL; /* p stays valid, as realloc promises */
	memcpy(q, p, old < size ? old : size);
	heap_free(h, p);
	return q;
}
