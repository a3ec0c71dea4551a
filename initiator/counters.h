/*
 * counters.h - the engine's counters for the operator (--verbose) and for
 * scripts (--json): frames sent, retransmits, late replies, duplicates,
 * strays, window reductions, and per path the RTT, timeout and window.
 */
#ifndef AOEKIT_INITIATOR_COUNTERS_H
#define AOEKIT_INITIATOR_COUNTERS_H

#include <stdio.h>

#include "engine.h"

/* Lines on stderr, only with --verbose. */
void counters_verbose(const struct engine *e, const struct engine_target *t);
/* `"counters": {...}, "paths": [...]` (no braces around), for a JSON object being printed. */
void counters_json(FILE *out, const struct engine *e, const struct engine_target *t);

#endif
