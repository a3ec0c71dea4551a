/*
 * frames.h - one batch of frames through aoe-target's loop (frames.c): pool
 * buffers in, handler, disk stage, replies out.  Internal to the loop.
 */
#ifndef AOEKIT_FRAMES_H
#define AOEKIT_FRAMES_H

#include "loop.h"

/*
 * Take up to a batch of frames from a port into free pool buffers, give each
 * to the exports it addresses and hand the disk work to the disk stage.
 * timeout_ms 0: only what is waiting; otherwise sleep until a frame comes (at
 * most that long).  Returns the number of frames received.
 */
unsigned loop_receive(struct target_loop *loop, unsigned port_index, int timeout_ms);

/* The disk stage's done callback: the reply is completed and queued on its port. */
void loop_request_done(void *ctx, unsigned slot, int result);

/* Send every queued reply, one system call per port per batch, and free their buffers. */
void loop_flush(struct target_loop *loop);

#endif
