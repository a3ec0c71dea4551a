/*
 * progress.h - a one-line transfer meter on stderr (bytes, rate, ETA).
 *
 * Shown only when stderr is a terminal and the transfer has run for more than
 * a second: short transfers and logs stay clean.
 */
#ifndef AOEKIT_INITIATOR_PROGRESS_H
#define AOEKIT_INITIATOR_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool enabled;           /* stderr is a terminal */
	bool shown;             /* a line is on the screen and needs a newline at the end */
	uint64_t total;         /* bytes expected, 0 when unknown (a stream) */
	uint64_t done;
	uint64_t start_ns;
	uint64_t last_draw_ns;
};

void progress_start(struct progress *p, uint64_t total_bytes);
void progress_add(struct progress *p, uint64_t bytes);
void progress_finish(struct progress *p);

#endif
