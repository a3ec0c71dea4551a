/*
 * counters.h - what happened on each port and direction, and on the switch.
 *
 * "in" is host -> switch, "out" is switch -> host.  frames/bytes count what
 * entered the direction; forwarded/forwarded_bytes what left it (into the
 * switch for "in", onto the host's wire for "out").  dropped is the sum of the
 * drop_* reasons.  overrun counts frames the switch never saw (its socket
 * buffer was full): not in frames, and a sign the switch could not keep up.
 */
#ifndef AOESIM_COUNTERS_H
#define AOESIM_COUNTERS_H

#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

enum counter_id {
	C_FRAMES,
	C_BYTES,
	C_FORWARDED,
	C_FORWARDED_BYTES,
	C_DROPPED,
	C_DROP_LOSS,
	C_DROP_MTU,
	C_DROP_DOWN,
	C_DROP_PARTITION,
	C_DROP_QUEUE,
	C_DROP_TX,
	C_DUPLICATED,
	C_DELAYED,
	C_REORDERED,
	C_CORRUPTED,
	C_OVERRUN,        /* in: frames the kernel dropped before the switch read them */
	C_FASTPATH,       /* forwarded by the kernel for the switch (also in frames, forwarded) */
	C_COUNT
};

struct dir_counters {
	uint64_t c[C_COUNT];
};

struct switch_counters {
	uint64_t learned;     /* MAC addresses learned */
	uint64_t flooded;     /* frames sent to every other port (broadcast, unknown) */
	uint64_t filtered;    /* unicast whose destination is on the port it came from */
};

struct sim_counters {
	double elapsed_s;
	struct switch_counters sw;
	struct dir_counters port[SIM_MAX_HOSTS][2];
};

const char *counter_name(int id);
/* The counter of that name, or -1. */
int counter_lookup(const char *name);

static inline void counter_add(struct dir_counters *d, int id, uint64_t n)
{
	d->c[id] += n;
}

/* A drop counts under its reason and in the total. */
static inline void counter_drop(struct dir_counters *d, int reason)
{
	d->c[reason]++;
	d->c[C_DROPPED]++;
}

/* The human table. */
void counters_print(FILE *out, const struct scenario *sc, const struct sim_counters *cnt);
/* JSON for scripts; written to path.tmp then renamed so a reader never sees half. */
int counters_write_json(const char *path, const struct scenario *sc, const struct sim_counters *cnt);
/* "HOST DIR NAME VALUE" lines, for the runner's expects. */
int counters_write_tsv(const char *path, const struct scenario *sc, const struct sim_counters *cnt);
int counters_read_tsv(const char *path, const struct scenario *sc, struct sim_counters *cnt);

#endif
