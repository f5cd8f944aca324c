/* IPv4 fragment reassembly in bounded memory. */
#include "net/ip_reassembly.h"

#include "lib/string.h"
#include "themelios/errno.h"

struct ip_frag {
	struct ip_frag *next;
	uint16_t offset;
	uint16_t len;
	uint8_t data[];
};

static size_t
frag_size(size_t len)
{
	return sizeof(struct ip_frag) + len;
}

void
ip_reasm_init(struct ip_reasm *r, const struct ip_reasm_ops *ops, void *ctx, size_t budget,
	      uint64_t timeout)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	r->budget = budget;
	r->timeout = timeout;
}

static void
datagram_free(struct ip_reasm *r, struct ip_reasm_datagram *d)
{
	struct ip_frag *f = d->frags;

	while (f) {
		struct ip_frag *next = f->next;

		r->ops->free(r->ctx, f, frag_size(f->len));
		f = next;
	}
	r->charged -= d->charged;
	memset(d, 0, sizeof(*d));
}

static void
datagram_drop(struct ip_reasm *r, struct ip_reasm_datagram *d)
{
	datagram_free(r, d);
	r->dropped++;
}

void
ip_reasm_tick(struct ip_reasm *r, uint64_t now)
{
	for (unsigned i = 0; i < IP_REASM_SLOTS; i++) {
		struct ip_reasm_datagram *d = &r->slots[i];

		if (d->used && now - d->started >= r->timeout)
			datagram_drop(r, d);
	}
}

void
ip_reasm_destroy(struct ip_reasm *r)
{
	for (unsigned i = 0; i < IP_REASM_SLOTS; i++) {
		if (r->slots[i].used)
			datagram_free(r, &r->slots[i]);
	}
}

/* The oldest datagram in progress other than keep, or NULL. */
static struct ip_reasm_datagram *
oldest(struct ip_reasm *r, const struct ip_reasm_datagram *keep)
{
	struct ip_reasm_datagram *o = NULL;

	for (unsigned i = 0; i < IP_REASM_SLOTS; i++) {
		struct ip_reasm_datagram *d = &r->slots[i];

		if (d->used && d != keep && (!o || d->started < o->started))
			o = d;
	}
	return o;
}

/* The datagram h belongs to, started if new. */
static struct ip_reasm_datagram *
datagram_find(struct ip_reasm *r, const struct ipv4_header *h, uint64_t now)
{
	struct ip_reasm_datagram *d = NULL;

	for (unsigned i = 0; i < IP_REASM_SLOTS; i++) {
		struct ip_reasm_datagram *x = &r->slots[i];

		if (x->used && x->src == h->src && x->dst == h->dst && x->id == h->id &&
		    x->proto == h->proto)
			return x;
		if (!x->used && !d)
			d = x;
	}
	if (!d) {
		d = oldest(r, NULL);
		datagram_drop(r, d);
	}
	d->used = true;
	d->src = h->src;
	d->dst = h->dst;
	d->id = h->id;
	d->proto = h->proto;
	d->started = now;
	return d;
}

/*
 * How far from start the fragments cover without a hole.  They are
 * sorted by offset, so one pass finds it (RFC 815's hole list, kept
 * implicitly).
 */
static uint32_t
covered_to(const struct ip_reasm_datagram *d, uint32_t start)
{
	uint32_t pos = start;

	for (const struct ip_frag *f = d->frags; f; f = f->next) {
		if (f->offset > pos)
			break;
		if ((uint32_t)f->offset + f->len > pos)
			pos = (uint32_t)f->offset + f->len;
	}
	return pos;
}

/* Whether every byte where the fragment overlaps one we hold is equal. */
static bool
overlaps_agree(const struct ip_reasm_datagram *d, uint32_t off, uint32_t end, const uint8_t *data)
{
	for (const struct ip_frag *f = d->frags; f; f = f->next) {
		uint32_t fend = (uint32_t)f->offset + f->len;
		uint32_t lo = off > f->offset ? off : f->offset;
		uint32_t hi = end < fend ? end : fend;

		if (lo < hi && memcmp(data + (lo - off), f->data + (lo - f->offset), hi - lo) != 0)
			return false;
	}
	return true;
}

