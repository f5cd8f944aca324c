/*
 * The TCP script interpreter: one engine, one peer played by the
 * script.  Lines inject segments ("<"), expect the engine's (">"), make
 * the owner's calls and check state; see tcp_scripts/README.  Inbound
 * segments are built here byte by byte (with net_craft.h's checksum),
 * not by the engine's builder; outbound ones are read with tcp_parse,
 * which test_net_tcp_header.c holds to crafted bytes.
 */
#include "tcp_script.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/tcp.h"
#include "net/tcp_seq.h"
#include "net_craft.h"
#include "tcp_host.h"
#include "themelios/errno.h"

#define LOCAL_ADDR  0xc0a80001u
#define REMOTE_ADDR 0xc0a80002u
#define LOCAL_PORT  8080
#define REMOTE_PORT 40000
#define MAX_QUEUED  64
#define MAX_TOKENS  64
#define BASE	    TCP_NS_PER_S /* the engine's clock at the script's time 0 */

struct sent {
	uint64_t time;
	size_t len;
	uint8_t bytes[TCP_MAX_HEADER_LEN + TCP_MAX_MSS];
};

struct env {
	struct tcp_stack stack;
	struct tcp_host_mem mem;
	struct tcp_conn *sock, *listener;
	uint64_t now, script_time, tolerance;
	uint32_t our_isn, peer_isn;
	bool have_isn;
	uint32_t last_tsval; /* the engine's, for "ecr *" */
	unsigned events;
	uint64_t sent_bytes, recv_bytes;
	unsigned nqueued;
	struct sent *queue;
	int line;
	char *err;
	size_t errlen;
};

