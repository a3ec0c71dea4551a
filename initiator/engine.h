/*
 * engine.h - the initiator's transport: ports, paths, tags, the request
 * window, retransmission.
 *
 * Layers, bottom up:
 *   ports    one l2port per local interface (engine_add_port)
 *   query    Query Config to a shelf.slot or to everyone; every answer becomes
 *            a path (local port + target MAC) of an engine_target
 *   run      a batch of ATA commands against one target: up to a window of
 *            them in flight, spread round-robin over the target's paths,
 *            each retransmitted with a new tag after an adaptive timeout
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
#include "l2port.h"
#include "rtt.h"

enum {
	ENGINE_PORTS_MAX = 8,     /* local interfaces; the Linux driver allows 8 too */
	ENGINE_PATHS_MAX = 16,    /* (local port, target MAC) pairs for one target */
	ENGINE_WINDOW_BITS = 6,
	ENGINE_WINDOW_MAX = 1 << ENGINE_WINDOW_BITS,  /* 64: the Linux driver's cap on the buffer count */
	ENGINE_RX_BATCH = 32,
	ENGINE_ERR_MAX = 384,
	ENGINE_NAME_MAX = 16,     /* "e65534.254" */
};

/* One way to reach a target: a local port and the MAC the target answered from. */
struct engine_path {
	unsigned port;                  /* index into engine.ports */
	uint8_t mac[AOE_MAC_LEN];
	uint16_t buffer_count;          /* from the Query Config reply */
	uint16_t firmware_version;
	unsigned max_sectors;           /* the reply's sector count; 0 means 2 (AoEr11) */
	struct rtt_estimator rtt;
	unsigned timeouts_in_row;       /* tries that timed out since the last answer: >0 is suspect */
	unsigned skipped;               /* new requests steered away while suspect */
	uint64_t requests;              /* frames sent on this path, retransmissions included */
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
	const uint8_t *out;             /* write data */
	size_t out_len;
	uint8_t *in;                    /* read data lands here; the reply must carry in_len bytes */
	size_t in_len;
	/* Results. */
	uint8_t status;
	uint8_t error;
	unsigned retries;
};

struct engine_stats {
	uint64_t requests;              /* ATA frames sent, retransmissions included */
	uint64_t retransmits;
	uint64_t replies;               /* accepted replies */
	uint64_t late_replies;          /* of those, answers to a try already retransmitted */
	uint64_t strays;                /* frames that matched nothing in flight: late, duplicate, foreign */
};

enum engine_result {
	ENGINE_OK = 0,
	ENGINE_TIMEOUT,                 /* no progress before the deadline */
	ENGINE_TARGET_ERROR,            /* AoE error, failed ATA status, or a malformed reply */
	ENGINE_LOCAL_ERROR,             /* socket or memory trouble on this host */
};

/* A request slot.  Private to engine.c; here only so struct engine can be embedded. */
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
	uint64_t expires_ns;
	uint8_t *frame;
};

struct engine {
	struct l2port ports[ENGINE_PORTS_MAX];
	unsigned port_count;
	size_t frame_cap;               /* largest frame any port carries */
	uint8_t *frame_memory;
	struct engine_slot slots[ENGINE_WINDOW_MAX];
	struct l2frame rx[ENGINE_RX_BATCH];
	struct l2frame tx[ENGINE_PORTS_MAX][ENGINE_WINDOW_MAX];
	unsigned tx_count[ENGINE_PORTS_MAX];
	uint8_t *query_frame;
	uint32_t tag_sequence;
	uint64_t deadline_ns;           /* give up after this long without an accepted reply */
	void (*on_progress)(void *ctx, uint64_t bytes);
	void *progress_ctx;
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
 * Run ATA commands against a target; returns when all completed or the first
 * failed (e->error says why).  Replies are matched by tag, source MAC, port
 * and shelf.slot; anything else is counted as a stray and ignored.
 */
enum engine_result engine_run(struct engine *e, struct engine_target *t, struct engine_io *ios,
			      size_t count);

/* Requests in flight for this target: min(buffer count, 64), at least 1. */
unsigned engine_window(const struct engine_target *t);
/* Sectors one frame carries: the target's limit and the port MTU's, over all paths. */
unsigned engine_sectors_per_frame(const struct engine *e, const struct engine_target *t);
unsigned engine_path_sectors(const struct engine *e, const struct engine_path *path);

/* Describe commands. buf holds count * 512 bytes. */
void engine_io_rw(struct engine_io *io, const struct engine_target *t, bool write, uint64_t lba,
		  unsigned count, uint8_t *buf);
void engine_io_identify(struct engine_io *io, uint8_t page[ATA_IDENTIFY_LEN]);
void engine_io_flush(struct engine_io *io, bool ext);
/* Take capacity and addressing from a decoded IDENTIFY page. */
void engine_apply_identity(struct engine_target *t, const struct ata_identity *id);

#endif
