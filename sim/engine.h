/*
 * engine.h - the running switch: ports, per-direction fault state, frames in
 * flight, MAC table, schedule, captures and counters.
 *
 * A frame's way: received on port P (captured as sent by the host) -> the
 * "in" direction of P (faults) -> the switch (learning, forwarding,
 * partitions) -> the "out" direction of each chosen port Q (faults) -> sent
 * on Q (captured as received by the host).  A direction that makes a frame
 * wait parks a copy in the frame queue; otherwise the frame moves on at once.
 */
#ifndef AOESIM_ENGINE_H
#define AOESIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "counters.h"
#include "fastpath.h"
#include "fault.h"
#include "frameq.h"
#include "port.h"
#include "scenario.h"
#include "schedule.h"
#include "switch.h"

enum { HELD_MAX = 256 };

struct held_list {
	int n;
	struct qframe *f[HELD_MAX];
};

struct engine {
	const struct scenario *sc;
	int nports;
	uint64_t start_ns;
	uint64_t now;
	struct sim_port port[SIM_MAX_HOSTS];
	struct fault_state fs[SIM_MAX_HOSTS][2];
	struct held_list held[SIM_MAX_HOSTS][2];
	uint64_t arrivals[SIM_MAX_HOSTS][2];  /* frames that entered each direction */
	struct frameq q;
	struct qframe *deferred;  /* delivered frames whose bytes a port may still send */
	struct mac_table macs;
	struct fastpath fast;
	struct schedule sched;
	struct capture *cap;
	struct sim_counters cnt;
	struct rx_batch rx;
};

struct engine_opts {
	const char *pcap_dir;     /* NULL: no captures */
	const char *json_path;    /* NULL: no JSON */
	const char *state_dir;    /* counters.txt and counters.tsv go here (NULL: nowhere) */
	bool no_fastpath;         /* forward every frame in the switch (fastpath.h) */
};

/* path.c: the frame pipeline */
void engine_ingress(struct engine *e, int port, uint8_t *frame, size_t len, bool truncated);
void engine_run_due(struct engine *e);
void engine_flush(struct engine *e);
/* Bring the clock and the schedule to the present and deliver what is due. */
void engine_tick(struct engine *e);

/*
 * loop.c: run the switch in the current network namespace on the interfaces
 * named by lan_switch_ifname until SIGTERM or SIGINT.  Writes one byte to
 * ready_fd when every port is open ('R') or setup failed ('E').  Returns the
 * exit status.
 */
int engine_main(const struct scenario *sc, const struct engine_opts *opts, int ready_fd);

#endif
