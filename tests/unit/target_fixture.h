/*
 * target_fixture.h - shared fixture for the aoe-target request handler tests
 * (test_target_*.c).
 *
 * Every test gets a fresh target (shelf 0x1234, slot 5, 64 sectors) and a
 * 64-sector memory disk filled with a known pattern, plus a heap frame buffer
 * of FX_CAP bytes that carries the request in and the reply out.  Requests are
 * built with the codec (aoe_build) and replies parsed with it
 * (aoe_parse_response); tests that care about the wire also check raw offsets.
 *
 * Everything here is static inline so that each test binary includes only
 * what it uses without unused-function warnings.
 */
#ifndef AOEKIT_TARGET_FIXTURE_H
#define AOEKIT_TARGET_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aoe.h"
#include "ata.h"
#include "disk.h"
#include "handler.h"
#include "serve.h"

enum {
	FX_SHELF = 0x1234,      /* two different bytes, so a byte-order slip shows */
	FX_SLOT = 5,
	FX_SECTORS = 64,
	FX_MAX_SECTORS = 2,     /* MTU 1500 */
	FX_JUMBO_SECTORS = 17,  /* MTU 9000 */
	/* Holds the largest reply at 17 sectors and the largest config frame. */
	FX_CAP = AOE_ATA_HDR_LEN + 18 * AOE_SECTOR_SIZE,
	FX_DISK_BYTES = FX_SECTORS * AOE_SECTOR_SIZE,
};

#define FX_TAG 0x11223344u

