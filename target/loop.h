/*
 * loop.h - aoe-target's event loop: port -> handler -> disk -> port, in batches.
 *
 * Each wake-up takes the frames waiting on a port (up to a batch) into pool
 * buffers, runs the handler of every export a frame is addressed to, hands the
 * batch's disk work to the disk stage (diskio.h: merged, and asynchronous where
 * the store may wait for a device, with group commits), and sends every reply
 * that is ready with one system call per port.  A request waiting for the disk
 * keeps its buffer; the loop goes on receiving into the others.
 *
 * How it sleeps: with one port and nothing in flight on the disk, inside the
 * receive call itself (one system call per wake-up, as vblade's read); else in
 * io_uring, which reports both a port that became readable and a disk
 * operation that completed.
 */
#ifndef AOEKIT_LOOP_H
#define AOEKIT_LOOP_H

#include <liburing.h>
#include <stdatomic.h>
#include <stdio.h>

#include "diskio.h"
#include "export.h"
#include "l2port.h"
#include "pool.h"

enum {
	LOOP_PORTS_MAX = OPTIONS_IFACES_MAX,
	LOOP_BATCH = 64,
	LOOP_RING_FRAMES = 1024,        /* receive ring slots per port: bursts of many windows */
};

/* Replies ready to go out on one port. */
struct loop_outbox {
	uint16_t *slots;
	unsigned count;
};

struct target_loop {
	unsigned index;                 /* 0, or which of --threads' extra loops (workers.c) */
	struct export *exports;
	unsigned export_count;
	struct l2port ports[LOOP_PORTS_MAX];
	unsigned port_count;

	struct frame_pool pool;
	struct loop_slot *slots;        /* one per pool buffer */
	struct diskio disk;
	struct io_uring ring;
	bool have_ring;
	bool port_armed[LOOP_PORTS_MAX];  /* a poll for this port is in the ring */
	bool port_ready[LOOP_PORTS_MAX];  /* readable: receive before sleeping */
	struct loop_outbox outbox[LOOP_PORTS_MAX];
	uint64_t unmatched;  /* frames no export was addressed by */
	uint64_t port_errors, port_errors_logged;
	uint64_t short_of_buffers;  /* turns when every buffer waited for the disk */
	uint64_t turns, received;   /* wake-ups and frames taken in: the mean batch */
	uint64_t hold_ns;           /* --coalesce: 0, or how long to gather a steady stream */
	uint64_t last_arrival_ns, arrival_interval_ns;
	uint64_t holds;
};

/*
 * Allocate the frame pool for the ports' MTUs and the exports' buffer counts,
 * and set up io_uring (without it, disk work is done synchronously).
 * Returns 0 or -1 (out of memory).
 */
int loop_init(struct target_loop *loop);
void loop_free(struct target_loop *loop);

/*
 * Send each export's start-up announcement on its ports (to each mask MAC, or
 * broadcast).  Needs only the ports: it may come before loop_init.
 */
void loop_announce(struct target_loop *loop);

/*
 * Serve until *stop becomes non-zero.  When *report becomes non-zero the
 * counters are logged and it is cleared.  Both flags are atomics, not
 * volatile sig_atomic_t: a signal handler on one thread sets them and the
 * loops of the others (--threads) read them, and only a lock-free atomic is
 * safe for both.  Returns 0, or -1 if waiting itself fails (logged); a
 * failing port only loses frames.
 */
int loop_run(struct target_loop *loop, atomic_int *stop, atomic_int *report);

/* Log one export's counters as one line. */
void loop_log_counters(const struct target *target);

#endif
