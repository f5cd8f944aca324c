/*
 * Sockets over the loopback (docs/network.md): TCP and UDP through the
 * kernel's stack and back, the Port and Network capabilities enforced,
 * every bad argument refused, readiness through a Notification, buffers
 * charged to the case's Memory, and blocking calls ended by a kill.
 * Slot 2 holds init's Network.  The memory audit after each case finds
 * every connection gone (net_quiesce frees what waits in TIME_WAIT).
 */
#include "themelios.h"
#include "utest/utest.h"

#define NET	   2
#define PORT	   10 /* Port capability slots */
#define PORT2	   11
#define LSN	   12 /* socket slots */
#define CLI	   13
#define SRV	   14
#define USOCK	   15
#define NOTE	   16
#define SUP	   17
#define PROC	   18
#define LOOPBACK   0x7f000001u
#define KERNEL_PTR 0xffffffff80000000ull

#define BUF_SIZE   70000

/* Two buffers from the case's own quota (static ones would grow every
 * utest process, helpers included). */
static char *buf_a, *buf_b;

static void
buffers(void)
{
	if (!buf_a)
		buf_a = malloc(BUF_SIZE);
	if (!buf_b)
		buf_b = malloc(BUF_SIZE);
	if (!buf_a || !buf_b)
		sys_exit(99);
}

static void
fill(char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(seed * 7 + i * 13 + (i >> 8));
}

static long
recv_all(slot_t s, char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		long r = sys_socket_recv(s, p + got, n - got, 0);

		if (r <= 0)
			return r < 0 ? r : (long)got;
		got += (size_t)r;
	}
	return (long)got;
}

/* A listener on port (its Port capability in PORT), a client connected
 * to it and the accepted server side. */
static void
pair(uint64_t port)
{
	CHECK(sys_port_create(NET, port, 1, PORT_TCP, PORT), 0);
	CHECK(sys_socket_create(SOCK_TCP, 0, LSN), 0);
	CHECK(sys_socket_listen(LSN, PORT, port, 4), 0);
	CHECK(sys_socket_create(SOCK_TCP, 0, CLI), 0);
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, port), 0);
	CHECK(sys_socket_accept(LSN, SRV, 0), 0);
}

static void
unpair(void)
{
	sys_socket_close(CLI);
	sys_socket_close(SRV);
	sys_socket_close(LSN);
	sys_cap_delete(PORT);
}

void
net_tcp_echo(void)
{
	struct socket_info si;
	struct cap_info ci;

	buffers();

	pair(5001);
	CHECK(sys_cap_inspect(SRV, &ci), 0);
	CHECK(ci.type, OBJ_SOCKET);
	CHECK(sys_socket_info(SRV, &si), 0);
	CHECK(si.state, 4); /* ESTABLISHED */
	CHECK(si.local_port, 5001);
	CHECK(si.remote_addr, LOOPBACK);
	for (unsigned round = 0; round < 3; round++) {
		size_t n = 30000 + round * 9000;

		fill(buf_a, n, round);
		CHECK(socket_send_all(CLI, buf_a, n), (long)n);
		CHECK(recv_all(SRV, buf_b, n), (long)n);
		CHECK(socket_send_all(SRV, buf_b, n), (long)n);
		memset(buf_b, 0, n);
		CHECK(recv_all(CLI, buf_b, n), (long)n);
		CHECK(memcmp(buf_a, buf_b, n), 0);
	}
	/* The client shuts down its side: the server reads the end, and can
	 * still send. */
	CHECK(sys_socket_shutdown(CLI), 0);
	CHECK(sys_socket_recv(SRV, buf_b, 10, 0), 0);
	CHECK(sys_socket_send(CLI, "x", 1, 0), -E_PIPE);
	CHECK(socket_send_all(SRV, "bye", 3), 3);
	CHECK(recv_all(CLI, buf_b, 3), 3);
	CHECK(memcmp(buf_b, "bye", 3), 0);
	unpair();
}

void
net_refused(void)
{
	buffers();
	CHECK(sys_socket_create(SOCK_TCP, 0, CLI), 0);
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 5002), -E_CONNREFUSED);
	/* The socket is spent: a second connect is refused as such. */
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 5002), -E_ISCONN);
	CHECK(sys_socket_send(CLI, "x", 1, 0), -E_CONNREFUSED);
	CHECK(sys_socket_close(CLI), 0);
	/* Non-blocking: the SYN goes, and the socket tells the end. */
	CHECK(sys_socket_create(SOCK_TCP, SOCK_NONBLOCK, CLI), 0);
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 5002), 0);
	for (int i = 0; i < 1000 && !(sys_object_signals(CLI) & SIGNAL_ERROR); i++)
		sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	CHECK(sys_object_signals(CLI) & SIGNAL_ERROR, SIGNAL_ERROR);
	CHECK(sys_socket_recv(CLI, buf_a, 10, 0), -E_CONNREFUSED);
	CHECK(sys_socket_close(CLI), 0);
}