static int
fail(struct env *e, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(e->err, e->errlen, "line %d: ", e->line);

	va_start(ap, fmt);
	vsnprintf(e->err + n, e->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The byte at relative sequence number r, in either direction. */
static uint8_t
pattern(uint32_t r)
{
	return (uint8_t)((r * 2654435761u) >> 24);
}

static void
host_output(void *ctx, uint32_t src, uint32_t dst, const void *seg, size_t len)
{
	struct env *e = ctx;
	struct sent *q;

	(void)src;
	(void)dst;
	if (e->nqueued == MAX_QUEUED || len > sizeof(q->bytes))
		return; /* reported as a mismatch later */
	q = &e->queue[e->nqueued++];
	q->time = e->now;
	q->len = len;
	memcpy(q->bytes, seg, len);
}

static void
host_event(void *ctx, struct tcp_conn *c, unsigned events)
{
	struct env *e = ctx;

	(void)c;
	e->events |= events;
}

static const struct tcp_ops host_ops = {
	.output = host_output,
	.event = host_event,
	.alloc = tcp_host_alloc,
	.free = tcp_host_free,
};

/* ---- time ---- */

/* Runs the timers up to t, stopping early once a segment is queued
 * when stop_on_output. */
static void
run_until(struct env *e, uint64_t t, bool stop_on_output)
{
	for (;;) {
		uint64_t d = tcp_next_deadline(&e->stack);

		if (stop_on_output && e->nqueued)
			return;
		if (d > t)
			break;
		if (d > e->now)
			e->now = d;
		tcp_timer_run(&e->stack, e->now);
	}
	if (t > e->now && !(stop_on_output && e->nqueued))
		e->now = t;
}

/* ---- describing segments, for messages ---- */

static void
describe(struct env *e, const struct sent *s, char *out, size_t cap)
{
	struct tcp_segment seg;
	char flags[8];
	size_t n = 0;
	int k = 0;

	if (tcp_parse(s->bytes, s->len, LOCAL_ADDR, REMOTE_ADDR, &seg) < 0) {
		snprintf(out, cap, "(unparsable segment of %zu bytes)", s->len);
		return;
	}
	if (seg.flags & TCP_SYN)
		flags[k++] = 'S';
	if (seg.flags & TCP_FIN)
		flags[k++] = 'F';
	if (seg.flags & TCP_RST)
		flags[k++] = 'R';
	if (seg.flags & TCP_PSH)
		flags[k++] = 'P';
	if (seg.flags & TCP_ACK)
		flags[k++] = '.';
	flags[k] = 0;
	n += (size_t)snprintf(out + n, cap - n, "at %.3f: %s %u:%u(%zu) ack %u win %u <",
			      (double)(s->time - BASE) / 1e9, flags, seg.seq - e->our_isn,
			      seg.seq - e->our_isn + (uint32_t)seg.data_len, seg.data_len,
			      seg.ack - e->peer_isn, seg.window);
	if (seg.opt.has_mss)
		n += (size_t)snprintf(out + n, cap - n, "mss %u,", seg.opt.mss);
	if (seg.opt.sack_permitted)
		n += (size_t)snprintf(out + n, cap - n, "sackOK,");
	if (seg.opt.has_ts)
		n += (size_t)snprintf(out + n, cap - n, "TS val %u ecr %u,", seg.opt.ts_val,
				      seg.opt.ts_ecr);
	if (seg.opt.has_wscale)
		n += (size_t)snprintf(out + n, cap - n, "wscale %u,", seg.opt.wscale);
	for (unsigned i = 0; i < seg.opt.nsack && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%u:%u,", i ? "" : "sack ",
				      seg.opt.sack[i].start - e->peer_isn,
				      seg.opt.sack[i].end - e->peer_isn);
	if (n < cap)
		snprintf(out + n, cap - n, ">");
}

/* ---- parsing a segment line ---- */

struct line_seg {
	uint8_t flags;
	uint32_t start, end, len;
	bool has_ack, has_win, has_opts;
	uint32_t ack, win;
	struct tcp_options opt;
	bool ts_val_any, ts_ecr_any, ts_ecr_echo;
	uint8_t raw_opts[40];
	size_t raw_len;
	bool bad_csum;
	int doff;      /* -1: computed */
	long truncate; /* -1: none */
};

static int
parse_u32(struct env *e, const char *tok, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!tok)
		return fail(e, "a number is missing");
	v = strtoul(tok, &end, 0);
	if (*end || end == tok || v > UINT32_MAX)
		return fail(e, "not a number: %s", tok);
	*out = (uint32_t)v;
	return 0;
}

/* "S:E" relative pair. */
static int
parse_range(struct env *e, const char *tok, uint32_t *a, uint32_t *b)
{
	if (sscanf(tok, "%u:%u", a, b) != 2)
		return fail(e, "expected S:E, got %s", tok);
	return 0;
}

/*
 * Options between < and >, comma-separated, already split into tokens
 * (commas removed).  Inbound ones are also written raw, in order.
 */
static int
parse_options(struct env *e, char **tok, int ntok, struct line_seg *ls, bool inbound)
{
	uint32_t base = inbound ? e->our_isn : e->peer_isn;
	uint8_t *r = ls->raw_opts;
	size_t n = 0;

	for (int i = 0; i < ntok; i++) {
		const char *t = tok[i];
		uint32_t v, a, b;

		if (!strcmp(t, "nop") || !strcmp(t, "eol")) {
			if (n >= 40)
				return fail(e, "options too long");
			r[n++] = !strcmp(t, "nop") ? TCP_OPT_NOP : TCP_OPT_EOL;
		} else if (!strcmp(t, "mss")) {
			if (parse_u32(e, tok[++i], &v) || n + 4 > 40)
				return -1;
			ls->opt.has_mss = true;
			ls->opt.mss = (uint16_t)v;
			r[n] = 2, r[n + 1] = 4, craft_put16(r + n + 2, v), n += 4;
		} else if (!strcmp(t, "wscale")) {
			if (parse_u32(e, tok[++i], &v) || n + 3 > 40)
				return -1;
			ls->opt.has_wscale = true;
			ls->opt.wscale = (uint8_t)v;
			r[n] = 3, r[n + 1] = 3, r[n + 2] = (uint8_t)v, n += 3;
		} else if (!strcmp(t, "sackOK")) {
			if (n + 2 > 40)
				return fail(e, "options too long");
			ls->opt.sack_permitted = true;
			r[n] = 4, r[n + 1] = 2, n += 2;
		} else if (!strcmp(t, "TS")) {
			if (i + 4 >= ntok + 0 || strcmp(tok[i + 1], "val") ||
			    strcmp(tok[i + 3], "ecr"))
				return fail(e, "TS val V ecr E");
			ls->opt.has_ts = true;
			if (!strcmp(tok[i + 2], "*"))
				ls->ts_val_any = true;
			else if (parse_u32(e, tok[i + 2], &ls->opt.ts_val))
				return -1;
			if (!strcmp(tok[i + 4], "*")) {
				ls->ts_ecr_any = !inbound;
				ls->ts_ecr_echo = inbound;
				ls->opt.ts_ecr = e->last_tsval;
			} else if (parse_u32(e, tok[i + 4], &ls->opt.ts_ecr)) {
				return -1;
			}
			i += 4;
			if (n + 10 > 40)
				return fail(e, "options too long");
			r[n] = 8, r[n + 1] = 10;
			craft_put32(r + n + 2, ls->opt.ts_val);
			craft_put32(r + n + 6, ls->opt.ts_ecr);
			n += 10;
		} else if (!strcmp(t, "sack")) {
			size_t at = n;

			if (n + 2 > 40)
				return fail(e, "options too long");
			n += 2;
			while (i + 1 < ntok && strchr(tok[i + 1], ':') &&
			       ls->opt.nsack < TCP_MAX_SACK) {
				if (parse_range(e, tok[++i], &a, &b) || n + 8 > 40)
					return -1;
				ls->opt.sack[ls->opt.nsack].start = base + a;
				ls->opt.sack[ls->opt.nsack].end = base + b;
				ls->opt.nsack++;
				craft_put32(r + n, base + a);
				craft_put32(r + n + 4, base + b);
				n += 8;
			}
			r[at] = 5, r[at + 1] = (uint8_t)(n - at);
		} else if (!strcmp(t, "raw")) {
			/* raw HEXBYTES: anything, for malformed options */
			const char *h = tok[++i];

			if (!h)
				return fail(e, "raw needs hex bytes");
			for (; h[0] && h[1] && n < 40; h += 2) {
				unsigned byte;

				if (sscanf(h, "%2x", &byte) != 1)
					return fail(e, "bad hex in raw");
				r[n++] = (uint8_t)byte;
			}
		} else {
			return fail(e, "unknown option %s", t);
		}
	}
	ls->raw_len = n;
	return 0;
}

static int
parse_flags(struct env *e, const char *t, uint8_t *flags)
{
	*flags = 0;
	for (; *t; t++) {
		switch (*t) {
		case 'S':
			*flags |= TCP_SYN;
			break;
		case 'F':
			*flags |= TCP_FIN;
			break;
		case 'R':
			*flags |= TCP_RST;
			break;
		case 'P':
			*flags |= TCP_PSH;
			break;
		case '.':
			*flags |= TCP_ACK;
			break;
		default:
			return fail(e, "unknown flag %c", *t);
		}
	}
	return 0;
}

/* tok[0] is the flags; the rest: S:E(L) [ack N] [win N] [<opts>] [mods] */
static int
parse_segment(struct env *e, char **tok, int ntok, struct line_seg *ls, bool inbound)
{
	int i = 2;

	memset(ls, 0, sizeof(*ls));
	ls->doff = -1;
	ls->truncate = -1;
	if (ntok < 2 || parse_flags(e, tok[0], &ls->flags))
		return ntok < 2 ? fail(e, "a segment needs flags and S:E(L)") : -1;
	if (sscanf(tok[1], "%u:%u(%u)", &ls->start, &ls->end, &ls->len) != 3 ||
	    ls->end - ls->start != ls->len)
		return fail(e, "bad S:E(L): %s", tok[1]);
	while (i < ntok) {
		if (!strcmp(tok[i], "ack")) {
			ls->has_ack = true;
			if (parse_u32(e, tok[i + 1], &ls->ack))
				return -1;
			i += 2;
		} else if (!strcmp(tok[i], "win")) {
			ls->has_win = true;
			if (parse_u32(e, tok[i + 1], &ls->win))
				return -1;
			i += 2;
		} else if (!strcmp(tok[i], "<")) {
			int j = i + 1;

			while (j < ntok && strcmp(tok[j], ">"))
				j++;
			if (j == ntok)
				return fail(e, "options without >");
			ls->has_opts = true;
			if (parse_options(e, tok + i + 1, j - i - 1, ls, inbound))
				return -1;
			i = j + 1;
		} else if (!strcmp(tok[i], "bad_csum")) {
			ls->bad_csum = true;
			i++;
		} else if (!strcmp(tok[i], "doff")) {
			uint32_t v;

			if (parse_u32(e, tok[i + 1], &v))
				return -1;
			ls->doff = (int)v;
			i += 2;
		} else if (!strcmp(tok[i], "truncate")) {
			uint32_t v;

			if (parse_u32(e, tok[i + 1], &v))
				return -1;
			ls->truncate = v;
			i += 2;
		} else {
			return fail(e, "unexpected %s", tok[i]);
		}
	}
	return 0;
}

/* ---- the two directions ---- */

static int
inject(struct env *e, struct line_seg *ls)
{
	static uint8_t p[TCP_MAX_HEADER_LEN + 70000];
	size_t olen = (ls->raw_len + 3) & ~(size_t)3, hlen = TCP_HEADER_LEN + olen, len;
	uint8_t pseudo[12];
	int r;

	if (ls->len > 65000)
		return fail(e, "too much data");
	memset(p, 0, hlen);
	craft_put16(p, REMOTE_PORT);
	craft_put16(p + 2, LOCAL_PORT);
	craft_put32(p + 4, e->peer_isn + ls->start);
	craft_put32(p + 8, ls->has_ack ? e->our_isn + ls->ack : 0);
	p[12] = (uint8_t)((ls->doff >= 0 ? (unsigned)ls->doff : hlen / 4) << 4);
	p[13] = ls->flags;
	craft_put16(p + 14, ls->has_win ? ls->win : 65535);
	memcpy(p + TCP_HEADER_LEN, ls->raw_opts, ls->raw_len);
	for (uint32_t k = 0; k < ls->len; k++)
		p[hlen + k] = pattern(ls->start + k);
	len = hlen + ls->len;
	if (ls->truncate >= 0 && (size_t)ls->truncate < len)
		len = (size_t)ls->truncate;
	craft_put32(pseudo, REMOTE_ADDR);
	craft_put32(pseudo + 4, LOCAL_ADDR);
	pseudo[8] = 0;
	pseudo[9] = 6;
	craft_put16(pseudo + 10, (unsigned)len);
	{
		uint32_t s = 0;

		for (int k = 0; k < 12; k += 2)
			s += (uint32_t)pseudo[k] << 8 | pseudo[k + 1];
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		if (len >= 18) {
			craft_put16(p + 16, 0);
			craft_put16(p + 16, craft_csum(p, len, s));
			if (ls->bad_csum)
				p[16] ^= 0x40;
		}
	}
	r = tcp_input(&e->stack, REMOTE_ADDR, LOCAL_ADDR, p, len, e->now);
	if (r < 0 && r != -E_CORRUPT)
		return fail(e, "tcp_input returned %d", r);
	return 0;
}

static int
check_options(struct env *e, const struct line_seg *ls, const struct tcp_options *got)
{
	const struct tcp_options *w = &ls->opt;

	if (got->has_mss != w->has_mss || (w->has_mss && got->mss != w->mss))
		return fail(e, "mss differs");
	if (got->has_wscale != w->has_wscale || (w->has_wscale && got->wscale != w->wscale))
		return fail(e, "wscale differs");
	if (got->sack_permitted != w->sack_permitted)
		return fail(e, "sackOK differs");
	if (got->has_ts != w->has_ts)
		return fail(e, "TS presence differs");
	if (w->has_ts && !ls->ts_val_any && got->ts_val != w->ts_val)
		return fail(e, "TS val %u, expected %u", got->ts_val, w->ts_val);
	if (w->has_ts && !ls->ts_ecr_any && got->ts_ecr != w->ts_ecr)
		return fail(e, "TS ecr %u, expected %u", got->ts_ecr, w->ts_ecr);
	if (got->nsack != w->nsack)
		return fail(e, "%u SACK blocks, expected %u", got->nsack, w->nsack);
	for (unsigned i = 0; i < w->nsack; i++)
		if (got->sack[i].start != w->sack[i].start || got->sack[i].end != w->sack[i].end)
			return fail(e, "SACK block %u differs", i);
	return 0;
}

static int
expect_segment(struct env *e, struct line_seg *ls)
{
	struct tcp_segment seg;
	struct sent s;
	char what[256];
	uint8_t want = ls->flags & (uint8_t)~TCP_PSH;

	if (!e->nqueued)
		run_until(e, e->script_time + e->tolerance, true);
	if (!e->nqueued)
		return fail(e, "expected a segment, none was sent");
	s = e->queue[0];
	memmove(&e->queue[0], &e->queue[1], (e->nqueued - 1) * sizeof(e->queue[0]));
	e->nqueued--;
	if (tcp_parse(s.bytes, s.len, LOCAL_ADDR, REMOTE_ADDR, &seg) < 0)
		return fail(e, "the engine sent a segment tcp_parse rejects");
	if (want & TCP_SYN) { /* a SYN starts a new sequence space */
		e->our_isn = seg.seq - ls->start;
		e->have_isn = true;
	}
	describe(e, &s, what, sizeof(what));
	if (s.time + e->tolerance < e->script_time || s.time > e->script_time + e->tolerance)
		return fail(e, "segment sent %s, expected at %.3f", what,
			    (double)(e->script_time - BASE) / 1e9);
	if ((seg.flags & (uint8_t)~TCP_PSH) != want)
		return fail(e, "flags differ: %s", what);
	if (seg.src_port != LOCAL_PORT || seg.dst_port != REMOTE_PORT)
		return fail(e, "ports differ: %u > %u", seg.src_port, seg.dst_port);
	if (seg.seq - e->our_isn != ls->start || seg.data_len != ls->len)
		return fail(e, "seq/len differ: %s", what);
	if ((ls->flags & TCP_ACK) && (!ls->has_ack || seg.ack - e->peer_isn != ls->ack))
		return fail(e, "ack differs: %s", what);
	if (ls->has_win && seg.window != ls->win)
		return fail(e, "window differs: %s", what);
	for (size_t k = 0; k < seg.data_len; k++)
		if (seg.data[k] != pattern(ls->start + (uint32_t)k))
			return fail(e, "data byte %zu differs: %s", k, what);
	if (seg.opt.has_ts)
		e->last_tsval = seg.opt.ts_val;
	if (ls->has_opts && check_options(e, ls, &seg.opt)) {
		size_t n = strlen(e->err);

		snprintf(e->err + n, e->errlen - n, ": %s", what);
		return -1;
	}
	return 0;
}

/* ---- owner's calls and checks ---- */

static const struct {
	const char *name;
	int code;
} errnames[] = {
	{ "E_AGAIN", E_AGAIN },		{ "E_CONNREFUSED", E_CONNREFUSED },
	{ "E_CONNRESET", E_CONNRESET }, { "E_ADDRINUSE", E_ADDRINUSE },
	{ "E_TIMEDOUT", E_TIMEDOUT },	{ "E_NOTCONN", E_NOTCONN },
	{ "E_PIPE", E_PIPE },		{ "E_ISCONN", E_ISCONN },
	{ "E_INVAL", E_INVAL },		{ "E_NOMEM", E_NOMEM },
};

/* A number, or an error name for its negative. */
static int
parse_result(struct env *e, const char *t, long *out)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++) {
		if (!strcmp(t, errnames[i].name)) {
			*out = -errnames[i].code;
			return 0;
		}
	}
	if (!strcmp(t, "0")) {
		*out = 0;
		return 0;
	}
	{
		uint32_t v;

		if (parse_u32(e, t, &v))
			return -1;
		*out = v;
	}
	return 0;
}

