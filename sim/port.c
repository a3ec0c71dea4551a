/*
 * port.c - AF_PACKET/ETH_P_ALL sockets for the switch's ports.
 */
#include "port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

enum { PORT_SOCKET_BUFFER = 8 << 20 };

int rx_batch_init(struct rx_batch *rx)
{
	memset(rx, 0, sizeof(*rx));
	for (int i = 0; i < PORT_BATCH; i++) {
		rx->buf[i] = malloc(PORT_FRAME_MAX);
		if (!rx->buf[i]) {
			rx_batch_free(rx);
			return -1;
		}
	}
	return 0;
}

void rx_batch_free(struct rx_batch *rx)
{
	for (int i = 0; i < PORT_BATCH; i++) {
		free(rx->buf[i]);
		rx->buf[i] = NULL;
	}
}

static void set_buffers(int fd)
{
	int size = PORT_SOCKET_BUFFER;
	/* The FORCE variants pass the sysctl caps as root. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

int port_open(struct sim_port *port, const char *ifname)
{
	memset(port, 0, sizeof(*port));
	port->fd = -1;
	snprintf(port->ifname, sizeof(port->ifname), "%s", ifname);
	port->ifindex = (int)if_nametoindex(ifname);
	if (port->ifindex == 0) {
		sim_err("%s: no such interface", ifname);
		return -1;
	}
	port->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (port->fd < 0) {
		sim_err("%s: socket: %s", ifname, strerror(errno));
		return -1;
	}
	struct sockaddr_ll addr = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = port->ifindex,
	};
	if (bind(port->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		sim_err("%s: bind: %s", ifname, strerror(errno));
		close(port->fd);
		return -1;
	}
	int one = 1;
	/* Our own transmissions would otherwise come back as received frames. */
	setsockopt(port->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* veth has no queue worth keeping; going straight to the driver is cheaper. */
	setsockopt(port->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	set_buffers(port->fd);
	return 0;
}

void port_close(struct sim_port *port)
{
	if (port->fd >= 0)
		close(port->fd);
	port->fd = -1;
}

int port_recv(struct sim_port *port, struct rx_batch *rx)
{
	struct mmsghdr msgs[PORT_BATCH];
	struct iovec iovs[PORT_BATCH];
	struct sockaddr_ll from[PORT_BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < PORT_BATCH; i++) {
		iovs[i].iov_base = rx->buf[i];
		iovs[i].iov_len = PORT_FRAME_MAX;
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	int n = recvmmsg(port->fd, msgs, PORT_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
	int kept = 0;
	for (int i = 0; i < n; i++) {
		/* Belt and braces for kernels without PACKET_IGNORE_OUTGOING. */
		if (from[i].sll_pkttype == PACKET_OUTGOING)
			continue;
		if (kept != i) {
			uint8_t *spare = rx->buf[kept];
			rx->buf[kept] = rx->buf[i];
			rx->buf[i] = spare;
		}
		rx->len[kept] = msgs[i].msg_len;
		rx->truncated[kept] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		kept++;
	}
	return kept;
}

unsigned port_flush(struct sim_port *port, bool ok[PORT_BATCH])
{
	unsigned count = port->ntx, done = 0;
	port->ntx = 0;
	for (unsigned i = 0; i < count; i++) {
		memset(&port->txmsg[i], 0, sizeof(port->txmsg[i]));
		port->txmsg[i].msg_hdr.msg_iov = &port->txiov[i];
		port->txmsg[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < count) {
		int sent = sendmmsg(port->fd, &port->txmsg[done], count - done, MSG_DONTWAIT);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0) {
			/* This frame cannot go; count it lost and try the rest. */
			ok[done++] = false;
			continue;
		}
		for (int i = 0; i < sent; i++)
			ok[done++] = true;
	}
	return count;
}

uint64_t port_overruns(struct sim_port *port)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	/* Reading the statistics resets them: the caller accumulates. */
	if (getsockopt(port->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return 0;
	return st.tp_drops;
}
