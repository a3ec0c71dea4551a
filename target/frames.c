/*
 * frames.c - one batch of frames through aoe-target: into pool buffers, to
 * the handlers of the exports they address, to the disk stage, and the
 * replies back out (see loop.h for the whole loop).
 */
#include "frames.h"

#include <errno.h>
#include <string.h>

#include "log.h"

/*
 * A frame that cannot be received or sent is a lost frame: the initiator
 * retransmits.  An interface that went down must not take the exports on other
 * ports with it, so nothing here is fatal; failures are logged sparingly.
 */
static void port_failed(struct target_loop *loop, struct l2port *port, const char *what)
{
	loop->port_errors++;
	if (loop->port_errors_logged < loop->port_errors / 1000 + 1) {
		loop->port_errors_logged++;
		log_msg(LOG_WARNING, "%s: %s failed: %s (frames dropped; %llu port errors so far)",
			port->ifname, what, strerror(errno), (unsigned long long)loop->port_errors);
	}
}

static void outbox_add(struct target_loop *loop, unsigned port, unsigned slot)
{
	struct loop_outbox *box = &loop->outbox[port];
	box->slots[box->count++] = (uint16_t)slot;
}

/* The disk stage finished a request: its reply is complete and can go. */
void loop_request_done(void *ctx, unsigned slot, int result)
{
	struct target_loop *loop = ctx;
	struct loop_slot *s = &loop->slots[slot];
	export_lock(s->export);
	target_complete(&s->export->target, &s->req, result);
	export_unlock(s->export);
	outbox_add(loop, s->port, slot);
}

/* Send every ready reply, one call per port per batch, and free the buffers. */
void loop_flush(struct target_loop *loop)
{
	for (unsigned p = 0; p < loop->port_count; p++) {
		struct loop_outbox *box = &loop->outbox[p];
		for (unsigned done = 0; done < box->count;) {
			struct l2frame frames[L2PORT_BATCH_MAX];
			unsigned n = box->count - done < L2PORT_BATCH_MAX ? box->count - done
									  : L2PORT_BATCH_MAX;
			for (unsigned i = 0; i < n; i++) {
				const struct loop_slot *s = &loop->slots[box->slots[done + i]];
				frames[i] = (struct l2frame){ .buf = s->req.frame, .len = s->req.len };
			}
			if (l2port_send(&loop->ports[p], frames, n) < (int)n)
				port_failed(loop, &loop->ports[p], "send");
			done += n;
		}
		for (unsigned i = 0; i < box->count; i++)
			pool_put(&loop->pool, box->slots[i]);
		box->count = 0;
	}
}

/*
 * What a frame may carry on this port: the MTU says, but the pool was sized
 * at start, and an MTU raised since must not be advertised beyond it.
 */
static unsigned max_sectors(const struct target_loop *loop, const struct l2port *port)
{
	unsigned by_mtu = aoe_sectors_for_mtu(port->mtu);
	unsigned by_buffer = (unsigned)((loop->pool.cap - AOE_ATA_HDR_LEN) / AOE_SECTOR_SIZE);
	return by_mtu < by_buffer ? by_mtu : by_buffer;
}

/* One export's handling of a frame held in pool buffer slot. */
static void handle_one(struct target_loop *loop, unsigned slot, struct export *e, size_t len,
		       unsigned port_index, uint16_t *io_batch, unsigned *io_count)
{
	const struct l2port *port = &loop->ports[port_index];
	struct loop_slot *s = &loop->slots[slot];
	s->export = e;
	s->port = (uint8_t)port_index;
	s->req = (struct target_request){
		.frame = pool_buf(&loop->pool, slot),
		.len = len,
		.cap = loop->pool.cap,
		.port_mac = port->mac,
		.port_max_sectors = max_sectors(loop, port),
	};
	export_lock(e);
	enum target_verdict verdict = target_handle(&e->target, &s->req);
	export_unlock(e);
	switch (verdict) {
	case TARGET_DROP:
		pool_put(&loop->pool, slot);
		break;
	case TARGET_REPLY:
		outbox_add(loop, port_index, slot);
		break;
	case TARGET_NEEDS_IO:
		io_batch[(*io_count)++] = (uint16_t)slot;
		if (*io_count == DISKIO_BATCH_MAX) {
			diskio_start(&loop->disk, io_batch, *io_count);
			*io_count = 0;
		}
		break;
	}
}