static struct tcp_conn *
sock(struct env *e)
{
	if (!e->sock)
		e->sock = tcp_open(&e->stack, &e->mem);
	return e->sock;
}

static const struct {
	const char *name;
	enum tcp_sockopt opt;
} optnames[] = {
	{ "nodelay", TCP_SO_NODELAY },	   { "keepalive", TCP_SO_KEEPALIVE },
	{ "keepidle", TCP_SO_KEEPIDLE },   { "keepintvl", TCP_SO_KEEPINTVL },
	{ "keepcnt", TCP_SO_KEEPCNT },	   { "sndbuf", TCP_SO_SNDBUF },
	{ "rcvbuf", TCP_SO_RCVBUF },	   { "mss", TCP_SO_MSS },
	{ "sack", TCP_SO_SACK },	   { "timestamps", TCP_SO_TIMESTAMPS },
	{ "wscale", TCP_SO_WINDOW_SCALE },
};

static const struct {
	const char *name;
	size_t off;
} statnames[] = {
#define STAT(n)                                   \
	{                                         \
#n, offsetof(struct tcp_stats, n) \
	}
	STAT(in_segs),
	STAT(out_segs),
	STAT(retransmits),
	STAT(bad_segs),
	STAT(rst_sent),
	STAT(challenge_acks),
	STAT(challenge_acks_limited),
	STAT(paws_drops),
	STAT(syn_dropped),
	STAT(cookies_sent),
	STAT(cookies_accepted),
	STAT(ooo_segs),
	STAT(mem_drops),
	STAT(rcv_grown),
	STAT(conns_opened),
	STAT(conns_timed_out),
#undef STAT
#define RST(n, cause)                                                                         \
	{                                                                                     \
		"rst_" n, offsetof(struct tcp_stats, rst_causes) + (cause) * sizeof(uint64_t) \
	}
	RST("retries", TCP_RST_RETRIES),
	RST("persist", TCP_RST_PERSIST),
	RST("keepalive", TCP_RST_KEEPALIVE),
	RST("unread", TCP_RST_UNREAD),
	RST("after_close", TCP_RST_AFTER_CLOSE),
	RST("abort", TCP_RST_ABORT),
	RST("listener", TCP_RST_LISTENER),
	RST("reply", TCP_RST_REPLY),
#undef RST
};

