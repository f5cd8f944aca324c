/*
 * The DHCP client state machine (dhcp.h).  Times are milliseconds on
 * the caller's clock; lease times from the server are seconds, turned
 * into deadlines from the moment the request that got the lease was
 * sent (RFC 2131 4.4.1), so a slow answer never stretches a lease.
 */
#include "net/dhcp.h"

#include "lib/byteorder.h"
#include "lib/string.h"
#include "themelios/errno.h"

#define OP_REQUEST	 1
#define OP_REPLY	 2
#define FLAG_BROADCAST	 0x8000
#define MIN_SEND_LEN	 300 /* BOOTP's minimum, which old relays expect */
#define INFINITE_LEASE	 0xffffffffu

#define OPT_PAD		 0
#define OPT_MASK	 1
#define OPT_ROUTER	 3
#define OPT_DNS		 6
#define OPT_REQUESTED_IP 50
#define OPT_LEASE_TIME	 51
#define OPT_MSG_TYPE	 53
#define OPT_SERVER_ID	 54
#define OPT_PARAM_LIST	 55
#define OPT_T1		 58
#define OPT_T2		 59
#define OPT_CLIENT_ID	 61
#define OPT_END		 255

/* Offsets in the fixed part. */
#define OFF_OP		 0
#define OFF_HTYPE	 1
#define OFF_HLEN	 2
#define OFF_XID		 4
#define OFF_SECS	 8
#define OFF_FLAGS	 10
#define OFF_CIADDR	 12
#define OFF_YIADDR	 16
#define OFF_SIADDR	 20
#define OFF_CHADDR	 28
#define OFF_OPTIONS	 (DHCP_FIXED_LEN + 4)

/* A 4-byte address option: the length must be a multiple of 4 and not
 * 0 (routers and name servers may list several; the first is kept). */
static int
opt_addr(const uint8_t *v, uint8_t len, bool list, uint32_t *out)
{
	if (len < 4 || (list ? len % 4 : len != 4))
		return -E_CORRUPT;
	*out = be32(v);
	return 0;
}

static int
parse_option(uint8_t code, const uint8_t *v, uint8_t len, struct dhcp_message *m)
{
	switch (code) {
	case OPT_MSG_TYPE:
		if (len != 1 || v[0] < DHCPDISCOVER || v[0] > DHCPRELEASE)
			return -E_CORRUPT;
		m->type = v[0];
		return 0;
	case OPT_MASK:
		m->has_mask = true;
		return opt_addr(v, len, false, &m->mask);
	case OPT_ROUTER:
		return opt_addr(v, len, true, &m->router);
	case OPT_DNS:
		return opt_addr(v, len, true, &m->dns);
	case OPT_SERVER_ID:
		return opt_addr(v, len, false, &m->server_id);
	case OPT_LEASE_TIME:
		m->has_lease = true;
		return opt_addr(v, len, false, &m->lease_secs);
	case OPT_T1:
		m->has_t1 = true;
		return opt_addr(v, len, false, &m->t1_secs);
	case OPT_T2:
		m->has_t2 = true;
		return opt_addr(v, len, false, &m->t2_secs);
	default:
		return 0; /* unknown: skipped */
	}
}

int
dhcp_parse(const void *buf, size_t len, struct dhcp_message *out)
{
	const uint8_t *p = buf;
	size_t i = OFF_OPTIONS;

	if (len < DHCP_MIN_LEN || be32(p + DHCP_FIXED_LEN) != DHCP_MAGIC)
		return -E_CORRUPT;
	if (p[OFF_HTYPE] != 1 || p[OFF_HLEN] != 6)
		return -E_CORRUPT;
	memset(out, 0, sizeof(*out));
	out->op = p[OFF_OP];
	out->xid = be32(p + OFF_XID);
	out->ciaddr = be32(p + OFF_CIADDR);
	out->yiaddr = be32(p + OFF_YIADDR);
	out->siaddr = be32(p + OFF_SIADDR);
	memcpy(out->chaddr, p + OFF_CHADDR, 6);
	for (;;) {
		uint8_t code, olen;
		int err;

		if (i >= len)
			return -E_CORRUPT; /* no end option */
		code = p[i++];
		if (code == OPT_END)
			return 0;
		if (code == OPT_PAD)
			continue;
		if (i >= len)
			return -E_CORRUPT;
		olen = p[i++];
		if (olen > len - i)
			return -E_CORRUPT;
		err = parse_option(code, p + i, olen, out);
		if (err)
			return err;
		i += olen;
	}
}

static size_t
put_opt(uint8_t *p, size_t i, uint8_t code, const void *v, uint8_t len)
{
	p[i] = code;
	p[i + 1] = len;
	memcpy(p + i + 2, v, len);
	return i + 2 + len;
}

static size_t
put_opt_addr(uint8_t *p, size_t i, uint8_t code, uint32_t addr)
{
	uint8_t v[4];

	put_be32(v, addr);
	return put_opt(p, i, code, v, 4);
}

