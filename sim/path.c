/*
 * path.c - the frame pipeline of the switch: link directions with their
 * faults, forwarding, delivery of frames whose time has come, and sending.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Bound on frame bytes parked at once, whatever the delays: memory is finite. */
#define QUEUE_MEMORY_LIMIT (512ull << 20)

static void dir_enter(struct engine *e, int port, int dir, uint8_t *frame, size_t len,
		      bool writable, int from);

static void defer_free(struct engine *e, struct qframe *f)
{
	f->next = e->deferred;
	e->deferred = f;
}

/* Flush one port: what went out is counted and captured, what did not is a tx drop. */
static void flush_port(struct engine *e, int p)
{
	bool ok[PORT_BATCH];
	struct sim_port *port = &e->port[p];
	struct dir_counters *dc = &e->cnt.port[p][DIR_OUT];
	unsigned n = port_flush(port, ok);
	for (unsigned i = 0; i < n; i++) {
		size_t len = port->tx[i].len;
		if (!ok[i]) {
			counter_drop(dc, C_DROP_TX);
			continue;
		}
		counter_add(dc, C_FORWARDED, 1);
		counter_add(dc, C_FORWARDED_BYTES, len);
		capture_frame(e->cap, p, port->tx[i].buf, len);
	}
}

void engine_flush(struct engine *e)
{
	for (int p = 0; p < e->nports; p++)
		if (e->port[p].ntx)
			flush_port(e, p);
	/* Every port is flushed: no queued send points into these frames any more. */
	while (e->deferred) {
		struct qframe *f = e->deferred;
		e->deferred = f->next;
		free(f);
	}
}

static void send_to_host(struct engine *e, int p, const uint8_t *frame, size_t len)
{
	if (!port_queue(&e->port[p], frame, len)) {
		flush_port(e, p);
		port_queue(&e->port[p], frame, len);
	}
}

static void forward(struct engine *e, int in_port, uint8_t *frame, size_t len)
{
	int out[SIM_MAX_HOSTS], count;
	bool learned;
	enum switch_result r =
		switch_decide(&e->macs, in_port, frame, len, e->nports, out, &count, &learned);
	if (learned) {
		e->cnt.sw.learned++;
		fastpath_learned(&e->fast, e->sc, frame + 6, in_port);
	}
	if (r == SWITCH_FILTER)
		e->cnt.sw.filtered++;
	else if (r == SWITCH_FLOOD)
		e->cnt.sw.flooded++;
	for (int i = 0; i < count; i++)
		dir_enter(e, out[i], DIR_OUT, frame, len, false, in_port);
}

static void deliver(struct engine *e, int port, int dir, uint8_t *frame, size_t len,
		    uint64_t arrival);

/*
 * A frame that arrived after the held ones has left this direction: they
 * count it, and those overtaken by enough frames now follow it out.
 */
static void release_held(struct engine *e, int port, int dir, uint64_t arrival)
{
	struct held_list *h = &e->held[port][dir];
	struct qframe *ready[HELD_MAX];
	int nready = 0, kept = 0;
	for (int i = 0; i < h->n; i++) {
		struct qframe *f = h->f[i];
		if (f->arrival < arrival && --f->hold_left == 0)
			ready[nready++] = f;
		else
			h->f[kept++] = f;
	}
	h->n = kept;
	for (int i = 0; i < nready; i++) {
		/* Still in the heap until its deadline; it is freed when popped. */
		ready[i]->done = true;
		ready[i]->held = false;
		e->cnt.port[port][dir].c[C_REORDERED]++;
		deliver(e, port, dir, ready[i]->data, ready[i]->len, 0);
	}
}

/* arrival: the frame's number on this direction, 0 for a released held frame. */
static void deliver(struct engine *e, int port, int dir, uint8_t *frame, size_t len,
		    uint64_t arrival)
{
	if (dir == DIR_IN) {
		counter_add(&e->cnt.port[port][DIR_IN], C_FORWARDED, 1);
		counter_add(&e->cnt.port[port][DIR_IN], C_FORWARDED_BYTES, len);
		forward(e, port, frame, len);
	} else {
		send_to_host(e, port, frame, len);  /* counted when actually sent */
	}
	if (arrival && e->held[port][dir].n)
		release_held(e, port, dir, arrival);
}

static void drop_held(struct held_list *h, struct qframe *f)
{
	for (int i = 0; i < h->n; i++) {
		if (h->f[i] == f) {
			h->f[i] = h->f[--h->n];
			return;
		}
	}
}

void engine_run_due(struct engine *e)
{
	struct qframe *f;
	while ((f = frameq_peek(&e->q)) && f->due <= e->now) {
		frameq_pop(&e->q);
		defer_free(e, f);
		if (f->done)
			continue;
		bool was_held = f->held;
		if (was_held)  /* nothing came to overtake it in time: it goes as it is */
			drop_held(&e->held[f->port][f->dir], f);
		deliver(e, f->port, f->dir, f->data, f->len, was_held ? 0 : f->arrival);
	}
}