static int
config(struct env *e, const char *key, const char *val)
{
	struct tcp_config *cfg = &e->stack.cfg;
	uint32_t v;

	if (parse_u32(e, val, &v))
		return -1;
	if (!strcmp(key, "rto_min"))
		cfg->rto_min = v * TCP_NS_PER_MS;
	else if (!strcmp(key, "rto_initial"))
		cfg->rto_initial = v * TCP_NS_PER_MS;
	else if (!strcmp(key, "delack"))
		cfg->delack = v * TCP_NS_PER_MS;
	else if (!strcmp(key, "msl"))
		cfg->msl = v * TCP_NS_PER_S;
	else if (!strcmp(key, "syn_cookies"))
		cfg->syn_cookies = v != 0;
	else if (!strcmp(key, "challenge_acks"))
		cfg->challenge_acks_per_s = v;
	else if (!strcmp(key, "initial_window"))
		cfg->initial_window = v;
	else if (!strcmp(key, "data_retries"))
		cfg->data_retries = v;
	else if (!strcmp(key, "syn_retries"))
		cfg->syn_retries = v;
	else if (!strcmp(key, "synack_retries"))
		cfg->synack_retries = v;
	else if (!strcmp(key, "mss"))
		cfg->mss = (uint16_t)v;
	else if (!strcmp(key, "rcvbuf"))
		cfg->rcvbuf = v;
	else if (!strcmp(key, "sndbuf"))
		cfg->sndbuf = v;
	else if (!strcmp(key, "rcvbuf_max"))
		cfg->rcvbuf_max = v;
	else if (!strcmp(key, "sndbuf_max"))
		cfg->sndbuf_max = v;
	else if (!strcmp(key, "peer_isn"))
		e->peer_isn = v;
	else if (!strcmp(key, "tolerance"))
		e->tolerance = v * TCP_NS_PER_MS;
	else if (!strcmp(key, "memlimit"))
		e->mem.limit = v;
	else
		return fail(e, "unknown config %s", key);
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} eventnames[] = {
	{ "established", TCP_EV_ESTABLISHED }, { "readable", TCP_EV_READABLE },
	{ "writable", TCP_EV_WRITABLE },       { "accept", TCP_EV_ACCEPT },
	{ "closed", TCP_EV_CLOSED },
};