int
dhcp_build(void *buf, size_t cap, uint8_t type, uint32_t xid, uint16_t secs, const uint8_t mac[6],
	   uint32_t ciaddr, uint32_t requested, uint32_t server_id)
{
	static const uint8_t params[] = { OPT_MASK,	  OPT_ROUTER, OPT_DNS,
					  OPT_LEASE_TIME, OPT_T1,     OPT_T2 };
	uint8_t *p = buf;
	uint8_t client_id[7] = { 1 };
	size_t i;

	if (cap < DHCP_MSG_MAX)
		return -E_RANGE; /* the largest we write, with room to spare */
	memset(p, 0, MIN_SEND_LEN);
	p[OFF_OP] = OP_REQUEST;
	p[OFF_HTYPE] = 1;
	p[OFF_HLEN] = 6;
	put_be32(p + OFF_XID, xid);
	put_be16(p + OFF_SECS, secs);
	/* Before we have an address, ask for broadcast replies. */
	put_be16(p + OFF_FLAGS, ciaddr ? 0 : FLAG_BROADCAST);
	put_be32(p + OFF_CIADDR, ciaddr);
	memcpy(p + OFF_CHADDR, mac, 6);
	put_be32(p + DHCP_FIXED_LEN, DHCP_MAGIC);
	i = OFF_OPTIONS;
	i = put_opt(p, i, OPT_MSG_TYPE, &type, 1);
	memcpy(client_id + 1, mac, 6);
	i = put_opt(p, i, OPT_CLIENT_ID, client_id, sizeof(client_id));
	if (requested)
		i = put_opt_addr(p, i, OPT_REQUESTED_IP, requested);
	if (server_id)
		i = put_opt_addr(p, i, OPT_SERVER_ID, server_id);
	i = put_opt(p, i, OPT_PARAM_LIST, params, sizeof(params));
	p[i++] = OPT_END;
	return (int)(i < MIN_SEND_LEN ? MIN_SEND_LEN : i);
}

