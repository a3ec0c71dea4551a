/*
 * stream.c - the ring between the engine and a sink or source.
 */
#include "stream.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "span.h"

enum {
	RING_BYTES = 16 << 20,          /* data buffered ahead: rides out a retransmission at full rate */
	RING_MIN = 2 * ENGINE_SLOTS,
	RING_MAX = 16384,
};

/* The largest frame any path could carry during this run (MTUs may grow up to our buffers). */
static unsigned largest_frame(const struct engine *e, const struct engine_target *t)
{
	unsigned by_buffers = aoe_sectors_for_mtu((unsigned)(e->frame_cap - AOE_ETH_HDR_LEN));
	unsigned best = 1;
	for (unsigned i = 0; i < t->path_count; i++) {
		unsigned sectors = t->paths[i].max_sectors < by_buffers ? t->paths[i].max_sectors
									 : by_buffers;
		if (sectors > best)
			best = sectors;
	}
	return best > 255 ? 255 : best;
}

bool stream_init(struct stream *s, struct engine *e, struct engine_target *t)
{
	memset(s, 0, sizeof(*s));
	s->e = e;
	s->t = t;
	s->entry_sectors = largest_frame(e, t);
	size_t entry_bytes = (size_t)s->entry_sectors * AOE_SECTOR_SIZE;
	s->size = RING_BYTES / entry_bytes;
	s->size = s->size < RING_MIN ? RING_MIN : s->size > RING_MAX ? RING_MAX : s->size;
	s->ring = calloc(s->size, sizeof(*s->ring));
	s->memory = malloc(s->size * entry_bytes);
	if (s->ring == NULL || s->memory == NULL) {
		snprintf(e->error, sizeof(e->error), "out of memory for a %zu-frame transfer ring", s->size);
		stream_free(s);
		return false;
	}
	for (size_t i = 0; i < s->size; i++)
		s->ring[i].buf = s->memory + i * entry_bytes;
	return true;
}

void stream_free(struct stream *s)
{
	free(s->ring);
	free(s->memory);
	s->ring = NULL;
	s->memory = NULL;
}

static void count_retired(struct stream *s, uint64_t bytes)
{
	s->retired += bytes;
	if (s->progress != NULL)
		progress_add(s->progress, bytes);
}

static struct stream_entry *entry_of(struct stream *s, const struct engine_io *io)
{
	/* io is the first member: the entry is where its io is. */
	(void)s;
	return (struct stream_entry *)(void *)((char *)io - offsetof(struct stream_entry, io));
}

/* --------------------------------------------------------------- reads */

static enum engine_feed_status read_next(void *ctx, unsigned max_sectors, struct engine_io **io)
{
	struct stream *s = ctx;
	if (s->next_lba >= s->end_lba)
		return FEED_END;
	if (s->tail - s->head == s->size)
		return FEED_WAIT;
	struct stream_entry *entry = &s->ring[s->tail++ % s->size];
	unsigned limit = max_sectors < s->entry_sectors ? max_sectors : s->entry_sectors;
	entry->lba = s->next_lba;
	entry->sectors = span_frame_sectors(s->next_lba, s->end_lba, limit);
	entry->done = false;
	s->next_lba += entry->sectors;
	engine_io_rw(&entry->io, s->t, false, entry->lba, entry->sectors, entry->buf);
	*io = &entry->io;
	return FEED_IO;
}

/* Hand every answered entry at the head of the ring to the sink, in order. */
static void read_retire(struct stream *s)
{
	while (s->head < s->tail && s->ring[s->head % s->size].done) {
		struct stream_entry *entry = &s->ring[s->head % s->size];
		size_t offset, len;
		if (span_clip(entry->lba, entry->sectors, s->start, s->end, &offset, &len)) {
			if (!s->sink.write(s->sink.ctx, s->e, entry->buf + offset, len)) {
				engine_abort(s->e, ENGINE_LOCAL_ERROR);
				return;
			}
			count_retired(s, len);
		}
		s->head++;
	}
}

static void read_done(void *ctx, struct engine_io *io)
{
	struct stream *s = ctx;
	entry_of(s, io)->done = true;
	read_retire(s);
}

enum engine_result stream_read(struct stream *s, uint64_t start, uint64_t length,
			       const struct stream_sink *sink, uint64_t *done)
{
	uint64_t count;
	span_cover(start, length, &s->next_lba, &count);
	s->end_lba = s->next_lba + count;
	s->start = start;
	s->end = start + length;
	s->sink = *sink;
	s->write = false;
	s->head = s->tail = 0;
	s->retired = 0;
	struct engine_feed feed = { .next = read_next, .done = read_done, .ctx = s };
	enum engine_result result = engine_stream(s->e, s->t, &feed);
	*done = s->retired;
	return result;
}

/* -------------------------------------------------------------- writes */

