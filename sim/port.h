/*
 * port.h - the switch's side of one link: a lib/l2port port that takes
 * every EtherType (a switch must carry everything, not only AoE) and frames
 * addressed to other hosts (it forwards them), receives through the port's
 * memory-mapped ring when the kernel gives one, and sends in sendmmsg
 * batches.
 */
#ifndef AOESIM_PORT_H
#define AOESIM_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2port.h"

enum {
	PORT_BATCH = L2PORT_BATCH_MAX,
	/* The largest frame a veth carries (MTU 65535) with its header and a VLAN tag. */
	PORT_FRAME_MAX = 65535 + 18,
	/* Receive ring slots asked for (l2ring caps it at 4 MiB of slots). */
	PORT_RING_FRAMES = 4096,
};

struct sim_port {
	struct l2port l2;                   /* receives (and sends, unless split) */
	struct l2port out;                  /* split: sends on the host's link */
	bool open;
	bool split;                         /* read elsewhere than sent (kernel fast path) */
	unsigned ntx;                       /* frames queued for the next flush */
	struct l2frame tx[PORT_BATCH];
};

/*
 * What one receive gave: frames[0..n), in a port's ring (until port_done) or,
 * for a port the kernel gave no ring, copied into the buffers, which are
 * shared by all ports (one port's batch is handled before the next is read).
 */
struct rx_batch {
	struct l2frame frames[PORT_BATCH];
	uint8_t *buf[PORT_BATCH];
};

int rx_batch_init(struct rx_batch *rx);
void rx_batch_free(struct rx_batch *rx);

/*
 * Open a port on ifname in the current network namespace; -1 with a message.
 * With send_ifname, frames are read from ifname and sent on send_ifname.
 */
int port_open(struct sim_port *port, const char *ifname, const char *send_ifname);
void port_close(struct sim_port *port);

/* Receive up to PORT_BATCH waiting frames into rx->frames; 0 if none, -1 on error. */
int port_recv(struct sim_port *port, struct rx_batch *rx);
/* The received frames have been handled and sent: their ring slots go back to the kernel. */
static inline void port_done(struct sim_port *port)
{
	l2port_release(&port->l2);
}

/* Queue a frame; the bytes must stay valid until the flush.  False if the batch is full. */
static inline bool port_queue(struct sim_port *port, const uint8_t *frame, size_t len)
{
	if (port->ntx == PORT_BATCH)
		return false;
	port->tx[port->ntx++] = (struct l2frame){ .buf = (uint8_t *)frame, .len = len, .cap = len };
	return true;
}

/*
 * Send the queued frames.  Returns how many were queued and sets ok[i] for
 * each; their bytes are in port->tx[i] until the next port_queue.
 */
unsigned port_flush(struct sim_port *port, bool ok[PORT_BATCH]);

#endif
