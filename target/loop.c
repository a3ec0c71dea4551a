/*
 * loop.c - the batched event loop of aoe-target.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frames.h"
#include "log.h"

enum {
	MIN_FRAME_CAP = AOE_CFG_HDR_LEN + AOE_CONFIG_MAX + 512, /* a full config reply and then some */
	IDLE_MS = 1000,         /* how long a quiet loop sleeps before looking at the MTU */
	DRAIN_ROUNDS = 8,       /* batches taken from one port before looking at the others */
	STOP_DRAIN_S = 10,      /* at exit, how long to wait for disk work in flight */
};

static const uint8_t broadcast_mac[AOE_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static size_t frame_cap_for(const struct target_loop *loop)
{
	unsigned largest_mtu = 0;
	for (unsigned i = 0; i < loop->port_count; i++)
		if (loop->ports[i].mtu > largest_mtu)
			largest_mtu = loop->ports[i].mtu;
	size_t cap = largest_mtu + AOE_ETH_HDR_LEN;
	return cap < MIN_FRAME_CAP ? MIN_FRAME_CAP : cap;
}

/*
 * Buffers: a batch to receive into, another for broadcast copies, and every
 * export's advertised buffer count, so that an initiator within it is never
 * short of a buffer however long its requests wait for the disk.
 */
static unsigned pool_size_for(const struct target_loop *loop)
{
	unsigned long count = 2 * LOOP_BATCH;
	for (unsigned e = 0; e < loop->export_count; e++)
		count += loop->exports[e].target.buffer_count;
	return count > POOL_MAX ? POOL_MAX : (unsigned)count;
}

/* The kernel's cheapest modes first; without io_uring, disk work is done synchronously. */
static void ring_init(struct target_loop *loop)
{
	unsigned entries = 1;
	while (entries < loop->pool.count + loop->port_count + loop->export_count)
		entries <<= 1;
	static const unsigned flag_sets[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL,
		0,
	};
	int result = -ENOSYS;
	for (unsigned i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		struct io_uring_params params = { .flags = flag_sets[i] };
		result = io_uring_queue_init_params(entries, &loop->ring, &params);
		if (result == 0) {
			loop->have_ring = true;
			return;
		}
	}
	log_msg(LOG_WARNING, "io_uring unavailable (%s): disk I/O will be synchronous",
		strerror(-result));
}

int loop_init(struct target_loop *loop)
{
	size_t cap = frame_cap_for(loop);
	if (pool_init(&loop->pool, pool_size_for(loop), cap) < 0)
		return -1;
	loop->slots = calloc(loop->pool.count, sizeof(*loop->slots));
	if (loop->slots == NULL)
		return -1;
	for (unsigned p = 0; p < loop->port_count; p++) {
		loop->outbox[p].slots = calloc(loop->pool.count, sizeof(uint16_t));
		if (loop->outbox[p].slots == NULL)
			return -1;
	}
	ring_init(loop);
	return diskio_init(&loop->disk, loop->have_ring ? &loop->ring : NULL, loop->exports,
			   loop->export_count, loop->slots, loop->pool.count, loop_request_done, loop);
}

void loop_free(struct target_loop *loop)
{
	if (loop->have_ring)
		io_uring_queue_exit(&loop->ring);
	loop->have_ring = false;
	diskio_free(&loop->disk);
	for (unsigned p = 0; p < LOOP_PORTS_MAX; p++) {
		free(loop->outbox[p].slots);
		loop->outbox[p].slots = NULL;
	}
	free(loop->slots);
	loop->slots = NULL;
	pool_free(&loop->pool);
}

static void send_announce(struct target *t, struct l2port *port, const uint8_t *dst)
{
	uint8_t buf[MIN_FRAME_CAP];
	struct l2frame frame = { .buf = buf, .cap = sizeof(buf) };
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
				send_announce(t, &loop->ports[p], broadcast_mac);
				continue;
			}
			/* With a mask list only its hosts may see us, so tell each of them. */
			for (unsigned m = 0; m < t->mask_count; m++)
				send_announce(t, &loop->ports[p], t->mask[m]);
		}
	}
}

