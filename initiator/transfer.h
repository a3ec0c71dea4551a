/*
 * transfer.h - what "read" (transfer.c) and "write" (write.c) share.
 */
#ifndef AOEKIT_INITIATOR_TRANSFER_H
#define AOEKIT_INITIATOR_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "fdio.h"
#include "progress.h"
#include "session.h"
#include "stream.h"

struct transfer {
	struct session session;
	struct stream stream;
	struct fdio data;           /* the file or standard stream */
	struct progress progress;
	uint64_t capacity;          /* bytes */
	uint64_t start_ns;
	bool opened;
};

/* The byte range the options name.  length is UINT64_MAX when none was given. */
struct range {
	uint64_t start;
	uint64_t length;
	bool length_given;
};

/* Catch signals, open the session (with IDENTIFY) and the stream.  Returns an exit code. */
int transfer_open(struct transfer *x, const struct cli_options *opts);
void transfer_close(struct transfer *x);
/* The range --lba/--offset and --count/--length name; false if it overflows. */
bool requested_range(const struct cli_options *opts, struct range *r);
/* Is [start, start + length) inside the target?  Prints why not. */
bool range_fits(const struct transfer *x, uint64_t start, uint64_t length);
/* The exit code for a stream's result; prints why it failed (but not an interrupt: the summary does). */
int transfer_fail(const struct transfer *x, enum engine_result result);
/* The last word: a summary line when interrupted, counters with -v, an object with --json. */
void report_outcome(const struct transfer *x, const struct cli_options *opts, const char *verb,
		    uint64_t start, uint64_t bytes, int rc);

#endif