static int
expect(struct env *e, char **tok, int ntok)
{
	struct tcp_conn *c = e->sock;
	uint32_t v;

	if (ntok < 2)
		return fail(e, "expect what?");
	if (!strcmp(tok[0], "state")) {
		const char *got = c ? tcp_state_name(tcp_state(c)) : "NONE";

		if (strcmp(got, tok[1]))
			return fail(e, "state %s, expected %s", got, tok[1]);
		return 0;
	}
	if (!strcmp(tok[0], "error")) {
		long want;

		if (!c || parse_result(e, tok[1], &want))
			return c ? -1 : fail(e, "no socket");
		if (tcp_error(c) != want)
			return fail(e, "error %d, expected %s", tcp_error(c), tok[1]);
		return 0;
	}
	if (!strcmp(tok[0], "event") || !strcmp(tok[0], "noevent")) {
		for (size_t i = 0; i < sizeof(eventnames) / sizeof(eventnames[0]); i++) {
			if (strcmp(tok[1], eventnames[i].name))
				continue;
			if (!strcmp(tok[0], "event") && !(e->events & eventnames[i].bit))
				return fail(e, "no %s event", tok[1]);
			if (!strcmp(tok[0], "noevent") && (e->events & eventnames[i].bit))
				return fail(e, "a %s event", tok[1]);
			e->events &= ~eventnames[i].bit;
			return 0;
		}
		return fail(e, "unknown event %s", tok[1]);
	}
	if (!strcmp(tok[0], "stat")) {
		if (ntok < 3 || parse_u32(e, tok[2], &v))
			return fail(e, "expect stat NAME N");
		for (size_t i = 0; i < sizeof(statnames) / sizeof(statnames[0]); i++) {
			uint64_t got;

			if (strcmp(tok[1], statnames[i].name))
				continue;
			memcpy(&got, (const char *)&e->stack.stats + statnames[i].off, sizeof(got));
			if (got != v)
				return fail(e, "stat %s is %llu, expected %u", tok[1],
					    (unsigned long long)got, v);
			return 0;
		}
		return fail(e, "unknown stat %s", tok[1]);
	}
	if (parse_u32(e, tok[1], &v))
		return -1;
	if (!strcmp(tok[0], "syn_queue")) {
		unsigned got = e->listener ? e->listener->syn_count : 0;

		if (got != v)
			return fail(e, "syn_queue is %u, expected %u", got, v);
		return 0;
	}
	if (!strcmp(tok[0], "mem_below")) {
		if (e->mem.in_use >= v)
			return fail(e, "%zu bytes held, expected below %u", e->mem.in_use, v);
		return 0;
	}
	if (!c)
		return fail(e, "no socket");
	{
		uint64_t got;

		if (!strcmp(tok[0], "readable"))
			got = tcp_readable(c);
		else if (!strcmp(tok[0], "writable"))
			got = tcp_writable(c);
		else if (!strcmp(tok[0], "cwnd"))
			got = c->cwnd;
		else if (!strcmp(tok[0], "ssthresh"))
			got = c->ssthresh;
		else if (!strcmp(tok[0], "rto_ms"))
			got = c->rto / TCP_NS_PER_MS;
		else if (!strcmp(tok[0], "snd_wnd"))
			got = c->snd_wnd;
		else
			return fail(e, "unknown expectation %s", tok[0]);
		if (got != v)
			return fail(e, "%s is %llu, expected %u", tok[0], (unsigned long long)got,
				    v);
	}
	return 0;
}