void
net_ports(void)
{
	struct object_info oi;

	CHECK(sys_socket_create(SOCK_TCP, 0, LSN), 0);
	/* No Port capability at all. */
	CHECK(sys_socket_listen(LSN, 0, 6000, 4), -E_PERM);
	/* One for another port, and one for UDP only. */
	CHECK(sys_port_create(NET, 6000, 1, PORT_TCP, PORT), 0);
	CHECK(sys_object_info(PORT, &oi), 0);
	CHECK(oi.type, OBJ_PORT);
	CHECK(oi.id, 6000);
	CHECK(oi.size, 1);
	CHECK(sys_socket_listen(LSN, PORT, 6001, 4), -E_PERM);
	CHECK(sys_port_create(NET, 6001, 1, PORT_UDP, PORT2), 0);
	CHECK(sys_socket_listen(LSN, PORT2, 6001, 4), -E_PERM);
	/* Another type in the Port's place, and a Port in the Network's. */
	CHECK(sys_socket_listen(LSN, NET, 6000, 4), -E_TYPE);
	CHECK(sys_port_create(PORT, 7000, 1, PORT_TCP, 20), -E_TYPE);
	/* The right one. */
	CHECK(sys_socket_listen(LSN, PORT, 6000, 4), 0);
	CHECK(sys_socket_listen(LSN, PORT, 6000, 4), -E_ISCONN);
	CHECK(sys_socket_create(SOCK_TCP, 0, SRV), 0);
	CHECK(sys_socket_listen(SRV, PORT, 6000, 4), -E_ADDRINUSE);
	/* No Network: no connect, no sendto. */
	CHECK(sys_socket_create(SOCK_TCP, 0, CLI), 0);
	CHECK(sys_socket_connect(CLI, 0, LOOPBACK, 6000), -E_PERM);
	CHECK(sys_socket_connect(CLI, PORT, LOOPBACK, 6000), -E_TYPE);
	/* A Network without WRITE is no authority either. */
	CHECK(sys_cap_mint(NET, 20, RIGHT_READ, 0), 0);
	CHECK(sys_socket_connect(CLI, 20, LOOPBACK, 6000), -E_PERM);
	CHECK(sys_port_create(20, 7000, 1, PORT_TCP, 21), -E_PERM);
	CHECK(sys_socket_create(SOCK_UDP, 0, USOCK), 0);
	CHECK(sys_socket_sendto(USOCK, 0, "x", 1, LOOPBACK, 6001), -E_PERM);
	CHECK(sys_socket_bind(USOCK, PORT, 6000), -E_PERM); /* TCP only */
	CHECK(sys_socket_bind(USOCK, PORT2, 6001), 0);
	/* A range. */
	CHECK(sys_port_create(NET, 6100, 10, PORT_TCP | PORT_UDP, 21), 0);
	CHECK(sys_socket_listen(SRV, 21, 6109, 4), 0);
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 6109), 0);
	for (slot_t s = 10; s <= 21; s++)
		sys_cap_delete(s);
}

