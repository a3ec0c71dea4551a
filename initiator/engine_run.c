/*
 * engine_run.c - the request stream: fill every path's window from the feed,
 * match answers, retransmit what times out.
 *
 * One loop, no threads: queue new requests while windows have room, send
 * them in one batch per port, sleep until an answer or the earliest
 * retransmit timer, handle what came, repeat.  Requests are pulled from the
 * feed one at a time as slots free up, so the window never drains between
 * parts of a transfer.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "engine.h"
#include "engine_internal.h"
#include "paths.h"
#include "report.h"
#include "signals.h"

enum {
	SLOT_MASK = ENGINE_SLOTS - 1,
	WAKE_MAX_NS = NS_PER_S / 4,     /* look at signals and MTUs at least this often */
	STALL_PATIENCE = 4,             /* a stalled path's try waits this many timeouts in all */
};

struct run {
	struct engine_target *t;
	const struct engine_feed *feed;
	bool feed_ended;
	bool stopping;                  /* a signal came: no new requests, drain the rest */
	enum engine_result result;
	unsigned sectors[ENGINE_PATHS_MAX];  /* what each path carries, refreshed with the MTU */
};

static void update_sectors(const struct engine *e, struct run *run)
{
	for (unsigned i = 0; i < run->t->path_count; i++)
		run->sectors[i] = engine_path_sectors(e, &run->t->paths[i]);
}

static unsigned io_sectors(const struct engine_io *io)
{
	size_t bytes = io->in_len > io->out_len ? io->in_len : io->out_len;
	return (unsigned)((bytes + AOE_SECTOR_SIZE - 1) / AOE_SECTOR_SIZE);
}

void engine_abort(struct engine *e, enum engine_result result)
{
	if (e->abort_result == ENGINE_OK)
		e->abort_result = result;
}

/* ----------------------------------------------------------- sending */

static void send_slot(struct engine *e, struct run *run, struct engine_slot *slot, uint64_t now)
{
	struct engine_path *path = &run->t->paths[slot->current.path];
	struct l2port *port = &e->ports[path->port];
	struct engine_io *io = slot->io;
	struct aoe_frame frame = {
		.hdr = { .version = AOE_VERSION, .shelf = run->t->shelf, .slot = run->t->slot,
			 .command = AOE_CMD_ATA,
			 .tag = engine_new_tag(e, (unsigned)(slot - e->slots)) },
		.has_arg = true,
		.arg.ata = { .aflags = io->aflags, .feature_error = io->features,
			     .sector_count = io->sector_count, .command_status = io->command,
			     .lba = io->lba, .data = io->out, .data_len = io->out_len },
	};
	memcpy(frame.hdr.dst, path->mac, AOE_MAC_LEN);
	memcpy(frame.hdr.src, port->mac, AOE_MAC_LEN);
	size_t len = aoe_build(slot->frame, e->frame_cap, &frame);
	if (len == 0) {
		snprintf(e->error, sizeof(e->error), "%s: a %zu-byte request does not fit a %zu-byte frame",
			 run->t->name, io->out_len, e->frame_cap);
		run->result = ENGINE_LOCAL_ERROR;
		return;
	}
	len = aoe_pad(slot->frame, len, e->frame_cap);
	slot->current.tag = frame.hdr.tag;
	slot->current.sent_ns = now;
	slot->extended = false;
	slot->expires_ns = now + rtt_backoff_ns(&path->rtt, io->retries);
	if (slot->expires_ns > slot->first_sent_ns + e->deadline_ns)
		slot->expires_ns = slot->first_sent_ns + e->deadline_ns;
	path->stats.frames_sent++;
	e->stats.frames_sent++;
	engine_queue(e, path->port, slot->frame, len);
}

/* A free slot, searched round-robin so that a slot (and its tag's low bits) is reused late. */
static struct engine_slot *take_slot(struct engine *e)
{
	for (unsigned n = 0; n < ENGINE_SLOTS; n++) {
		struct engine_slot *slot = &e->slots[e->slot_cursor++ & SLOT_MASK];
		if (slot->io == NULL)
			return slot;
	}
	return NULL;
}

static void start_request(struct engine *e, struct run *run, struct engine_io *io, unsigned path,
			  uint64_t now)
{
	struct engine_slot *slot = take_slot(e);
	io->retries = 0;
	slot->io = io;
	slot->current.path = path;
	slot->has_previous = false;
	slot->reduced_window = false;
	slot->first_sent_ns = now;
	run->t->paths[path].in_flight++;
	e->in_flight++;
	send_slot(e, run, slot, now);
}