/* Fill buf with up to len bytes, retrying short reads: a pipe gives what it has. */
static ssize_t source_fill(struct stream *s, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = s->source.read(s->source.ctx, s->e, buf + got, len - got);
		if (n < 0)
			return -1;
		if (n == 0) {
			s->source_ended = true;
			break;
		}
		got += (size_t)n;
	}
	s->taken += got;
	return (ssize_t)got;
}

/* Less than a sector is left to take: it becomes the tail, written after the stream. */
static enum engine_feed_status take_tail(struct stream *s, uint64_t want)
{
	ssize_t got = source_fill(s, s->rest, (size_t)want);
	if (got < 0) {
		engine_abort(s->e, ENGINE_LOCAL_ERROR);
		return FEED_END;
	}
	s->rest_len = (size_t)got;
	s->source_ended = true;
	return FEED_END;
}

static enum engine_feed_status write_next(void *ctx, unsigned max_sectors, struct engine_io **io)
{
	struct stream *s = ctx;
	if (s->source_ended || s->taken >= s->limit)
		return FEED_END;
	if (s->tail - s->head == s->size)
		return FEED_WAIT;
	unsigned limit = max_sectors < s->entry_sectors ? max_sectors : s->entry_sectors;
	uint64_t want = s->limit - s->taken;
	if (want < AOE_SECTOR_SIZE)
		return take_tail(s, want);
	if (want > (uint64_t)limit * AOE_SECTOR_SIZE)
		want = (uint64_t)limit * AOE_SECTOR_SIZE;
	struct stream_entry *entry = &s->ring[s->tail % s->size];
	ssize_t got = source_fill(s, entry->buf, (size_t)want);
	if (got < 0) {
		engine_abort(s->e, ENGINE_LOCAL_ERROR);
		return FEED_END;
	}
	size_t whole = (size_t)got / AOE_SECTOR_SIZE;
	s->rest_len = (size_t)got % AOE_SECTOR_SIZE;
	memcpy(s->rest, entry->buf + whole * AOE_SECTOR_SIZE, s->rest_len);
	if (whole == 0)
		return FEED_END;
	s->tail++;
	entry->lba = s->next_lba;
	entry->sectors = (unsigned)whole;
	entry->done = false;
	s->next_lba += whole;
	engine_io_rw(&entry->io, s->t, true, entry->lba, entry->sectors, entry->buf);
	*io = &entry->io;
	return FEED_IO;
}

static void write_done(void *ctx, struct engine_io *io)
{
	struct stream *s = ctx;
	entry_of(s, io)->done = true;
	while (s->head < s->tail && s->ring[s->head % s->size].done) {
		count_retired(s, (uint64_t)s->ring[s->head % s->size].sectors * AOE_SECTOR_SIZE);
		s->head++;
	}
}

enum engine_result stream_patch_sector(struct stream *s, uint64_t lba, size_t skip,
				       const uint8_t *data, size_t len)
{
	struct engine_io io;
	engine_io_rw(&io, s->t, false, lba, 1, s->edge);
	enum engine_result result = engine_run(s->e, s->t, &io, 1);
	if (result != ENGINE_OK)
		return result;
	memcpy(s->edge + skip, data, len);
	engine_io_rw(&io, s->t, true, lba, 1, s->edge);
	return engine_run(s->e, s->t, &io, 1);
}

/* The part of the first sector before the next boundary, when start is not on one. */
static enum engine_result write_head(struct stream *s, const struct span_plan *plan)
{
	uint8_t head[AOE_SECTOR_SIZE];
	ssize_t got = source_fill(s, head, plan->head_len);
	if (got < 0)
		return s->e->abort_result != ENGINE_OK ? s->e->abort_result : ENGINE_LOCAL_ERROR;
	if (got == 0)
		return ENGINE_OK;
	enum engine_result result = stream_patch_sector(s, plan->head_lba, plan->head_skip, head,
							 (size_t)got);
	if (result == ENGINE_OK)
		count_retired(s, (uint64_t)got);
	return result;
}

enum engine_result stream_write(struct stream *s, uint64_t start, uint64_t limit,
				const struct stream_source *source, uint64_t *done)
{
	struct span_plan plan;
	span_plan(start, limit, &plan);
	s->source = *source;
	s->write = true;
	s->limit = limit;
	s->taken = 0;
	s->source_ended = false;
	s->rest_len = 0;
	s->head = s->tail = 0;
	s->retired = 0;
	s->e->abort_result = ENGINE_OK;
	enum engine_result result = ENGINE_OK;
	if (plan.head_len > 0)
		result = write_head(s, &plan);
	s->next_lba = plan.body_lba;
	if (result == ENGINE_OK && !s->source_ended && s->taken < s->limit) {
		struct engine_feed feed = { .next = write_next, .done = write_done, .ctx = s };
		result = engine_stream(s->e, s->t, &feed);
	}
	if (result == ENGINE_OK && s->rest_len > 0) {
		result = stream_patch_sector(s, s->next_lba, 0, s->rest, s->rest_len);
		if (result == ENGINE_OK)
			count_retired(s, s->rest_len);
	}
	*done = s->retired;
	return result;
}
