/*
 * span.h - byte ranges on a device of 512-byte sectors.
 *
 * AoE moves whole sectors; the operator names bytes.  A write of bytes
 * [start, start + length) becomes a head (the part of the first sector when
 * start is not on a boundary), a body of whole sectors, and a tail (the part
 * of the last sector when the end is not on a boundary).  Head and tail are
 * read-modify-write; the body is streamed.  A read covers whole sectors and
 * clips each answer to the bytes asked for.  Pure arithmetic.
 */
#ifndef AOEKIT_INITIATOR_SPAN_H
#define AOEKIT_INITIATOR_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { SPAN_SECTOR = 512 };

struct span_plan {
	uint64_t head_lba;
	size_t head_skip;       /* bytes of the head sector before start */
	size_t head_len;        /* 0 when start is on a sector boundary */
	uint64_t body_lba;
	uint64_t body_sectors;
	uint64_t tail_lba;
	size_t tail_len;        /* bytes at the start of the tail sector; 0 when the end is aligned */
};

/*
 * Split [start, start + length).  A range inside one sector is all head.
 * length may be UINT64_MAX (a stream of unknown length): the head is then
 * the rest of the first sector and the body is unbounded (body_sectors =
 * UINT64_MAX); the tail is whatever the stream leaves after its last whole
 * sector.  The caller keeps start + length within 2^64.
 */
void span_plan(uint64_t start, uint64_t length, struct span_plan *plan);

/* The sectors that cover [start, start + length): first LBA and count (0 for an empty range). */
void span_cover(uint64_t start, uint64_t length, uint64_t *lba, uint64_t *count);

/*
 * The part of sectors [lba, lba + count) that lies in bytes [start, end):
 * *offset into the sectors' data and *len bytes.  False when they do not meet.
 */
bool span_clip(uint64_t lba, uint64_t count, uint64_t start, uint64_t end, size_t *offset,
	       size_t *len);

/* Whole sectors in a frame that starts at lba, given what is left and the frame's limit. */
unsigned span_frame_sectors(uint64_t lba, uint64_t end_lba, unsigned max_sectors);

#endif
