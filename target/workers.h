/*
 * workers.h - --threads N: more event loops, one per thread, sharing the exports.
 *
 * Each extra loop opens its own socket on every interface of the first loop,
 * with its own receive ring, pool, io_uring and group commits; the sockets of
 * one interface form a PACKET_FANOUT group whose small BPF program deals the
 * frames out by initiator and LBA region (workers.c says why).  The exports'
 * protocol state is shared under each export's lock (export.h).
 */
#ifndef AOEKIT_WORKERS_H
#define AOEKIT_WORKERS_H

#include <stdatomic.h>

#include "loop.h"

enum { WORKERS_MAX = 15 };  /* extra loops: 16 threads in all */

struct workers {
	struct target_loop loops[WORKERS_MAX];
	atomic_int report[WORKERS_MAX];  /* set by the SIGUSR1 handler, read by each worker */
	unsigned count;
	unsigned started;
};

/*
 * Join first's sockets to one fanout group per interface, open count more
 * loops on the same interfaces and run each in a thread of its own until
 * *stop.  first must be set up (loop_init) and its exports marked shared.
 * Returns 0, or -1 with the reason logged (the threads started are stopped).
 */
int workers_start(struct workers *w, struct target_loop *first, unsigned count,
		  atomic_int *stop);

/* Wait for every worker to finish (after *stop was set) and free its loop. */
void workers_join(struct workers *w);

/* Ask every worker to log its loop's counters (async-signal-safe). */
void workers_request_report(struct workers *w);

#endif