void
net_badargs(void)
{
	struct socket_info si;
	struct sock_addr from;

	buffers();

	/* socket_create: kinds, flags, slots. */
	CHECK(sys_socket_create(0, 0, LSN), -E_INVAL);
	CHECK(sys_socket_create(3, 0, LSN), -E_INVAL);
	CHECK(sys_socket_create(SOCK_TCP, 2, LSN), -E_INVAL);
	CHECK(sys_socket_create(SOCK_TCP, 0, 0), -E_NOCAP);
	CHECK(sys_socket_create(SOCK_TCP, 0, 64), -E_NOCAP);
	CHECK(sys_socket_create(SOCK_TCP, 0, NET), -E_EXIST);
	/* Every call on an empty slot, an out-of-range one, the wrong type. */
	CHECK(sys_socket_listen(LSN, 0, 1, 1), -E_NOCAP);
	CHECK(sys_socket_accept(64, SRV, 0), -E_NOCAP);
	CHECK(sys_socket_connect(NET, NET, LOOPBACK, 1), -E_TYPE);
	CHECK(sys_socket_send(1, "x", 1, 0), -E_TYPE);
	CHECK(sys_socket_recv(LSN, buf_a, 1, 0), -E_NOCAP);
	CHECK(sys_socket_shutdown(0), -E_NOCAP);
	CHECK(sys_socket_close(NET), -E_TYPE);
	CHECK(sys_socket_bind(999, 0, 1), -E_NOCAP);
	CHECK(sys_socket_sendto(LSN, NET, "x", 1, LOOPBACK, 1), -E_NOCAP);
	CHECK(sys_socket_recvfrom(LSN, buf_a, 1, NULL, 0), -E_NOCAP);
	CHECK(sys_socket_setopt(LSN, SOCKOPT_NODELAY, 1), -E_NOCAP);
	CHECK(sys_socket_info(LSN, &si), -E_NOCAP);
	CHECK(sys_port_create(LSN, 1, 1, PORT_TCP, PORT), -E_NOCAP);
	/* Ports: empty, past 65535, no or unknown protocol. */
	CHECK(sys_port_create(NET, 0, 1, PORT_TCP, PORT), -E_INVAL);
	CHECK(sys_port_create(NET, 1, 0, PORT_TCP, PORT), -E_INVAL);
	CHECK(sys_port_create(NET, 65535, 2, PORT_TCP, PORT), -E_INVAL);
	CHECK(sys_port_create(NET, 70000, 1, PORT_TCP, PORT), -E_INVAL);
	CHECK(sys_port_create(NET, 1, 1, 0, PORT), -E_INVAL);
	CHECK(sys_port_create(NET, 1, 1, 4, PORT), -E_INVAL);
	CHECK(sys_port_create(NET, 1, 1, PORT_TCP, NET), -E_EXIST);
	/* A connected pair, then bad pointers, lengths and flags. */
	pair(5003);
	CHECK(sys_socket_listen(LSN, PORT, 5003, 0), -E_INVAL);
	CHECK(sys_socket_listen(LSN, PORT, 5003, 100000), -E_INVAL);
	CHECK(sys_socket_listen(CLI, PORT, 0, 1), -E_INVAL);
	CHECK(sys_socket_accept(LSN, SRV, 0), -E_EXIST);
	CHECK(sys_socket_accept(LSN, 20, 4), -E_INVAL);
	CHECK(sys_socket_accept(SRV, 20, SOCK_NONBLOCK), -E_INVAL); /* not listening */
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 0), -E_INVAL);
	CHECK(sys_socket_connect(CLI, NET, 1ull << 32, 1), -E_INVAL);
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 70000), -E_INVAL);
	CHECK(sys_socket_send(CLI, (void *)KERNEL_PTR, 10, 0), -E_FAULT);
	CHECK(sys_socket_send(CLI, (void *)UNMAPPED, 10, 0), -E_FAULT);
	CHECK(sys_socket_send(CLI, buf_a, ~0ull, 0), -E_FAULT);
	CHECK(sys_socket_send(CLI, buf_a, 1, 8), -E_INVAL);
	CHECK(sys_socket_send(CLI, buf_a, 0, 0), 0);
	CHECK(sys_socket_recv(SRV, (void *)KERNEL_PTR, 10, 0), -E_FAULT);
	CHECK(sys_socket_recv(SRV, buf_a, 10, 8), -E_INVAL);
	CHECK(sys_socket_recv(SRV, buf_a, 10, SOCK_NONBLOCK), -E_AGAIN);
	CHECK(sys_socket_info(SRV, (void *)KERNEL_PTR), -E_FAULT);
	CHECK(sys_socket_setopt(SRV, 0, 1), -E_INVAL);
	CHECK(sys_socket_setopt(SRV, 99, 1), -E_INVAL);
	CHECK(sys_socket_setopt(SRV, 1ull << 40, 1), -E_INVAL);
	CHECK(sys_socket_setopt(SRV, SOCKOPT_SNDBUF, 100000), -E_ISCONN);
	CHECK(sys_socket_setopt(SRV, SOCKOPT_NODELAY, 1), 0);
	CHECK(sys_socket_setopt(SRV, SOCKOPT_KEEPALIVE, 1), 0);
	CHECK(sys_socket_bind(SRV, PORT, 5003), -E_TYPE); /* TCP */
	CHECK(sys_socket_sendto(SRV, NET, "x", 1, LOOPBACK, 1), -E_TYPE);
	/* UDP: lengths, addresses, pointers. */
	CHECK(sys_socket_create(SOCK_UDP, 0, USOCK), 0);
	CHECK(sys_socket_recvfrom(USOCK, buf_a, 10, NULL, 0), -E_NOTCONN);
	CHECK(sys_socket_sendto(USOCK, NET, buf_a, 70000, LOOPBACK, 9), -E_RANGE);
	CHECK(sys_socket_sendto(USOCK, NET, buf_a, 1, LOOPBACK, 0), -E_INVAL);
	CHECK(sys_socket_sendto(USOCK, NET, (void *)KERNEL_PTR, 1, LOOPBACK, 9), -E_FAULT);
	CHECK(sys_socket_listen(USOCK, PORT, 5003, 1), -E_TYPE);
	CHECK(sys_socket_send(USOCK, "x", 1, 0), -E_TYPE);
	CHECK(sys_socket_recvfrom(USOCK, buf_a, 10, (void *)KERNEL_PTR, 0), -E_FAULT);
	CHECK(sys_socket_recvfrom(USOCK, buf_a, 10, &from, 8), -E_INVAL);
	sys_socket_close(USOCK);
	unpair();
}

