/*
 * netserve: a TCP echo service and a minimal HTTP/1.1 responder, one
 * thread serving every connection through readiness (docs/network.md).
 * init gives it the console (slot 1) and exactly two Port capabilities:
 * the echo port (slot 2) and the HTTP port (slot 3); its argument is
 * echo_port << 16 | http_port.  No Network capability: it can listen
 * but cannot connect anywhere.
 *
 * Every socket is bound to one Notification with the bit of its own
 * slot (a cspace has 64 slots, so the word names each socket exactly):
 * READABLE, PEER_CLOSED and ERROR always, WRITABLE only while output
 * waits.  A connection's sockets are non-blocking; a wake-up handles
 * each socket whose bit came until it would block.
 *
 * A send or receive our Memory cannot pay for (-E_NOMEM: every buffer
 * of ours full at once, or the kernel's bounce buffer) waits and tries
 * again, as Linux's blocking send waits for memory: no signal says when
 * memory comes back, so such connections are retried every
 * NOMEM_RETRY_NS.  Only the connection's own end (a reset, a timeout)
 * closes it: closing on a passing shortage reset a connection whose
 * data was still unread.
 */
#include "lib/format.h"
#include "themelios.h"

#define P_ECHO	       2
#define P_HTTP	       3
#define NOTIFY	       4
#define L_ECHO	       5
#define L_HTTP	       6
#define FIRST_CONN     8
#define LAST_CONN      55
#define OUT_MAX	       16384
#define REQ_MAX	       2048
#define BULK_BYTES     (16ull << 20) /* GET /bulk: for the benchmark's guest->host figure */
#define BACKLOG	       64
#define NOMEM_RETRY_NS 20000000ull /* 20 ms */
#define WAIT_ALWAYS    (SIGNAL_READABLE | SIGNAL_PEER_CLOSED | SIGNAL_ERROR)

struct conn {
	int used, http, peer_done, close_after;
	int nomem; /* waits for memory: tried again after NOMEM_RETRY_NS */
	uint64_t out_len, out_off;
	uint64_t req_len;
	uint64_t bulk_left; /* bytes of a /bulk body still to send */
	char out[OUT_MAX];
	char req[REQ_MAX];
};

static struct conn *conns[LAST_CONN + 1];
static unsigned long served_http, served_conns, nomem_waits;

static const char body[] = "Hello from ThemeliOS netserve.\n";

static void
watch(slot_t slot, uint32_t signals)
{
	sys_object_bind(slot, NOTIFY, signals, 1ull << slot);
}

static void
conn_close(slot_t slot)
{
	struct conn *c = conns[slot];

	sys_socket_close(slot);
	c->used = 0;
}

/* Short of memory: the main loop tries c again after NOMEM_RETRY_NS. */
static int
wait_memory(slot_t slot, struct conn *c)
{
	if (!c->nomem) {
		nomem_waits++;
		/* At the 1st, 2nd, 4th...: seen, without flooding the console. */
		if (!(nomem_waits & (nomem_waits - 1)))
			printf("netserve: out of memory for a connection, waiting (%lu times)\n",
			       nomem_waits);
	}
	c->nomem = 1;
	watch(slot, WAIT_ALWAYS);
	return 1;
}

/* Sends what waits; 0 when all went, 1 when it must wait, -1 on error. */
static int
flush(slot_t slot, struct conn *c)
{
	for (;;) {
		uint64_t n;

		while (c->out_off < c->out_len) {
			long sent = sys_socket_send(slot, c->out + c->out_off,
						    c->out_len - c->out_off, SOCK_NONBLOCK);

			if (sent == -E_AGAIN) {
				watch(slot, WAIT_ALWAYS | SIGNAL_WRITABLE);
				return 1;
			}
			if (sent == -E_NOMEM)
				return wait_memory(slot, c);
			if (sent < 0)
				return -1;
			c->out_off += (uint64_t)sent;
		}
		if (!c->bulk_left)
			break;
		n = c->bulk_left < OUT_MAX ? c->bulk_left : OUT_MAX;
		memset(c->out, 'x', n);
		c->out_off = 0;
		c->out_len = n;
		c->bulk_left -= n;
	}
	c->out_off = c->out_len = 0;
	watch(slot, WAIT_ALWAYS);
	return 0;
}

static int
starts_with(const char *s, uint64_t len, const char *p)
{
	uint64_t n = strlen(p);

	return len >= n && !memcmp(s, p, n);
}

