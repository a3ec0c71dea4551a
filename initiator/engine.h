/*
 * engine.h - the initiator's transport: ports, paths, tags, congestion
 * windows, retransmission.
 *
 * Layers, bottom up:
 *   ports    one l2port per local interface (engine_add_port)
 *   query    Query Config to a shelf.slot or to everyone; every answer becomes
 *            a path (local port + target MAC) of an engine_target
 *   stream   ATA commands against one target, pulled from a feed as long as
 *            some path's window has room: each path keeps as many requests in
 *            flight as its congestion window allows (cwnd.h), each frame as
 *            large as the target and that path's MTU allow; a request that
 *            times out is sent again with a new tag, on another path if one
 *            answers, after an adaptive timeout (rtt.h)
 *   exchange one Query Config, MAC Mask or Reserve/Release request and its
 *            answer, retransmitted the same way (control.c)
 *
 * The engine owns all frame memory, allocated once in engine_start: nothing
 * is allocated per frame.  Callers describe ATA commands with engine_io and
 * get the data copied into or out of their own buffers.
 */
#ifndef AOEKIT_INITIATOR_ENGINE_H
#define AOEKIT_INITIATOR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoe.h"
#include "ata.h"
#include "cwnd.h"
#include "l2port.h"
#include "rtt.h"

enum {
	ENGINE_PORTS_MAX = 8,     /* local interfaces; the Linux driver allows 8 too */
	ENGINE_PATHS_MAX = 16,    /* (local port, target MAC) pairs for one target */
	ENGINE_SLOT_BITS = 8,
	ENGINE_SLOTS = 1 << ENGINE_SLOT_BITS,  /* requests in flight over all paths */
	ENGINE_WINDOW_MAX = 64,   /* per target MAC, whatever the buffer count: the Linux driver's cap */
	ENGINE_RETRIES_MAX = 30,  /* a request is abandoned after this many retransmissions */
	ENGINE_RX_BATCH = 32,
	ENGINE_ERR_MAX = 384,
	ENGINE_NAME_MAX = 16,     /* "e65534.254" */
	ENGINE_NO_PATH = ~0u,
};

struct engine_path_stats {
	uint64_t frames_sent;           /* retransmissions included */
	uint64_t timeouts;              /* tries on this path that went unanswered in time */
	uint64_t replies;               /* accepted answers that came this way */
};

/* One way to reach a target: a local port and the MAC the target answered from. */
struct engine_path {
	unsigned port;                  /* index into engine.ports */
	uint8_t mac[AOE_MAC_LEN];
	uint16_t buffer_count;          /* from the Query Config reply */
	uint16_t firmware_version;
	unsigned max_sectors;           /* the reply's sector count; 0 means 2 (AoEr11) */
	struct rtt_estimator rtt;
	struct cwnd cwnd;
	unsigned in_flight;
	unsigned timeouts_in_row;       /* tries that timed out since the last answer: >0 is suspect */
	uint64_t newest_answered_ns;    /* send time of the latest-sent try answered on this path */
	unsigned skipped;               /* new requests steered away while suspect */
	struct engine_path_stats stats;
};

struct engine_target {
	char name[ENGINE_NAME_MAX];     /* "e9.0" */
	uint16_t shelf;
	uint8_t slot;
	struct engine_path paths[ENGINE_PATHS_MAX];
	unsigned path_count;
	unsigned next_path;             /* round-robin cursor for new requests */
	uint16_t config_len;
	uint8_t config[AOE_CONFIG_MAX];
	/* Filled from IDENTIFY by the caller (engine_apply_identity). */
	bool identified;
	bool lba48;
	uint64_t sectors;
};

struct engine_target_list {
	struct engine_target *items;
	size_t count;
	size_t cap;
};

