/* The out-of-order queue: a short sorted array of received ranges. */
#include "net/tcp_reass.h"

#include "lib/string.h"
#include "net/tcp_seq.h"
#include "themelios/errno.h"

int
tcp_reass_add(struct tcp_reass *q, uint32_t start, uint32_t end)
{
	unsigned first = 0, last;

	if (!seq_lt(start, end))
		return 0;
	/* The ranges that touch or overlap [start, end) are first..last-1. */
	while (first < q->n && seq_lt(q->r[first].end, start))
		first++;
	last = first;
	while (last < q->n && seq_leq(q->r[last].start, end))
		last++;
	if (first == last) {
		if (q->n == TCP_REASS_MAX)
			return -E_NOMEM;
		memmove(&q->r[first + 1], &q->r[first], (q->n - first) * sizeof(q->r[0]));
		q->n++;
		last = first + 1;
	} else {
		start = seq_min(start, q->r[first].start);
		end = seq_max(end, q->r[last - 1].end);
		memmove(&q->r[first + 1], &q->r[last], (q->n - last) * sizeof(q->r[0]));
		q->n -= last - first - 1;
	}
	q->r[first].start = start;
	q->r[first].end = end;
	q->r[first].stamp = ++q->clock;
	return 0;
}

uint32_t
tcp_reass_advance(struct tcp_reass *q, uint32_t rcv_nxt)
{
	unsigned drop = 0;

	while (drop < q->n && seq_leq(q->r[drop].start, rcv_nxt)) {
		rcv_nxt = seq_max(rcv_nxt, q->r[drop].end);
		drop++;
	}
	memmove(&q->r[0], &q->r[drop], (q->n - drop) * sizeof(q->r[0]));
	q->n -= drop;
	return rcv_nxt;
}

unsigned
tcp_reass_sack(const struct tcp_reass *q, struct tcp_sack_block *out, unsigned max)
{
	unsigned count = 0;
	uint32_t below = UINT32_MAX; /* the next stamp must be smaller */

	/* Selection by stamp: n is small, and stamps are distinct. */
	while (count < max && count < q->n) {
		unsigned best = q->n;

		for (unsigned i = 0; i < q->n; i++)
			if (q->r[i].stamp < below &&
			    (best == q->n || q->r[i].stamp > q->r[best].stamp))
				best = i;
		if (best == q->n)
			break;
		out[count].start = q->r[best].start;
		out[count].end = q->r[best].end;
		below = q->r[best].stamp;
		count++;
	}
	return count;
}
