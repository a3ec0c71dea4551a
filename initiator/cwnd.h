/*
 * cwnd.h - the congestion window of one path: how many requests it may have
 * in flight.
 *
 * AoE has no flow control besides the target's buffer count (frames beyond
 * it "may be dropped") and loss itself, so the initiator paces itself as TCP
 * and the Linux driver do: start at half the buffer count, grow by one
 * request per window of answers (additive increase), halve on a timeout and
 * collapse to one when the same request times out again (the path may be
 * dead), and never exceed the buffer count.  Below the threshold left by a
 * reduction the window grows by one per answer (slow start), so a collapse
 * recovers in a few round trips.  A timeout later proved spurious by the
 * late answer of the first try is undone.  Pure arithmetic: no clock reads.
 */
#ifndef AOEKIT_INITIATOR_CWND_H
#define AOEKIT_INITIATOR_CWND_H

#include <stdbool.h>
#include <stdint.h>

struct cwnd {
	unsigned limit;         /* the buffer count, capped by the engine's slots: never above */
	unsigned window;        /* requests allowed in flight now, 1..limit */
	unsigned ssthresh;      /* below: +1 per answer; at or above: +1 per window of answers */
	unsigned acked;         /* answers since the last additive step */
	unsigned prior;         /* window before the last reduction, for cwnd_undo */
	uint64_t reduced_ns;    /* when it was reduced: earlier requests' timeouts are the same event */
	bool reduced;           /* a reduction happened (reduced_ns is meaningful) */
	uint64_t reductions;    /* for the counters */
};

/* buffer_count 0 or 1 still allows one request; cap is the engine's own maximum. */
void cwnd_init(struct cwnd *c, unsigned buffer_count, unsigned cap);
/* An answer arrived. */
void cwnd_on_reply(struct cwnd *c);
/*
 * A request sent at sent_ns timed out at now_ns; again is true when the same
 * request had timed out before.  Returns true if this reduced the window
 * (false when the loss belongs to an event already answered by a reduction).
 */
bool cwnd_on_timeout(struct cwnd *c, uint64_t sent_ns, uint64_t now_ns, bool again);
/* The reduction was spurious (the first try's answer came after all): restore the window. */
void cwnd_undo(struct cwnd *c);

#endif
