/*
 * handler.h - the AoE target's request handler: a frame in, a reply out.
 *
 * The handler does no I/O.  It decides what a request means and builds the
 * reply in the request's own buffer.  When the request needs the disk
 * (READ, WRITE, FLUSH) it says so in the request and the caller performs the
 * I/O however it likes (synchronously, batched, asynchronously) and then
 * calls target_complete() with the result.  Unit tests, golden replays and
 * fuzzers drive it with an in-memory disk through target_serve() (serve.h).
 */
#ifndef AOEKIT_HANDLER_H
#define AOEKIT_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoe.h"
#include "ata.h"

enum {
	TARGET_MASK_MAX = 32,               /* as vblade */
	TARGET_RESERVE_MAX = AOE_RESERVE_MAX_MACS,
	TARGET_DEFAULT_BUFFER_COUNT = 16,
	TARGET_FIRMWARE_VERSION = 0x0001,
};

/* What happened to frames, for the operator.  Plain counters, no locking. */
struct target_counters {
	uint64_t frames_in, frames_out;
	uint64_t dropped_malformed;     /* could not be parsed */
	uint64_t dropped_not_ours;      /* other shelf/slot or MAC, or a response */
	uint64_t dropped_masked;        /* source MAC not on the mask list */
	uint64_t dropped_silent;        /* config test/prefix mismatch: no reply by spec */
	uint64_t per_command[4];        /* ATA, config, mask, reserve */
	uint64_t aoe_errors;            /* replies with the E flag */
	uint64_t ata_errors;            /* replies with ATA ERR */
	uint64_t reads, writes, flushes;
	uint64_t bytes_read, bytes_written;
	uint64_t io_errors;
};

struct target {
	uint16_t shelf;
	uint8_t slot;
	uint16_t buffer_count;
	uint16_t firmware_version;
	uint64_t sectors;
	bool read_only;
	bool writeback;                 /* acknowledge writes before they are stable */
	struct ata_identity identity;

	/* Protocol state a client can change. */
	uint8_t config[AOE_CONFIG_MAX];
	uint16_t config_len;
	uint8_t mask[TARGET_MASK_MAX][AOE_MAC_LEN];
	unsigned mask_count;
	uint8_t reserve[TARGET_RESERVE_MAX][AOE_MAC_LEN];
	unsigned reserve_count;
	bool state_changed;             /* set when config, mask or reserve changed */

	struct target_counters counters;
};

enum target_io_op {
	TARGET_IO_NONE = 0,
	TARGET_IO_READ,
	TARGET_IO_WRITE,
	TARGET_IO_FLUSH,
};

enum target_verdict {
	TARGET_DROP,        /* send nothing */
	TARGET_REPLY,       /* frame[0..len) is the reply */
	TARGET_NEEDS_IO,    /* do io_*, then call target_complete() */
};

/* One frame in flight.  The reply is built in frame, on top of the request. */
struct target_request {
	uint8_t *frame;
	size_t len;                     /* in: request length; out: reply length */
	size_t cap;                     /* size of frame: must hold the largest reply */
	const uint8_t *port_mac;        /* MAC of the interface it arrived on */
	unsigned port_max_sectors;      /* sectors per frame at that interface's MTU */

	/* Filled in when the verdict is TARGET_NEEDS_IO. */
	enum target_io_op io_op;
	uint64_t io_offset;             /* bytes into the export */
	size_t io_len;
	uint8_t *io_data;               /* inside frame */
	bool io_stable;                 /* a write that must be stable before the reply */
};

/*
 * Set up a target for an export of sectors sectors.  hostname goes into the
 * IDENTIFY serial number ("shelf.slot:hostname", as vblade).
 */
void target_init(struct target *t, uint16_t shelf, uint8_t slot, uint64_t sectors,
		 bool read_only, const char *hostname);

enum target_verdict target_handle(struct target *t, struct target_request *req);

/* io_result: 0, or a negative errno from the disk. Leaves the reply in req. */
void target_complete(struct target *t, struct target_request *req, int io_result);

/*
 * The unsolicited Query Config reply a target sends at start: from src_mac to
 * dst_mac (broadcast, or each mask-list MAC).  Returns the frame length or 0.
 */
size_t target_announce(struct target *t, uint8_t *buf, size_t cap, const uint8_t *src_mac,
		       const uint8_t *dst_mac, unsigned max_sectors);

/* Does this source MAC pass the mask list? */
bool target_mask_allows(const struct target *t, const uint8_t *mac);

#endif
