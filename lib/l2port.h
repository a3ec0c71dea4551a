/*
 * l2port.h - a raw Ethernet port for AoE frames on Linux (AF_PACKET).
 *
 * The port receives only EtherType 0x88A2 on one interface, never sees its
 * own transmissions, and moves several frames per system call (recvmmsg and
 * sendmmsg).  It owns no frame memory: callers hand it buffers.
 */
#ifndef AOEKIT_L2PORT_H
#define AOEKIT_L2PORT_H

#include <stddef.h>
#include <stdint.h>

#include "aoe.h"

enum {
	L2PORT_IFNAME_MAX = 16,  /* IFNAMSIZ */
	L2PORT_BATCH_MAX = 64,
	L2PORT_ERR_MAX = 160,
};

struct l2port {
	int fd;
	int ifindex;
	char ifname[L2PORT_IFNAME_MAX];
	uint8_t mac[AOE_MAC_LEN];
	unsigned mtu;
};

struct l2frame {
	uint8_t *buf;
	size_t len;   /* bytes in buf: set by recv, read by send */
	size_t cap;   /* size of buf */
};

/*
 * Open a port on an interface.  On failure returns -1 and writes a one-line
 * reason into err ("eth7: no such interface", "eth0: interface is down",
 * "eth0: raw sockets need CAP_NET_RAW (run as root)").
 */
int l2port_open(struct l2port *port, const char *ifname, char *err, size_t err_len);
void l2port_close(struct l2port *port);

/* Re-read the MTU (it may change while we run). Returns it, or 0 on error. */
unsigned l2port_refresh_mtu(struct l2port *port);

/*
 * Receive up to count frames without blocking.  Frames longer than their
 * buffer are cut to cap.  Returns the number received (0 if none is waiting),
 * or -1 with errno set.  The received frames are frames[0..n); their buffers
 * may have been swapped among the array's entries.
 */
int l2port_recv(struct l2port *port, struct l2frame *frames, unsigned count);

/* Wait until a frame may be read, at most timeout_ms (-1 forever). 1, 0 or -1. */
int l2port_wait(struct l2port *port, int timeout_ms);

/*
 * Send count frames (each a whole Ethernet frame).  Returns how many were
 * accepted by the kernel, or -1 with errno set if none was.
 */
int l2port_send(struct l2port *port, const struct l2frame *frames, unsigned count);

#endif
