/*
 * engine_internal.h - the frame layer shared by engine_run.c (ATA streams),
 * query.c (Query Config), control.c (exchanges) and check.c.  Not for the
 * other commands.
 */
#ifndef AOEKIT_INITIATOR_ENGINE_INTERNAL_H
#define AOEKIT_INITIATOR_ENGINE_INTERNAL_H

#include "engine.h"

/* Called for every frame received while polling. */
typedef void engine_rx_fn(struct engine *e, void *ctx, unsigned port, const uint8_t *frame,
			  size_t len, uint64_t now_ns);

/* A fresh tag with bit 31 clear (userland tools' convention is bit 31 set; we keep the driver's). */
uint32_t engine_new_tag(struct engine *e, unsigned slot_index);
/* Queue a built frame on a port; engine_flush sends every queued frame in one call per port. */
void engine_queue(struct engine *e, unsigned port, uint8_t *frame, size_t len);
enum engine_result engine_flush(struct engine *e);
/* Wait up to timeout_ns for frames and hand each to fn. Returns ENGINE_OK or ENGINE_LOCAL_ERROR. */
enum engine_result engine_poll(struct engine *e, uint64_t timeout_ns, engine_rx_fn *fn, void *ctx);

/*
 * Check an ATA reply that matched io (AoE error flag, ATA status and error,
 * data length) and take its data.  Anything but ENGINE_OK comes with
 * e->error saying what went wrong.
 */
/*
 * Split io, whose frames no longer fit any path, into a first piece of fit
 * sectors (io itself) and fragments queued in e->pending.  False if it
 * cannot be split (not a read or write, or out of fragments).
 */
bool engine_split(struct engine *e, const struct engine_target *t, struct engine_io *io,
		  unsigned fit);
/* A piece was answered: the request to report as done, or NULL while pieces remain. */
struct engine_io *engine_piece_done(struct engine *e, struct engine_io *io);
void engine_drop_fragments(struct engine *e);

enum engine_result engine_check_reply(struct engine *e, const struct engine_target *t,
				      struct engine_io *io, const struct aoe_frame *reply);

#endif
