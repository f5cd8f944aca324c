/*
 * Who owns which device resource: I/O port ranges and physical address
 * ranges.  The kernel's own drivers and the memory map claim theirs at
 * boot; user-space drivers claim theirs through the device-control
 * capability (ioport_claim, device_frames) and give them back when the
 * capability's object dies.  Claims never overlap, so no two owners
 * can program the same registers and no user mapping ever reaches RAM
 * or a kernel device.
 *
 * Pure logic (host-tested).  Callers serialise: boot code before user
 * space runs, then the capability lock.
 */
#ifndef CORE_RESOURCE_H
#define CORE_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

enum resource_kind {
	RESOURCE_PORTS, /* x86 I/O port space */
	RESOURCE_PHYS,	/* physical addresses: RAM, firmware, MMIO */
	RESOURCE_KINDS
};

#define RESOURCE_MAX 128 /* claims held at once, all kinds */

/* The owner of RAM and firmware memory (the boot memory map): a claim
 * that runs into it asked for memory, not for a device. */
extern const char resource_memory[];

struct resource {
	uint64_t start;
	uint64_t end;	   /* exclusive */
	const char *owner; /* static or outliving the claim */
	uint8_t kind;
	bool used;
};

/*
 * Claims [start, start + size).  0, -E_INVAL (bad kind, size 0, or the
 * range wraps), -E_BUSY (overlaps a claim; *holder, if not NULL, names
 * its owner) or -E_NOMEM (table full).
 */
int resource_claim(enum resource_kind kind, uint64_t start, uint64_t size, const char *owner,
		   const char **holder);

/* Gives back the claim that starts at start: 0 or -E_NOENT. */
int resource_release(enum resource_kind kind, uint64_t start);

/* The owner of the claim covering addr, or NULL. */
const char *resource_owner(enum resource_kind kind, uint64_t addr);

/* The i-th slot of the table (for listings): NULL past the end; an
 * unused slot has used == false. */
const struct resource *resource_at(unsigned int i);

#endif
