/*
 * engine_internal.h - the frame layer shared by engine.c (ATA runs) and
 * query.c (Query Config).  Not for the commands.
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

#endif
