/*
 * control.h - one request to a target and its answer: Query Config, MAC
 * Mask List, Reserve/Release (and ping's probes).
 *
 * The request is retransmitted with a new tag after the path's adaptive
 * timeout, on the next path when there are several, until it is answered,
 * max_tries is reached or wait_ns has passed.  The answer must come from the
 * path its tag went out on, with the request's command and the target's
 * shelf.slot.  Answers with the error flag are handed over too: what an
 * error means depends on the command.
 */
#ifndef AOEKIT_INITIATOR_CONTROL_H
#define AOEKIT_INITIATOR_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

struct control_request {
	struct aoe_frame request;       /* command and argument; addresses and tag are filled in */
	unsigned max_tries;             /* 0: until wait_ns */
	uint64_t wait_ns;
	unsigned path;                  /* ENGINE_NO_PATH: any, failing over; else only this one */
	/* An answer; return true to finish (false: keep waiting, e.g. not the one wanted). */
	bool (*accept)(void *ctx, const struct aoe_frame *reply, unsigned path, uint64_t rtt_ns);
	void *ctx;
};

/* ENGINE_OK once accepted, ENGINE_TIMEOUT without an answer (e->error says so). */
enum engine_result control_exchange(struct engine *e, struct engine_target *t,
				    const struct control_request *req);

#endif
