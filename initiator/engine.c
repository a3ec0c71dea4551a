/*
 * engine.c - ports, the frame layer, and the ATA request window.
 *
 * A run keeps up to engine_window() requests in flight.  Each request sits in
 * a slot whose index is the low six bits of its tag, so a reply finds its
 * request without a search; the rest of the tag is a sequence number, so a
 * retransmission (always with a new tag, as the Linux driver does) can never
 * be confused with the late answer to an earlier try.
 */
#include "engine.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "engine_internal.h"
#include "report.h"

enum {
	TAG_USER_BIT = 0x80000000u,     /* aoetools' convention; the Linux driver drops such replies */
	SLOT_MASK = ENGINE_WINDOW_MAX - 1,
	POLL_MAX_BATCHES = 16,          /* per port and wakeup, so one busy port cannot starve the rest */
	SUSPECT_PROBE_EVERY = 64,       /* a suspect path still gets one new request in this many */
	DEFAULT_DEADLINE_S = 10,
};

/* ---------------------------------------------------------------- setup */

void engine_init(struct engine *e)
{
	memset(e, 0, sizeof(*e));
	/* Start the tag sequence somewhere new, so replies meant for an earlier run do not match. */
	e->tag_sequence = (uint32_t)getpid() * 2654435761u ^ (uint32_t)clock_now_ns();
	e->deadline_ns = (uint64_t)DEFAULT_DEADLINE_S * NS_PER_S;
}

int engine_add_port(struct engine *e, const char *ifname, char *err, size_t err_len)
{
	if (e->port_count == ENGINE_PORTS_MAX) {
		snprintf(err, err_len, "%s: at most %d interfaces", ifname, ENGINE_PORTS_MAX);
		return -1;
	}
	for (unsigned i = 0; i < e->port_count; i++) {
		if (strcmp(e->ports[i].ifname, ifname) == 0)
			return 0;  /* named twice: one port */
	}
	if (l2port_open(&e->ports[e->port_count], ifname, err, err_len) < 0)
		return -1;
	e->port_count++;
	return 0;
}

int engine_start(struct engine *e)
{
	size_t cap = AOE_ETH_MIN_FRAME;
	for (unsigned i = 0; i < e->port_count; i++) {
		size_t port_cap = (size_t)e->ports[i].mtu + AOE_ETH_HDR_LEN;
		if (port_cap > cap)
			cap = port_cap;
	}
	if (cap < AOE_CFG_HDR_LEN + AOE_CONFIG_MAX)
		cap = AOE_CFG_HDR_LEN + AOE_CONFIG_MAX;  /* a full config string must fit a receive buffer */
	size_t frames = ENGINE_WINDOW_MAX + ENGINE_RX_BATCH + 1;
	e->frame_memory = calloc(frames, cap);
	if (e->frame_memory == NULL) {
		snprintf(e->error, sizeof(e->error), "out of memory for %zu frame buffers", frames);
		return -1;
	}
	e->frame_cap = cap;
	uint8_t *next = e->frame_memory;
	for (unsigned i = 0; i < ENGINE_WINDOW_MAX; i++, next += cap)
		e->slots[i].frame = next;
	for (unsigned i = 0; i < ENGINE_RX_BATCH; i++, next += cap)
		e->rx[i] = (struct l2frame){ .buf = next, .cap = cap };
	e->query_frame = next;
	return 0;
}

void engine_close(struct engine *e)
{
	for (unsigned i = 0; i < e->port_count; i++)
		l2port_close(&e->ports[i]);
	e->port_count = 0;
	free(e->frame_memory);
	e->frame_memory = NULL;
}