/*
 * Give a received frame to every export of this port it is addressed to.  The
 * first works on the frame itself, and last: its reply is built on top of the
 * request.  A broadcast answered by several exports needs a copy for each of
 * the others, made before anything is built in place.
 */
static void route_frame(struct target_loop *loop, unsigned port_index, const struct l2frame *frame,
			uint16_t *io_batch, unsigned *io_count)
{
	unsigned slot = pool_index(&loop->pool, frame->buf);
	bool has_address = frame->len >= AOE_HDR_LEN;
	uint16_t shelf = has_address ? aoe_get16(frame->buf + 16) : 0;
	uint8_t slot_addr = has_address ? frame->buf[18] : 0;
	struct export *matched[OPTIONS_EXPORTS_MAX];
	unsigned count = 0;
	for (unsigned e = 0; e < loop->export_count; e++) {
		struct export *ex = &loop->exports[e];
		if (!(ex->port_mask & (1u << port_index)))
			continue;
		/* A frame too short to carry an address is counted by one export. */
		if (has_address && !export_matches(ex, shelf, slot_addr))
			continue;
		matched[count++] = ex;
		if (!has_address)
			break;
	}
	if (count == 0) {
		loop->unmatched++;
		pool_put(&loop->pool, slot);
		return;
	}
	for (unsigned i = 1; i < count; i++) {
		int spare = pool_get(&loop->pool);
		if (spare < 0)
			break;
		memcpy(pool_buf(&loop->pool, (unsigned)spare), frame->buf, frame->len);
		handle_one(loop, (unsigned)spare, matched[i], frame->len, port_index, io_batch, io_count);
	}
	handle_one(loop, slot, matched[0], frame->len, port_index, io_batch, io_count);
}

/* Without a ring: recvmmsg into a batch of free buffers; the unused go back. */
static int receive_copies(struct target_loop *loop, struct l2port *port, struct l2frame *frames,
			  unsigned want, int timeout_ms)
{
	for (unsigned i = 0; i < want; i++)
		frames[i] = (struct l2frame){ .buf = pool_buf(&loop->pool, (unsigned)pool_get(&loop->pool)),
					      .cap = loop->pool.cap };
	int got = timeout_ms ? l2port_recv_wait(port, frames, want, timeout_ms)
			     : l2port_recv(port, frames, want);
	/* The port may have shuffled the buffers: the unused ones are wherever it left them. */
	for (unsigned i = got > 0 ? (unsigned)got : 0; i < want; i++)
		pool_put(&loop->pool, pool_index(&loop->pool, frames[i].buf));
	return got;
}

/* With a ring: look first, then take exactly as many buffers as frames wait. */
static int receive_from_ring(struct target_loop *loop, struct l2port *port, struct l2frame *frames,
			     unsigned want, int timeout_ms)
{
	int got = l2port_peek(port, frames, want);
	if (got == 0 && timeout_ms != 0 && l2port_wait(port, timeout_ms) > 0)
		got = l2port_peek(port, frames, want);
	for (int i = 0; i < got; i++) {
		uint8_t *buf = pool_buf(&loop->pool, (unsigned)pool_get(&loop->pool));
		size_t len = frames[i].len < loop->pool.cap ? frames[i].len : loop->pool.cap;
		memcpy(buf, frames[i].buf, len);
		frames[i] = (struct l2frame){ .buf = buf, .len = len, .cap = loop->pool.cap };
	}
	l2port_release(port);
	return got;
}

/*
 * Take up to a batch of frames from a port into free buffers and handle them.
 * timeout_ms 0: only what is waiting; otherwise sleep until a frame comes.
 * Returns the number of frames received.
 */
unsigned loop_receive(struct target_loop *loop, unsigned port_index, int timeout_ms)
{
	struct l2port *port = &loop->ports[port_index];
	struct l2frame frames[LOOP_BATCH];
	unsigned want = loop->pool.free_count < LOOP_BATCH ? loop->pool.free_count : LOOP_BATCH;
	int got = port->ring ? receive_from_ring(loop, port, frames, want, timeout_ms)
			     : receive_copies(loop, port, frames, want, timeout_ms);
	if (got < 0) {
		port_failed(loop, port, "receive");
		got = 0;
	}
	loop->received += (unsigned)got;
	uint16_t io_batch[DISKIO_BATCH_MAX];
	unsigned io_count = 0;
	for (int i = 0; i < got; i++)
		route_frame(loop, port_index, &frames[i], io_batch, &io_count);
	if (io_count > 0)
		diskio_start(&loop->disk, io_batch, io_count);
	return (unsigned)got;
}