static int
do_send(struct env *e, uint32_t n, long want, bool has_want)
{
	uint8_t *buf = malloc(n ? n : 1);
	long r;

	for (uint32_t k = 0; k < n; k++)
		buf[k] = pattern((uint32_t)(e->sent_bytes + k + 1));
	r = tcp_send(sock(e), buf, n, e->now);
	free(buf);
	if (r > 0)
		e->sent_bytes += (uint64_t)r;
	if (!has_want)
		want = n;
	if (r != want)
		return fail(e, "send returned %ld, expected %ld", r, want);
	return 0;
}

static int
do_recv(struct env *e, uint32_t n, long want, bool has_want)
{
	uint8_t *buf = malloc(n ? n : 1);
	long r = tcp_recv(sock(e), buf, n, e->now);

	if (!has_want)
		want = n;
	if (r != want) {
		free(buf);
		return fail(e, "recv returned %ld, expected %ld", r, want);
	}
	for (long k = 0; k < r; k++) {
		if (buf[k] != pattern((uint32_t)(e->recv_bytes + (uint64_t)k + 1))) {
			free(buf);
			return fail(e, "received byte %ld differs", k);
		}
	}
	e->recv_bytes += r > 0 ? (uint64_t)r : 0;
	free(buf);
	return 0;
}