void engine_port_names(const struct engine *e, char *out, size_t out_len)
{
	size_t used = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < e->port_count && used < out_len; i++) {
		int n = snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", e->ports[i].ifname);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ---------------------------------------------------------- frame layer */

uint32_t engine_new_tag(struct engine *e, unsigned slot_index)
{
	uint32_t sequence = e->tag_sequence++;
	return (sequence << ENGINE_WINDOW_BITS | (slot_index & SLOT_MASK)) & ~TAG_USER_BIT;
}

void engine_queue(struct engine *e, unsigned port, uint8_t *frame, size_t len)
{
	/* Each slot queues at most one frame between flushes, plus one query frame. */
	if (e->tx_count[port] == ENGINE_WINDOW_MAX)
		return;  /* cannot happen; a dropped frame is retransmitted anyway */
	e->tx[port][e->tx_count[port]++] = (struct l2frame){ .buf = frame, .len = len, .cap = len };
}

/*
 * A full queue or an interface that went down only loses frames, and lost
 * frames are what retransmission (on the next path) is for.  Only errors that
 * mean our own frames or socket are wrong stop the run.
 */
static bool send_error_is_fatal(int err)
{
	return err == EBADF || err == ENOTSOCK || err == EINVAL || err == EMSGSIZE || err == EFAULT ||
	       err == EPERM || err == EACCES;
}

enum engine_result engine_flush(struct engine *e)
{
	for (unsigned p = 0; p < e->port_count; p++) {
		unsigned count = e->tx_count[p];
		e->tx_count[p] = 0;
		if (count == 0)
			continue;
		int sent = l2port_send(&e->ports[p], e->tx[p], count);
		if (sent < 0 && send_error_is_fatal(errno)) {
			snprintf(e->error, sizeof(e->error), "%s: cannot send: %s", e->ports[p].ifname,
				 strerror(errno));
			return ENGINE_LOCAL_ERROR;
		}
		if (sent < (int)count)
			report_verbose("%s: %u frames not sent (%s); they will be retransmitted",
				       e->ports[p].ifname, count - (unsigned)(sent < 0 ? 0 : sent),
				       sent < 0 ? strerror(errno) : "queue full");
	}
	return ENGINE_OK;
}

/* Errors that mean the link went down: frames are lost, other ports may still work. */
static bool port_went_away(int err)
{
	return err == ENETDOWN || err == ENXIO || err == ENODEV || err == ENETRESET;
}

static enum engine_result drain_port(struct engine *e, unsigned p, engine_rx_fn *fn, void *ctx)
{
	for (unsigned batch = 0; batch < POLL_MAX_BATCHES; batch++) {
		int got = l2port_recv(&e->ports[p], e->rx, ENGINE_RX_BATCH);
		if (got < 0 && port_went_away(errno)) {
			report_verbose("%s: %s; relying on the other paths", e->ports[p].ifname,
				       strerror(errno));
			return ENGINE_OK;
		}
		if (got < 0) {
			snprintf(e->error, sizeof(e->error), "%s: cannot receive: %s", e->ports[p].ifname,
				 strerror(errno));
			return ENGINE_LOCAL_ERROR;
		}
		uint64_t now = clock_now_ns();
		for (int i = 0; i < got; i++)
			fn(e, ctx, p, e->rx[i].buf, e->rx[i].len, now);
		if (got < ENGINE_RX_BATCH)
			break;
	}
	return ENGINE_OK;
}

enum engine_result engine_poll(struct engine *e, uint64_t timeout_ns, engine_rx_fn *fn, void *ctx)
{
	struct pollfd fds[ENGINE_PORTS_MAX];
	for (unsigned p = 0; p < e->port_count; p++)
		fds[p] = (struct pollfd){ .fd = e->ports[p].fd, .events = POLLIN };
	struct timespec timeout = { .tv_sec = (time_t)(timeout_ns / NS_PER_S),
				    .tv_nsec = (long)(timeout_ns % NS_PER_S) };
	int ready = ppoll(fds, e->port_count, &timeout, NULL);
	if (ready < 0) {
		if (errno == EINTR)
			return ENGINE_OK;
		snprintf(e->error, sizeof(e->error), "poll: %s", strerror(errno));
		return ENGINE_LOCAL_ERROR;
	}
	for (unsigned p = 0; p < e->port_count && ready > 0; p++) {
		if (fds[p].revents == 0)
			continue;
		enum engine_result result = drain_port(e, p, fn, ctx);
		if (result != ENGINE_OK)
			return result;
	}
	return ENGINE_OK;
}

/* ------------------------------------------------------- limits and I/O */

unsigned engine_window(const struct engine_target *t)
{
	unsigned window = ENGINE_WINDOW_MAX;
	/* Paths of one target may share its queue: the smallest buffer count is the safe one. */
	for (unsigned i = 0; i < t->path_count; i++) {
		if (t->paths[i].buffer_count < window)
			window = t->paths[i].buffer_count;
	}
	return window == 0 ? 1 : window;
}

unsigned engine_path_sectors(const struct engine *e, const struct engine_path *path)
{
	unsigned by_mtu = aoe_sectors_for_mtu(e->ports[path->port].mtu);
	return path->max_sectors < by_mtu ? path->max_sectors : by_mtu;
}

unsigned engine_sectors_per_frame(const struct engine *e, const struct engine_target *t)
{
	/* Retransmissions may change path, so every frame must suit every path. */
	unsigned sectors = 255;
	for (unsigned i = 0; i < t->path_count; i++) {
		unsigned path_sectors = engine_path_sectors(e, &t->paths[i]);
		if (path_sectors < sectors)
			sectors = path_sectors;
	}
	return t->path_count == 0 ? 0 : sectors;
}

void engine_io_rw(struct engine_io *io, const struct engine_target *t, bool write, uint64_t lba,
		  unsigned count, uint8_t *buf)
{
	memset(io, 0, sizeof(*io));
	io->sector_count = (uint8_t)count;
	if (t->lba48) {
		io->command = write ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_READ_SECTORS_EXT;
		io->aflags = AOE_AFLAG_EXT;
		io->lba = lba;
	} else {
		io->command = write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS;
		/* LBA28: the device register (LBA mode plus the two obsolete ones) rides in lba3's high nibble. */
		io->lba = (lba & ATA_LBA28_MAX) | (uint64_t)0xe0 << 24;
	}
	size_t bytes = (size_t)count * AOE_SECTOR_SIZE;
	if (write) {
		io->aflags |= AOE_AFLAG_WRITE;
		io->out = buf;
		io->out_len = bytes;
	} else {
		io->in = buf;
		io->in_len = bytes;
	}
}

void engine_io_identify(struct engine_io *io, uint8_t page[ATA_IDENTIFY_LEN])
{
	memset(io, 0, sizeof(*io));
	io->command = ATA_CMD_IDENTIFY;
	io->sector_count = 1;
	io->lba = (uint64_t)0xa0 << 24;  /* device register as the Linux driver sends it */
	io->in = page;
	io->in_len = ATA_IDENTIFY_LEN;
}

void engine_io_flush(struct engine_io *io, bool ext)
{
	memset(io, 0, sizeof(*io));
	io->command = ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE;
	io->aflags = ext ? AOE_AFLAG_EXT : 0;
	io->lba = ext ? 0 : (uint64_t)0xa0 << 24;
}

void engine_apply_identity(struct engine_target *t, const struct ata_identity *id)
{
	t->identified = true;
	t->lba48 = id->lba48;
	t->sectors = id->sectors;
}

/* ------------------------------------------------------------------ run */

struct run {
	struct engine_target *t;
	struct engine_io *ios;
	size_t count;
	size_t next;                /* first io not yet sent */
	size_t done;
	unsigned in_flight;
	unsigned window;
	uint64_t last_progress_ns;  /* last accepted reply, or the start */
	enum engine_result result;
};

static uint64_t io_lba(const struct engine_io *io)
{
	return (io->aflags & AOE_AFLAG_EXT) ? io->lba : io->lba & ATA_LBA28_MAX;
}

static void describe_io(const struct engine_io *io, char *out, size_t out_len)
{
	if (io->command == ATA_CMD_IDENTIFY || io->in_len + io->out_len == 0)
		snprintf(out, out_len, "%s", ata_command_str(io->command));
	else
		snprintf(out, out_len, "%s of %u sector%s at LBA %llu", ata_command_str(io->command),
			 io->sector_count, io->sector_count == 1 ? "" : "s",
			 (unsigned long long)io_lba(io));
}

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
	len = aoe_pad(slot->frame, len, e->frame_cap);
	slot->current.tag = frame.hdr.tag;
	slot->current.sent_ns = now;
	slot->expires_ns = now + rtt_backoff_ns(&path->rtt, io->retries);
	path->requests++;
	e->stats.requests++;
	engine_queue(e, path->port, slot->frame, len);
}

