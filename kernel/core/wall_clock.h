/*
 * The wall clock: UTC, from the real-time clock read once at boot and
 * carried on by the monotonic clock (core/time.h), so it never steps
 * back.  Without a real-time clock it counts from the epoch at boot, as
 * before there was one.  Nothing sets it: a node's programs hold no
 * right to (NTP, when it comes, will slew it here).
 */
#ifndef CORE_WALL_CLOCK_H
#define CORE_WALL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct boot_info;

/* After time_init: reads the arch's real-time clock and logs the date. */
void wall_clock_init(const struct boot_info *bi);

/* True once a real-time clock gave a date. */
bool wall_clock_known(void);

/* Nanoseconds since 1970-01-01 00:00:00 UTC. */
uint64_t wall_clock_ns(void);

/* wall_clock_ns() - time_now_ns(): to turn a wall-clock deadline into
 * one of the monotonic clock. */
uint64_t wall_clock_offset_ns(void);

/* "2026-12-05 11:58:03 UTC" for secs since the epoch; buf of 32 bytes. */
void wall_clock_format(int64_t secs, char buf[32]);

#endif