/* Checks a new fragment [off, end) against what d knows of its end. */
static bool
end_consistent(const struct ip_reasm_datagram *d, uint32_t end, bool last)
{
	if (last) {
		if (d->have_last)
			return d->total == end;
		for (const struct ip_frag *f = d->frags; f; f = f->next) {
			if ((uint32_t)f->offset + f->len > end)
				return false;
		}
		return true;
	}
	return !d->have_last || end <= d->total;
}

/* Makes room for size more bytes, dropping the oldest others first. */
static bool
budget_reserve(struct ip_reasm *r, struct ip_reasm_datagram *d, size_t size)
{
	while (r->charged + size > r->budget) {
		struct ip_reasm_datagram *o = oldest(r, d);

		if (!o)
			return false;
		datagram_drop(r, o);
	}
	return true;
}

static void
frag_insert(struct ip_reasm_datagram *d, struct ip_frag *n)
{
	struct ip_frag **pp = &d->frags;

	while (*pp && (*pp)->offset <= n->offset)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
}

static int
complete(struct ip_reasm *r, struct ip_reasm_datagram *d, void *out, size_t cap)
{
	uint32_t total = d->total;

	if (total > cap) {
		datagram_drop(r, d);
		return -E_RANGE;
	}
	/* end_consistent keeps every fragment within total. */
	for (const struct ip_frag *f = d->frags; f; f = f->next)
		memcpy((uint8_t *)out + f->offset, f->data, f->len);
	datagram_free(r, d);
	r->reassembled++;
	return (int)total;
}

int
ip_reasm_input(struct ip_reasm *r, const struct ipv4_header *h, uint64_t now, void *out, size_t cap)
{
	struct ip_reasm_datagram *d;
	struct ip_frag *n;
	uint32_t off = h->frag_offset, end;
	bool last = !h->more_fragments;
	size_t size = frag_size(h->payload_len);

	if (last && off == 0)
		return -E_INVAL;
	/* ipv4_parse has checked these, but h is the caller's struct. */
	if (h->payload_len == 0 || h->payload_len > IPV4_MAX_LEN)
		return -E_CORRUPT;
	end = off + (uint32_t)h->payload_len;
	if (end > IPV4_MAX_LEN - IPV4_HEADER_LEN)
		return -E_CORRUPT;
	/* Only the last fragment may end off the 8-byte grid. */
	if (!last && h->payload_len % 8)
		return -E_CORRUPT;
	ip_reasm_tick(r, now);
	d = datagram_find(r, h, now);
	if (!end_consistent(d, end, last) || !overlaps_agree(d, off, end, h->payload)) {
		datagram_drop(r, d);
		return -E_CORRUPT;
	}
	if (last) {
		d->have_last = true;
		d->total = end;
	}
	/* Nothing new: a retransmission, kept out of the budget. */
	if (covered_to(d, off) >= end)
		goto check_complete;
	if (d->nfrags >= IP_REASM_MAX_FRAGS || !budget_reserve(r, d, size)) {
		datagram_drop(r, d);
		return -E_NOMEM;
	}
	n = r->ops->alloc(r->ctx, size);
	if (!n) {
		if (!d->frags)
			datagram_free(r, d);
		return -E_NOMEM;
	}
	n->offset = (uint16_t)off;
	n->len = (uint16_t)h->payload_len;
	memcpy(n->data, h->payload, h->payload_len);
	frag_insert(d, n);
	d->nfrags++;
	d->charged += size;
	r->charged += size;
check_complete:
	if (d->have_last && covered_to(d, 0) >= d->total)
		return complete(r, d, out, cap);
	return 0;
}