/*
 * New requests go round-robin over the paths that answer.  A path whose last
 * try timed out gets only an occasional request, as a probe, so a dead link
 * costs a timeout now and then instead of one for every other request (the
 * Linux driver likewise only probes a path it considers tainted).
 */
static unsigned pick_path(struct engine_target *t)
{
	for (unsigned tried = 0; tried < t->path_count; tried++) {
		unsigned i = t->next_path++ % t->path_count;
		struct engine_path *path = &t->paths[i];
		if (path->timeouts_in_row == 0 || ++path->skipped % SUSPECT_PROBE_EVERY == 0)
			return i;
	}
	return t->next_path++ % t->path_count;  /* every path is suspect: use them all */
}

/* Where a retransmission goes: the next path that answers, else simply the next one. */
static unsigned retry_path(const struct engine_target *t, unsigned current)
{
	for (unsigned step = 1; step <= t->path_count; step++) {
		unsigned i = (current + step) % t->path_count;
		if (t->paths[i].timeouts_in_row == 0)
			return i;
	}
	return (current + 1) % t->path_count;
}

static void fill_window(struct engine *e, struct run *run, uint64_t now)
{
	for (unsigned i = 0; i < ENGINE_WINDOW_MAX && run->in_flight < run->window; i++) {
		struct engine_slot *slot = &e->slots[i];
		if (slot->io != NULL)
			continue;
		if (run->next == run->count)
			return;
		slot->io = &run->ios[run->next++];
		slot->current.path = pick_path(run->t);
		slot->has_previous = false;
		run->in_flight++;
		send_slot(e, run, slot, now);
	}
}

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