/* One ATA command and where its data comes from or goes. */
struct engine_io {
	uint8_t command;                /* ATA opcode */
	uint8_t aflags;                 /* AOE_AFLAG_* */
	uint8_t features;
	uint8_t sector_count;
	uint64_t lba;                   /* as sent: LBA28 carries the device register in bits 24-31 */
	const uint8_t *out;             /* write data (or padding, see check.c) */
	size_t out_len;
	uint8_t *in;                    /* read data lands here; the reply must carry in_len bytes */
	size_t in_len;
	/* Results. */
	uint8_t status;
	uint8_t error;
	unsigned retries;
	/* The engine's own: a request split because an MTU shrank under it (see engine_run.c). */
	struct engine_io *whole;        /* on a fragment: the request it is part of */
	unsigned pieces;                /* on a split request: pieces still unanswered */
};

/* The counters --verbose prints and --json reports. */
struct engine_stats {
	uint64_t frames_sent;           /* ATA frames, retransmissions included */
	uint64_t retransmits;
	uint64_t replies;               /* accepted answers */
	uint64_t late_replies;          /* of those, answers to a try already retransmitted */
	uint64_t duplicates;            /* a second answer to a request already complete */
	uint64_t strays;                /* frames that matched nothing: not ours, malformed, too old */
	uint64_t window_reductions;     /* congestion events over all paths */
	uint64_t splits;                /* requests split because an MTU shrank */
};

enum engine_result {
	ENGINE_OK = 0,
	ENGINE_TIMEOUT,                 /* a request went unanswered past its deadline */
	ENGINE_TARGET_ERROR,            /* AoE error, failed ATA status, or a malformed reply */
	ENGINE_REFUSED,                 /* the target is reserved by another host (AoE error 6) */
	ENGINE_LOCAL_ERROR,             /* socket, file or memory trouble on this host */
	ENGINE_INTERRUPTED,             /* SIGINT/SIGTERM: stopped after in-flight requests drained */
};

/*
 * Where a stream's commands come from.  next() is asked for a command of at
 * most max_sectors sectors (the path it will go on decides); it answers
 * FEED_IO with *io set, FEED_WAIT when it has none right now (its buffers
 * wait for answers still in flight), or FEED_END when it will have no more.
 * done() gets every command that completed successfully, in completion
 * order; the io may be reused after it returns.  (When an MTU shrank while
 * it was in flight, the engine split it: done() then sees it with the
 * sector count of its first piece, but only once every piece is in.)  A
 * callback that fails calls engine_abort.
 */
enum engine_feed_status { FEED_IO, FEED_WAIT, FEED_END };

struct engine_feed {
	enum engine_feed_status (*next)(void *ctx, unsigned max_sectors, struct engine_io **io);
	void (*done)(void *ctx, struct engine_io *io);
	void *ctx;
};

/* A request slot.  Private to engine_run.c; here only so struct engine can be embedded. */
struct engine_try {
	uint32_t tag;
	unsigned path;                  /* index into the target's paths */
	uint64_t sent_ns;
};

struct engine_slot {
	struct engine_io *io;           /* NULL when free */
	struct engine_try current;
	struct engine_try previous;     /* the try before, whose answer may still come */
	bool has_previous;
	bool extended;                  /* the current try's timer was extended once (a stall, not a loss) */
	bool reduced_window;            /* its timeout reduced a window: undone if an earlier try answers */
	unsigned reduced_path;          /* whose window that was */
	uint64_t first_sent_ns;
	uint64_t expires_ns;
	uint32_t retired[2];            /* tags of the last request completed here: later answers are duplicates */
	unsigned retired_count;
	uint8_t *frame;
};

