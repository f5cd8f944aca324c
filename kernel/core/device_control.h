/*
 * What the device-control capability (object/device_control.h) may not
 * hand out: RAM and everything else in the boot memory map, and
 * whatever a kernel driver uses itself, both registered in core/resource
 * here so that every user claim meets them there.
 */
#ifndef CORE_DEVICE_CONTROL_H
#define CORE_DEVICE_CONTROL_H

#include <stdint.h>

#include "core/resource.h"

struct boot_info;

/* Puts the boot memory map in the registry; once, at boot. */
void device_control_init(const struct boot_info *bi);

/*
 * A kernel driver's claim on its registers, so that no user driver can
 * be given them.  Failure is only warned about: the kernel works on.
 */
void device_reserve(enum resource_kind kind, uint64_t start, uint64_t size, const char *owner);

#endif