void
net_readiness(void)
{
	uint64_t word = 0;

	buffers();

	pair(5004);
	CHECK(sys_notification_create(NOTE), 0);
	CHECK(sys_object_bind(SRV, NOTE, SIGNAL_READABLE, 0x10), 0);
	CHECK(sys_object_bind(CLI, NOTE, SIGNAL_PEER_CLOSED, 0x20), 0);
	CHECK(sys_object_signals(SRV) & SIGNAL_READABLE, 0);
	CHECK(sys_object_signals(SRV) & SIGNAL_WRITABLE, SIGNAL_WRITABLE);
	CHECK(sys_wait(NOTE, IPC_NONBLOCK, &word), -E_AGAIN);
	CHECK(socket_send_all(CLI, "ping", 4), 4);
	CHECK(sys_wait_until(NOTE, (uint64_t)sys_clock_ns() + 5000000000ull, &word), 0);
	CHECK(word, 0x10);
	CHECK(sys_object_signals(SRV) & SIGNAL_READABLE, SIGNAL_READABLE);
	CHECK(recv_all(SRV, buf_a, 4), 4);
	CHECK(sys_object_signals(SRV) & SIGNAL_READABLE, 0);
	/* The server closes: the client's PEER_CLOSED bit. */
	CHECK(sys_socket_close(SRV), 0);
	CHECK(sys_wait_until(NOTE, (uint64_t)sys_clock_ns() + 5000000000ull, &word), 0);
	CHECK(word & 0x20, 0x20);
	CHECK(sys_object_signals(CLI) & (SIGNAL_READABLE | SIGNAL_PEER_CLOSED),
	      SIGNAL_READABLE | SIGNAL_PEER_CLOSED);
	CHECK(sys_socket_recv(CLI, buf_a, 10, 0), 0);
	/* A listener is READABLE when a connection waits. */
	CHECK(sys_object_bind(LSN, NOTE, SIGNAL_READABLE, 0x40), 0);
	CHECK(sys_socket_close(CLI), 0);
	CHECK(sys_socket_create(SOCK_TCP, 0, CLI), 0);
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 5004), 0);
	CHECK(sys_wait_until(NOTE, (uint64_t)sys_clock_ns() + 5000000000ull, &word), 0);
	CHECK(word & 0x40, 0x40);
	CHECK(sys_socket_accept(LSN, SRV, SOCK_NONBLOCK), 0);
	CHECK(sys_socket_accept(LSN, 20, SOCK_NONBLOCK), -E_AGAIN);
	sys_cap_delete(NOTE);
	unpair();
}

/* A byte of the stream at offset off (net_memory). */
static char
stream_byte(size_t off)
{
	return (char)(off * 7 + (off >> 10));
}