struct engine {
	struct l2port ports[ENGINE_PORTS_MAX];
	unsigned port_count;
	size_t frame_cap;               /* largest frame any port carried at start */
	uint8_t *frame_memory;
	struct engine_slot slots[ENGINE_SLOTS];
	struct engine_io fragments[ENGINE_SLOTS];   /* pieces of split requests */
	bool fragment_used[ENGINE_SLOTS];
	struct engine_io *pending[ENGINE_SLOTS];    /* fragments not yet sent */
	unsigned pending_count;
	unsigned slot_cursor;           /* slots are taken round-robin, so a tag's slot is reused late */
	unsigned in_flight;
	struct l2frame rx[ENGINE_RX_BATCH];
	struct l2frame tx[ENGINE_PORTS_MAX][ENGINE_SLOTS];
	unsigned tx_count[ENGINE_PORTS_MAX];
	uint8_t *query_frame;
	uint32_t tag_sequence;
	uint64_t deadline_ns;           /* a request unanswered this long since its first try fails */
	uint64_t mtu_checked_ns;
	enum engine_result abort_result;  /* set by engine_abort from a feed callback */
	struct engine_stats stats;
	char error[ENGINE_ERR_MAX];     /* why the last call failed, for the operator */
};

/* Setup: init, add ports, start (allocates), ..., close. */
void engine_init(struct engine *e);
int engine_add_port(struct engine *e, const char *ifname, char *err, size_t err_len);
int engine_start(struct engine *e);
void engine_close(struct engine *e);
/* "eth0" or "eth0, eth1": the ports, for messages. */
void engine_port_names(const struct engine *e, char *out, size_t out_len);
/* Re-read every port's MTU (at most once a second unless forced); true if one changed. */
bool engine_refresh_mtu(struct engine *e, bool force);

/*
 * Query Config (CCmd read) to shelf.slot (wildcards allowed) on every port,
 * repeated with backoff, collecting answers for up to wait_ns.  Answers from
 * one shelf.slot are merged into one target with a path per (port, MAC).
 * With until_found, stop shortly after the first answer (long enough for the
 * other paths of the same target to answer as well).
 */
enum engine_result engine_query(struct engine *e, uint16_t shelf, uint8_t slot, uint64_t wait_ns,
				bool until_found, struct engine_target_list *list);
void engine_target_list_free(struct engine_target_list *list);

/*
 * Run the feed's commands against a target until the feed ends and every
 * answer is in, or the first failure (e->error says why).  Replies are
 * matched by tag, source MAC, port and shelf.slot; anything else is counted
 * as a stray or a duplicate and ignored.  Windows, RTT estimates and
 * counters persist in the target and the engine from one stream to the next.
 */
enum engine_result engine_stream(struct engine *e, struct engine_target *t,
				 const struct engine_feed *feed);
/* A fixed batch of commands (IDENTIFY, FLUSH, a read-modify-write edge). */
enum engine_result engine_run(struct engine *e, struct engine_target *t, struct engine_io *ios,
			      size_t count);
/* From a feed callback: stop the stream with this result; e->error has been written. */
void engine_abort(struct engine *e, enum engine_result result);

/* Sectors one frame carries on this path: the target's limit and the port MTU's. */
unsigned engine_path_sectors(const struct engine *e, const struct engine_path *path);
/* The largest and the smallest of that over the target's paths (0 without paths). */
unsigned engine_max_sectors(const struct engine *e, const struct engine_target *t);
unsigned engine_min_sectors(const struct engine *e, const struct engine_target *t);
/* The sum of the paths' current windows, for messages. */
unsigned engine_window(const struct engine_target *t);

/* Describe commands. buf holds count * 512 bytes. */
void engine_io_rw(struct engine_io *io, const struct engine_target *t, bool write, uint64_t lba,
		  unsigned count, uint8_t *buf);
void engine_io_identify(struct engine_io *io, uint8_t page[ATA_IDENTIFY_LEN]);
void engine_io_flush(struct engine_io *io, bool ext);
/* Take capacity and addressing from a decoded IDENTIFY page. */
void engine_apply_identity(struct engine_target *t, const struct ata_identity *id);
/* "READ SECTORS EXT of 2 sectors at LBA 1234", for messages. */
void engine_describe_io(const struct engine_io *io, char *out, size_t out_len);

#endif
