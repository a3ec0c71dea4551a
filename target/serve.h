/*
 * serve.h - one request, start to finish, against a disk, synchronously.
 *
 * The glue between the pure handler and a disk, for the places that want the
 * simplest path: unit tests, golden replays, fuzz harnesses.  The event loop
 * does the same steps, but batches the disk work.
 */
#ifndef AOEKIT_SERVE_H
#define AOEKIT_SERVE_H

#include "disk.h"
#include "handler.h"

/* Returns the reply length in req->frame, or 0 when nothing is to be sent. */
size_t target_serve(struct target *t, struct disk *disk, struct target_request *req);

/* Perform the disk work a request asked for; returns 0 or a negative errno. */
int target_do_io(struct disk *disk, const struct target_request *req);

#endif