/* Fragments of split requests go first: they hold up a buffer the feed is waiting for. */
static void send_pending(struct engine *e, struct run *run, uint64_t now)
{
	while (e->pending_count > 0 && e->in_flight < ENGINE_SLOTS && run->result == ENGINE_OK) {
		unsigned path = paths_pick(run->t);
		if (path == ENGINE_NO_PATH)
			return;
		start_request(e, run, e->pending[--e->pending_count], path, now);
	}
}

static void fill_windows(struct engine *e, struct run *run, uint64_t now)
{
	send_pending(e, run, now);
	if (e->pending_count > 0 || run->feed_ended || run->stopping)
		return;
	while (e->in_flight < ENGINE_SLOTS && run->result == ENGINE_OK) {
		unsigned path = paths_pick(run->t);
		if (path == ENGINE_NO_PATH)
			return;
		struct engine_io *io = NULL;
		enum engine_feed_status status =
			run->feed->next(run->feed->ctx, run->sectors[path], &io);
		if (e->abort_result != ENGINE_OK) {
			run->result = e->abort_result;
			return;
		}
		if (status == FEED_END)
			run->feed_ended = true;
		if (status != FEED_IO)
			return;
		start_request(e, run, io, path, now);
	}
}

/* ---------------------------------------------------------- receiving */

/*
 * The slot and try this reply answers: tag, shelf.slot, source MAC and port
 * must all agree.  The try before the current one counts too: its answer is
 * just late (the retransmission was spurious) and answers the same command.
 */
static struct engine_slot *match_slot(struct engine *e, const struct engine_target *t, unsigned port,
				      const struct aoe_header *hdr, const struct engine_try **which)
{
	struct engine_slot *slot = &e->slots[hdr->tag & SLOT_MASK];
	if (slot->io == NULL || hdr->shelf != t->shelf || hdr->slot != t->slot)
		return NULL;
	if (hdr->tag == slot->current.tag)
		*which = &slot->current;
	else if (slot->has_previous && hdr->tag == slot->previous.tag)
		*which = &slot->previous;
	else
		return NULL;
	const struct engine_path *path = &t->paths[(*which)->path];
	if (path->port != port || memcmp(path->mac, hdr->src, AOE_MAC_LEN) != 0)
		return NULL;
	return slot;
}

/* An answer to a request that already completed: the target answered two tries, or twice. */
static bool is_duplicate(const struct engine *e, const struct engine_target *t,
			 const struct aoe_header *hdr)
{
	const struct engine_slot *slot = &e->slots[hdr->tag & SLOT_MASK];
	if (hdr->shelf != t->shelf || hdr->slot != t->slot)
		return false;
	for (unsigned i = 0; i < slot->retired_count; i++) {
		if (slot->retired[i] == hdr->tag)
			return true;
	}
	return false;
}

static void release_slot(struct engine *e, struct engine_target *t, struct engine_slot *slot)
{
	slot->retired[0] = slot->current.tag;
	slot->retired_count = 1;
	if (slot->has_previous)
		slot->retired[slot->retired_count++] = slot->previous.tag;
	t->paths[slot->current.path].in_flight--;
	e->in_flight--;
	slot->io = NULL;
}

/* Bookkeeping for an answer that matched: RTT, window, path health, counters. */
static void note_answer(struct engine *e, struct engine_target *t, struct engine_slot *slot,
			const struct engine_try *try, uint64_t now)
{
	struct engine_path *path = &t->paths[try->path];
	/*
	 * Each try has its own tag, so the sample is unambiguous (Karn's problem
	 * does not arise).  A late answer is the most useful sample of all: it
	 * tells the estimator the target is slower than the timeout assumed.
	 */
	rtt_sample(&path->rtt, now - try->sent_ns);
	if (try->sent_ns > path->newest_answered_ns)
		path->newest_answered_ns = try->sent_ns;
	path->timeouts_in_row = 0;
	path->stats.replies++;
	cwnd_on_reply(&path->cwnd);
	e->stats.replies++;
	if (try == &slot->previous) {
		e->stats.late_replies++;
		if (slot->reduced_window) {
			cwnd_undo(&t->paths[slot->reduced_path].cwnd);
			slot->reduced_window = false;
		}
	}
}

