#include "core/console_rx.h"

#include "lib/ring.h"

static uint8_t rx_buf[CONSOLE_RX_SIZE];
static struct ring rx_ring = { rx_buf, CONSOLE_RX_SIZE - 1, 0, 0, 0 };
static void (*rx_notify)(void);
static bool (*rx_filter)(uint8_t c);
static void (*rx_resume)(void);
static volatile bool rx_paused;
static uint64_t rx_pause_count;

_Static_assert((CONSOLE_RX_SIZE & (CONSOLE_RX_SIZE - 1)) == 0, "the ring needs a power of two");

void
console_rx_push(uint8_t c)
{
	if (rx_filter && rx_filter(c))
		return; /* taken as a signal (a tty's ^C), not input */
	ring_put(&rx_ring, c);
	if (rx_notify)
		rx_notify();
}

void
console_rx_set_filter(bool (*fn)(uint8_t c))
{
	rx_filter = fn;
}

bool
console_rx_full(void)
{
	return ring_space(&rx_ring) == 0;
}

void
console_rx_pause(void)
{
	rx_paused = true;
	rx_pause_count++;
}

int
console_rx_getc(void)
{
	int c = ring_get(&rx_ring);

	/* The interrupt handler paused only after filling the ring, so a
	 * byte taken now is room made; the device still holds the rest. */
	if (rx_paused && ring_space(&rx_ring) >= CONSOLE_RX_SIZE / 2) {
		rx_paused = false;
		if (rx_resume)
			rx_resume();
	}
	return c;
}

size_t
console_rx_pending(void)
{
	return ring_count(&rx_ring);
}

uint64_t
console_rx_dropped(void)
{
	return rx_ring.dropped;
}

void
console_rx_set_notify(void (*fn)(void))
{
	rx_notify = fn;
}

void
console_rx_set_resume(void (*fn)(void))
{
	rx_resume = fn;
}

uint64_t
console_rx_pauses(void)
{
	return rx_pause_count;
}
