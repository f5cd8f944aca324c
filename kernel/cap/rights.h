/*
 * Rights carried by a capability.  A right is what the holder may do with
 * the object through this capability; the same object may be reachable
 * through several capabilities with different rights.  Rights only ever
 * shrink: cap_copy keeps them, cap_mint masks them, nothing adds any.
 *
 * Meaning per object type (docs/capabilities.md has the table):
 *   READ     read data, receive on an endpoint, wait on a notification
 *   WRITE    write data, send on an endpoint, signal a notification,
 *            modify a process, thread, address space or cspace
 *   EXECUTE  map memory executable
 *   GRANT    send capabilities through an endpoint (cap_transfer)
 *   COPY     derive new capabilities from this one (cap_copy, cap_mint);
 *            a capability without it can only be moved or deleted, which
 *            is how a one-shot Reply capability is made
 *   CREATE   make names in a directory (files, directories, links)
 *   DELETE   remove or rename names in a directory
 */
#ifndef CAP_RIGHTS_H
#define CAP_RIGHTS_H

#include <stdbool.h>
#include <stdint.h>

#define CAP_RIGHT_READ	  (1u << 0)
#define CAP_RIGHT_WRITE	  (1u << 1)
#define CAP_RIGHT_EXECUTE (1u << 2)
#define CAP_RIGHT_GRANT	  (1u << 3)
#define CAP_RIGHT_COPY	  (1u << 4)
#define CAP_RIGHT_CREATE  (1u << 5)
#define CAP_RIGHT_DELETE  (1u << 6)

#define CAP_RIGHTS_ALL	  0x7fu
#define CAP_RIGHTS_NONE	  0u

/* True when every right in 'need' is in 'have'. */
static inline bool
cap_rights_allow(uint32_t have, uint32_t need)
{
	return (have & need) == need;
}

/* True when 'rights' names only defined rights. */
static inline bool
cap_rights_valid(uint32_t rights)
{
	return (rights & ~CAP_RIGHTS_ALL) == 0;
}

#endif
