/*
 * Port objects: authority to listen on (TCP) or bind (UDP) the ports
 * [first, first + count), for the protocols named (PORT_TCP, PORT_UDP).
 * Made from a Network capability (port_create), so init can give a
 * service exactly one port.  object_info reports first (id) and count
 * (size).
 */
#ifndef OBJECT_PORT_H
#define OBJECT_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "object/object.h"

struct mempool;
struct process;

struct port_object {
	struct kobject obj;
	struct mempool *pool; /* charged one page for it; referenced */
	uint16_t first;
	uint32_t count;
	uint32_t protocols;
};

/* A new Port charged to owner: 0, -E_INVAL (empty or past 65535, no or
 * unknown protocol), -E_NOMEM.  Capability lock held; refs = 1. */
int port_object_create(struct process *owner, uint32_t first, uint32_t count, uint32_t protocols,
		       struct port_object **out);

/* Does p cover port for protocol (PORT_TCP or PORT_UDP)? */
bool port_object_allows(const struct port_object *p, uint16_t port, uint32_t protocol);

#endif