/* Answers every complete request in c->req (keep-alive). */
static void
http_requests(struct conn *c)
{
	for (;;) {
		uint64_t end = 0;
		int ok, n;

		for (uint64_t i = 0; i + 3 < c->req_len; i++)
			if (!memcmp(c->req + i, "\r\n\r\n", 4)) {
				end = i + 4;
				break;
			}
		if (!end) {
			if (c->req_len == REQ_MAX) /* too long: answer and close */
				c->close_after = 1, end = c->req_len;
			else
				return;
		}
		if (starts_with(c->req, end, "GET /bulk ")) {
			/* The header now, the body from flush(); later requests wait. */
			n = fmt_snprintf(
				c->out + c->out_len, OUT_MAX - c->out_len,
				"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
				"Content-Length: %lu\r\n\r\n",
				(unsigned long)BULK_BYTES);
			if (n > 0 && c->out_len + (uint64_t)n < OUT_MAX) {
				c->out_len += (uint64_t)n;
				c->bulk_left = BULK_BYTES;
			}
			served_http++;
			memmove(c->req, c->req + end, c->req_len - end);
			c->req_len -= end;
			return;
		}
		ok = starts_with(c->req, end, "GET / ") || starts_with(c->req, end, "GET /index");
		for (uint64_t i = 0; i + 17 <= end; i++)
			if (!memcmp(c->req + i, "Connection: close", 17))
				c->close_after = 1;
		n = fmt_snprintf(
			c->out + c->out_len, OUT_MAX - c->out_len,
			"HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %lu\r\n"
			"Connection: %s\r\n\r\n%s",
			ok ? "200 OK" : "404 Not Found", ok ? (unsigned long)strlen(body) : 0ul,
			c->close_after ? "close" : "keep-alive", ok ? body : "");
		if (n > 0 && c->out_len + (uint64_t)n < OUT_MAX)
			c->out_len += (uint64_t)n;
		served_http++;
		memmove(c->req, c->req + end, c->req_len - end);
		c->req_len -= end;
		if (c->close_after)
			return;
	}
}

/* Reads and answers until the socket would block. */
static void
conn_serve(slot_t slot)
{
	struct conn *c = conns[slot];

	c->nomem = 0;
	for (int rounds = 0; rounds < 64; rounds++) {
		int f = flush(slot, c);
		long n;

		if (f < 0) { /* reset or timed out: nothing more to send */
			conn_close(slot);
			return;
		}
		if (f > 0)
			return;
		if (c->close_after || c->peer_done)
			break;
		if (c->http)
			n = sys_socket_recv(slot, c->req + c->req_len, REQ_MAX - c->req_len,
					    SOCK_NONBLOCK);
		else
			n = sys_socket_recv(slot, c->out, OUT_MAX, SOCK_NONBLOCK);
		if (n == -E_AGAIN)
			return;
		if (n == -E_NOMEM) {
			wait_memory(slot, c);
			return;
		}
		if (n <= 0) {
			c->peer_done = 1;
			continue; /* flush what is left, then close */
		}
		if (c->http) {
			c->req_len += (uint64_t)n;
			http_requests(c);
		} else {
			c->out_len = (uint64_t)n;
		}
	}
	if (c->out_off < c->out_len && !c->peer_done && !c->close_after) {
		/* A long burst: let the others run, and come back through
		 * WRITABLE (set now, so the next wait returns at once); the
		 * data read last may be all the peer sends, so READABLE
		 * alone might never bring us back to send it. */
		watch(slot, WAIT_ALWAYS | SIGNAL_WRITABLE);
		return;
	}
	if (c->close_after)
		sys_socket_shutdown(slot);
	conn_close(slot);
}

/* Accepts while there are connections and free slots. */
static void
accept_all(slot_t listener)
{
	for (slot_t s = FIRST_CONN; s <= LAST_CONN; s++) {
		struct conn *c = conns[s];

		if (c->used)
			continue;
		if (sys_socket_accept(listener, s, SOCK_NONBLOCK) != 0)
			return;
		memset(c, 0, sizeof(*c) - sizeof(c->out) - sizeof(c->req));
		c->used = 1;
		c->http = listener == L_HTTP;
		served_conns++;
		sys_socket_setopt(s, SOCKOPT_NODELAY, 1);
		watch(s, WAIT_ALWAYS);
	}
}

static long
listen_on(slot_t sock, slot_t port_cap, uint64_t port)
{
	long err = sys_socket_create(SOCK_TCP, SOCK_NONBLOCK, sock);

	if (!err)
		err = sys_socket_setopt(sock, SOCKOPT_REUSEADDR, 1);
	if (!err)
		err = sys_socket_listen(sock, port_cap, port, BACKLOG);
	if (!err)
		watch(sock, SIGNAL_READABLE);
	return err;
}

int
main(uint64_t arg)
{
	uint64_t echo_port = arg >> 16, http_port = arg & 0xffff;
	long err;

	for (slot_t s = FIRST_CONN; s <= LAST_CONN; s++)
		if (!(conns[s] = malloc(sizeof(struct conn)))) {
			printf("netserve: out of memory\n");
			return 1;
		}
	if ((err = sys_notification_create(NOTIFY)) ||
	    (err = listen_on(L_ECHO, P_ECHO, echo_port)) ||
	    (err = listen_on(L_HTTP, P_HTTP, http_port))) {
		printf("netserve: cannot listen: %s\n", strerror(err));
		return 1;
	}
	printf("netserve: echo on port %lu, http on port %lu\n", echo_port, http_port);
	for (;;) {
		uint64_t word = 0, retry = 0;

		for (slot_t s = FIRST_CONN; s <= LAST_CONN; s++)
			if (conns[s]->used && conns[s]->nomem)
				retry |= 1ull << s;
		if (retry) {
			err = sys_wait_until(NOTIFY, (uint64_t)sys_clock_ns() + NOMEM_RETRY_NS,
					     &word);
			if (err == -E_TIMEOUT)
				err = 0;
		} else {
			err = sys_wait(NOTIFY, 0, &word);
		}
		if (err) {
			printf("netserve: wait: %s\n", strerror(err));
			return 1;
		}
		for (slot_t s = FIRST_CONN; s <= LAST_CONN; s++)
			if (((word | retry) & (1ull << s)) && conns[s]->used)
				conn_serve(s);
		/* A connection that ended freed a slot: accept again too. */
		accept_all(L_ECHO);
		accept_all(L_HTTP);
	}
}
