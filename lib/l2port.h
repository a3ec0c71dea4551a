/*
 * l2port.h - a raw Ethernet port on Linux (AF_PACKET).
 *
 * By default the port receives only EtherType 0x88A2 on one interface, never
 * sees its own transmissions nor frames unicast to other hosts, and moves
 * several frames per system call (recvmmsg and sendmmsg), or receives through
 * a memory-mapped ring (l2port_open_ring).  l2port_open_opts opens the other
 * kinds of port the toolkit needs: every EtherType, frames for other hosts
 * too (aoe-sim's switch).  Apart from the ring a port owns no frame memory:
 * callers hand it buffers.
 */
#ifndef AOEKIT_L2PORT_H
#define AOEKIT_L2PORT_H

#include <linux/if_packet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoe.h"

enum {
	L2PORT_IFNAME_MAX = 16,  /* IFNAMSIZ */
	L2PORT_BATCH_MAX = 64,
	L2PORT_ERR_MAX = 160,
	L2PORT_ALL_PROTOCOLS = 0x0003,  /* ETH_P_ALL: every EtherType */
};

/* What l2port_open_opts may change about a port (l2port_open: none of it). */
enum l2port_flag {
	/* Hand out frames unicast to other hosts too: a switch forwards them. */
	L2PORT_KEEP_OTHERHOST = 1u << 0,
	/* Send straight to the driver, past the qdisc (veth has no queue worth keeping). */
	L2PORT_QDISC_BYPASS = 1u << 1,
	/* Sends never wait for socket buffer: a frame with no room fails at once. */
	L2PORT_SEND_NOWAIT = 1u << 2,
	/*
	 * Only send: the socket is bound with no EtherType, so the kernel hands
	 * it no frames at all (a switch that reads a port elsewhere sends here).
	 */
	L2PORT_SEND_ONLY = 1u << 3,
};

struct l2port_options {
	unsigned protocol;     /* EtherType to receive: 0 for AoE's, or L2PORT_ALL_PROTOCOLS */
	unsigned ring_frames;  /* receive ring slots as for l2port_open_ring; 0: no ring */
	unsigned flags;        /* enum l2port_flag */
};

struct l2port {
	int fd;
	int ifindex;
	char ifname[L2PORT_IFNAME_MAX];
	uint8_t mac[AOE_MAC_LEN];
	unsigned mtu;
	int recv_timeout_ms;  /* what SO_RCVTIMEO is set to (0: none, sleep forever) */
	unsigned flags;       /* enum l2port_flag */
	/* The receive ring, when l2port_open_ring or _opts set one up (l2ring.c). */
	uint8_t *ring;
	size_t ring_size;
	unsigned ring_block_size, ring_frame_size, ring_per_block, ring_frames, ring_head;
	unsigned ring_peeked;  /* slots from ring_head lent out by l2port_peek */
};

struct l2frame {
	uint8_t *buf;
	size_t len;   /* bytes in buf: set by recv, read by send */
	size_t cap;   /* size of buf */
	bool truncated; /* set by recv: the frame was longer than cap (or its ring slot) and was cut */
};

/*
 * Open a port on an interface.  On failure returns -1 and writes a one-line
 * reason into err ("eth7: no such interface", "eth0: interface is down",
 * "eth0: raw sockets need CAP_NET_RAW (run as root)").
 */
int l2port_open(struct l2port *port, const char *ifname, char *err, size_t err_len);
void l2port_close(struct l2port *port);

/*
 * The same, receiving through a memory-mapped ring of about ring_frames slots
 * (PACKET_RX_RING; 64 at least, and no more than 4 MiB worth of slots for the
 * MTU): the kernel copies frames into it as they arrive, and
 * l2port_recv copies them out without a system call; the calls below work as
 * with l2port_open.  If the kernel refuses the ring the port works without
 * one (port->ring stays NULL); only the failures of l2port_open fail it.
 */
int l2port_open_ring(struct l2port *port, const char *ifname, unsigned ring_frames, char *err,
		     size_t err_len);

/*
 * Either of the above with options: which EtherType, a ring or not, and the
 * flags.  Options all zero is l2port_open.
 */
int l2port_open_opts(struct l2port *port, const char *ifname, const struct l2port_options *opts,
		     char *err, size_t err_len);

/* Re-read the MTU (it may change while we run). Returns it, or 0 on error. */
unsigned l2port_refresh_mtu(struct l2port *port);

/*
 * Receive up to count frames without blocking.  Frames longer than their
 * buffer are cut to cap.  Returns the number received (0 if none is waiting),
 * or -1 with errno set.  The received frames are frames[0..n); their buffers
 * may have been swapped among the array's entries.
 */
int l2port_recv(struct l2port *port, struct l2frame *frames, unsigned count);

/*
 * Like l2port_recv, but sleeps until a frame arrives, at most timeout_ms (-1:
 * forever), then takes whatever else is waiting: one system call per batch,
 * where poll + recv would take two.  Returns 0 on timeout or a signal.
 */
int l2port_recv_wait(struct l2port *port, struct l2frame *frames, unsigned count, int timeout_ms);

/*
 * With a ring only (else -1): point frames[0..n) at up to count waiting frames
 * in the ring itself, no copy.  They stay valid, and the next peek continues
 * after them, until l2port_release gives them all back to the kernel.  Returns
 * n (0 if none is waiting).
 */
int l2port_peek(struct l2port *port, struct l2frame *frames, unsigned count);
void l2port_release(struct l2port *port);

/*
 * Frames the port never hands out: our own transmissions (in case
 * PACKET_IGNORE_OUTGOING was refused) and frames unicast to another host.
 * A veth or a bridge floods unicast to unknown MACs, and a reply meant for
 * someone else must not reach an initiator that matches only by tag and
 * source.  pkttype is the kernel's sll_pkttype for the frame.
 */
static inline bool l2port_not_for_us(unsigned char pkttype)
{
	return pkttype == PACKET_OUTGOING || pkttype == PACKET_OTHERHOST;
}

/* The same for a given port: one opened with L2PORT_KEEP_OTHERHOST keeps those. */
static inline bool l2port_filters_out(const struct l2port *port, unsigned char pkttype)
{
	if (pkttype == PACKET_OTHERHOST && (port->flags & L2PORT_KEEP_OTHERHOST))
		return false;
	return l2port_not_for_us(pkttype);
}

/* Frames the kernel dropped for want of room (buffer or ring) since the last call. */
unsigned long l2port_overruns(struct l2port *port);

/* Wait until a frame may be read, at most timeout_ms (-1 forever). 1, 0 or -1. */
int l2port_wait(struct l2port *port, int timeout_ms);

/*
 * Send count frames (each a whole Ethernet frame).  A frame the kernel
 * refuses is skipped and the ones after it are still sent.  Returns how many
 * were accepted, or -1 if none was; errno says why the last refused one was.
 */
int l2port_send(struct l2port *port, const struct l2frame *frames, unsigned count);

/* The same, and ok[i] says whether frames[i] was accepted. */
int l2port_send_each(struct l2port *port, const struct l2frame *frames, unsigned count, bool *ok);

#endif