static const char *ata_failure_meaning(const struct engine_io *io)
{
	if (io->status & ATA_STATUS_BSY)
		return "device busy";
	if (io->status & ATA_STATUS_DF)
		return "device fault";
	if (io->error & ATA_ERROR_IDNF)
		return "sector out of range";
	if (io->error & ATA_ERROR_ABRT)
		return (io->aflags & AOE_AFLAG_WRITE) ? "command aborted (read-only export?)"
						      : "command aborted (not supported by the target?)";
	if (io->error & ATA_ERROR_UNC)
		return "unrecoverable media error";
	if (io->status & ATA_STATUS_DRQ)
		return "device still requests data";
	return "device error";
}

static const char *aoe_error_hint(uint8_t error)
{
	switch (error) {
	case AOE_ERR_RESERVED: return "; another host holds a reservation on it";
	case AOE_ERR_BAD_ARG: return "; the target refused the request's parameters";
	case AOE_ERR_DEVICE_UNAVAILABLE: return "; the target's device is gone";
	default: return "";
	}
}

/* Check a matched reply and take its data. False (with e->error set) if it failed. */
static bool accept_reply(struct engine *e, const struct engine_target *t, struct engine_io *io,
			 const struct aoe_frame *reply)
{
	char what[96];
	describe_io(io, what, sizeof(what));
	if (reply->hdr.flags & AOE_FLAG_ERROR) {
		snprintf(e->error, sizeof(e->error), "%s: %s: target answered with AoE error %u (%s)%s",
			 t->name, what, reply->hdr.error, aoe_error_str(reply->hdr.error),
			 aoe_error_hint(reply->hdr.error));
		return false;
	}
	const struct aoe_ata *ata = &reply->arg.ata;
	io->status = ata->command_status;
	io->error = ata->feature_error;
	if (io->status & ATA_STATUS_FAILED_MASK) {
		snprintf(e->error, sizeof(e->error), "%s: %s failed: %s (ATA status 0x%02x, error 0x%02x)",
			 t->name, what, ata_failure_meaning(io), io->status, io->error);
		return false;
	}
	if (io->in != NULL) {
		if (ata->data_len < io->in_len) {
			snprintf(e->error, sizeof(e->error),
				 "%s: %s: short reply, %zu of %zu data bytes; the target is misbehaving",
				 t->name, what, ata->data_len, io->in_len);
			return false;
		}
		memcpy(io->in, ata->data, io->in_len);
	}
	return true;
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
		e->stats.strays++;  /* a duplicate, an answer to a long-retried tag, or not ours */
		return;
	}
	/*
	 * Each try has its own tag, so the sample is unambiguous (Karn's problem
	 * does not arise).  A late answer is the most useful sample of all: it
	 * tells the estimator the target is slower than the timeout assumed.
	 */
	rtt_sample(&run->t->paths[try->path].rtt, now - try->sent_ns);
	run->t->paths[try->path].timeouts_in_row = 0;
	run->last_progress_ns = now;
	e->stats.replies++;
	if (try == &slot->previous)
		e->stats.late_replies++;
	struct engine_io *io = slot->io;
	if (!accept_reply(e, run->t, io, &reply)) {
		run->result = ENGINE_TARGET_ERROR;
		return;
	}
	slot->io = NULL;
	run->in_flight--;
	run->done++;
	if (e->on_progress != NULL)
		e->on_progress(e->progress_ctx, io->in_len + io->out_len);
}

