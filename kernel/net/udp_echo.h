/*
 * A UDP echo service (RFC 862) on a kernel thread, for the system
 * tests and developers ("net.echo" or "net.echo=PORT" on the command
 * line): every datagram goes back to where it came from.  It uses the
 * endpoint API the UDP sockets will use.
 */
#ifndef NET_UDP_ECHO_H
#define NET_UDP_ECHO_H

#include <stdint.h>

#define UDP_ECHO_PORT 7

/* 0, or udp_bind's error, or -E_NOMEM. */
int udp_echo_start(uint16_t port);

#endif
