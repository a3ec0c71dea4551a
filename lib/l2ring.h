/*
 * l2ring.h - the memory-mapped receive ring behind an l2port (internal to l2port.c).
 *
 * With a ring (PACKET_RX_RING, TPACKET_V2) the kernel copies each frame into
 * shared memory as it arrives and receiving is reading that memory: no system
 * call while frames are waiting, only poll() to sleep.  TPACKET_V2 and not V3:
 * V3 wakes its reader only when a whole block is full or its timer expires,
 * which would hold a lone request for milliseconds; V2 wakes per frame.
 */
#ifndef AOEKIT_L2RING_H
#define AOEKIT_L2RING_H

#include "l2port.h"

/* Set up a ring of about frames slots sized for the port's MTU. 0, or -1 with errno. */
int l2ring_setup(struct l2port *port, unsigned frames);
void l2ring_free(struct l2port *port);

/*
 * Copy up to count waiting frames out of the ring into the callers' buffers
 * (cut to their cap) and give the slots back to the kernel.  Returns how many.
 */
unsigned l2ring_take(struct l2port *port, struct l2frame *frames, unsigned count);

/* Point frames at up to count waiting frames in the ring itself; l2ring_release gives them back. */
unsigned l2ring_peek(struct l2port *port, struct l2frame *frames, unsigned count);
void l2ring_release(struct l2port *port);

#endif
