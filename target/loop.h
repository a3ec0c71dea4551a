/*
 * loop.h - aoe-target's event loop: port -> handler -> disk -> port, in batches.
 *
 * Each wake-up takes the frames waiting on a port (up to a batch), runs the
 * handler of every export the frame is addressed to, performs the disk work
 * of the whole batch (the writes that must be stable made so together with
 * one sync per disk: a group commit), then sends every reply of the batch with
 * one system call.
 */
#ifndef AOEKIT_LOOP_H
#define AOEKIT_LOOP_H

#include <signal.h>
#include <stdio.h>

#include "export.h"
#include "l2port.h"

enum {
	LOOP_PORTS_MAX = OPTIONS_IFACES_MAX,
	LOOP_BATCH = 64,
	LOOP_WORK_MAX = 2 * LOOP_BATCH,  /* received frames plus copies for broadcasts */
};

struct loop_work {
	struct target_request req;
	struct export *export;
	enum target_verdict verdict;
	int result;
};

struct target_loop {
	struct export *exports;
	unsigned export_count;
	struct l2port ports[LOOP_PORTS_MAX];
	unsigned port_count;

	uint8_t *frame_memory;
	size_t frame_cap;
	/* Receive buffers, then spares for requests that several exports answer. */
	struct l2frame frames[LOOP_WORK_MAX];
	struct loop_work work[LOOP_WORK_MAX];
	uint64_t unmatched;  /* frames no export was addressed by */
	uint64_t port_errors, port_errors_logged;
};

/* Allocate frame buffers for the ports' MTUs. Returns 0 or -1 (out of memory). */
int loop_init(struct target_loop *loop);
void loop_free(struct target_loop *loop);

/* Send each export's start-up announcement on its ports (to each mask MAC, or broadcast). */
void loop_announce(struct target_loop *loop);

/*
 * Serve until *stop becomes non-zero.  When *report becomes non-zero the
 * counters are logged and it is cleared.  Returns 0, or -1 if poll itself
 * fails (logged); a failing port only loses frames.
 */
int loop_run(struct target_loop *loop, volatile sig_atomic_t *stop, volatile sig_atomic_t *report);

/* Log one export's counters as one line. */
void loop_log_counters(const struct target *target);

#endif
