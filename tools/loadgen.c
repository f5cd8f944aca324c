/*
 * A fixed-rate HTTP load generator for the latency figure (tools/bench.py,
 * docs/network.md): GET PATH over CONNS HTTP/1.1 connections, request i
 * due at start + i / RATE whatever happened before it.  A request waits
 * for an idle connection when none is free, and its latency counts from
 * when it was due, not from when it went out, so a stall is charged to
 * every request it held back (no coordinated omission, as in wrk2).  A
 * connection the server closes (after a response with "Connection:
 * close", or any) is made again for the next request, its connect
 * counted in that request's latency.
 *
 *   loadgen HOST PORT RATE SECONDS CONNS [PATH]
 *
 * prints one line: "loadgen: N requests at R/s over C connections: done D,
 * errors E, late L; latency ms p50 A p99 B p99.9 C max M".  Exit status 0
 * when every request was answered with status 200.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define RESP_MAX  65536

enum conn_state {
	C_CLOSED,     /* no socket */
	C_CONNECTING, /* connect in progress, a request assigned */
	C_IDLE,	      /* connected, nothing outstanding */
	C_BUSY,	      /* request sent (or being sent), reading the response */
};

struct conn {
	int fd;
	enum conn_state state;
	long req; /* the request it carries, -1: none */
	char resp[RESP_MAX];
	size_t got;  /* bytes of response read */
	size_t sent; /* bytes of request written */
	long need;   /* total response bytes once the header is in, -1 before */
	int close_after;
};

static struct sockaddr_in addr;
static char request[512];
static size_t request_len;
static struct conn conns[MAX_CONNS];
static int nconns;
static double *lat_ms; /* per request, -1 while outstanding */
static long done, errors;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = C_CLOSED;
}

/* Starts sending request r on c, connecting first when needed. */
static void
conn_start(struct conn *c, long r)
{
	c->req = r;
	c->got = c->sent = 0;
	c->need = -1;
	c->close_after = 0;
	if (c->state == C_CLOSED) {
		int one = 1;

		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (c->fd < 0) {
			perror("loadgen: socket");
			exit(2);
		}
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 &&
		    errno != EINPROGRESS) {
			conn_close(c);
			errors++;
			c->req = -1;
			return;
		}
		c->state = C_CONNECTING;
		return;
	}
	c->state = C_BUSY;
}

static void
request_failed(struct conn *c)
{
	errors++;
	c->req = -1;
	conn_close(c);
}

/* Once the header is in (head_end: where its blank line starts): the
 * whole response's length, or -1 (read to the close); notes whether the
 * server will close after it. */
static long
response_length(struct conn *c, size_t head_end)
{
	long len = -1;
	size_t i = 0;

	if (!strncmp(c->resp, "HTTP/1.0", 8))
		c->close_after = 1;
	while (i < head_end) {
		char *line = c->resp + i, *eol = memmem(line, head_end - i, "\r\n", 2);
		size_t n = eol ? (size_t)(eol - line) : head_end - i;
		char save = line[n];

		line[n] = 0;
		if (!strncasecmp(line, "content-length:", 15))
			len = strtol(line + 15, NULL, 10);
		else if (!strncasecmp(line, "connection:", 11) && strcasestr(line + 11, "close"))
			c->close_after = 1;
		line[n] = save;
		i += n + 2;
	}
	return len < 0 ? -1 : (long)(head_end + 4) + len;
}

static void
request_done(struct conn *c, double t, double t0, double rate)
{
	if (strncmp(c->resp, "HTTP/1.1 200", 12) && strncmp(c->resp, "HTTP/1.0 200", 12)) {
		request_failed(c);
		return;
	}
	lat_ms[c->req] = (t - (t0 + (double)c->req / rate)) * 1e3;
	done++;
	c->req = -1;
	if (c->close_after)
		conn_close(c);
	else
		c->state = C_IDLE;
}

/* Work on c after poll said it is ready. */
static void
conn_io(struct conn *c, short rev, double t0, double rate)
{
	if (c->state == C_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err) {
			request_failed(c);
			return;
		}
		c->state = C_BUSY;
	}
	if (c->state != C_BUSY)
		return;
	if (c->sent < request_len && (rev & POLLOUT)) {
		ssize_t n = send(c->fd, request + c->sent, request_len - c->sent, MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN) {
			request_failed(c);
			return;
		}
		if (n > 0)
			c->sent += (size_t)n;
	}
	if (rev & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n = recv(c->fd, c->resp + c->got, RESP_MAX - 1 - c->got, 0);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* Closed: a response read to the close is complete;
			 * anything else failed. */
			if (c->need == -2) {
				c->close_after = 1;
				request_done(c, now_s(), t0, rate);
			} else {
				request_failed(c);
			}
			return;
		}
		c->got += (size_t)n;
		if (c->need == -1) {
			char *e;

			c->resp[c->got] = 0;
			e = strstr(c->resp, "\r\n\r\n");
			if (e) {
				c->need = response_length(c, (size_t)(e - c->resp));
				if (c->need == -1)
					c->need = -2; /* to the close */
			}
		}
		if (c->need >= 0 && c->got >= (size_t)c->need)
			request_done(c, now_s(), t0, rate);
		else if (c->got >= RESP_MAX - 1)
			request_failed(c);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, long n, double p)
{
	long i = (long)(p * (double)n + 0.999999) - 1;

	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return v[i];
}

