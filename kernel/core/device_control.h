/*
 * The device-control capability: the root authority over device
 * resources that the kernel does not use itself.  The kernel gives init
 * the only one; whoever holds it (with WRITE) can claim an interrupt
 * line (irq_claim), a range of I/O ports (ioport_claim) or device
 * registers as Frames (device_frames), each claim exclusive.  RAM and
 * everything else in the boot memory map is never claimable, nor is
 * anything a kernel driver registered in core/resource.
 */
#ifndef CORE_DEVICE_CONTROL_H
#define CORE_DEVICE_CONTROL_H

#include <stdint.h>

#include "cap/object.h"
#include "core/resource.h"

struct boot_info;
struct process;

/* Puts the boot memory map in the registry; once, at boot. */
void device_control_init(const struct boot_info *bi);

/*
 * A kernel driver's claim on its registers, so that no user driver can
 * be given them.  Failure is only warned about: the kernel works on.
 */
void device_reserve(enum resource_kind kind, uint64_t start, uint64_t size, const char *owner);

/* The single object (lives for ever). */
struct kobject *device_control_object(void);

/*
 * I/O port ranges: the object an I/O-ports capability names.  port_in
 * needs READ on it, port_out WRITE.
 */
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
