/*
 * ifaces.h - which interfaces to use when the operator names none.
 */
#ifndef AOEKIT_INITIATOR_IFACES_H
#define AOEKIT_INITIATOR_IFACES_H

#include "l2port.h"

/*
 * Every interface that is up, except loopback (as the Linux aoe driver does
 * without aoe_iflist), sorted by name.  Returns how many were written.
 */
unsigned ifaces_default(char names[][L2PORT_IFNAME_MAX], unsigned max);

#endif
