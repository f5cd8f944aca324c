/*
 * libFuzzer target for the DHCP client: the input is a server message.
 * It is parsed, then fed to clients in every state (each reached by a
 * real exchange), with the clock moved so that the timers run too.
 * Built by `make fuzz` with clang; run as build/fuzz/fuzz_dhcp.
 */
#include <stdint.h>
#include <string.h>

#include "net/dhcp.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static uint32_t rnd = 1;

static void
f_send(void *ctx, const void *msg, size_t len, uint32_t dst)
{
	struct dhcp_message m;

	(void)ctx;
	(void)dst;
	/* What the client sends must parse. */
	if (len > DHCP_MSG_MAX || dhcp_parse(msg, len, &m) != 0)
		__builtin_trap();
}

static void
f_bound(void *ctx, const struct dhcp_lease *l)
{
	(void)ctx;
	if (!l->ip || l->t1_secs > l->t2_secs || l->t2_secs > l->lease_secs)
		__builtin_trap();
}

static void
f_unbound(void *ctx)
{
	(void)ctx;
}

static uint32_t
f_random(void *ctx)
{
	(void)ctx;
	return rnd = rnd * 1103515245u + 12345u;
}

static const struct dhcp_ops ops = { f_send, f_bound, f_unbound, f_random };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_message m;
	struct dhcp_client c;
	uint8_t msg[4096];
	uint32_t xid;

	dhcp_parse(data, size, &m);
	if (size < DHCP_MIN_LEN || size > sizeof(msg))
		return 0;
	for (int state = 0; state < 3; state++) {
		dhcp_init(&c, mac, &ops, NULL);
		dhcp_start(&c, 0);
		memcpy(msg, data, size);
		/* Our xid and address, so the message gets past the first checks. */
		xid = c.xid;
		msg[4] = (uint8_t)(xid >> 24);
		msg[5] = (uint8_t)(xid >> 16);
		msg[6] = (uint8_t)(xid >> 8);
		msg[7] = (uint8_t)xid;
		memcpy(msg + 28, mac, 6);
		for (int k = 0; k <= state; k++) {
			dhcp_input(&c, msg, size, 1000u * (unsigned)k);
			xid = c.xid;
			msg[4] = (uint8_t)(xid >> 24);
			msg[5] = (uint8_t)(xid >> 16);
			msg[6] = (uint8_t)(xid >> 8);
			msg[7] = (uint8_t)xid;
		}
		for (int t = 0; t < 8; t++)
			dhcp_tick(&c, dhcp_next_event(&c));
	}
	return 0;
}
