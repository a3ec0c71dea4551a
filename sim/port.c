/*
 * port.c - the switch's ports on lib/l2port: every EtherType, frames for
 * other hosts kept, receive ring, sends that never wait.
 */
#include "port.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

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

int port_open(struct sim_port *port, const char *ifname, const char *send_ifname)
{
	/*
	 * A switch sees frames for every host (KEEP_OTHERHOST) of every kind; a
	 * full veth is a frame lost, not a reason to stall the other ports
	 * (SEND_NOWAIT).
	 */
	const struct l2port_options opts = {
		.protocol = L2PORT_ALL_PROTOCOLS,
		.ring_frames = PORT_RING_FRAMES,
		.flags = L2PORT_KEEP_OTHERHOST | L2PORT_QDISC_BYPASS | L2PORT_SEND_NOWAIT,
	};
	char err[L2PORT_ERR_MAX];
	memset(port, 0, sizeof(*port));
	if (l2port_open_opts(&port->l2, ifname, &opts, err, sizeof(err)) < 0) {
		sim_err("%s", err);
		return -1;
	}
	port->open = true;
	if (!send_ifname)
		return 0;
	const struct l2port_options send_only = {
		.flags = L2PORT_QDISC_BYPASS | L2PORT_SEND_NOWAIT | L2PORT_SEND_ONLY,
	};
	if (l2port_open_opts(&port->out, send_ifname, &send_only, err, sizeof(err)) < 0) {
		sim_err("%s", err);
		port_close(port);
		return -1;
	}
	port->split = true;
	return 0;
}

void port_close(struct sim_port *port)
{
	if (port->split)
		l2port_close(&port->out);
	if (port->open)
		l2port_close(&port->l2);
	port->open = port->split = false;
}

int port_recv(struct sim_port *port, struct rx_batch *rx)
{
	if (port->l2.ring)
		return l2port_peek(&port->l2, rx->frames, PORT_BATCH);
	for (int i = 0; i < PORT_BATCH; i++)
		rx->frames[i] = (struct l2frame){ .buf = rx->buf[i], .cap = PORT_FRAME_MAX };
	return l2port_recv(&port->l2, rx->frames, PORT_BATCH);
}

unsigned port_flush(struct sim_port *port, bool ok[PORT_BATCH])
{
	unsigned count = port->ntx;
	struct l2port *l2 = port->split ? &port->out : &port->l2;
	port->ntx = 0;
	/* A frame the kernel refuses is counted lost; the rest still go. */
	l2port_send_each(l2, port->tx, count, ok);
	return count;
}
