/*
 * The Network object: authority to reach the network.  There is one;
 * init holds it (CAP_SLOT_NETWORK) with every right.  WRITE lets its
 * holder connect a socket or send a datagram to an address, and mint
 * Port capabilities (port_create), which are what listening and
 * binding need.
 */
#ifndef OBJECT_NETWORK_H
#define OBJECT_NETWORK_H

#include "object/object.h"

/* The one Network object (lives for ever). */
struct kobject *network_object(void);

#endif
