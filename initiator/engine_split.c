/*
 * engine_split.c - requests that no longer fit any path.
 *
 * Frames are sized for the path's MTU when a request is first sent.  If an
 * MTU shrinks while it is in flight, the request and its retransmission no
 * longer fit, and neither does its answer.  It is then split: the request
 * keeps its slot with as many sectors as every path still carries, and the
 * rest becomes fragments, engine-owned descriptions of the following
 * sectors of the same buffer, sent like new requests.  The feed hears of the
 * request once, when its last piece is answered.
 */
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "engine_internal.h"

static struct engine_io *take_fragment(struct engine *e)
{
	for (unsigned i = 0; i < ENGINE_SLOTS; i++) {
		if (!e->fragment_used[i]) {
			e->fragment_used[i] = true;
			return &e->fragments[i];
		}
	}
	return NULL;
}

static unsigned free_fragments(const struct engine *e)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ENGINE_SLOTS; i++)
		n += !e->fragment_used[i];
	return n;
}

static bool is_read_or_write(uint8_t command)
{
	return command == ATA_CMD_READ_SECTORS || command == ATA_CMD_READ_SECTORS_EXT ||
	       command == ATA_CMD_WRITE_SECTORS || command == ATA_CMD_WRITE_SECTORS_EXT;
}

bool engine_split(struct engine *e, const struct engine_target *t, struct engine_io *io,
		  unsigned fit)
{
	unsigned total = io->sector_count;
	if (fit == 0 || total <= fit || !is_read_or_write(io->command))
		return false;
	unsigned extra = (total + fit - 1) / fit - 1;
	if (free_fragments(e) < extra || e->pending_count + extra > ENGINE_SLOTS)
		return false;
	bool write = io->aflags & AOE_AFLAG_WRITE;
	uint8_t *buf = write ? (uint8_t *)(uintptr_t)io->out : io->in;
	uint64_t lba = (io->aflags & AOE_AFLAG_EXT) ? io->lba : io->lba & ATA_LBA28_MAX;
	struct engine_io *whole = io->whole ? io->whole : io;
	for (unsigned k = 1; k <= extra; k++) {
		unsigned count = total - k * fit < fit ? total - k * fit : fit;
		struct engine_io *piece = take_fragment(e);
		engine_io_rw(piece, t, write, lba + (uint64_t)k * fit, count,
			     buf + (size_t)k * fit * AOE_SECTOR_SIZE);
		piece->whole = whole;
		e->pending[e->pending_count++] = piece;
	}
	/* The request itself becomes the first piece; engine_io_rw clears what must stay. */
	struct engine_io keep = *io;
	engine_io_rw(io, t, write, lba, fit, buf);
	io->retries = keep.retries;
	io->whole = keep.whole;
	io->pieces = keep.pieces;
	whole->pieces = (whole->pieces ? whole->pieces : 1) + extra;
	e->stats.splits++;
	return true;
}

struct engine_io *engine_piece_done(struct engine *e, struct engine_io *io)
{
	struct engine_io *whole = io->whole ? io->whole : io;
	if (io->whole != NULL)
		e->fragment_used[io - e->fragments] = false;
	if (whole->pieces > 0 && --whole->pieces > 0)
		return NULL;
	return whole;
}

void engine_drop_fragments(struct engine *e)
{
	memset(e->fragment_used, 0, sizeof(e->fragment_used));
	e->pending_count = 0;
}
