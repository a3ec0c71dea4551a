/*
 * control.c - a request-answer exchange with retransmission, on the frame layer.
 *
 * With max_tries, the exchange still waits until wait_ns for the last try's
 * answer: ping sends one probe and waits for it as long as it was told to.
 */
#include "control.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "engine_internal.h"
#include "paths.h"

enum { TRIES_KEPT = 64 };   /* tags remembered: answers to older tries are ignored */

struct exchange {
	const struct control_request *req;
	struct engine_target *t;
	uint32_t tags[TRIES_KEPT];
	unsigned paths[TRIES_KEPT];
	uint64_t sent_ns[TRIES_KEPT];
	unsigned tries;
	bool done;
};

/* Which try this reply answers, or -1. */
static int find_try(const struct exchange *x, struct engine *e, unsigned port,
		    const struct aoe_frame *reply)
{
	const struct aoe_header *hdr = &reply->hdr;
	if (hdr->command != x->req->request.hdr.command || hdr->shelf != x->t->shelf ||
	    hdr->slot != x->t->slot)
		return -1;
	unsigned kept = x->tries < TRIES_KEPT ? x->tries : TRIES_KEPT;
	for (unsigned i = 0; i < kept; i++) {
		const struct engine_path *path = &x->t->paths[x->paths[i]];
		if (x->tags[i] == hdr->tag && path->port == port &&
		    memcmp(path->mac, hdr->src, AOE_MAC_LEN) == 0)
			return (int)i;
	}
	(void)e;
	return -1;
}

static void exchange_receive(struct engine *e, void *ctx, unsigned port, const uint8_t *buf,
			     size_t len, uint64_t now)
{
	struct exchange *x = ctx;
	struct aoe_frame reply;
	if (x->done || aoe_parse_response(buf, len, &reply) != AOE_PARSE_OK) {
		e->stats.strays++;
		return;
	}
	int i = find_try(x, e, port, &reply);
	if (i < 0) {
		e->stats.strays++;
		return;
	}
	struct engine_path *path = &x->t->paths[x->paths[i]];
	uint64_t rtt = now - x->sent_ns[i];
	rtt_sample(&path->rtt, rtt);
	path->timeouts_in_row = 0;
	path->stats.replies++;
	e->stats.replies++;
	x->done = x->req->accept(x->req->ctx, &reply, x->paths[i], rtt);
}

static unsigned next_path(const struct exchange *x)
{
	if (x->req->path != ENGINE_NO_PATH)
		return x->req->path;
	if (x->tries == 0) {
		for (unsigned i = 0; i < x->t->path_count; i++) {
			if (x->t->paths[i].timeouts_in_row == 0)
				return i;
		}
		return 0;
	}
	unsigned previous = x->paths[(x->tries - 1) % TRIES_KEPT];
	unsigned none[ENGINE_PATHS_MAX] = { 0 };
	unsigned next = paths_retry(x->t, previous, none, 0);
	return next == ENGINE_NO_PATH ? previous : next;
}

/* Build and queue one try; returns when it expires. */
static uint64_t send_try(struct engine *e, struct exchange *x, uint64_t now)
{
	unsigned p = next_path(x);
	struct engine_path *path = &x->t->paths[p];
	struct aoe_frame frame = x->req->request;
	frame.hdr.version = AOE_VERSION;
	frame.hdr.flags = 0;
	frame.hdr.shelf = x->t->shelf;
	frame.hdr.slot = x->t->slot;
	frame.hdr.tag = engine_new_tag(e, 0);
	memcpy(frame.hdr.dst, path->mac, AOE_MAC_LEN);
	memcpy(frame.hdr.src, e->ports[path->port].mac, AOE_MAC_LEN);
	size_t len = aoe_build(e->query_frame, e->frame_cap, &frame);
	len = aoe_pad(e->query_frame, len, e->frame_cap);
	unsigned k = x->tries % TRIES_KEPT;
	x->tags[k] = frame.hdr.tag;
	x->paths[k] = p;
	x->sent_ns[k] = now;
	if (x->tries > 0) {
		e->stats.retransmits++;
		x->t->paths[x->paths[(x->tries - 1) % TRIES_KEPT]].timeouts_in_row++;
	}
	uint64_t expires = now + rtt_backoff_ns(&path->rtt, x->tries);
	x->tries++;
	path->stats.frames_sent++;
	e->stats.frames_sent++;
	engine_queue(e, path->port, e->query_frame, len);
	return expires;
}

enum engine_result control_exchange(struct engine *e, struct engine_target *t,
				    const struct control_request *req)
{
	struct exchange x = { .req = req, .t = t };
	uint64_t start = clock_now_ns(), end = start + req->wait_ns, expires = 0;
	for (;;) {
		uint64_t now = clock_now_ns();
		if (x.done)
			return ENGINE_OK;
		bool out_of_tries = req->max_tries != 0 && x.tries >= req->max_tries;
		if (now >= end)
			break;
		if (now >= expires && !out_of_tries)
			expires = send_try(e, &x, now);
		else if (out_of_tries)
			expires = end;  /* the last try's answer may still come */
		enum engine_result result = engine_flush(e);
		uint64_t wake = expires < end ? expires : end;
		if (result == ENGINE_OK)
			result = engine_poll(e, wake > now ? wake - now : 0, exchange_receive, &x);
		if (result != ENGINE_OK)
			return result;
	}
	snprintf(e->error, sizeof(e->error), "%s: timed out after %u retries (no answer for %.1f s)",
		 t->name, x.tries ? x.tries - 1 : 0, clock_ns_to_s(clock_now_ns() - start));
	return ENGINE_TIMEOUT;
}
