/*
 * loop.c - the batched event loop of aoe-target.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

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
	loop->frame_memory = aligned_alloc(PAGE, stride * LOOP_BATCH);
	if (loop->frame_memory == NULL)
		return -1;
	loop->frame_cap = stride - (PAGE - AOE_ATA_HDR_LEN);
	for (unsigned i = 0; i < LOOP_BATCH; i++) {
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

static void send_announce(struct target_loop *loop, struct l2port *port, const uint8_t *dst)
{
	struct l2frame frame = loop->frames[0];
	frame.len = target_announce(loop->target, frame.buf, frame.cap, port->mac, dst,
				    aoe_sectors_for_mtu(port->mtu));
	if (frame.len > 0 && l2port_send(port, &frame, 1) == 1)
		loop->target->counters.frames_out++;
}

void loop_announce(struct target_loop *loop)
{
	const struct target *t = loop->target;
	for (unsigned p = 0; p < loop->port_count; p++) {
		if (t->mask_count == 0) {
			send_announce(loop, &loop->ports[p], broadcast_mac);
			continue;
		}
		/* With a mask list only its hosts may see us, so tell each of them. */
		for (unsigned m = 0; m < t->mask_count; m++)
			send_announce(loop, &loop->ports[p], t->mask[m]);
	}
}

/*
 * Disk phase of a batch: reads and writes in arrival order, then one sync for
 * every write that must be stable and every FLUSH of the batch.
 */
static void do_batch_io(struct target_loop *loop, unsigned count, int *results)
{
	bool need_sync = false;
	for (unsigned i = 0; i < count; i++) {
		struct target_request *req = &loop->requests[i];
		results[i] = 0;
		switch (req->io_op) {
		case TARGET_IO_READ:
			results[i] = disk_read(loop->disk, req->io_data, req->io_offset, req->io_len);
			break;
		case TARGET_IO_WRITE:
			results[i] = disk_write(loop->disk, req->io_data, req->io_offset, req->io_len);
			need_sync |= req->io_stable && results[i] == 0;
			break;
		case TARGET_IO_FLUSH:
			need_sync = true;
			break;
		case TARGET_IO_NONE:
			break;
		}
	}
	if (!need_sync)
		return;
	int sync_result = disk_flush(loop->disk);
	for (unsigned i = 0; i < count; i++) {
		struct target_request *req = &loop->requests[i];
		bool waits_for_sync = req->io_op == TARGET_IO_FLUSH ||
				      (req->io_op == TARGET_IO_WRITE && req->io_stable);
		if (waits_for_sync && results[i] == 0)
			results[i] = sync_result;
	}
}

/* Handle one batch from one port; returns -1 if the port failed. */
static int serve_batch(struct target_loop *loop, struct l2port *port)
{
	int received = l2port_recv(port, loop->frames, LOOP_BATCH);
	if (received <= 0)
		return received;
	unsigned max_sectors = aoe_sectors_for_mtu(port->mtu);
	struct l2frame replies[LOOP_BATCH];
	enum target_verdict verdicts[LOOP_BATCH];
	int results[LOOP_BATCH];
	unsigned count = (unsigned)received;

	for (unsigned i = 0; i < count; i++) {
		struct target_request *req = &loop->requests[i];
		*req = (struct target_request){
			.frame = loop->frames[i].buf,
			.len = loop->frames[i].len,
			.cap = loop->frames[i].cap,
			.port_mac = port->mac,
			.port_max_sectors = max_sectors,
		};
		verdicts[i] = target_handle(loop->target, req);
	}
	do_batch_io(loop, count, results);

	unsigned reply_count = 0;
	for (unsigned i = 0; i < count; i++) {
		struct target_request *req = &loop->requests[i];
		if (verdicts[i] == TARGET_DROP)
			continue;
		if (verdicts[i] == TARGET_NEEDS_IO)
			target_complete(loop->target, req, results[i]);
		replies[reply_count++] = (struct l2frame){ .buf = req->frame, .len = req->len };
	}
	if (reply_count > 0 && l2port_send(port, replies, reply_count) < 0 && errno != ENOBUFS) {
		fprintf(stderr, "aoe-target: %s: send failed: %s\n", port->ifname, strerror(errno));
		return -1;
	}
	return received;
}

int loop_run(struct target_loop *loop, volatile sig_atomic_t *stop, volatile sig_atomic_t *report)
{
	struct pollfd pfds[LOOP_PORTS_MAX];
	for (unsigned p = 0; p < loop->port_count; p++)
		pfds[p] = (struct pollfd){ .fd = loop->ports[p].fd, .events = POLLIN };

	while (!*stop) {
		if (*report) {
			*report = 0;
			loop_print_counters(loop->target, stderr);
		}
		int ready = poll(pfds, loop->port_count, POLL_MS);
		if (ready < 0 && errno != EINTR) {
			perror("aoe-target: poll");
			return -1;
		}
		if (ready <= 0) {
			/* Quiet moment: pick up an MTU change for the next config reply. */
			for (unsigned p = 0; p < loop->port_count; p++)
				l2port_refresh_mtu(&loop->ports[p]);
			continue;
		}
		for (unsigned p = 0; p < loop->port_count; p++) {
			if (!(pfds[p].revents & (POLLIN | POLLERR)))
				continue;
			/* Drain a bounded amount so one busy port cannot starve another. */
			for (int round = 0; round < 8; round++) {
				int served = serve_batch(loop, &loop->ports[p]);
				if (served < 0)
					return -1;
				if (served < LOOP_BATCH)
					break;
			}
		}
	}
	return 0;
}

void loop_print_counters(const struct target *t, FILE *out)
{
	const struct target_counters *c = &t->counters;
	fprintf(out,
		"aoe-target: e%u.%u counters: frames in %llu out %llu; dropped malformed %llu "
		"not-ours %llu masked %llu silent %llu; ata %llu config %llu mask %llu reserve %llu; "
		"reads %llu (%llu bytes) writes %llu (%llu bytes) flushes %llu; "
		"aoe errors %llu ata errors %llu io errors %llu\n",
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
