/*
 * signals.h - Ctrl-C during a transfer.
 *
 * The first SIGINT or SIGTERM asks the engine to stop cleanly: no new
 * requests, the ones in flight drain or time out, the command prints what it
 * got done and exits 130 (143 for SIGTERM).  A second signal abandons the
 * requests still in flight.  The handler only counts; it is installed
 * without SA_RESTART so a blocking read of standard input returns EINTR.
 */
#ifndef AOEKIT_INITIATOR_SIGNALS_H
#define AOEKIT_INITIATOR_SIGNALS_H

#include <stdbool.h>

void signals_catch(void);
/* How many stop signals arrived since signals_catch (0 when not catching). */
unsigned signals_count(void);
/* The exit code for the first signal caught: 128 + its number. */
int signals_exit_code(void);

#endif
