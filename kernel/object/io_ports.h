/*
 * I/O-ports objects: a range of x86 I/O ports a user-space driver
 * claimed through the device-control capability, its alone until the
 * object dies.  port_in needs READ on it, port_out WRITE.
 */
#ifndef OBJECT_IO_PORTS_H
#define OBJECT_IO_PORTS_H

#include <stdint.h>

#include "object/object.h"

struct process;

struct io_ports {
	struct kobject obj; /* KOBJ_IO_PORTS */
	uint32_t first;
	uint32_t count;
	struct process *owner; /* charged; referenced */
};

/* Capability lock held.  -E_NOTSUP (no port space), -E_INVAL (count 0),
 * -E_RANGE (past the port space), -E_BUSY, -E_NOMEM. */
int io_ports_claim(struct process *owner, uint64_t first, uint64_t count, struct io_ports **out);
/* Checks port and width (bytes) against the range: -E_INVAL, -E_RANGE. */
int io_ports_check(const struct io_ports *io, uint64_t port, uint64_t width);

#endif