static int
command(struct env *e, char **tok, int ntok)
{
	const char *cmd = tok[0];
	long want = 0;
	bool has_want = ntok >= 3 && !strcmp(tok[ntok - 2], "=");
	uint32_t v = 0;
	int r;

	if (has_want && parse_result(e, tok[ntok - 1], &want))
		return -1;
	if (!strcmp(cmd, "config"))
		return ntok == 3 ? config(e, tok[1], tok[2]) : fail(e, "config KEY VALUE");
	if (!strcmp(cmd, "advance")) {
		double dt;

		if (ntok != 2 || sscanf(tok[1], "%lf", &dt) != 1)
			return fail(e, "advance SECONDS");
		e->script_time += (uint64_t)(dt * 1e9 + 0.5);
		run_until(e, e->script_time, false);
		return 0;
	}
	if (!strcmp(cmd, "expect"))
		return expect(e, tok + 1, ntok - 1);
	if (!strcmp(cmd, "setopt")) {
		if (ntok != 3 || parse_u32(e, tok[2], &v))
			return fail(e, "setopt NAME VALUE");
		for (size_t i = 0; i < sizeof(optnames) / sizeof(optnames[0]); i++) {
			if (!strcmp(optnames[i].name, tok[1])) {
				r = tcp_setopt(e->listener && !e->sock ? e->listener : sock(e),
					       optnames[i].opt, v);
				return r ? fail(e, "setopt returned %d", r) : 0;
			}
		}
		return fail(e, "unknown option %s", tok[1]);
	}
	if (!strcmp(cmd, "listen")) {
		unsigned backlog = 16;

		if (ntok >= 3 && !strcmp(tok[1], "backlog") && parse_u32(e, tok[2], &v) == 0)
			backlog = v;
		r = tcp_listen(sock(e), 0, LOCAL_PORT, backlog);
		if (r != (has_want ? want : 0))
			return fail(e, "listen returned %d", r);
		if (r == 0) {
			e->listener = e->sock;
			e->sock = NULL;
		}
		return 0;
	}
	if (!strcmp(cmd, "accept")) {
		struct tcp_conn *c;

		if (!e->listener)
			return fail(e, "not listening");
		c = tcp_accept(e->listener, &r);
		if (r != (has_want ? want : 0))
			return fail(e, "accept gave %d", r);
		if (c) {
			if (e->sock)
				tcp_close(e->sock, e->now);
			e->sock = c;
		}
		return 0;
	}
	if (!strcmp(cmd, "connect")) {
		r = tcp_connect(sock(e), LOCAL_ADDR, LOCAL_PORT, REMOTE_ADDR, REMOTE_PORT, e->now);
		if (r != (has_want ? want : 0))
			return fail(e, "connect returned %d", r);
		return 0;
	}
	if (!strcmp(cmd, "send") || !strcmp(cmd, "recv")) {
		if (ntok < 2 || parse_u32(e, tok[1], &v))
			return fail(e, "%s N [= R]", cmd);
		return cmd[0] == 's' ? do_send(e, v, want, has_want)
				     : do_recv(e, v, want, has_want);
	}
	if (!strcmp(cmd, "shutdown")) {
		r = tcp_shutdown(sock(e), e->now);
		return r != (has_want ? want : 0) ? fail(e, "shutdown returned %d", r) : 0;
	}
	if (!strcmp(cmd, "close") || !strcmp(cmd, "abort")) {
		bool lis = ntok >= 2 && !strcmp(tok[1], "listener");
		struct tcp_conn **pc = lis ? &e->listener : &e->sock;

		if (!*pc)
			return fail(e, "nothing to close");
		if (cmd[0] == 'c')
			tcp_close(*pc, e->now);
		else
			tcp_abort(*pc, e->now);
		*pc = NULL;
		return 0;
	}
	return fail(e, "unknown command %s", cmd);
}