const char *
dhcp_state_name(enum dhcp_state s)
{
	static const char *const names[] = { "init",  "selecting", "requesting",
					     "bound", "renewing",  "rebinding" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void
dhcp_init(struct dhcp_client *c, const uint8_t mac[6], const struct dhcp_ops *ops, void *ctx)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	c->ops = ops;
	c->ctx = ctx;
}

/* The delay with -1 s to +1 s of jitter, never below a second. */
static uint64_t
jittered(struct dhcp_client *c, uint32_t ms)
{
	uint32_t j = c->ops->random(c->ctx) % (2 * DHCP_JITTER_MS + 1);
	uint64_t d = (uint64_t)ms + j - DHCP_JITTER_MS;

	return d < 1000 ? 1000 : d;
}

static uint16_t
secs_since(const struct dhcp_client *c, uint64_t now)
{
	uint64_t s = (now - c->started) / 1000;

	return s > 0xffff ? 0xffff : (uint16_t)s;
}

static void
send_msg(struct dhcp_client *c, uint8_t type, uint64_t now, uint32_t ciaddr, uint32_t requested,
	 uint32_t server_id, uint32_t dst)
{
	uint8_t msg[DHCP_MSG_MAX];
	int n = dhcp_build(msg, sizeof(msg), type, c->xid, secs_since(c, now), c->mac, ciaddr,
			   requested, server_id);

	if (n > 0)
		c->ops->send(c->ctx, msg, (size_t)n, dst);
}

static void
send_discover(struct dhcp_client *c, uint64_t now)
{
	send_msg(c, DHCPDISCOVER, now, 0, 0, 0, 0xffffffffu);
	c->next = now + jittered(c, c->backoff_ms);
}

static void
send_request(struct dhcp_client *c, uint64_t now)
{
	send_msg(c, DHCPREQUEST, now, 0, c->offered_ip, c->offered_server, 0xffffffffu);
	c->next = now + jittered(c, c->backoff_ms);
}

static uint64_t
deadline(const struct dhcp_client *c, uint32_t secs)
{
	if (c->lease.lease_secs == INFINITE_LEASE)
		return UINT64_MAX;
	return c->lease.start + (uint64_t)secs * 1000;
}

/* RENEWING and REBINDING: half the time to until, at least 60 s, and
 * never past until (when the state changes anyway). */
static void
send_renewal(struct dhcp_client *c, uint64_t now, uint64_t until, bool broadcast)
{
	uint64_t wait = until > now ? (until - now) / 2 : 0;

	send_msg(c, DHCPREQUEST, now, c->lease.ip, 0, 0, broadcast ? 0xffffffffu : c->lease.server);
	if (wait < DHCP_RENEW_MIN_MS)
		wait = DHCP_RENEW_MIN_MS;
	c->next = now + wait < until ? now + wait : until;
}

void
dhcp_start(struct dhcp_client *c, uint64_t now)
{
	c->state = DHCP_SELECTING;
	c->xid = c->ops->random(c->ctx);
	c->started = now;
	c->backoff_ms = DHCP_RETRY_FIRST_MS;
	c->tries = 0;
	c->offered_ip = c->offered_server = 0;
	send_discover(c, now);
}

static void
lose_lease(struct dhcp_client *c, uint64_t now)
{
	memset(&c->lease, 0, sizeof(c->lease));
	c->ops->unbound(c->ctx);
	dhcp_start(c, now);
}

/* An ACK: the lease, with T1 and T2 put right when they make no sense. */
static void
take_ack(struct dhcp_client *c, const struct dhcp_message *m, uint64_t now)
{
	struct dhcp_lease l = {
		.ip = m->yiaddr,
		.mask = m->has_mask ? m->mask : 0,
		.router = m->router,
		.dns = m->dns,
		.server = m->server_id ? m->server_id : c->offered_server,
		.lease_secs = m->lease_secs,
		.t1_secs = m->has_t1 ? m->t1_secs : m->lease_secs / 2,
		.t2_secs = m->has_t2 ? m->t2_secs : (uint32_t)((uint64_t)m->lease_secs * 7 / 8),
		.start = c->started,
	};

	if (l.t2_secs > l.lease_secs || l.t1_secs > l.t2_secs) {
		l.t1_secs = l.lease_secs / 2;
		l.t2_secs = (uint32_t)((uint64_t)l.lease_secs * 7 / 8);
	}
	if (c->state != DHCP_REQUESTING && l.ip != c->lease.ip)
		c->ops->unbound(c->ctx); /* renewed with another address */
	c->lease = l;
	c->state = DHCP_BOUND;
	c->next = deadline(c, l.t1_secs);
	c->ops->bound(c->ctx, &c->lease);
	(void)now;
}

int
dhcp_input(struct dhcp_client *c, const void *buf, size_t len, uint64_t now)
{
	struct dhcp_message m;

	if (dhcp_parse(buf, len, &m) != 0) {
		c->bad_messages++;
		return -E_CORRUPT;
	}
	if (m.op != OP_REPLY || m.xid != c->xid || memcmp(m.chaddr, c->mac, 6) != 0)
		return 0;
	switch (c->state) {
	case DHCP_SELECTING:
		/* The first usable offer. */
		if (m.type != DHCPOFFER || !m.yiaddr || !m.server_id)
			return 0;
		c->offered_ip = m.yiaddr;
		c->offered_server = m.server_id;
		c->state = DHCP_REQUESTING;
		c->started = now; /* the lease counts from this request */
		c->backoff_ms = DHCP_RETRY_FIRST_MS;
		c->tries = 1;
		send_request(c, now);
		return 0;
	case DHCP_REQUESTING:
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		if (m.type == DHCPNAK) {
			c->naks++;
			if (c->state == DHCP_REQUESTING)
				dhcp_start(c, now);
			else
				lose_lease(c, now);
			return 0;
		}
		if (m.type != DHCPACK || !m.yiaddr || !m.has_lease || !m.lease_secs)
			return 0;
		if (c->state == DHCP_REQUESTING && m.yiaddr != c->offered_ip)
			return 0;
		take_ack(c, &m, now);
		return 0;
	default:
		return 0;
	}
}

void
dhcp_tick(struct dhcp_client *c, uint64_t now)
{
	if (c->state == DHCP_INIT || now < c->next)
		return;
	switch (c->state) {
	case DHCP_SELECTING:
		if (c->backoff_ms < DHCP_RETRY_MAX_MS)
			c->backoff_ms *= 2;
		send_discover(c, now);
		break;
	case DHCP_REQUESTING:
		if (c->tries >= DHCP_REQUEST_TRIES) {
			dhcp_start(c, now);
			break;
		}
		c->tries++;
		if (c->backoff_ms < DHCP_RETRY_MAX_MS)
			c->backoff_ms *= 2;
		send_request(c, now);
		break;
	case DHCP_BOUND:
		c->state = DHCP_RENEWING;
		c->xid = c->ops->random(c->ctx);
		c->started = now;
		send_renewal(c, now, deadline(c, c->lease.t2_secs), false);
		break;
	case DHCP_RENEWING:
		if (now >= deadline(c, c->lease.t2_secs)) {
			c->state = DHCP_REBINDING;
			send_renewal(c, now, deadline(c, c->lease.lease_secs), true);
		} else {
			send_renewal(c, now, deadline(c, c->lease.t2_secs), false);
		}
		break;
	case DHCP_REBINDING:
		if (now >= deadline(c, c->lease.lease_secs))
			lose_lease(c, now);
		else
			send_renewal(c, now, deadline(c, c->lease.lease_secs), true);
		break;
	default:
		break;
	}
}

uint64_t
dhcp_next_event(const struct dhcp_client *c)
{
	return c->state == DHCP_INIT ? UINT64_MAX : c->next;
}
