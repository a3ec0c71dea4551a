/*
 * loop.h - aoe-target's event loop: port -> handler -> disk -> port, in batches.
 *
 * Each wake-up takes every frame waiting on a port (up to a batch), runs the
 * handler on each, performs the disk work of the whole batch (writes first
 * made stable together with one sync: a group commit), then sends every reply
 * of the batch with one system call.
 */
#ifndef AOEKIT_LOOP_H
#define AOEKIT_LOOP_H

#include <signal.h>
#include <stdio.h>

#include "disk.h"
#include "handler.h"
#include "l2port.h"

enum { LOOP_PORTS_MAX = 8, LOOP_BATCH = 64 };

struct target_loop {
	struct target *target;
	struct disk *disk;
	struct l2port ports[LOOP_PORTS_MAX];
	unsigned port_count;

	uint8_t *frame_memory;
	size_t frame_cap;
	struct l2frame frames[LOOP_BATCH];
	struct target_request requests[LOOP_BATCH];
};

/* Allocate frame buffers for the ports' MTUs. Returns 0 or -1 (out of memory). */
int loop_init(struct target_loop *loop);
void loop_free(struct target_loop *loop);

/* Send the start-up announcement on every port (to each mask MAC, or broadcast). */
void loop_announce(struct target_loop *loop);

/*
 * Serve until *stop becomes non-zero.  When *report becomes non-zero the
 * counters go to stderr and it is cleared.  Returns 0, or -1 on a fatal
 * port error (message printed).
 */
int loop_run(struct target_loop *loop, volatile sig_atomic_t *stop, volatile sig_atomic_t *report);

/* The counters as one line each, for the operator. */
void loop_print_counters(const struct target *target, FILE *out);

#endif
