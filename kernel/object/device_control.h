/*
 * The device-control object: the root authority over device resources
 * that the kernel does not use itself.  The kernel gives init the only
 * capability to it; whoever holds one (with WRITE) can claim an
 * interrupt line (irq_claim: object/irq.h), a range of I/O ports
 * (ioport_claim: object/io_ports.h) or device registers as Frames
 * (device_frames: object/frames.h), each claim exclusive.  What is never
 * claimable is registered by core/device_control.
 */
#ifndef OBJECT_DEVICE_CONTROL_H
#define OBJECT_DEVICE_CONTROL_H

#include "object/object.h"

/* The single object (lives for ever; capability lock held). */
struct kobject *device_control_object(void);

#endif
