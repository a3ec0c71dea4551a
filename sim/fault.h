/*
 * fault.h - the fault model of one link direction.
 *
 * A frame entering a direction is judged once: dropped (too long for the
 * MTU, lost, or no room in the rate limiter's queue) or passed with a plan
 * saying whether to corrupt it, whether to send it twice, when it may leave
 * (rate limit, delay, jitter) and whether to hold it back so later frames
 * overtake it (reorder).  The model is pure: no I/O and no clock reads, so the
 * same frames at the same times always get the same plans.
 */
#ifndef AOESIM_FAULT_H
#define AOESIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prng.h"

#define SIM_FOREVER UINT64_MAX

enum { FAULT_MAX_WINDOWS = 8 };

/* [start, end) in nanoseconds since the switch started; end SIM_FOREVER = open. */
struct sim_window {
	uint64_t start_ns;
	uint64_t end_ns;
};

struct fault_cfg {
	double loss;              /* probability a frame vanishes */
	double dup;               /* probability a frame is sent twice, byte-identical */
	double reorder;           /* probability a frame is held back */
	double corrupt;           /* probability a frame has bytes changed */
	unsigned reorder_gap;     /* later frames a held frame lets pass (default 1) */
	uint64_t reorder_hold_ns; /* longest hold when no later frame comes */
	unsigned corrupt_bytes;   /* bytes changed in a corrupted frame (default 1) */
	bool corrupt_header;      /* may change the 14-byte Ethernet header too */
	uint64_t delay_ns;
	uint64_t jitter_ns;       /* delay varies uniformly by +-jitter; order is kept */
	uint64_t rate_bps;        /* 0 = unlimited */
	uint64_t burst_bytes;     /* token bucket depth */
	uint64_t queue_bytes;     /* backlog allowed behind the rate limit */
	unsigned mtu;             /* longest payload passed (0 = no limit) */
	unsigned ndown;           /* link down windows, applied by the schedule */
	struct sim_window down[FAULT_MAX_WINDOWS];
};

struct fault_state {
	struct prng rng;
	uint64_t tb_time;         /* token bucket: time of the last departure */
	double tb_tokens;         /* bytes available at tb_time */
	uint64_t last_due;        /* departures never go backwards (a wire keeps order) */
};

enum fault_verdict {
	FAULT_PASS = 0,
	FAULT_DROP_MTU,
	FAULT_DROP_LOSS,
	FAULT_DROP_QUEUE,
};

struct fault_plan {
	enum fault_verdict verdict;
	bool corrupt;
	bool dup;
	bool hold;                /* reorder: wait for reorder_gap later frames */
	uint64_t due_ns;          /* earliest departure (monotonic clock) */
};

/* Defaults: everything off, gap 1, hold 10 ms, 1 corrupted byte, queue 256 KiB. */
void fault_cfg_defaults(struct fault_cfg *cfg);
/* Whether anything besides the MTU is configured. */
bool fault_cfg_active(const struct fault_cfg *cfg);
/* One line such as "loss 10% delay 2ms" ("none" when nothing is set). */
void fault_cfg_format(const struct fault_cfg *cfg, char *buf, size_t cap);

void fault_state_init(struct fault_state *st, uint64_t seed, uint64_t stream, uint64_t now);

/* Judge one frame of len bytes arriving at now. */
void fault_plan(const struct fault_cfg *cfg, struct fault_state *st, const uint8_t *frame,
		size_t len, uint64_t now, struct fault_plan *plan);

/* Change cfg->corrupt_bytes random bytes of a frame the plan marked corrupt. */
void fault_corrupt(const struct fault_cfg *cfg, struct fault_state *st, uint8_t *frame, size_t len);

/* Payload length as the MTU counts it: without the Ethernet header or a VLAN tag. */
size_t fault_payload_len(const uint8_t *frame, size_t len);

#endif