static void report_timeout(struct engine *e, const struct run *run, const struct engine_io *io)
{
	char ports[128];
	engine_port_names(e, ports, sizeof(ports));
	snprintf(e->error, sizeof(e->error),
		 "%s: timed out after %u retries (no answer for %.1f s); check that the target is "
		 "running and reachable on %s, or raise --timeout",
		 run->t->name, io->retries, clock_ns_to_s(e->deadline_ns), ports);
}

static void retransmit(struct engine *e, struct run *run, struct engine_slot *slot, uint64_t now)
{
	struct engine_io *io = slot->io;
	io->retries++;
	e->stats.retransmits++;
	slot->previous = slot->current;
	slot->has_previous = true;
	run->t->paths[slot->current.path].timeouts_in_row++;
	/* Try another path: if one path died, the request still gets through. */
	slot->current.path = retry_path(run->t, slot->current.path);
	send_slot(e, run, slot, now);
	if (report_is_verbose()) {
		char what[96];
		describe_io(io, what, sizeof(what));
		const struct engine_path *path = &run->t->paths[slot->current.path];
		report_verbose("%s: retransmit %s (try %u) via %s, timeout %.0f ms", run->t->name, what,
			       io->retries + 1, e->ports[path->port].ifname,
			       (double)(slot->expires_ns - now) / NS_PER_MS);
	}
}

/* The request that has waited longest, for the timeout message. */
static const struct engine_io *most_retried(const struct engine *e)
{
	const struct engine_io *worst = NULL;
	for (unsigned i = 0; i < ENGINE_WINDOW_MAX; i++) {
		const struct engine_io *io = e->slots[i].io;
		if (io != NULL && (worst == NULL || io->retries > worst->retries))
			worst = io;
	}
	return worst;
}

static void check_timeouts(struct engine *e, struct run *run, uint64_t now)
{
	if (now - run->last_progress_ns >= e->deadline_ns && run->in_flight > 0) {
		report_timeout(e, run, most_retried(e));
		run->result = ENGINE_TIMEOUT;
		return;
	}
	for (unsigned i = 0; i < ENGINE_WINDOW_MAX; i++) {
		struct engine_slot *slot = &e->slots[i];
		if (slot->io != NULL && now >= slot->expires_ns)
			retransmit(e, run, slot, now);
	}
}

/* How long to sleep: until the earliest slot expires or the deadline passes. */
static uint64_t next_wakeup(const struct engine *e, const struct run *run, uint64_t now)
{
	uint64_t wake = run->last_progress_ns + e->deadline_ns;
	for (unsigned i = 0; i < ENGINE_WINDOW_MAX; i++) {
		if (e->slots[i].io != NULL && e->slots[i].expires_ns < wake)
			wake = e->slots[i].expires_ns;
	}
	return wake > now ? wake - now : 0;
}

enum engine_result engine_run(struct engine *e, struct engine_target *t, struct engine_io *ios,
			      size_t count)
{
	if (t->path_count == 0) {
		snprintf(e->error, sizeof(e->error), "%s: no path to the target", t->name);
		return ENGINE_LOCAL_ERROR;
	}
	struct run run = { .t = t, .ios = ios, .count = count, .window = engine_window(t),
			   .last_progress_ns = clock_now_ns(), .result = ENGINE_OK };
	while (run.done < run.count && run.result == ENGINE_OK) {
		uint64_t now = clock_now_ns();
		fill_window(e, &run, now);
		run.result = engine_flush(e);
		if (run.result != ENGINE_OK)
			break;
		enum engine_result polled = engine_poll(e, next_wakeup(e, &run, now), run_receive, &run);
		if (polled != ENGINE_OK)
			run.result = polled;
		if (run.result == ENGINE_OK)
			check_timeouts(e, &run, clock_now_ns());
	}
	/* Whatever is still in flight is abandoned; its late replies will be strays. */
	for (unsigned i = 0; i < ENGINE_WINDOW_MAX; i++)
		e->slots[i].io = NULL;
	return run.result;
}