void
net_memory(void)
{
	struct memory_info before, during, after;
	size_t sent = 0, got = 0;
	long r = 0;

	buffers();

	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	pair(5005);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &during), 0);
	/* Connected, nothing sent: the sockets and connections (a page
	 * each), no buffer yet. */
	CHECK(during.used - before.used <= 8, 1);
	/* 60,000 bytes unread: the receive buffer holds them in 16 KiB
	 * chunks (four pages each) charged to us... */
	fill(buf_a, 60000, 1);
	CHECK(socket_send_all(CLI, buf_a, 60000), 60000);
	for (int i = 0; i < 2000; i++) {
		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
		if (after.used >= during.used + 16)
			break;
		sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	}
	CHECK(after.used >= during.used + 16, 1);
	/* ...and given back as they are read (one chunk kept for the next
	 * bytes, and one the sender may still hold). */
	CHECK(recv_all(SRV, buf_b, 60000), 60000);
	CHECK(memcmp(buf_a, buf_b, 60000), 0);
	for (int i = 0; i < 2000; i++) {
		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
		if (after.used <= during.used + 8)
			break;
		sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	}
	CHECK(after.used <= during.used + 8, 1);
	sys_socket_close(CLI);
	sys_socket_close(SRV);
	/* A send buffer larger than the whole quota (512 pages): it takes
	 * memory only as it fills, so the connection is made, and filling
	 * it stops where the quota does (-E_AGAIN, the connection intact);
	 * every byte then arrives.  Both ends share this Memory, so the
	 * receiving end first holds its whole window (a fixed 64 KiB): a
	 * sender that took everything first would leave it nothing to
	 * store into, and the transfer would crawl on retransmissions. */
	sys_socket_close(LSN);
	CHECK(sys_socket_create(SOCK_TCP, 0, LSN), 0);
	CHECK(sys_socket_setopt(LSN, SOCKOPT_RCVBUF, 65536), 0);
	CHECK(sys_socket_listen(LSN, PORT, 5005, 4), 0);
	CHECK(sys_socket_create(SOCK_TCP, 0, CLI), 0);
	CHECK(sys_socket_setopt(CLI, SOCKOPT_SNDBUF, 4 << 20), 0);
	CHECK(sys_socket_setopt(CLI, SOCKOPT_RCVBUF, 4 << 20), 0);
	CHECK(sys_socket_connect(CLI, NET, LOOPBACK, 5005), 0);
	CHECK(sys_socket_accept(LSN, SRV, 0), 0);
	for (size_t i = 0; i < 65536; i++)
		buf_a[i] = stream_byte(i);
	CHECK(socket_send_all(CLI, buf_a, 65536), 65536);
	sent = 65536;
	for (int i = 0; i < 5000; i++) {
		struct socket_info si;

		CHECK(sys_socket_info(SRV, &si), 0);
		if (si.readable == 65536)
			break;
		sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	}
	while (sent < (8u << 20)) {
		for (size_t i = 0; i < BUF_SIZE; i++)
			buf_a[i] = stream_byte(sent + i);
		r = sys_socket_send(CLI, buf_a, BUF_SIZE, SOCK_NONBLOCK);
		if (r <= 0)
			break;
		sent += (size_t)r;
	}
	CHECK(r, -E_AGAIN);
	CHECK(sent > 256 * 1024, 1);
	CHECK(sent < (4u << 20), 1); /* the quota stopped it, not the buffer */
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
	CHECK(after.used <= after.limit, 1);
	while (got < sent) {
		r = sys_socket_recv(SRV, buf_b, BUF_SIZE, 0);
		if (r <= 0)
			break;
		for (long i = 0; i < r; i++)
			if (buf_b[i] != stream_byte(got + (size_t)i)) {
				CHECK(buf_b[i], stream_byte(got + (size_t)i));
				r = -1;
				break;
			}
		if (r < 0)
			break;
		got += (size_t)r;
	}
	CHECK(got == sent, 1);
	CHECK(socket_send_all(CLI, "ok", 2), 2);
	CHECK(recv_all(SRV, buf_b, 2), 2);
	unpair();
	/* Sockets until the quota is spent: each is charged. */
	{
		long err = 0;
		slot_t s;

		for (s = 20; s < 56 && !err; s++)
			err = sys_socket_create(SOCK_TCP, 0, s);
		CHECK(err == 0 || err == -E_NOMEM, 1);
		for (s = 20; s < 56; s++)
			sys_cap_delete(s);
	}
	pair(5005);
	CHECK(socket_send_all(CLI, "ok", 2), 2);
	CHECK(recv_all(SRV, buf_a, 2), 2);
	unpair();
	/* The closing handshakes finish on the loopback; what stays is one
	 * page for each connection in TIME_WAIT (no buffers): both ends of
	 * each of the three pairs (closed at once, simultaneously), at most 6. */
	for (int i = 0; i < 2000; i++) {
		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
		if (after.used <= before.used + 6)
			break;
		sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	}
	CHECK(after.used <= before.used + 6, 1);
}