static int drop_reason(enum fault_verdict v)
{
	switch (v) {
	case FAULT_DROP_MTU: return C_DROP_MTU;
	case FAULT_DROP_LOSS: return C_DROP_LOSS;
	default: return C_DROP_QUEUE;
	}
}

/* Park a copy until due; false (and a queue drop) if it cannot be parked. */
static bool park(struct engine *e, int port, int dir, const uint8_t *frame, size_t len,
		 uint64_t due, bool hold, uint64_t arrival)
{
	const struct fault_cfg *cfg = &e->sc->hosts[port].fault[dir];
	struct held_list *h = &e->held[port][dir];
	struct qframe *f = NULL;
	if (e->q.bytes + len <= QUEUE_MEMORY_LIMIT)
		f = qframe_new(frame, len);
	if (!f) {
		counter_drop(&e->cnt.port[port][dir], C_DROP_QUEUE);
		return false;
	}
	f->due = due;
	f->port = (uint16_t)port;
	f->dir = (uint8_t)dir;
	f->arrival = arrival;
	if (hold && h->n < HELD_MAX) {
		f->held = true;
		f->hold_left = cfg->reorder_gap;
		f->due = due + cfg->reorder_hold_ns;
		h->f[h->n++] = f;
	}
	if (frameq_push(&e->q, f) < 0) {
		if (f->held)
			drop_held(h, f);
		free(f);
		counter_drop(&e->cnt.port[port][dir], C_DROP_QUEUE);
		return false;
	}
	return true;
}

/*
 * A frame enters a link direction.  writable: the bytes are this frame's own
 * (a receive buffer), so corruption may happen in place; a flooded frame is
 * shared by several directions and is copied first.  from: the ingress port
 * of a frame entering an "out" direction (for partitions), else -1.
 */
static void dir_enter(struct engine *e, int port, int dir, uint8_t *frame, size_t len,
		      bool writable, int from)
{
	const struct fault_cfg *cfg = &e->sc->hosts[port].fault[dir];
	struct fault_state *st = &e->fs[port][dir];
	struct dir_counters *dc = &e->cnt.port[port][dir];
	counter_add(dc, C_FRAMES, 1);
	counter_add(dc, C_BYTES, len);
	uint64_t arrival = ++e->arrivals[port][dir];
	if (schedule_link_down(&e->sched, port, dir)) {
		counter_drop(dc, C_DROP_DOWN);
		return;
	}
	if (from >= 0 && schedule_partitioned(&e->sched, e->sc, from, port)) {
		counter_drop(dc, C_DROP_PARTITION);
		return;
	}
	struct fault_plan plan;
	fault_plan(cfg, st, frame, len, e->now, &plan);
	if (plan.verdict != FAULT_PASS) {
		counter_drop(dc, drop_reason(plan.verdict));
		return;
	}
	if (plan.corrupt) {
		if (!writable) {
			struct qframe *copy = qframe_new(frame, len);
			if (!copy) {
				counter_drop(dc, C_DROP_QUEUE);
				return;
			}
			defer_free(e, copy);
			frame = copy->data;
		}
		fault_corrupt(cfg, st, frame, len);
		counter_add(dc, C_CORRUPTED, 1);
	}
	if (plan.dup)
		counter_add(dc, C_DUPLICATED, 1);
	if (plan.due_ns <= e->now && !plan.hold) {
		deliver(e, port, dir, frame, len, arrival);
		if (plan.dup)
			deliver(e, port, dir, frame, len, arrival);
		return;
	}
	counter_add(dc, C_DELAYED, 1);
	/* A duplicate is treated as its original: held or not, they leave together. */
	park(e, port, dir, frame, len, plan.due_ns, plan.hold, arrival);
	if (plan.dup)
		park(e, port, dir, frame, len, plan.due_ns, plan.hold, arrival);
}

void engine_ingress(struct engine *e, int port, uint8_t *frame, size_t len, bool truncated)
{
	capture_frame(e->cap, port, frame, len);
	if (truncated) {
		/* Longer than any port's MTU could allow: it cannot be forwarded whole. */
		struct dir_counters *dc = &e->cnt.port[port][DIR_IN];
		counter_add(dc, C_FRAMES, 1);
		counter_add(dc, C_BYTES, len);
		counter_drop(dc, C_DROP_MTU);
		return;
	}
	dir_enter(e, port, DIR_IN, frame, len, true, -1);
}

void engine_tick(struct engine *e)
{
	e->now = now_ns();
	schedule_advance(&e->sched, e->sc, e->now - e->start_ns);
	engine_run_due(e);
}
