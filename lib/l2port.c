/*
 * l2port.c - AF_PACKET port bound to one interface and to one EtherType
 * (0x88A2 unless told otherwise) or to all of them.
 */
#include "l2port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "l2ring.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* Socket buffers large enough for a full window of jumbo frames from many peers. */
enum { PORT_SOCKET_BUFFER = 8 << 20 };

static int interface_ioctl(int fd, unsigned long request, const char *ifname, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	return ioctl(fd, request, ifr);
}

static int fail(struct l2port *port, char *err, size_t err_len, const char *ifname,
		const char *reason)
{
	snprintf(err, err_len, "%s: %s", ifname, reason);
	l2ring_free(port);
	if (port->fd >= 0)
		close(port->fd);
	port->fd = -1;
	return -1;
}

static void set_buffers(int fd)
{
	int size = PORT_SOCKET_BUFFER;
	/* FORCE variants pass the sysctl caps as root; fall back to the plain ones. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/*
 * The socket takes its EtherType only at bind, together with the interface:
 * until then nothing is queued on it, so no frame from another interface (or
 * from before the ring existed) can slip in.
 */
static int open_port(struct l2port *port, const char *ifname, const struct l2port_options *o,
		     char *err, size_t err_len)
{
	memset(port, 0, sizeof(*port));
	port->fd = -1;
	port->flags = o->flags;
	if (strlen(ifname) >= L2PORT_IFNAME_MAX)
		return fail(port, err, err_len, ifname, "interface name too long");
	snprintf(port->ifname, sizeof(port->ifname), "%s", ifname);

	port->ifindex = (int)if_nametoindex(ifname);
	if (port->ifindex == 0)
		return fail(port, err, err_len, ifname, "no such interface");

	port->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (port->fd < 0) {
		if (errno == EPERM || errno == EACCES)
			return fail(port, err, err_len, ifname,
				    "raw sockets need CAP_NET_RAW (run as root)");
		return fail(port, err, err_len, ifname, strerror(errno));
	}

	struct ifreq ifr;
	if (interface_ioctl(port->fd, SIOCGIFFLAGS, ifname, &ifr) < 0)
		return fail(port, err, err_len, ifname, strerror(errno));
	if (!(ifr.ifr_flags & IFF_UP))
		return fail(port, err, err_len, ifname, "interface is down (ip link set dev IFACE up)");
	if (interface_ioctl(port->fd, SIOCGIFHWADDR, ifname, &ifr) < 0)
		return fail(port, err, err_len, ifname, strerror(errno));
	memcpy(port->mac, ifr.ifr_hwaddr.sa_data, AOE_MAC_LEN);
	if (l2port_refresh_mtu(port) == 0)
		return fail(port, err, err_len, ifname, "cannot read the MTU");

	int one = 1;
	/* Older kernels lack it; recv then filters PACKET_OUTGOING itself. */
	setsockopt(port->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (o->flags & L2PORT_QDISC_BYPASS)
		setsockopt(port->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	set_buffers(port->fd);
	/* Without a ring (refused, or no memory for it) the port works as without asking. */
	bool receives = !(o->flags & L2PORT_SEND_ONLY);
	if (receives && o->ring_frames > 0 && l2ring_setup(port, o->ring_frames) < 0)
		port->ring = NULL;

	/* Protocol 0 registers no receive hook: the kernel queues nothing here. */
	uint16_t protocol = o->protocol ? (uint16_t)o->protocol : AOE_ETHERTYPE;
	struct sockaddr_ll addr = {
		.sll_family = AF_PACKET,
		.sll_protocol = receives ? htons(protocol) : 0,
		.sll_ifindex = port->ifindex,
	};
	if (bind(port->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return fail(port, err, err_len, ifname, strerror(errno));
	return 0;
}

int l2port_open(struct l2port *port, const char *ifname, char *err, size_t err_len)
{
	const struct l2port_options none = { 0 };
	return open_port(port, ifname, &none, err, err_len);
}

int l2port_open_ring(struct l2port *port, const char *ifname, unsigned ring_frames, char *err,
		     size_t err_len)
{
	const struct l2port_options ring = { .ring_frames = ring_frames };
	return open_port(port, ifname, &ring, err, err_len);
}

int l2port_open_opts(struct l2port *port, const char *ifname, const struct l2port_options *opts,
		     char *err, size_t err_len)
{
	return open_port(port, ifname, opts, err, err_len);
}

void l2port_close(struct l2port *port)
{
	l2ring_free(port);
	if (port->fd >= 0)
		close(port->fd);
	port->fd = -1;
}

unsigned l2port_refresh_mtu(struct l2port *port)
{
	struct ifreq ifr;
	if (interface_ioctl(port->fd, SIOCGIFMTU, port->ifname, &ifr) < 0 || ifr.ifr_mtu <= 0)
		return 0;
	port->mtu = (unsigned)ifr.ifr_mtu;
	return port->mtu;
}

int l2port_wait(struct l2port *port, int timeout_ms)
{
	struct pollfd pfd = { .fd = port->fd, .events = POLLIN };
	int ready = poll(&pfd, 1, timeout_ms);
	if (ready < 0 && errno == EINTR)
		return 0;
	return ready;
}

static int recv_batch(struct l2port *port, struct l2frame *frames, unsigned count, int flags)
{
	struct mmsghdr msgs[L2PORT_BATCH_MAX];
	struct iovec iovs[L2PORT_BATCH_MAX];
	struct sockaddr_ll from[L2PORT_BATCH_MAX];
	if (count > L2PORT_BATCH_MAX)
		count = L2PORT_BATCH_MAX;
	memset(msgs, 0, sizeof(msgs[0]) * count);
	for (unsigned i = 0; i < count; i++) {
		iovs[i].iov_base = frames[i].buf;
		iovs[i].iov_len = frames[i].cap;
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	int received = recvmmsg(port->fd, msgs, count, flags, NULL);
	if (received < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;

	/* Compact away what is not for us (l2port_filters_out). */
	unsigned kept = 0;
	for (int i = 0; i < received; i++) {
		if (l2port_filters_out(port, from[i].sll_pkttype))
			continue;
		size_t len = msgs[i].msg_len;
		if (kept != (unsigned)i) {
			uint8_t *spare = frames[kept].buf;
			size_t spare_cap = frames[kept].cap;
			frames[kept] = frames[i];
			frames[i].buf = spare;
			frames[i].cap = spare_cap;
		}
		frames[kept].len = len > frames[kept].cap ? frames[kept].cap : len;
		frames[kept].truncated = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		kept++;
	}
	return (int)kept;
}

int l2port_recv(struct l2port *port, struct l2frame *frames, unsigned count)
{
	if (port->ring)
		return (int)l2ring_take(port, frames, count);
	return recv_batch(port, frames, count, MSG_DONTWAIT);
}

int l2port_peek(struct l2port *port, struct l2frame *frames, unsigned count)
{
	return port->ring ? (int)l2ring_peek(port, frames, count) : -1;
}

void l2port_release(struct l2port *port)
{
	if (port->ring)
		l2ring_release(port);
}

/* recvmmsg's own timeout is only checked between frames, so the socket's is used. */
static int set_recv_timeout(struct l2port *port, int timeout_ms)
{
	if (timeout_ms < 0)
		timeout_ms = 0;
	if (timeout_ms == port->recv_timeout_ms)
		return 0;
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000 };
	if (setsockopt(port->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -1;
	port->recv_timeout_ms = timeout_ms;
	return 0;
}

int l2port_recv_wait(struct l2port *port, struct l2frame *frames, unsigned count, int timeout_ms)
{
	if (timeout_ms == 0)
		return l2port_recv(port, frames, count);
	if (port->ring) {
		unsigned taken = l2ring_take(port, frames, count);
		if (taken > 0 || l2port_wait(port, timeout_ms) <= 0)
			return (int)taken;
		return (int)l2ring_take(port, frames, count);
	}
	if (set_recv_timeout(port, timeout_ms) < 0)
		return -1;
	return recv_batch(port, frames, count, MSG_WAITFORONE);
}

static int send_flags(const struct l2port *port)
{
	return port->flags & L2PORT_SEND_NOWAIT ? MSG_DONTWAIT : 0;
}

/* One frame: send() does less than a batch of one (no message vector to copy in). */
static int send_one(struct l2port *port, const struct l2frame *frame)
{
	for (;;) {
		ssize_t sent = send(port->fd, frame->buf, frame->len, send_flags(port));
		if (sent >= 0)
			return 1;
		if (errno != EINTR)
			return -1;
	}
}

/* One sendmmsg of up to L2PORT_BATCH_MAX frames: how many went, or -1 if the first did not. */
static int send_batch(struct l2port *port, const struct l2frame *frames, unsigned count)
{
	if (count == 1)
		return send_one(port, frames);
	if (count > L2PORT_BATCH_MAX)
		count = L2PORT_BATCH_MAX;
	struct mmsghdr msgs[L2PORT_BATCH_MAX];
	struct iovec iovs[L2PORT_BATCH_MAX];
	memset(msgs, 0, sizeof(msgs[0]) * count);
	for (unsigned i = 0; i < count; i++) {
		iovs[i].iov_base = frames[i].buf;
		iovs[i].iov_len = frames[i].len;
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int sent = sendmmsg(port->fd, msgs, count, send_flags(port));
		if (sent >= 0 || errno != EINTR)
			return sent;
	}
}

/*
 * sendmmsg stops at the first frame the kernel refuses (a full queue, a
 * filter, a frame too long) and reports only how many went before it.
 * Sending again from there learns why, and skipping that one frame lets the
 * rest go: one refusal costs one frame, not the rest of the batch.
 */
int l2port_send_each(struct l2port *port, const struct l2frame *frames, unsigned count, bool *ok)
{
	unsigned next = 0, sent_total = 0;
	int last_error = 0;
	while (next < count) {
		int sent = send_batch(port, frames + next, count - next);
		if (sent <= 0) {
			last_error = sent < 0 ? errno : EAGAIN;
			if (ok)
				ok[next] = false;
			next++;
			continue;
		}
		for (int i = 0; ok && i < sent; i++)
			ok[next + (unsigned)i] = true;
		next += (unsigned)sent;
		sent_total += (unsigned)sent;
	}
	if (sent_total < count)
		errno = last_error;
	return sent_total > 0 || count == 0 ? (int)sent_total : -1;
}

int l2port_send(struct l2port *port, const struct l2frame *frames, unsigned count)
{
	return l2port_send_each(port, frames, count, NULL);
}

unsigned long l2port_overruns(struct l2port *port)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	/* Reading the statistics resets them: the caller accumulates. */
	if (getsockopt(port->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return 0;
	return st.tp_drops;
}
