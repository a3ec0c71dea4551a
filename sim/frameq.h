/*
 * frameq.h - frames waiting for their time: a min-heap ordered by due time,
 * then by arrival, so frames due together leave in the order they came.
 *
 * Only frames that must wait are copied here; a frame with nowhere to wait
 * goes straight from the receive buffer to the sending port.
 */
#ifndef AOESIM_FRAMEQ_H
#define AOESIM_FRAMEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qframe {
	uint64_t due;             /* monotonic ns */
	uint64_t seq;             /* tie-breaker: arrival order */
	struct qframe *next;      /* on the deferred-free list */
	uint32_t len;
	uint16_t port;
	uint8_t dir;              /* the link direction it is crossing */
	bool held;                /* reorder: waiting for later frames to pass */
	bool done;                /* already delivered (released early); free when popped */
	uint32_t hold_left;       /* later frames still to pass before release */
	uint64_t arrival;         /* its number among the frames entering its direction */
	uint8_t data[];
};

struct frameq {
	struct qframe **heap;
	size_t n, cap;
	uint64_t seq;
	uint64_t bytes;           /* frame bytes waiting, for the memory bound */
};

struct qframe *qframe_new(const uint8_t *frame, size_t len);

void frameq_init(struct frameq *q);
/* Free every waiting frame and the heap itself. */
void frameq_free(struct frameq *q);
/* Add a frame (its due field set); -1 if out of memory (the frame is not taken). */
int frameq_push(struct frameq *q, struct qframe *f);
static inline struct qframe *frameq_peek(const struct frameq *q)
{
	return q->n ? q->heap[0] : NULL;
}
struct qframe *frameq_pop(struct frameq *q);

#endif