static void run_receive(struct engine *e, void *ctx, unsigned port, const uint8_t *buf, size_t len,
			uint64_t now)
{
	struct run *run = ctx;
	struct aoe_frame reply;
	if (run->result != ENGINE_OK)
		return;
	if (aoe_parse_response(buf, len, &reply) != AOE_PARSE_OK || reply.hdr.command != AOE_CMD_ATA) {
		e->stats.strays++;
		return;
	}
	const struct engine_try *try;
	struct engine_slot *slot = match_slot(e, run->t, port, &reply.hdr, &try);
	if (slot == NULL) {
		if (is_duplicate(e, run->t, &reply.hdr))
			e->stats.duplicates++;
		else
			e->stats.strays++;  /* an answer to a long-retried tag, or not ours */
		return;
	}
	note_answer(e, run->t, slot, try, now);
	struct engine_io *io = slot->io;
	enum engine_result verdict = engine_check_reply(e, run->t, io, &reply);
	release_slot(e, run->t, slot);
	if (verdict != ENGINE_OK) {
		run->result = verdict;
		return;
	}
	io = engine_piece_done(e, io);
	if (io == NULL)
		return;  /* a piece of a split request: the others are still out */
	run->feed->done(run->feed->ctx, io);
	if (e->abort_result != ENGINE_OK)
		run->result = e->abort_result;
}

/* ------------------------------------------------------------ timeouts */

static void report_timeout(struct engine *e, const struct run *run, const struct engine_io *io)
{
	char ports[128], what[96];
	engine_port_names(e, ports, sizeof(ports));
	engine_describe_io(io, what, sizeof(what));
	snprintf(e->error, sizeof(e->error),
		 "%s: timed out after %u retries (%s unanswered for %.1f s); check that the target "
		 "is running and reachable on %s, or raise --timeout",
		 run->t->name, io->retries, what, clock_ns_to_s(e->deadline_ns), ports);
}

static void report_retransmit(const struct engine *e, const struct run *run,
			      const struct engine_slot *slot, uint64_t now)
{
	if (!report_is_verbose())
		return;
	char what[96];
	engine_describe_io(slot->io, what, sizeof(what));
	const struct engine_path *path = &run->t->paths[slot->current.path];
	report_verbose("%s: retransmit %s (try %u) via %s, timeout %.0f ms, window %u",
		       run->t->name, what, slot->io->retries + 1, e->ports[path->port].ifname,
		       (double)(slot->expires_ns - now) / NS_PER_MS,
		       run->t->paths[slot->previous.path].cwnd.window);
}

/* An MTU shrank under this request: cut it to what every path carries now. */
static bool split(struct engine *e, struct run *run, struct engine_io *io)
{
	unsigned fit = 255;
	for (unsigned i = 0; i < run->t->path_count; i++)
		fit = run->sectors[i] < fit ? run->sectors[i] : fit;
	unsigned before = io->sector_count;
	if (!engine_split(e, run->t, io, fit))
		return false;
	report_verbose("%s: split a %u-sector request into %u-sector pieces: an MTU shrank",
		       run->t->name, before, fit);
	return true;
}

static void retransmit(struct engine *e, struct run *run, struct engine_slot *slot, uint64_t now)
{
	struct engine_io *io = slot->io;
	struct engine_target *t = run->t;
	struct engine_path *old = &t->paths[slot->current.path];
	old->timeouts_in_row++;
	old->stats.timeouts++;
	if (cwnd_on_timeout(&old->cwnd, slot->current.sent_ns, now, io->retries > 0)) {
		slot->reduced_window = true;
		slot->reduced_path = slot->current.path;
		e->stats.window_reductions++;
	}
	/* Another path, if one answers: if one path died, the request still gets through. */
	unsigned next = paths_retry(t, slot->current.path, run->sectors, io_sectors(io));
	if (next == ENGINE_NO_PATH && split(e, run, io))
		next = paths_retry(t, slot->current.path, run->sectors, io_sectors(io));
	if (next == ENGINE_NO_PATH) {
		snprintf(e->error, sizeof(e->error),
			 "%s: no path carries %u-sector frames any more (an MTU shrank)", t->name,
			 io_sectors(io));
		run->result = ENGINE_LOCAL_ERROR;
		return;
	}
	old->in_flight--;
	t->paths[next].in_flight++;
	io->retries++;
	e->stats.retransmits++;
	slot->previous = slot->current;
	slot->has_previous = true;
	slot->current.path = next;
	send_slot(e, run, slot, now);
	report_retransmit(e, run, slot, now);
}

/*
 * Lost, or only late?  If a request sent after this one has been answered on
 * the same path, the path works and this frame (or its answer) was lost:
 * send it again now.  If nothing sent after it has come back, the target or
 * the path has stalled (a busy disk, a descheduled target): retransmitting
 * would only add to its queue, so the timer is extended once before the
 * request counts as lost.
 */