static void quiet_moment(struct target_loop *loop)
{
	/* Pick up an MTU change for the next config reply, as vblade does per query. */
	for (unsigned p = 0; p < loop->port_count; p++)
		l2port_refresh_mtu(&loop->ports[p]);
}

static void arm_polls(struct target_loop *loop)
{
	for (unsigned p = 0; p < loop->port_count; p++) {
		if (loop->port_armed[p] || loop->port_ready[p])
			continue;
		struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->ring);
		if (sqe == NULL)
			return; /* the queue is sized for everything: cannot happen */
		io_uring_prep_poll_add(sqe, loop->ports[p].fd, POLLIN);
		io_uring_sqe_set_data64(sqe, ring_tag(RING_TAG_POLL, p));
		loop->port_armed[p] = true;
	}
}

/* Handle every completion the ring holds; returns how many there were. */
static unsigned reap(struct target_loop *loop)
{
	struct io_uring_cqe *cqe;
	unsigned head, count = 0;
	io_uring_for_each_cqe(&loop->ring, head, cqe) {
		uint64_t data = io_uring_cqe_get_data64(cqe);
		count++;
		if (ring_tag_kind(data) == RING_TAG_POLL) {
			unsigned p = ring_tag_index(data);
			loop->port_armed[p] = false;
			loop->port_ready[p] = cqe->res > 0;
		} else {
			diskio_complete(&loop->disk, data, cqe->res);
		}
	}
	io_uring_cq_advance(&loop->ring, count);
	return count;
}

static bool any_ready(const struct target_loop *loop)
{
	for (unsigned p = 0; p < loop->port_count; p++)
		if (loop->port_ready[p])
			return true;
	return false;
}

/*
 * Sleep in io_uring until a port is readable or disk work completes (or a
 * second passes); what is already due is submitted on the way in.  With a
 * readable port and buffers to receive into, it does not sleep.
 */
static int wait_in_ring(struct target_loop *loop)
{
	bool have_buffers = loop->pool.free_count > 0;
	if (have_buffers)
		arm_polls(loop);
	else
		loop->short_of_buffers++;
	int result;
	if (have_buffers && any_ready(loop)) {
		result = io_uring_submit_and_get_events(&loop->ring);
	} else {
		struct io_uring_cqe *cqe;
		struct __kernel_timespec ts = { .tv_sec = IDLE_MS / 1000 };
		result = io_uring_submit_and_wait_timeout(&loop->ring, &cqe, 1, &ts, NULL);
	}
	if (result < 0 && result != -ETIME && result != -EINTR && result != -EAGAIN &&
	    result != -EBUSY) {
		log_msg(LOG_ERR, "io_uring: %s", strerror(-result));
		return -1;
	}
	if (reap(loop) == 0 && result == -ETIME)
		quiet_moment(loop);
	return 0;
}

/* Without io_uring: poll the ports (disk work is then never in flight). */
static int wait_in_poll(struct target_loop *loop)
{
	struct pollfd pfds[LOOP_PORTS_MAX];
	for (unsigned p = 0; p < loop->port_count; p++)
		pfds[p] = (struct pollfd){ .fd = loop->ports[p].fd, .events = POLLIN };
	int ready = poll(pfds, loop->port_count, any_ready(loop) ? 0 : IDLE_MS);
	if (ready < 0 && errno != EINTR) {
		log_msg(LOG_ERR, "poll: %s", strerror(errno));
		return -1;
	}
	if (ready == 0 && !any_ready(loop))
		quiet_moment(loop);
	for (unsigned p = 0; p < loop->port_count; p++)
		loop->port_ready[p] |= ready > 0 && (pfds[p].revents & (POLLIN | POLLERR)) != 0;
	return 0;
}

/* Receive from every readable port, a bounded amount each so one cannot starve another. */
static void receive_ready(struct target_loop *loop)
{
	for (unsigned p = 0; p < loop->port_count; p++) {
		if (!loop->port_ready[p])
			continue;
		unsigned round = 0;
		while (loop->pool.free_count > 0 && round++ < DRAIN_ROUNDS) {
			if (loop_receive(loop, p, 0) < LOOP_BATCH) {
				loop->port_ready[p] = false;
				break;
			}
		}
	}
}

/*
 * One port and nothing on the disk: sleep inside the receive call itself.
 * Otherwise sleep where both ports and disk completions can wake us.
 */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The mean time between frames, per frame, smoothed over the last few wake-ups. */
