/*
 * loop.c - the batched event loop of aoe-target.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum {
	PAGE = 4096,
	MIN_FRAME_CAP = AOE_CFG_HDR_LEN + AOE_CONFIG_MAX + 512, /* a full config reply and then some */
	POLL_MS = 1000,
};

static const uint8_t broadcast_mac[AOE_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int loop_init(struct target_loop *loop)
{
	unsigned largest_mtu = 0;
	for (unsigned i = 0; i < loop->port_count; i++)
		if (loop->ports[i].mtu > largest_mtu)
			largest_mtu = loop->ports[i].mtu;
	size_t cap = largest_mtu + AOE_ETH_HDR_LEN;
	if (cap < MIN_FRAME_CAP)
		cap = MIN_FRAME_CAP;
	/*
	 * Each frame starts 36 bytes before a page boundary so that its ATA
	 * data is page aligned, as O_DIRECT wants.
	 */
	size_t stride = (PAGE + cap + PAGE - 1) / PAGE * PAGE;
	loop->frame_memory = aligned_alloc(PAGE, stride * LOOP_WORK_MAX);
	if (loop->frame_memory == NULL)
		return -1;
	loop->frame_cap = stride - (PAGE - AOE_ATA_HDR_LEN);
	for (unsigned i = 0; i < LOOP_WORK_MAX; i++) {
		loop->frames[i].buf = loop->frame_memory + i * stride + PAGE - AOE_ATA_HDR_LEN;
		loop->frames[i].cap = loop->frame_cap;
		loop->frames[i].len = 0;
	}
	return 0;
}

void loop_free(struct target_loop *loop)
{
	free(loop->frame_memory);
	loop->frame_memory = NULL;
}

static void send_announce(struct target_loop *loop, struct target *t, struct l2port *port,
			  const uint8_t *dst)
{
	struct l2frame frame = loop->frames[0];
	frame.len = target_announce(t, frame.buf, frame.cap, port->mac, dst,
				    aoe_sectors_for_mtu(port->mtu));
	if (frame.len > 0 && l2port_send(port, &frame, 1) == 1)
		t->counters.frames_out++;
}

void loop_announce(struct target_loop *loop)
{
	for (unsigned e = 0; e < loop->export_count; e++) {
		struct target *t = &loop->exports[e].target;
		for (unsigned p = 0; p < loop->port_count; p++) {
			if (!(loop->exports[e].port_mask & (1u << p)))
				continue;
			if (t->mask_count == 0) {
				send_announce(loop, t, &loop->ports[p], broadcast_mac);
				continue;
			}
			/* With a mask list only its hosts may see us, so tell each of them. */
			for (unsigned m = 0; m < t->mask_count; m++)
				send_announce(loop, t, &loop->ports[p], t->mask[m]);
		}
	}
}

static bool waits_for_sync(const struct target_request *req)
{
	return req->io_op == TARGET_IO_FLUSH || (req->io_op == TARGET_IO_WRITE && req->io_stable);
}

/*
 * Disk phase of a batch: reads and writes in arrival order, then one sync per
 * disk for every write that must be stable and every FLUSH of the batch.
 */
static void do_batch_io(struct target_loop *loop, unsigned count)
{
	uint64_t sync_wanted = 0; /* bit per export */
	for (unsigned i = 0; i < count; i++) {
		struct loop_work *w = &loop->work[i];
		struct target_request *req = &w->req;
		w->result = 0;
		if (w->verdict != TARGET_NEEDS_IO)
			continue;
		if (req->io_op == TARGET_IO_READ)
			w->result = disk_read(&w->export->disk, req->io_data, req->io_offset, req->io_len);
		else if (req->io_op == TARGET_IO_WRITE)
			w->result = disk_write(&w->export->disk, req->io_data, req->io_offset, req->io_len);
		if (waits_for_sync(req) && w->result == 0)
			sync_wanted |= 1ull << (w->export - loop->exports);
	}
	for (unsigned e = 0; e < loop->export_count && sync_wanted; e++) {
		if (!(sync_wanted & (1ull << e)))
			continue;
		int sync_result = disk_flush(&loop->exports[e].disk);
		for (unsigned i = 0; i < count; i++) {
			struct loop_work *w = &loop->work[i];
			if (w->export == &loop->exports[e] && w->verdict == TARGET_NEEDS_IO &&
			    waits_for_sync(&w->req) && w->result == 0)
				w->result = sync_result;
		}
	}
}

static void add_work(struct target_loop *loop, unsigned index, struct export *e, uint8_t *buf,
		     size_t len, size_t cap, const struct l2port *port)
{
	struct loop_work *w = &loop->work[index];
	w->export = e;
	w->req = (struct target_request){
		.frame = buf,
		.len = len,
		.cap = cap,
		.port_mac = port->mac,
		.port_max_sectors = aoe_sectors_for_mtu(port->mtu),
	};
}

/*
 * Give each received frame to every export of this port it is addressed to.
 * The first gets the frame itself; a broadcast answered by several exports
 * needs a copy for each of the others, since replies are built in place.
 */
static unsigned route_frames(struct target_loop *loop, unsigned port_index, unsigned received)
{
	const struct l2port *port = &loop->ports[port_index];
	unsigned work_count = 0, spare = LOOP_BATCH;
	for (unsigned i = 0; i < received; i++) {
		const struct l2frame *frame = &loop->frames[i];
		bool has_address = frame->len >= AOE_HDR_LEN;
		uint16_t shelf = has_address ? aoe_get16(frame->buf + 16) : 0;
		uint8_t slot = has_address ? frame->buf[18] : 0;
		bool taken = false;
		for (unsigned e = 0; e < loop->export_count; e++) {
			struct export *ex = &loop->exports[e];
			if (!(ex->port_mask & (1u << port_index)))
				continue;
			/* A frame too short to carry an address is counted by one export. */
			if (has_address && !export_matches(ex, shelf, slot))
				continue;
			uint8_t *buf = frame->buf;
			if (taken) {
				if (spare == LOOP_WORK_MAX)
					break;
				buf = loop->frames[spare++].buf;
				memcpy(buf, frame->buf, frame->len);
			}
			add_work(loop, work_count++, ex, buf, frame->len, frame->cap, port);
			taken = true;
			if (!has_address)
				break;
		}
		if (!taken)
			loop->unmatched++;
	}
	return work_count;
}

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

/* Handle one batch from one port; returns the number of frames received. */
static int serve_batch(struct target_loop *loop, unsigned port_index)
{
	struct l2port *port = &loop->ports[port_index];
	int received = l2port_recv(port, loop->frames, LOOP_BATCH);
	if (received < 0)
		port_failed(loop, port, "receive");
	if (received <= 0)
		return 0;
	unsigned work_count = route_frames(loop, port_index, (unsigned)received);
	for (unsigned i = 0; i < work_count; i++)
		loop->work[i].verdict = target_handle(&loop->work[i].export->target, &loop->work[i].req);
	do_batch_io(loop, work_count);

	struct l2frame replies[LOOP_WORK_MAX];
	unsigned reply_count = 0;
	for (unsigned i = 0; i < work_count; i++) {
		struct loop_work *w = &loop->work[i];
		if (w->verdict == TARGET_DROP)
			continue;
		if (w->verdict == TARGET_NEEDS_IO)
			target_complete(&w->export->target, &w->req, w->result);
		replies[reply_count++] = (struct l2frame){ .buf = w->req.frame, .len = w->req.len };
	}
	if (reply_count > 0 && l2port_send(port, replies, reply_count) < 0)
		port_failed(loop, port, "send");
	for (unsigned e = 0; e < loop->export_count; e++)
		export_save_state(&loop->exports[e]);
	return received;
}

static void quiet_moment(struct target_loop *loop)
{
	/* Pick up an MTU change for the next config reply, as vblade does per query. */
	for (unsigned p = 0; p < loop->port_count; p++)
		l2port_refresh_mtu(&loop->ports[p]);
}

int loop_run(struct target_loop *loop, volatile sig_atomic_t *stop, volatile sig_atomic_t *report)
{
	struct pollfd pfds[LOOP_PORTS_MAX];
	for (unsigned p = 0; p < loop->port_count; p++)
		pfds[p] = (struct pollfd){ .fd = loop->ports[p].fd, .events = POLLIN };

	while (!*stop) {
		if (*report) {
			*report = 0;
			for (unsigned e = 0; e < loop->export_count; e++)
				loop_log_counters(&loop->exports[e].target);
		}
		int ready = poll(pfds, loop->port_count, POLL_MS);
		if (ready < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			return -1;
		}
		if (ready <= 0) {
			quiet_moment(loop);
			continue;
		}
		for (unsigned p = 0; p < loop->port_count; p++) {
			if (!(pfds[p].revents & (POLLIN | POLLERR)))
				continue;
			/* Drain a bounded amount so one busy port cannot starve another. */
			for (int round = 0; round < 8; round++) {
				if (serve_batch(loop, p) < LOOP_BATCH)
					break;
			}
		}
	}
	return 0;
}

void loop_log_counters(const struct target *t)
{
	const struct target_counters *c = &t->counters;
	log_msg(LOG_INFO,
		"e%u.%u counters: frames in %llu out %llu; dropped malformed %llu "
		"not-ours %llu masked %llu silent %llu; ata %llu config %llu mask %llu reserve %llu; "
		"reads %llu (%llu bytes) writes %llu (%llu bytes) flushes %llu; "
		"aoe errors %llu ata errors %llu io errors %llu",
		t->shelf, t->slot, (unsigned long long)c->frames_in, (unsigned long long)c->frames_out,
		(unsigned long long)c->dropped_malformed, (unsigned long long)c->dropped_not_ours,
		(unsigned long long)c->dropped_masked, (unsigned long long)c->dropped_silent,
		(unsigned long long)c->per_command[0], (unsigned long long)c->per_command[1],
		(unsigned long long)c->per_command[2], (unsigned long long)c->per_command[3],
		(unsigned long long)c->reads, (unsigned long long)c->bytes_read,
		(unsigned long long)c->writes, (unsigned long long)c->bytes_written,
		(unsigned long long)c->flushes, (unsigned long long)c->aoe_errors,
		(unsigned long long)c->ata_errors, (unsigned long long)c->io_errors);
}
