/*
 * The DHCP client (RFC 2131) as a pure state machine: it builds and
 * parses messages and decides what to send when, on the caller's clock
 * (milliseconds) and through the caller's callbacks, so the host tests
 * drive it with crafted messages and no network.
 *
 *   INIT -> SELECTING (DISCOVER sent) -> REQUESTING (REQUEST for an
 *   OFFER) -> BOUND (ACK) -> RENEWING at T1 (REQUEST unicast to the
 *   server) -> REBINDING at T2 (REQUEST broadcast) -> INIT when the lease
 *   expires.  A NAK in REQUESTING, RENEWING or REBINDING goes back to
 *   INIT at once.
 *
 * Retransmission (4.1): in SELECTING and REQUESTING after 4 s, doubling
 * up to 64 s, each delay moved by a random -1 s to +1 s (the jitter);
 * REQUESTING gives up after DHCP_REQUEST_TRIES and starts again.  In
 * RENEWING and REBINDING, half the time left until T2 (or the expiry),
 * at least 60 s.  Replies are taken only with our xid, our hardware
 * address, a BOOTREPLY op and the magic cookie; options are bounded by
 * the message, and a length running past it makes the message corrupt.
 */
#ifndef NET_DHCP_H
#define NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT    67
#define DHCP_CLIENT_PORT    68
#define DHCP_FIXED_LEN	    236			 /* op .. file */
#define DHCP_MIN_LEN	    (DHCP_FIXED_LEN + 4) /* and the magic cookie */
#define DHCP_MSG_MAX	    576			 /* what we send, and what every client must take */
#define DHCP_MAGIC	    0x63825363u

/* Message types (option 53). */
#define DHCPDISCOVER	    1
#define DHCPOFFER	    2
#define DHCPREQUEST	    3
#define DHCPDECLINE	    4
#define DHCPACK		    5
#define DHCPNAK		    6
#define DHCPRELEASE	    7

#define DHCP_RETRY_FIRST_MS 4000
#define DHCP_RETRY_MAX_MS   64000
#define DHCP_JITTER_MS	    1000
#define DHCP_REQUEST_TRIES  4
#define DHCP_RENEW_MIN_MS   60000

enum dhcp_state {
	DHCP_INIT,
	DHCP_SELECTING,
	DHCP_REQUESTING,
	DHCP_BOUND,
	DHCP_RENEWING,
	DHCP_REBINDING,
};

/* What a parsed message says; 0 for what it does not say. */
struct dhcp_message {
	uint8_t op;
	uint32_t xid;
	uint32_t ciaddr, yiaddr, siaddr;
	uint8_t chaddr[6];
	uint8_t type;	     /* option 53; 0 when absent */
	uint32_t server_id;  /* 54 */
	uint32_t mask;	     /* 1 */
	uint32_t router;     /* 3: the first */
	uint32_t dns;	     /* 6: the first */
	uint32_t lease_secs; /* 51 */
	uint32_t t1_secs;    /* 58 */
	uint32_t t2_secs;    /* 59 */
	bool has_mask, has_lease, has_t1, has_t2;
};

/*
 * Parses a BOOTP/DHCP message (the UDP payload).  -E_CORRUPT when
 * shorter than the fixed part and cookie, without the magic cookie,
 * with htype/hlen other than Ethernet, with an option running past the
 * end (or no end option), or with an option whose length is wrong for
 * its type (a mask of 3 bytes).  Unknown options are skipped; option
 * overload (52) is not supported and its fields are ignored.
 */
int dhcp_parse(const void *buf, size_t len, struct dhcp_message *out);

struct dhcp_lease {
	uint32_t ip, mask, router, dns, server;
	uint32_t lease_secs, t1_secs, t2_secs;
	uint64_t start; /* when the request that got it was sent */
};

struct dhcp_ops {
	/* Send a message of len bytes: broadcast (to 255.255.255.255 from
	 * 0.0.0.0, or from our address while rebinding) or unicast to dst
	 * from our address when renewing. */
	void (*send)(void *ctx, const void *msg, size_t len, uint32_t dst);
	/* A lease was taken (new, or renewed with different terms). */
	void (*bound)(void *ctx, const struct dhcp_lease *lease);
	/* The address must go: expired, or refused by a NAK. */
	void (*unbound)(void *ctx);
	/* 32 random bits: xids and jitter. */
	uint32_t (*random)(void *ctx);
};

struct dhcp_client {
	enum dhcp_state state;
	uint8_t mac[6];
	const struct dhcp_ops *ops;
	void *ctx;
	uint32_t xid;
	uint64_t started;    /* of this exchange: the secs field */
	uint64_t next;	     /* next retransmission or timer */
	uint32_t backoff_ms; /* the current retransmission delay, jitter aside */
	unsigned tries;
	uint32_t offered_ip, offered_server;
	struct dhcp_lease lease; /* valid in BOUND, RENEWING, REBINDING */
	uint32_t naks, bad_messages;
};

void dhcp_init(struct dhcp_client *c, const uint8_t mac[6], const struct dhcp_ops *ops, void *ctx);

/* Starts (or restarts) from INIT: a DISCOVER goes out now. */
void dhcp_start(struct dhcp_client *c, uint64_t now);

/* A UDP payload that came to port 68.  Silently ignored when it is not
 * for us or makes no sense in this state; -E_CORRUPT when malformed. */
int dhcp_input(struct dhcp_client *c, const void *buf, size_t len, uint64_t now);

/* Retransmissions, T1, T2 and expiry.  Call at least once a second. */
void dhcp_tick(struct dhcp_client *c, uint64_t now);

/* When dhcp_tick next has something to do. */
uint64_t dhcp_next_event(const struct dhcp_client *c);

const char *dhcp_state_name(enum dhcp_state s);

/*
 * Builds a message of type with our fields and options (client
 * identifier, requested address and server identifier when given,
 * parameter request list) into buf: its length, or -E_RANGE.
 */
int dhcp_build(void *buf, size_t cap, uint8_t type, uint32_t xid, uint16_t secs,
	       const uint8_t mac[6], uint32_t ciaddr, uint32_t requested, uint32_t server_id);

#endif