static bool stalled(const struct run *run, struct engine_slot *slot, uint64_t now,
		    uint64_t deadline)
{
	const struct engine_path *path = &run->t->paths[slot->current.path];
	if (slot->extended || path->newest_answered_ns > slot->current.sent_ns)
		return false;
	slot->extended = true;
	uint64_t waited = now - slot->current.sent_ns;
	slot->expires_ns = slot->current.sent_ns + waited * STALL_PATIENCE;
	if (slot->expires_ns > deadline)
		slot->expires_ns = deadline;
	return slot->expires_ns > now;
}

static void check_timeouts(struct engine *e, struct run *run, uint64_t now)
{
	for (unsigned i = 0; i < ENGINE_SLOTS && run->result == ENGINE_OK; i++) {
		struct engine_slot *slot = &e->slots[i];
		if (slot->io == NULL || now < slot->expires_ns)
			continue;
		uint64_t deadline = slot->first_sent_ns + e->deadline_ns;
		if (now >= deadline || slot->io->retries >= ENGINE_RETRIES_MAX) {
			report_timeout(e, run, slot->io);
			run->result = ENGINE_TIMEOUT;
			return;
		}
		if (!stalled(run, slot, now, deadline))
			retransmit(e, run, slot, now);
	}
}

/* How long to sleep: until the earliest slot expires, and not long in any case. */
static uint64_t next_wakeup(const struct engine *e, uint64_t now)
{
	uint64_t wake = now + WAKE_MAX_NS;
	for (unsigned i = 0; i < ENGINE_SLOTS; i++) {
		if (e->slots[i].io != NULL && e->slots[i].expires_ns < wake)
			wake = e->slots[i].expires_ns;
	}
	return wake > now ? wake - now : 0;
}

/* -------------------------------------------------------------- the loop */

static void check_signals(struct engine *e, struct run *run)
{
	unsigned count = signals_count();
	if (count == 0)
		return;
	if (!run->stopping)
		report_verbose("%s: stopping: waiting for %u requests in flight (Ctrl-C again to abandon "
			       "them)", run->t->name, e->in_flight);
	run->stopping = true;
	if (count >= 2 || e->in_flight == 0) {
		snprintf(e->error, sizeof(e->error), "%s: interrupted%s", run->t->name,
			 e->in_flight ? "; requests in flight were abandoned" : "");
		run->result = ENGINE_INTERRUPTED;
	}
}

/* Whatever is still in flight is abandoned; its late replies will be strays. */
static void abandon_all(struct engine *e, struct engine_target *t)
{
	for (unsigned i = 0; i < ENGINE_SLOTS; i++)
		e->slots[i].io = NULL;
	for (unsigned i = 0; i < t->path_count; i++)
		t->paths[i].in_flight = 0;
	e->in_flight = 0;
	engine_drop_fragments(e);
}

static bool run_step(struct engine *e, struct run *run)
{
	uint64_t now = clock_now_ns();
	check_signals(e, run);
	if (run->result == ENGINE_OK)
		fill_windows(e, run, now);
	if (run->result != ENGINE_OK)
		return false;
	if (e->in_flight == 0 && e->pending_count == 0) {
		if (run->feed_ended)
			return false;
		snprintf(e->error, sizeof(e->error), "%s: internal error: the request feed stalled",
			 run->t->name);
		run->result = ENGINE_LOCAL_ERROR;
		return false;
	}
	run->result = engine_flush(e);
	if (run->result == ENGINE_OK) {
		/* The receive callback may set run->result; a poll failure must not hide that. */
		enum engine_result polled = engine_poll(e, next_wakeup(e, now), run_receive, run);
		if (polled != ENGINE_OK)
			run->result = polled;
	}
	if (run->result == ENGINE_OK)
		check_timeouts(e, run, clock_now_ns());
	/* A send may have found a smaller MTU (EMSGSIZE) already: look at the ports every time. */
	engine_refresh_mtu(e, false);
	update_sectors(e, run);
	return run->result == ENGINE_OK;
}

enum engine_result engine_stream(struct engine *e, struct engine_target *t,
				 const struct engine_feed *feed)
{
	if (t->path_count == 0) {
		snprintf(e->error, sizeof(e->error), "%s: no path to the target", t->name);
		return ENGINE_LOCAL_ERROR;
	}
	struct run run = { .t = t, .feed = feed, .result = ENGINE_OK };
	e->abort_result = ENGINE_OK;
	update_sectors(e, &run);
	while (run_step(e, &run))
		;
	abandon_all(e, t);
	if (run.result == ENGINE_OK && run.stopping) {
		snprintf(e->error, sizeof(e->error), "%s: interrupted", t->name);
		run.result = ENGINE_INTERRUPTED;
	}
	return run.result;
}
