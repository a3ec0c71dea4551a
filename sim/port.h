/*
 * port.h - the switch's side of one link: an AF_PACKET socket on one
 * interface that takes every EtherType (lib/l2port.c takes only AoE, and a
 * switch must carry everything), never sees its own transmissions, and moves
 * frames in recvmmsg/sendmmsg batches.
 */
#ifndef AOESIM_PORT_H
#define AOESIM_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

enum {
	PORT_BATCH = 64,
	/* The largest frame a veth carries (MTU 65535) with its header and a VLAN tag. */
	PORT_FRAME_MAX = 65535 + 18,
};

struct sim_port {
	int fd;
	int ifindex;
	char ifname[16];
	unsigned ntx;                       /* frames queued for the next flush */
	struct iovec txiov[PORT_BATCH];
	struct mmsghdr txmsg[PORT_BATCH];
};

/* Receive buffers, shared by all ports: one port's batch is handled before the next is read. */
struct rx_batch {
	uint8_t *buf[PORT_BATCH];
	size_t len[PORT_BATCH];
	bool truncated[PORT_BATCH];
};

int rx_batch_init(struct rx_batch *rx);
void rx_batch_free(struct rx_batch *rx);

/* Open a port on ifname in the current network namespace; -1 with a message. */
int port_open(struct sim_port *port, const char *ifname);
void port_close(struct sim_port *port);

/* Receive up to PORT_BATCH waiting frames; 0 if none, -1 on error. */
int port_recv(struct sim_port *port, struct rx_batch *rx);

/* Queue a frame; the bytes must stay valid until the flush.  False if the batch is full. */
static inline bool port_queue(struct sim_port *port, const uint8_t *frame, size_t len)
{
	if (port->ntx == PORT_BATCH)
		return false;
	port->txiov[port->ntx].iov_base = (void *)frame;
	port->txiov[port->ntx].iov_len = len;
	port->ntx++;
	return true;
}

/*
 * Send the queued frames.  Returns how many were queued and sets ok[i] for
 * each; their bytes are in port->txiov[i] until the next port_queue.
 */
unsigned port_flush(struct sim_port *port, bool ok[PORT_BATCH]);

/* Frames the kernel dropped for want of socket buffer since the last call. */
uint64_t port_overruns(struct sim_port *port);

#endif