void
net_udp(void)
{
	struct sock_addr from;

	buffers();

	CHECK(sys_port_create(NET, 5006, 1, PORT_UDP, PORT), 0);
	CHECK(sys_socket_create(SOCK_UDP, 0, USOCK), 0);
	CHECK(sys_socket_bind(USOCK, PORT, 5006), 0);
	CHECK(sys_socket_bind(USOCK, PORT, 5006), -E_ISCONN);
	CHECK(sys_socket_create(SOCK_UDP, 0, CLI), 0);
	CHECK(sys_socket_bind(CLI, PORT, 5006), -E_ADDRINUSE);
	CHECK(sys_socket_recvfrom(USOCK, buf_a, 100, &from, SOCK_NONBLOCK), -E_AGAIN);
	fill(buf_a, 3000, 9);
	/* From an ephemeral port, which needs no Port capability. */
	CHECK(sys_socket_sendto(CLI, NET, buf_a, 3000, LOOPBACK, 5006), 3000);
	CHECK(sys_socket_recvfrom(USOCK, buf_b, BUF_SIZE, &from, 0), 3000);
	CHECK(memcmp(buf_a, buf_b, 3000), 0);
	CHECK(from.addr, LOOPBACK);
	CHECK(from.port >= 49152, 1);
	CHECK(sys_socket_sendto(USOCK, NET, "back", 4, LOOPBACK, from.port), 4);
	CHECK(sys_socket_recvfrom(CLI, buf_b, 2, NULL, 0), 4); /* cut to 2 bytes */
	CHECK(memcmp(buf_b, "ba", 2), 0);

	/* Datagrams waiting in a queue are charged to its owner's Memory
	 * (whole pages of what they hold), and given back as they are read. */
	{
		struct memory_info before, queued, after;

		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
		for (int i = 0; i < 8; i++)
			CHECK(sys_socket_sendto(CLI, NET, buf_a, 3000, LOOPBACK, 5006), 3000);
		/* The loopback delivers in the network thread: wait for all 8
		 * (8 x 3,000 bytes and their headers are 6 pages). */
		for (int i = 0; i < 2000; i++) {
			CHECK(sys_memory_info(CAP_SLOT_MEMORY, &queued), 0);
			if (queued.used - before.used >= 6)
				break;
			sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
		}
		CHECK(queued.used - before.used, 6);
		for (int i = 0; i < 8; i++)
			CHECK(sys_socket_recvfrom(USOCK, buf_b, BUF_SIZE, NULL, 0), 3000);
		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
		CHECK(after.used, before.used);
	}
	sys_socket_close(USOCK);
	sys_socket_close(CLI);
	sys_cap_delete(PORT);
}

/* Blocks a thread in recv and the main thread in accept, for ever. */
static void
net_blocked_recv(void *arg)
{
	char b[16];

	(void)arg;
	sys_socket_recv(CLI, b, sizeof(b), 0);
}

int
net_blocker(void)
{
	if (sys_socket_create(SOCK_TCP, 0, LSN) || sys_socket_create(SOCK_TCP, 0, SRV) ||
	    sys_socket_listen(LSN, 3, 5010, 4) || sys_socket_listen(SRV, 3, 5011, 4) ||
	    sys_socket_create(SOCK_TCP, 0, CLI) || sys_socket_connect(CLI, NET, LOOPBACK, 5010))
		return 1;
	if (thread_start(net_blocked_recv, NULL, 2) < 0)
		return 1;
	sys_socket_accept(SRV, 20, 0);
	return 2;
}

void
net_kill(void)
{
	slot_t caps[3] = { CAP_SLOT_CONSOLE, NET, PORT };
	struct process_info pi;
	long pid;

	CHECK(sys_port_create(NET, 5010, 2, PORT_TCP, PORT), 0);
	CHECK(sys_endpoint_create(SUP), 0);
	pid = spawn_held(UT_H_NET_BLOCKER, 256, SUP, 5, caps, 3, PROC);
	CHECK(pid > 0, 1);
	/* Until both threads are asleep in the kernel. */
	for (int i = 0; i < 2000; i++) {
		if (sys_process_info(PROC, &pi) == 0 && pi.threads == 2 && pi.blocked == 2)
			break;
		sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	}
	CHECK(pi.blocked, 2);
	CHECK(sys_process_kill(PROC), 0);
	CHECK(await_report(SUP, &utest_msg), 0);
	CHECK(utest_msg.label, PROCESS_EVENT_EXIT);
	sys_cap_delete(PROC);
	sys_cap_delete(SUP);
	sys_cap_delete(PORT);
}
