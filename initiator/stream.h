/*
 * stream.h - byte ranges of a target moved through the engine without ever
 * letting its windows drain.
 *
 * A ring of frame-sized buffers sits between the engine and a byte sink or
 * source.  Reads: requests are issued ahead as far as the ring reaches, and
 * answers, which may come in any order, are handed to the sink in order as
 * soon as the oldest is in.  Writes: the ring fills from the source as
 * requests go out and frees as answers come in.  The ring holds far more than
 * any window, so one lost frame waiting for its retransmission does not stop
 * the others.  Byte ranges that do not start or end on a sector boundary are
 * clipped (reads) or read-modify-written at the edges (writes), see span.h.
 *
 * Used by read and write (files, pipes) and by mount (FUSE buffers).
 */
#ifndef AOEKIT_INITIATOR_STREAM_H
#define AOEKIT_INITIATOR_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine.h"
#include "progress.h"

/* Where read data goes: take len bytes, in order; false on failure (e->error written). */
struct stream_sink {
	bool (*write)(void *ctx, struct engine *e, const uint8_t *data, size_t len);
	void *ctx;
};

/* Where write data comes from: up to len bytes; 0 at the end, -1 on failure (e->error written). */
struct stream_source {
	ssize_t (*read)(void *ctx, struct engine *e, uint8_t *buf, size_t len);
	void *ctx;
};

struct stream_entry {
	struct engine_io io;
	uint8_t *buf;
	uint64_t lba;
	unsigned sectors;
	bool done;
};

struct stream {
	struct engine *e;
	struct engine_target *t;
	struct stream_entry *ring;
	uint8_t *memory;
	size_t size;                    /* entries in the ring */
	unsigned entry_sectors;         /* what each entry's buffer holds */
	uint64_t head, tail;            /* entries [head, tail) are in use, counted forever */
	struct progress *progress;      /* counts bytes as they are retired; may be NULL */
	uint8_t edge[AOE_SECTOR_SIZE];  /* a sector being read-modify-written */
	/* The job in progress. */
	bool write;
	uint64_t next_lba, end_lba;     /* read: sectors not yet requested */
	uint64_t start, end;            /* read: the bytes wanted */
	struct stream_sink sink;
	struct stream_source source;
	uint64_t limit, taken;          /* write: bytes to take from the source at most, and taken */
	bool source_ended;
	uint8_t rest[AOE_SECTOR_SIZE];  /* write: bytes after the last whole sector */
	size_t rest_len;
	uint64_t retired;               /* bytes delivered (read) or acknowledged (write), in order */
};

/* Allocate the ring for this target's paths.  Returns false (e->error written) without memory. */
bool stream_init(struct stream *s, struct engine *e, struct engine_target *t);
void stream_free(struct stream *s);

/* Read bytes [start, start + length) of the target into sink.  *done: bytes delivered. */
enum engine_result stream_read(struct stream *s, uint64_t start, uint64_t length,
			       const struct stream_sink *sink, uint64_t *done);
/*
 * Write what source gives, at most limit bytes, to the target from byte
 * start on.  *done: bytes written, counted from start without gaps (what is
 * known to be on the target if the stream fails or is interrupted).
 */
enum engine_result stream_write(struct stream *s, uint64_t start, uint64_t limit,
				const struct stream_source *source, uint64_t *done);

/* Read-modify-write len bytes at byte offset skip of sector lba. */
enum engine_result stream_patch_sector(struct stream *s, uint64_t lba, size_t skip,
				       const uint8_t *data, size_t len);

#endif