static void note_arrivals(struct target_loop *loop, unsigned got)
{
	/* Without --coalesce nobody reads the estimate: no clock read per wake-up. */
	if (got == 0 || loop->hold_ns == 0)
		return;
	uint64_t now = now_ns();
	uint64_t per_frame = (now - loop->last_arrival_ns) / got;
	loop->last_arrival_ns = now;
	loop->arrival_interval_ns = (loop->arrival_interval_ns * 7 + per_frame) / 8;
}

/*
 * --coalesce: when frames come steadily, closer together than half the
 * hold time, sleep that long before looking again, so that one wake-up
 * finds several (what a NIC's interrupt moderation does).  Returns the
 * frames then taken, 0 if none came.
 */
static unsigned hold_and_receive(struct target_loop *loop)
{
	if (loop->hold_ns == 0 || loop->arrival_interval_ns * 2 > loop->hold_ns)
		return 0;
	struct timespec hold = { .tv_nsec = (long)loop->hold_ns };
	nanosleep(&hold, NULL);
	loop->holds++;
	return loop_receive(loop, 0, 0);
}

static int one_turn(struct target_loop *loop)
{
	loop->turns++;
	if (loop->port_count == 1 && loop->disk.pending == 0 && !loop->port_ready[0] &&
	    loop->pool.free_count > 0) {
		unsigned got = hold_and_receive(loop);
		if (got == 0)
			got = loop_receive(loop, 0, IDLE_MS);
		if (got == 0)
			quiet_moment(loop);
		note_arrivals(loop, got);
	} else {
		int result = loop->have_ring ? wait_in_ring(loop) : wait_in_poll(loop);
		if (result < 0)
			return -1;
		receive_ready(loop);
	}
	diskio_kick(&loop->disk);
	loop_flush(loop);
	for (unsigned e = 0; e < loop->export_count; e++) {
		export_lock(&loop->exports[e]);
		export_save_state(&loop->exports[e]);
		export_unlock(&loop->exports[e]);
	}
	return 0;
}

static void log_loop_counters(const struct target_loop *loop)
{
	const struct diskio_counters *c = &loop->disk.counters;
	log_msg(LOG_INFO,
		"loop %u: %u buffers, disk runs %llu (%llu requests merged into them, %llu through "
		"io_uring), syncs %llu; frames %llu in %llu turns (%llu coalescing holds); "
		"unmatched frames %llu, short of buffers %llu, port errors %llu",
		loop->index, loop->pool.count, (unsigned long long)c->runs, (unsigned long long)c->merged,
		(unsigned long long)c->async_runs, (unsigned long long)c->syncs,
		(unsigned long long)loop->received, (unsigned long long)loop->turns,
		(unsigned long long)loop->holds,
		(unsigned long long)loop->unmatched, (unsigned long long)loop->short_of_buffers,
		(unsigned long long)loop->port_errors);
}

/* At exit: what the disk still does must finish before its buffers go away. */
static void drain(struct target_loop *loop)
{
	for (unsigned i = 0; i < STOP_DRAIN_S && loop->have_ring && loop->disk.pending > 0; i++) {
		diskio_kick(&loop->disk);
		struct io_uring_cqe *cqe;
		struct __kernel_timespec ts = { .tv_sec = 1 };
		io_uring_submit_and_wait_timeout(&loop->ring, &cqe, loop->disk.pending, &ts, NULL);
		reap(loop);
		loop_flush(loop);
	}
}

int loop_run(struct target_loop *loop, atomic_int *stop, atomic_int *report)
{
	int status = 0;
	while (!atomic_load(stop) && status == 0) {
		/* A plain load first: the exchange is a locked instruction, not for every turn. */
		if (atomic_load_explicit(report, memory_order_relaxed) && atomic_exchange(report, 0)) {
			for (unsigned e = 0; e < loop->export_count && loop->index == 0; e++) {
				export_lock(&loop->exports[e]);
				loop_log_counters(&loop->exports[e].target);
				export_unlock(&loop->exports[e]);
			}
			log_loop_counters(loop);
		}
		status = one_turn(loop);
	}
	drain(loop);
	return status;
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