int
main(int argc, char **argv)
{
	double rate, secs, t0, t;
	long total, next = 0, late = 0;
	const char *path = argc > 6 ? argv[6] : "/";
	struct pollfd pfd[MAX_CONNS];

	if (argc < 6) {
		fprintf(stderr, "usage: loadgen HOST PORT RATE SECONDS CONNS [PATH]\n");
		return 2;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[2]));
	rate = atof(argv[3]);
	secs = atof(argv[4]);
	nconns = atoi(argv[5]);
	if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || rate <= 0 || secs <= 0 ||
	    nconns < 1 || nconns > MAX_CONNS) {
		fprintf(stderr, "loadgen: bad arguments\n");
		return 2;
	}
	request_len = (size_t)snprintf(request, sizeof(request),
				       "GET %s HTTP/1.1\r\nHost: bench\r\n\r\n", path);
	total = (long)(rate * secs);
	lat_ms = malloc(sizeof(*lat_ms) * (size_t)total);
	if (!lat_ms)
		return 2;
	for (long i = 0; i < total; i++)
		lat_ms[i] = -1;
	for (int i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		conns[i].req = -1;
	}
	t0 = now_s();
	/* Until every request is answered or failed, or 10 s past the end. */
	while (done + errors < total && (t = now_s()) < t0 + secs + 10) {
		int timeout_ms = 100;

		/* Hand every due request to an idle (or closed) connection. */
		while (next < total && t >= t0 + (double)next / rate) {
			int k;

			for (k = 0; k < nconns; k++)
				if (conns[k].req < 0 && conns[k].state != C_CONNECTING &&
				    conns[k].state != C_BUSY)
					break;
			if (k == nconns)
				break; /* all busy: it waits, its clock running */
			if (t > t0 + (double)next / rate + 0.001)
				late++;
			conn_start(&conns[k], next++);
		}
		if (next < total) {
			double wait = t0 + (double)next / rate - t;

			timeout_ms = wait <= 0 ? 1 : (int)(wait * 1e3) + 1;
			if (timeout_ms > 100)
				timeout_ms = 100;
		}
		for (int k = 0; k < nconns; k++) {
			struct conn *c = &conns[k];

			pfd[k].fd = -1;
			pfd[k].events = 0;
			if (c->state == C_CONNECTING) {
				pfd[k].fd = c->fd;
				pfd[k].events = POLLOUT;
			} else if (c->state == C_BUSY) {
				pfd[k].fd = c->fd;
				pfd[k].events = POLLIN | (c->sent < request_len ? POLLOUT : 0);
			} else if (c->state == C_IDLE) {
				pfd[k].fd = c->fd; /* to notice a close */
				pfd[k].events = POLLIN;
			}
		}
		if (poll(pfd, (nfds_t)nconns, timeout_ms) < 0 && errno != EINTR) {
			perror("loadgen: poll");
			return 2;
		}
		for (int k = 0; k < nconns; k++) {
			struct conn *c = &conns[k];

			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			if (c->state == C_IDLE) {
				char b;

				/* An idle connection readable: the server closed it. */
				if (recv(c->fd, &b, 1, MSG_DONTWAIT) <= 0)
					conn_close(c);
				continue;
			}
			conn_io(c, pfd[k].revents, t0, rate);
		}
	}
	{
		double *v = malloc(sizeof(*v) * (size_t)(done ? done : 1));
		long m = 0;

		for (long i = 0; i < total; i++)
			if (lat_ms[i] >= 0)
				v[m++] = lat_ms[i];
		qsort(v, (size_t)m, sizeof(*v), cmp_double);
		printf("loadgen: %ld requests at %.0f/s over %d connections: done %ld, errors %ld, "
		       "late %ld; latency ms p50 %.2f p99 %.2f p99.9 %.2f max %.2f\n",
		       total, rate, nconns, done, errors, late, m ? pct(v, m, 0.5) : 0,
		       m ? pct(v, m, 0.99) : 0, m ? pct(v, m, 0.999) : 0, m ? v[m - 1] : 0);
		free(v);
	}
	return done == total ? 0 : 1;
}