static const uint8_t FX_PORT_MAC[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t FX_HOST_A[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01 };
static const uint8_t FX_HOST_B[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0xbb, 0x02 };
static const uint8_t FX_HOST_C[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0xcc, 0x03 };
static const uint8_t FX_BROADCAST[AOE_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct fx {
	struct target t;
	struct disk disk;
	uint8_t *buf;           /* FX_CAP bytes on the heap: ASan sees any write past cap */
	unsigned max_sectors;   /* req.port_max_sectors for the next request */
	struct target_request req;
};

/* The disk's known content: each byte depends on its sector and its offset in it. */
static inline uint8_t fx_pattern(uint64_t offset)
{
	uint64_t sector = offset / AOE_SECTOR_SIZE;
	return (uint8_t)(offset * 7u + sector * 31u + 1u);
}

static inline void fx_fill_disk(struct disk *disk)
{
	uint8_t sector[AOE_SECTOR_SIZE];
	for (uint64_t s = 0; s < disk->sectors; s++) {
		for (unsigned i = 0; i < AOE_SECTOR_SIZE; i++)
			sector[i] = fx_pattern(s * AOE_SECTOR_SIZE + i);
		assert_int_equal(disk_write(disk, sector, s * AOE_SECTOR_SIZE, sizeof(sector)), 0);
	}
}

/* Does the disk still hold the pattern everywhere (nothing was written)? */
static inline void fx_assert_disk_untouched(struct fx *f)
{
	for (uint64_t off = 0; off < FX_DISK_BYTES; off++) {
		if (f->disk.memory[off] != fx_pattern(off))
			fail_msg("disk byte %llu changed: 0x%02x, pattern 0x%02x", (unsigned long long)off,
				 f->disk.memory[off], fx_pattern(off));
	}
}

static inline int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	target_init(&f->t, FX_SHELF, FX_SLOT, FX_SECTORS, false, "testhost");
	if (disk_open_memory(&f->disk, FX_SECTORS, false) != 0) {
		free(f);
		return -1;
	}
	fx_fill_disk(&f->disk);
	f->buf = malloc(FX_CAP);
	if (f->buf == NULL) {
		disk_close(&f->disk);
		free(f);
		return -1;
	}
	memset(f->buf, 0, FX_CAP);
	f->max_sectors = FX_MAX_SECTORS;
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	if (f->disk.ops)
		disk_close(&f->disk);
	free(f->buf);
	free(f);
	return 0;
}

/* A request header as an initiator sends it: to our port and our address. */
static inline struct aoe_frame fx_request(const uint8_t *src, uint8_t command)
{
	struct aoe_frame frame;
	memset(&frame, 0, sizeof(frame));
	memcpy(frame.hdr.dst, FX_PORT_MAC, AOE_MAC_LEN);
	memcpy(frame.hdr.src, src, AOE_MAC_LEN);
	frame.hdr.version = AOE_VERSION;
	frame.hdr.shelf = FX_SHELF;
	frame.hdr.slot = FX_SLOT;
	frame.hdr.command = command;
	frame.hdr.tag = FX_TAG;
	frame.has_arg = true;
	return frame;
}

/* Put a request into the frame buffer; returns its length. */
static inline size_t fx_put(struct fx *f, const struct aoe_frame *frame)
{
	size_t len = aoe_build(f->buf, FX_CAP, frame);
	assert_true(len >= AOE_HDR_LEN);
	return len;
}

static inline void fx_prepare(struct fx *f, size_t len)
{
	memset(&f->req, 0, sizeof(f->req));
	f->req.frame = f->buf;
	f->req.len = len;
	f->req.cap = FX_CAP;
	f->req.port_mac = FX_PORT_MAC;
	f->req.port_max_sectors = f->max_sectors;
}

/* Run the len-byte request already in the buffer; returns the reply length. */
static inline size_t fx_serve(struct fx *f, size_t len)
{
	fx_prepare(f, len);
	size_t reply_len = target_serve(&f->t, &f->disk, &f->req);
	if (reply_len != 0)
		assert_in_range(reply_len, AOE_ETH_MIN_FRAME, FX_CAP);
	return reply_len;
}

static inline size_t fx_send(struct fx *f, const struct aoe_frame *frame)
{
	return fx_serve(f, fx_put(f, frame));
}

/*
 * Parse a reply and check what every reply must say: version 1, R set, our own
 * shelf and slot, to the requester from our port, the request's tag.
 */
static inline void fx_reply_from(struct fx *f, size_t len, const uint8_t *requester, uint32_t tag,
				 struct aoe_frame *out)
{
	assert_true(len >= AOE_ETH_MIN_FRAME);
	assert_int_equal(aoe_parse_response(f->buf, len, out), AOE_PARSE_OK);
	assert_int_equal(out->hdr.version, AOE_VERSION);
	assert_true(out->hdr.flags & AOE_FLAG_RESPONSE);
	assert_int_equal(out->hdr.shelf, FX_SHELF);
	assert_int_equal(out->hdr.slot, FX_SLOT);
	assert_int_equal(out->hdr.tag, tag);
	assert_memory_equal(out->hdr.dst, requester, AOE_MAC_LEN);
	assert_memory_equal(out->hdr.src, FX_PORT_MAC, AOE_MAC_LEN);
}

static inline void fx_reply(struct fx *f, size_t len, const uint8_t *requester, struct aoe_frame *out)
{
	fx_reply_from(f, len, requester, FX_TAG, out);
}

/* A successful (E clear) reply. */
static inline void fx_ok_reply(struct fx *f, size_t len, const uint8_t *requester,
			       struct aoe_frame *out)
{
	fx_reply(f, len, requester, out);
	assert_int_equal(out->hdr.flags & AOE_FLAG_ERROR, 0);
	assert_int_equal(f->buf[15], 0);
}

/* An AoE error reply: E set and the error code in byte 15. */
static inline void fx_expect_aoe_error(struct fx *f, size_t len, const uint8_t *requester,
				       uint8_t error)
{
	struct aoe_frame reply;
	assert_true(len > 0);
	fx_reply(f, len, requester, &reply);
	assert_true(reply.hdr.flags & AOE_FLAG_ERROR);
	assert_int_equal(reply.hdr.error, error);
	assert_int_equal(f->buf[14], AOE_VERSION << 4 | AOE_FLAG_RESPONSE | AOE_FLAG_ERROR);
	assert_int_equal(f->buf[15], error);
}

/* Are frame bytes [from, to) all zero (padding)? */
static inline void fx_assert_zero(const uint8_t *buf, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (buf[i] != 0)
			fail_msg("byte %zu is 0x%02x, expected zero padding", i, buf[i]);
}

/* ---- Query Config ---- */

static inline size_t fx_config(struct fx *f, const uint8_t *src, uint8_t ccmd, const void *str,
			       size_t str_len)
{
	struct aoe_frame frame = fx_request(src, AOE_CMD_CONFIG);
	frame.arg.cfg.ccmd = ccmd;
	frame.arg.cfg.config = str;
	frame.arg.cfg.config_len = (uint16_t)str_len;
	return fx_send(f, &frame);
}

static inline size_t fx_config_str(struct fx *f, const uint8_t *src, uint8_t ccmd, const char *str)
{
	return fx_config(f, src, ccmd, str, strlen(str));
}

/* Put a config string into the target through the protocol (force set). */
static inline void fx_set_config(struct fx *f, const char *str)
{
	struct aoe_frame reply;
	fx_ok_reply(f, fx_config_str(f, FX_HOST_A, AOE_CCMD_FORCE_SET, str), FX_HOST_A, &reply);
	assert_int_equal(f->t.config_len, strlen(str));
}

/* ---- MAC Mask List ---- */

struct fx_directive {
	uint8_t dcmd;
	const uint8_t *mac;
};

static inline size_t fx_mask(struct fx *f, const uint8_t *src, uint8_t mcmd,
			     const struct fx_directive *dirs, unsigned count)
{
	uint8_t wire[AOE_MASK_MAX_DIRECTIVES * AOE_DIRECTIVE_LEN];
	assert_true(count <= AOE_MASK_MAX_DIRECTIVES);
	for (unsigned i = 0; i < count; i++)
		aoe_directive_put(wire + i * AOE_DIRECTIVE_LEN, dirs[i].dcmd, dirs[i].mac);
	struct aoe_frame frame = fx_request(src, AOE_CMD_MASK);
	frame.arg.mask.mcmd = mcmd;
	frame.arg.mask.dir_count = (uint8_t)count;
	frame.arg.mask.directives = wire;
	return fx_send(f, &frame);
}

/* ---- Reserve/Release ---- */

static inline size_t fx_reserve(struct fx *f, const uint8_t *src, uint8_t rcmd,
				const uint8_t *const *macs, unsigned count)
{
	uint8_t wire[AOE_RESERVE_MAX_MACS * AOE_MAC_LEN];
	assert_true(count <= AOE_RESERVE_MAX_MACS);
	for (unsigned i = 0; i < count; i++)
		memcpy(wire + i * AOE_MAC_LEN, macs[i], AOE_MAC_LEN);
	struct aoe_frame frame = fx_request(src, AOE_CMD_RESERVE);
	frame.arg.rsrv.rcmd = rcmd;
	frame.arg.rsrv.mac_count = (uint8_t)count;
	frame.arg.rsrv.macs = wire;
	return fx_send(f, &frame);
}

/* ---- ATA ---- */

static inline struct aoe_frame fx_ata_request(const uint8_t *src, uint8_t aflags, uint8_t opcode,
					      uint8_t count, uint64_t lba)
{
	struct aoe_frame frame = fx_request(src, AOE_CMD_ATA);
	frame.arg.ata.aflags = aflags;
	frame.arg.ata.command_status = opcode;
	frame.arg.ata.sector_count = count;
	frame.arg.ata.lba = lba;
	return frame;
}

static inline size_t fx_ata(struct fx *f, const uint8_t *src, uint8_t aflags, uint8_t opcode,
			    uint8_t count, uint64_t lba, const void *data, size_t data_len)
{
	struct aoe_frame frame = fx_ata_request(src, aflags, opcode, count, lba);
	frame.arg.ata.data = data;
	frame.arg.ata.data_len = data_len;
	return fx_send(f, &frame);
}

/* An ATA reply (E clear) with this status and error register. */
static inline void fx_expect_ata(struct fx *f, size_t len, const uint8_t *requester, uint8_t status,
				 uint8_t error, struct aoe_frame *out)
{
	assert_true(len > 0);
	fx_ok_reply(f, len, requester, out);
	assert_int_equal(out->hdr.command, AOE_CMD_ATA);
	assert_true(out->has_arg);
	assert_int_equal(out->arg.ata.command_status, status);
	assert_int_equal(out->arg.ata.feature_error, error);
	assert_int_equal(f->buf[27], status);
	assert_int_equal(f->buf[25], error);
}

#endif
