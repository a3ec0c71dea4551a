/*
 * paths.h - which path a request takes.
 *
 * New requests go round-robin over the paths whose window has room.  A path
 * whose last try timed out is suspect: it gets only an occasional request,
 * as a probe, so a dead link costs a timeout now and then instead of one for
 * every other request (the Linux driver likewise only probes a path it
 * considers tainted).  Paths to the same target MAC share that MAC's buffer
 * count.  A retransmission goes to the next path that answers and can carry
 * the request's frame size.  Pure: state in, decision out.
 */
#ifndef AOEKIT_INITIATOR_PATHS_H
#define AOEKIT_INITIATOR_PATHS_H

#include <stdbool.h>

#include "engine.h"

enum { PATHS_PROBE_EVERY = 64 };   /* a suspect path still gets one new request in this many */

/* Set a path's window from its buffer count (after Query Config). */
void paths_init_window(struct engine_path *path);
/* May path i take one more new request? Its own window, and its target MAC's buffer count. */
bool paths_has_room(const struct engine_target *t, unsigned i);
/* The path for a new request, or ENGINE_NO_PATH when every usable one is full. */
unsigned paths_pick(struct engine_target *t);
/*
 * The path for a retransmission of a request of need sectors now on path
 * current; sectors[i] is what path i carries.  ENGINE_NO_PATH if none can.
 */
unsigned paths_retry(const struct engine_target *t, unsigned current, const unsigned *sectors,
		     unsigned need);

#endif
