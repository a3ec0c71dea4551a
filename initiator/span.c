/*
 * span.c - head, body, tail; covering sectors; clipping.
 */
#include "span.h"

void span_plan(uint64_t start, uint64_t length, struct span_plan *p)
{
	bool unbounded = length == UINT64_MAX;
	*p = (struct span_plan){ .head_lba = start / SPAN_SECTOR };
	p->head_skip = (size_t)(start % SPAN_SECTOR);
	uint64_t pos = start;
	if (p->head_skip != 0) {
		uint64_t room = SPAN_SECTOR - p->head_skip;
		p->head_len = (size_t)(length < room ? length : room);
		pos += p->head_len;
		length -= p->head_len;
	}
	p->body_lba = pos / SPAN_SECTOR;
	if (unbounded) {
		p->body_sectors = UINT64_MAX;   /* unbounded: the stream decides */
		p->tail_lba = UINT64_MAX;
		return;
	}
	p->body_sectors = length / SPAN_SECTOR;
	p->tail_lba = p->body_lba + p->body_sectors;
	p->tail_len = (size_t)(length % SPAN_SECTOR);
}

void span_cover(uint64_t start, uint64_t length, uint64_t *lba, uint64_t *count)
{
	*lba = start / SPAN_SECTOR;
	if (length == 0) {
		*count = 0;
		return;
	}
	uint64_t last = (start + length - 1) / SPAN_SECTOR;
	*count = last - *lba + 1;
}

bool span_clip(uint64_t lba, uint64_t count, uint64_t start, uint64_t end, size_t *offset,
	       size_t *len)
{
	uint64_t first = lba * SPAN_SECTOR;
	uint64_t last = first + count * SPAN_SECTOR;   /* exclusive */
	uint64_t from = start > first ? start : first;
	uint64_t to = end < last ? end : last;
	if (from >= to)
		return false;
	*offset = (size_t)(from - first);
	*len = (size_t)(to - from);
	return true;
}

unsigned span_frame_sectors(uint64_t lba, uint64_t end_lba, unsigned max_sectors)
{
	if (lba >= end_lba)
		return 0;
	uint64_t left = end_lba - lba;
	return left < max_sectors ? (unsigned)left : max_sectors;
}
