/*
 * libFuzzer target for the TCP engine.  Each input sets up a listener
 * and an established connection (two engines wired back to back), then
 * reads itself as a list of operations: raw segments for the listener,
 * segments for the connection with sequence and acknowledgment numbers
 * near the real ones (so that they land in the window), the clock
 * moving on, and the owner's calls.  Checksums are fixed up unless the
 * input asks otherwise, so the fuzzer gets past them.  At the end every
 * byte of memory must have come back.  Built by `make fuzz` with clang;
 * run as build/fuzz/fuzz_tcp [corpus dir].  tests/unit/test_net_tcp_fuzz.c
 * runs it on random inputs under `make test`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/byteorder.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "net/tcp.h"

#define ADDR_S 0x0a000001u
#define ADDR_C 0x0a000002u

struct fuzz_mem {
	size_t in_use, limit;
};

static void *
fz_alloc(void *owner, size_t size)
{
	struct fuzz_mem *m = owner;

	if (m->in_use + size > m->limit)
		return NULL;
	m->in_use += size;
	return malloc(size);
}

static void
fz_free(void *owner, void *p, size_t size)
{
	struct fuzz_mem *m = owner;

	m->in_use -= size;
	free(p);
}

/* Segments in flight between the two engines during the handshake;
 * afterwards the server's output is dropped. */
static struct {
	uint8_t bytes[2048];
	size_t len;
	uint32_t src, dst;
} pending[8];
static unsigned npending;
static int wiring;

static void
fz_output(void *ctx, uint32_t src, uint32_t dst, const void *seg, size_t len)
{
	(void)ctx;
	if (!wiring || npending == 8 || len > sizeof(pending[0].bytes))
		return;
	memcpy(pending[npending].bytes, seg, len);
	pending[npending].len = len;
	pending[npending].src = src;
	pending[npending].dst = dst;
	npending++;
}

static const struct tcp_ops fz_ops = { .output = fz_output, .alloc = fz_alloc, .free = fz_free };

static void
deliver(struct tcp_stack *srv, struct tcp_stack *cli, uint64_t now)
{
	for (unsigned i = 0; i < npending; i++)
		tcp_input(pending[i].dst == ADDR_S ? srv : cli, pending[i].src, pending[i].dst,
			  pending[i].bytes, pending[i].len, now);
	npending = 0;
}

static void
fix_checksum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	struct inet_csum c;

	if (len < 18)
		return;
	put_be16(seg + 16, 0);
	inet_csum_init(&c);
	inet_csum_add_pseudo(&c, src, dst, IPV4_PROTO_TCP, (uint16_t)len);
	inet_csum_add(&c, seg, len);
	put_be16(seg + 16, inet_csum_result(&c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 42 };
	static struct tcp_stack srv, cli;
	struct fuzz_mem smem = { 0, 1 << 20 }, cmem = { 0, 1 << 20 };
	struct tcp_conn *l, *c, *s = NULL;
	uint64_t now = 1000000000;
	uint8_t seg[1600], buf[4096];
	size_t pos = 0;
	int err;

	tcp_stack_init(&srv, &fz_ops, NULL, key);
	tcp_stack_init(&cli, &fz_ops, NULL, key);
	l = tcp_open(&srv, &smem);
	tcp_listen(l, 0, 80, 4);
	c = tcp_open(&cli, &cmem);
	wiring = 1;
	npending = 0;
	tcp_connect(c, ADDR_C, 5000, ADDR_S, 80, now);
	for (int i = 0; i < 4; i++)
		deliver(&srv, &cli, now);
	wiring = 0;
	s = tcp_accept(l, &err);

	while (pos + 3 <= size) {
		uint8_t op = data[pos];
		size_t len = (size_t)(data[pos + 1] | data[pos + 2] << 8) % sizeof(seg);

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		memcpy(seg, data + pos, len);
		pos += len;
		switch (op % 8) {
		case 0: /* anything, to the listener, from anywhere */
			if (!(op & 0x80))
				fix_checksum(seg, len, ADDR_C + 1, ADDR_S);
			tcp_input(&srv, ADDR_C + 1, ADDR_S, seg, len, now);
			break;
		case 1: /* to the connection, numbers near the real ones */
			if (len >= 20 && s) {
				put_be16(seg, 5000);
				put_be16(seg + 2, 80);
				put_be32(seg + 4, s->rcv_nxt + (uint32_t)(int16_t)be16(seg + 4));
				put_be32(seg + 8, s->snd_una + (uint32_t)(int16_t)be16(seg + 8));
			}
			if (!(op & 0x80))
				fix_checksum(seg, len, ADDR_C, ADDR_S);
			tcp_input(&srv, ADDR_C, ADDR_S, seg, len, now);
			break;
		case 2: /* time passes */
			now += (uint64_t)len * 7919 * 1000;
			tcp_timer_run(&srv, now);
			break;
		case 3:
			if (s)
				tcp_send(s, seg, len, now);
			break;
		case 4:
			if (s)
				tcp_recv(s, buf, len, now);
			break;
		case 5:
			if (s)
				tcp_shutdown(s, now);
			break;
		case 6:
			if (s && (op & 0x40)) {
				tcp_close(s, now);
				s = NULL;
			} else if (s) {
				tcp_setopt(s, (enum tcp_sockopt)(op >> 3 & 7), len);
			}
			break;
		case 7: /* every deadline due in the next len seconds */
			for (int i = 0;
			     i < 64 && tcp_next_deadline(&srv) <= now + len * 1000000000ull; i++) {
				now = tcp_next_deadline(&srv) > now ? tcp_next_deadline(&srv) : now;
				tcp_timer_run(&srv, now);
			}
			break;
		}
		if (smem.in_use > (1 << 20))
			abort();
	}
	if (s)
		tcp_close(s, now);
	tcp_close(l, now);
	tcp_close(c, now);
	tcp_stack_destroy(&srv);
	tcp_stack_destroy(&cli);
	if (smem.in_use || cmem.in_use)
		abort(); /* memory not accounted for */
	return 0;
}
