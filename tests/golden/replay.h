/*
 * replay.h - a capture in memory and the two ways its replies are checked:
 * byte for byte (our own captures) or field by field (vblade's, vblade.c).
 */
#ifndef AOEKIT_GOLDEN_REPLAY_H
#define AOEKIT_GOLDEN_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "golden.h"

struct cap_frame {
	uint8_t *data;
	size_t len;
	bool from_target;   /* source MAC is the row's target port: a reply */
	bool matched;       /* a reply already paired with a request */
};

struct capture {
	struct cap_frame *frames;
	size_t count;
};

/* What one replay found. */
struct replay_result {
	unsigned requests;
	unsigned replies_compared;
	unsigned silent;        /* requests rightly left unanswered */
	unsigned unanswered;    /* vblade mode: no reply in the capture, not compared */
	unsigned failures;
};

/* Report a failure of frame index i (1-based in messages, as tcpdump and tshark count). */
void replay_fail(struct replay_result *r, const struct golden_settings *s, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Serve one request (copied into a port-sized buffer) on t; returns the reply length. */
size_t replay_serve(const struct golden_settings *s, struct target *t, struct disk *disk,
		    const struct cap_frame *request, uint8_t *buf, size_t cap);

void replay_vblade(const struct golden_settings *s, struct capture *c, struct replay_result *r);

#endif