/* ---- lines ---- */

/* Splits on blanks and commas; "<" and ">" inside a line stand alone. */
static int
tokenize(char *s, char **tok)
{
	int n = 0;
	static char buf[4096];
	size_t k = 0;

	for (char *p = s; *p && k < sizeof(buf) - 4; p++) {
		if (*p == '<' || *p == '>') {
			buf[k++] = ' ';
			buf[k++] = *p;
			buf[k++] = ' ';
		} else {
			buf[k++] = *p == ',' ? ' ' : *p;
		}
	}
	buf[k] = 0;
	for (char *t = strtok(buf, " \t"); t && n < MAX_TOKENS; t = strtok(NULL, " \t"))
		tok[n++] = t;
	return n;
}

static int
run_line(struct env *e, char *line)
{
	char *tok[MAX_TOKENS];
	int ntok, first = 0;
	char *hash = strchr(line, '#');

	if (hash)
		*hash = 0;
	ntok = tokenize(line, tok);
	if (!ntok)
		return 0;
	/* A time first: +D after the last line, or absolute. */
	if (tok[0][0] == '+' || isdigit((unsigned char)tok[0][0])) {
		double t;
		uint64_t ns;

		if (sscanf(tok[0] + (tok[0][0] == '+'), "%lf", &t) != 1)
			return fail(e, "bad time %s", tok[0]);
		ns = (uint64_t)(t * 1e9 + 0.5);
		ns = tok[0][0] == '+' ? e->script_time + ns : BASE + ns;
		if (ns < e->script_time)
			return fail(e, "time goes backwards");
		e->script_time = ns;
		first = 1;
	}
	if (first == ntok)
		return fail(e, "a time with nothing to do");
	if (!strcmp(tok[first], ">")) {
		struct line_seg ls;

		if (parse_segment(e, tok + first + 1, ntok - first - 1, &ls, false))
			return -1;
		return expect_segment(e, &ls);
	}
	run_until(e, e->script_time, false);
	if (e->nqueued) {
		char what[256];

		describe(e, &e->queue[0], what, sizeof(what));
		return fail(e, "unexpected segment sent %s", what);
	}
	if (!strcmp(tok[first], "<")) {
		struct line_seg ls;

		if (parse_segment(e, tok + first + 1, ntok - first - 1, &ls, true))
			return -1;
		return inject(e, &ls);
	}
	return command(e, tok + first, ntok - first);
}

int
tcp_script_run(const char *text, char *err, size_t errlen)
{
	static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct env *e = calloc(1, sizeof(*e));
	char *copy = strdup(text), *line, *save = NULL;
	int r = 0;

	e->queue = calloc(MAX_QUEUED, sizeof(struct sent));
	e->err = err;
	e->errlen = errlen;
	e->peer_isn = 1000000;
	e->tolerance = 2 * TCP_NS_PER_MS;
	e->now = e->script_time = BASE;
	tcp_stack_init(&e->stack, &host_ops, e, key);
	for (line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = 0;
		e->line++;
		r = run_line(e, line);
		if (r)
			break;
	}
	if (!r && e->nqueued) {
		char what[256];

		describe(e, &e->queue[0], what, sizeof(what));
		e->line++;
		r = fail(e, "at the end, a segment was sent unexpected %s", what);
	}
	tcp_stack_destroy(&e->stack);
	if (!r && e->mem.in_use)
		r = fail(e, "%zu bytes not returned", e->mem.in_use);
	free(e->queue);
	free(copy);
	free(e);
	return r;
}
