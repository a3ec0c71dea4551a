/*
 * test_aoe_codec.c - unit tests for the AoE wire codec (lib/aoe.h).
 *
 * The oracle is the hand-written wire bytes below, taken from the frame
 * layouts in docs/aoe-protocol.md, not the codec's own output: a round trip
 * alone would pass for a codec that is wrong the same way in both directions.
 * Every parse of a possibly short frame runs from a heap buffer of exactly
 * that length, so AddressSanitizer and valgrind report any read past len.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aoe.h"

/* Addresses used by the golden frames; written as byte lists so the frames stay literal. */
#define DST_BYTES 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc
#define SRC_BYTES 0x52, 0x54, 0x00, 0x12, 0x34, 0x56
#define M1_BYTES 0x00, 0x0c, 0x29, 0x01, 0x02, 0x03
#define M2_BYTES 0xde, 0xad, 0x00, 0xbe, 0xef, 0x01
#define BCAST_BYTES 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

static const uint8_t mac_m1[AOE_MAC_LEN] = { M1_BYTES };
static const uint8_t mac_m2[AOE_MAC_LEN] = { M2_BYTES };

/* ------------------------------------------------------------------------
 * Golden frames: wire bytes and the structure they stand for.
 */

/* WRITE SECTORS EXT, LBA48 + write flags, 4 payload bytes. */
static const uint8_t wire_ata_req[] = {
	DST_BYTES, SRC_BYTES, 0x88, 0xa2,
	0x10, 0x00, 0x12, 0x34, 0x56, 0x00, 0xde, 0xad, 0xbe, 0xef,
	0x41, 0x5a, 0x02, 0x34, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00,
	0x01, 0x02, 0x03, 0x04,
};
static const uint8_t ata_req_data[] = { 0x01, 0x02, 0x03, 0x04 };

/* IDNF reply to an LBA28 command: device register 0xa0 rides in lba3. */
static const uint8_t wire_ata_rsp[] = {
	SRC_BYTES, DST_BYTES, 0x88, 0xa2,
	0x18, 0x00, 0x01, 0x02, 0x03, 0x00, 0x80, 0x00, 0x00, 0x01,
	0x00, 0x10, 0x00, 0x41, 0x01, 0x00, 0x00, 0xa0, 0x00, 0x00, 0x00, 0x00,
};

/* Linux discovery: broadcast, tag 0, all-zero 8-byte argument (32 bytes, unpadded). */
static const uint8_t wire_cfg_discover[] = {
	BCAST_BYTES, SRC_BYTES, 0x88, 0xa2,
	0x10, 0x00, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Query Config "set" carrying a 3-byte string. */
static const uint8_t wire_cfg_req[] = {
	DST_BYTES, SRC_BYTES, 0x88, 0xa2,
	0x10, 0x00, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x03, 'a', 'b', 'c',
};
static const uint8_t cfg_req_str[] = { 'a', 'b', 'c' };

/* vblade-like config reply: bufcnt 16, firmware 0x4019, 2 sectors, AoE 1. */
static const uint8_t wire_cfg_rsp[] = {
	SRC_BYTES, DST_BYTES, 0x88, 0xa2,
	0x18, 0x00, 0x00, 0x07, 0x01, 0x01, 0x12, 0x34, 0x56, 0x78,
	0x00, 0x10, 0x40, 0x19, 0x02, 0x10, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o',
};
static const uint8_t cfg_rsp_str[] = { 'h', 'e', 'l', 'l', 'o' };

/* Error 4 (config string present) still carries the current string. */
static const uint8_t wire_cfg_err4[] = {
	SRC_BYTES, DST_BYTES, 0x88, 0xa2,
	0x1c, 0x04, 0x00, 0x07, 0x01, 0x01, 0x12, 0x34, 0x56, 0x79,
	0x00, 0x10, 0x40, 0x19, 0x02, 0x13, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o',
};

/* MAC Mask edit: add M1, delete M2. */
static const uint8_t wire_mask_req[] = {
	DST_BYTES, SRC_BYTES, 0x88, 0xa2,
	0x10, 0x00, 0x00, 0x01, 0x02, 0x02, 0x0a, 0x0b, 0x0c, 0x0d,
	0x00, 0x01, 0x00, 0x02,
	0x00, 0x01, M1_BYTES,
	0x00, 0x02, M2_BYTES,
};
static const uint8_t mask_req_dirs[] = { 0x00, 0x01, M1_BYTES, 0x00, 0x02, M2_BYTES };

/* MAC Mask read reply: a one-entry list. */
static const uint8_t wire_mask_rsp[] = {
	SRC_BYTES, DST_BYTES, 0x88, 0xa2,
	0x18, 0x00, 0x00, 0x01, 0x02, 0x02, 0x0a, 0x0b, 0x0c, 0x0d,
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, M1_BYTES,
};
static const uint8_t mask_rsp_dirs[] = { 0x00, 0x00, M1_BYTES };

/* MAC Mask edit failed at directive 4 (list full): vblade sends no directives. */
static const uint8_t wire_mask_merr[] = {
	SRC_BYTES, DST_BYTES, 0x88, 0xa2,
	0x18, 0x00, 0x00, 0x01, 0x02, 0x02, 0x0a, 0x0b, 0x0c, 0x0e,
	0x00, 0x01, 0x03, 0x04,
};

/* Reserve/Release set with two MACs. */
static const uint8_t wire_rsrv_req[] = {
	DST_BYTES, SRC_BYTES, 0x88, 0xa2,
	0x10, 0x00, 0xab, 0xcd, 0xef, 0x03, 0xff, 0xff, 0xff, 0xff,
	0x01, 0x02, M1_BYTES, M2_BYTES,
};
static const uint8_t rsrv_req_macs[] = { M1_BYTES, M2_BYTES };

/* Reserve/Release read reply: one MAC. */
static const uint8_t wire_rsrv_rsp[] = {
	SRC_BYTES, DST_BYTES, 0x88, 0xa2,
	0x18, 0x00, 0xab, 0xcd, 0xef, 0x03, 0xff, 0xff, 0xff, 0xfe,
	0x00, 0x01, M1_BYTES,
};
static const uint8_t rsrv_rsp_macs[] = { M1_BYTES };

/* ATA refused with error 6 (reserved) and no argument at all. */
static const uint8_t wire_err_rsp[] = {
	SRC_BYTES, DST_BYTES, 0x88, 0xa2,
	0x1c, 0x06, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
};

struct golden {
	const char *name;
	bool response;
	const uint8_t *wire;
	size_t len;
	struct aoe_frame frame;
};

static const struct golden goldens[] = {
	{ "ata request", false, wire_ata_req, sizeof wire_ata_req,
	  { .hdr = { .dst = { DST_BYTES }, .src = { SRC_BYTES }, .version = 1, .flags = 0,
		     .error = 0, .shelf = 0x1234, .slot = 0x56, .command = AOE_CMD_ATA,
		     .tag = 0xdeadbeef },
	    .has_arg = true,
	    .arg.ata = { .aflags = AOE_AFLAG_EXT | AOE_AFLAG_WRITE, .feature_error = 0x5a,
			 .sector_count = 2, .command_status = 0x34, .lba = 0x123456789abcULL,
			 .data = ata_req_data, .data_len = sizeof ata_req_data } } },
	{ "ata response", true, wire_ata_rsp, sizeof wire_ata_rsp,
	  { .hdr = { .dst = { SRC_BYTES }, .src = { DST_BYTES }, .version = 1,
		     .flags = AOE_FLAG_RESPONSE, .error = 0, .shelf = 0x0102, .slot = 0x03,
		     .command = AOE_CMD_ATA, .tag = 0x80000001 },
	    .has_arg = true,
	    .arg.ata = { .aflags = 0, .feature_error = 0x10, .sector_count = 0,
			 .command_status = 0x41, .lba = 0xa0000001ULL, .data = NULL,
			 .data_len = 0 } } },
	{ "config discovery request", false, wire_cfg_discover, sizeof wire_cfg_discover,
	  { .hdr = { .dst = { BCAST_BYTES }, .src = { SRC_BYTES }, .version = 1, .flags = 0,
		     .error = 0, .shelf = 0xffff, .slot = 0xff, .command = AOE_CMD_CONFIG,
		     .tag = 0 },
	    .has_arg = true,
	    .arg.cfg = { .buffer_count = 0, .firmware_version = 0, .sector_count = 0,
			 .aoe_version = 0, .ccmd = AOE_CCMD_READ, .config_len = 0,
			 .config = NULL } } },
	{ "config set request", false, wire_cfg_req, sizeof wire_cfg_req,
	  { .hdr = { .dst = { DST_BYTES }, .src = { SRC_BYTES }, .version = 1, .flags = 0,
		     .error = 0, .shelf = 0xffff, .slot = 0xff, .command = AOE_CMD_CONFIG,
		     .tag = 0 },
	    .has_arg = true,
	    .arg.cfg = { .buffer_count = 0, .firmware_version = 0, .sector_count = 0,
			 .aoe_version = 0, .ccmd = AOE_CCMD_SET, .config_len = 3,
			 .config = cfg_req_str } } },
	{ "config response", true, wire_cfg_rsp, sizeof wire_cfg_rsp,
	  { .hdr = { .dst = { SRC_BYTES }, .src = { DST_BYTES }, .version = 1,
		     .flags = AOE_FLAG_RESPONSE, .error = 0, .shelf = 0x0007, .slot = 0x01,
		     .command = AOE_CMD_CONFIG, .tag = 0x12345678 },
	    .has_arg = true,
	    .arg.cfg = { .buffer_count = 16, .firmware_version = 0x4019, .sector_count = 2,
			 .aoe_version = 1, .ccmd = AOE_CCMD_READ, .config_len = 5,
			 .config = cfg_rsp_str } } },
	{ "config error 4 response", true, wire_cfg_err4, sizeof wire_cfg_err4,
	  { .hdr = { .dst = { SRC_BYTES }, .src = { DST_BYTES }, .version = 1,
		     .flags = AOE_FLAG_RESPONSE | AOE_FLAG_ERROR, .error = AOE_ERR_CONFIG_PRESENT,
		     .shelf = 0x0007, .slot = 0x01, .command = AOE_CMD_CONFIG, .tag = 0x12345679 },
	    .has_arg = true,
	    .arg.cfg = { .buffer_count = 16, .firmware_version = 0x4019, .sector_count = 2,
			 .aoe_version = 1, .ccmd = AOE_CCMD_SET, .config_len = 5,
			 .config = cfg_rsp_str } } },
	{ "mask edit request", false, wire_mask_req, sizeof wire_mask_req,
	  { .hdr = { .dst = { DST_BYTES }, .src = { SRC_BYTES }, .version = 1, .flags = 0,
		     .error = 0, .shelf = 0x0001, .slot = 0x02, .command = AOE_CMD_MASK,
		     .tag = 0x0a0b0c0d },
	    .has_arg = true,
	    .arg.mask = { .mcmd = AOE_MCMD_EDIT, .merror = 0, .dir_count = 2,
			  .directives = mask_req_dirs } } },
	{ "mask read response", true, wire_mask_rsp, sizeof wire_mask_rsp,
	  { .hdr = { .dst = { SRC_BYTES }, .src = { DST_BYTES }, .version = 1,
		     .flags = AOE_FLAG_RESPONSE, .error = 0, .shelf = 0x0001, .slot = 0x02,
		     .command = AOE_CMD_MASK, .tag = 0x0a0b0c0d },
	    .has_arg = true,
	    .arg.mask = { .mcmd = AOE_MCMD_READ, .merror = 0, .dir_count = 1,
			  .directives = mask_rsp_dirs } } },
	{ "mask merror response", true, wire_mask_merr, sizeof wire_mask_merr,
	  { .hdr = { .dst = { SRC_BYTES }, .src = { DST_BYTES }, .version = 1,
		     .flags = AOE_FLAG_RESPONSE, .error = 0, .shelf = 0x0001, .slot = 0x02,
		     .command = AOE_CMD_MASK, .tag = 0x0a0b0c0e },
	    .has_arg = true,
	    .arg.mask = { .mcmd = AOE_MCMD_EDIT, .merror = AOE_MERROR_FULL, .dir_count = 4,
			  .directives = NULL } } },
	{ "reserve set request", false, wire_rsrv_req, sizeof wire_rsrv_req,
	  { .hdr = { .dst = { DST_BYTES }, .src = { SRC_BYTES }, .version = 1, .flags = 0,
		     .error = 0, .shelf = 0xabcd, .slot = 0xef, .command = AOE_CMD_RESERVE,
		     .tag = 0xffffffff },
	    .has_arg = true,
	    .arg.rsrv = { .rcmd = AOE_RCMD_SET, .mac_count = 2, .macs = rsrv_req_macs } } },
	{ "reserve read response", true, wire_rsrv_rsp, sizeof wire_rsrv_rsp,
	  { .hdr = { .dst = { SRC_BYTES }, .src = { DST_BYTES }, .version = 1,
		     .flags = AOE_FLAG_RESPONSE, .error = 0, .shelf = 0xabcd, .slot = 0xef,
		     .command = AOE_CMD_RESERVE, .tag = 0xfffffffe },
	    .has_arg = true,
	    .arg.rsrv = { .rcmd = AOE_RCMD_READ, .mac_count = 1, .macs = rsrv_rsp_macs } } },
	{ "error response without argument", true, wire_err_rsp, sizeof wire_err_rsp,
	  { .hdr = { .dst = { SRC_BYTES }, .src = { DST_BYTES }, .version = 1,
		     .flags = AOE_FLAG_RESPONSE | AOE_FLAG_ERROR, .error = AOE_ERR_RESERVED,
		     .shelf = 0x0005, .slot = 0x00, .command = AOE_CMD_ATA, .tag = 0x1000 },
	    .has_arg = false } },
};

enum { N_GOLDENS = sizeof goldens / sizeof goldens[0] };

/* ------------------------------------------------------------------------
 * Helpers.
 */

/* A copy with nothing readable past len, so sanitizers see any over-read. */
static uint8_t *heap_copy(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len);

	if (len == 0)
		return p; /* may be NULL; the parser must not touch it anyway */
	assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

static enum aoe_parse_status parse_dir(bool response, const uint8_t *buf, size_t len,
				       struct aoe_frame *out)
{
	/* Poison, so a field the parser forgot to set cannot match by luck. */
	memset(out, 0xa5, sizeof *out);
	return response ? aoe_parse_response(buf, len, out) : aoe_parse_request(buf, len, out);
}

/* Parse a copy of exactly len bytes; pointers in out are dead on return. */
static enum aoe_parse_status parse_exact(bool response, const uint8_t *frame, size_t len,
					 struct aoe_frame *out)
{
	uint8_t *buf = heap_copy(frame, len);
	enum aoe_parse_status st = parse_dir(response, buf, len, out);

	free(buf);
	return st;
}

static void check_status(const char *what, size_t len, enum aoe_parse_status got,
			 enum aoe_parse_status want)
{
	if (got != want)
		print_error("%s, len %zu: status %d (%s), expected %d (%s)\n", what, len, (int)got,
			    aoe_parse_status_str(got), (int)want, aoe_parse_status_str(want));
	assert_int_equal(got, want);
}

static void assert_header_equal(const struct aoe_header *want, const struct aoe_header *got)
{
	assert_memory_equal(got->dst, want->dst, AOE_MAC_LEN);
	assert_memory_equal(got->src, want->src, AOE_MAC_LEN);
	assert_int_equal(got->version, want->version);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->error, want->error);
	assert_int_equal(got->shelf, want->shelf);
	assert_int_equal(got->slot, want->slot);
	assert_int_equal(got->command, want->command);
	assert_int_equal(got->tag, want->tag);
}

/* Compares contents; where a pointer field is set, pointed-to bytes are compared. */
static void assert_frame_equal(const struct aoe_frame *want, const struct aoe_frame *got)
{
	assert_header_equal(&want->hdr, &got->hdr);
	assert_int_equal(got->has_arg, want->has_arg);
	if (!want->has_arg)
		return;
	switch (want->hdr.command) {
	case AOE_CMD_ATA:
		assert_int_equal(got->arg.ata.aflags, want->arg.ata.aflags);
		assert_int_equal(got->arg.ata.feature_error, want->arg.ata.feature_error);
		assert_int_equal(got->arg.ata.sector_count, want->arg.ata.sector_count);
		assert_int_equal(got->arg.ata.command_status, want->arg.ata.command_status);
		assert_int_equal(got->arg.ata.lba, want->arg.ata.lba);
		assert_int_equal(got->arg.ata.data_len, want->arg.ata.data_len);
		if (want->arg.ata.data_len > 0)
			assert_memory_equal(got->arg.ata.data, want->arg.ata.data,
					    want->arg.ata.data_len);
		break;
	case AOE_CMD_CONFIG:
		assert_int_equal(got->arg.cfg.buffer_count, want->arg.cfg.buffer_count);
		assert_int_equal(got->arg.cfg.firmware_version, want->arg.cfg.firmware_version);
		assert_int_equal(got->arg.cfg.sector_count, want->arg.cfg.sector_count);
		assert_int_equal(got->arg.cfg.aoe_version, want->arg.cfg.aoe_version);
		assert_int_equal(got->arg.cfg.ccmd, want->arg.cfg.ccmd);
		assert_int_equal(got->arg.cfg.config_len, want->arg.cfg.config_len);
		if (want->arg.cfg.config_len > 0)
			assert_memory_equal(got->arg.cfg.config, want->arg.cfg.config,
					    want->arg.cfg.config_len);
		break;
	case AOE_CMD_MASK:
		assert_int_equal(got->arg.mask.mcmd, want->arg.mask.mcmd);
		assert_int_equal(got->arg.mask.merror, want->arg.mask.merror);
		assert_int_equal(got->arg.mask.dir_count, want->arg.mask.dir_count);
		if (want->arg.mask.directives == NULL)
			assert_null(got->arg.mask.directives);
		else if (want->arg.mask.dir_count > 0)
			assert_memory_equal(got->arg.mask.directives, want->arg.mask.directives,
					    (size_t)want->arg.mask.dir_count * AOE_DIRECTIVE_LEN);
		break;
	case AOE_CMD_RESERVE:
		assert_int_equal(got->arg.rsrv.rcmd, want->arg.rsrv.rcmd);
		assert_int_equal(got->arg.rsrv.mac_count, want->arg.rsrv.mac_count);
		if (want->arg.rsrv.mac_count > 0)
			assert_memory_equal(got->arg.rsrv.macs, want->arg.rsrv.macs,
					    (size_t)want->arg.rsrv.mac_count * AOE_MAC_LEN);
		break;
	default:
		fail_msg("golden frame with command %u", want->hdr.command);
	}
}

/* The codec promises zero-copy: variable parts point into the caller's buffer. */
static void assert_points_into(const struct aoe_frame *got, const uint8_t *buf)
{
	if (!got->has_arg)
		return;
	switch (got->hdr.command) {
	case AOE_CMD_ATA:
		if (got->arg.ata.data_len > 0)
			assert_ptr_equal(got->arg.ata.data, buf + AOE_ATA_HDR_LEN);
		break;
	case AOE_CMD_CONFIG:
		if (got->arg.cfg.config_len > 0)
			assert_ptr_equal(got->arg.cfg.config, buf + AOE_CFG_HDR_LEN);
		break;
	case AOE_CMD_MASK:
		if (got->arg.mask.merror == 0 && got->arg.mask.dir_count > 0)
			assert_ptr_equal(got->arg.mask.directives, buf + AOE_MASK_HDR_LEN);
		break;
	case AOE_CMD_RESERVE:
		if (got->arg.rsrv.mac_count > 0)
			assert_ptr_equal(got->arg.rsrv.macs, buf + AOE_RSRV_HDR_LEN);
		break;
	default:
		break;
	}
}

/* Build into a heap buffer of exactly cap bytes (so sanitizers see over-writes). */
static size_t build_exact(const struct aoe_frame *frame, size_t cap, uint8_t *copy, size_t copy_cap)
{
	uint8_t *buf = malloc(cap);
	size_t n;

	if (cap > 0) {
		assert_non_null(buf);
		memset(buf, 0xaa, cap);
	}
	n = aoe_build(buf, cap, frame);
	assert_true(n <= cap);
	if (n > 0 && copy != NULL) {
		assert_true(n <= copy_cap);
		memcpy(copy, buf, n);
	}
	free(buf);
	return n;
}

/* Status the parser owes us for the first k bytes of a golden frame without E. */
static enum aoe_parse_status prefix_status(const struct golden *g, size_t k)
{
	const struct aoe_frame *f = &g->frame;

	if (k < AOE_HDR_LEN)
		return AOE_PARSE_TOO_SHORT;
	if (!f->has_arg) /* an error response is whole with its header */
		return AOE_PARSE_OK;
	switch (f->hdr.command) {
	case AOE_CMD_ATA:
		return k < AOE_ATA_HDR_LEN ? AOE_PARSE_ARG_TOO_SHORT : AOE_PARSE_OK;
	case AOE_CMD_CONFIG:
		if (k < AOE_CFG_HDR_LEN)
			return AOE_PARSE_ARG_TOO_SHORT;
		return k < AOE_CFG_HDR_LEN + (size_t)f->arg.cfg.config_len ? AOE_PARSE_CONFIG_LENGTH
									   : AOE_PARSE_OK;
	case AOE_CMD_MASK:
		if (k < AOE_MASK_HDR_LEN)
			return AOE_PARSE_ARG_TOO_SHORT;
		if (f->arg.mask.merror != 0) /* dir_count is an index then, not a length */
			return AOE_PARSE_OK;
		return k < AOE_MASK_HDR_LEN + (size_t)f->arg.mask.dir_count * AOE_DIRECTIVE_LEN
			       ? AOE_PARSE_MASK_COUNT
			       : AOE_PARSE_OK;
	case AOE_CMD_RESERVE:
		if (k < AOE_RSRV_HDR_LEN)
			return AOE_PARSE_ARG_TOO_SHORT;
		return k < AOE_RSRV_HDR_LEN + (size_t)f->arg.rsrv.mac_count * AOE_MAC_LEN
			       ? AOE_PARSE_RESERVE_COUNT
			       : AOE_PARSE_OK;
	default:
		return AOE_PARSE_UNKNOWN_COMMAND;
	}
}

static const struct golden *golden_named(const char *name)
{
	for (size_t i = 0; i < N_GOLDENS; i++)
		if (strcmp(goldens[i].name, name) == 0)
			return &goldens[i];
	fail_msg("no golden frame named %s", name);
	return NULL;
}

/* ------------------------------------------------------------------------
 * Golden frames: build, parse, direction.
 */

static void test_build_matches_hand_written_wire(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		const struct golden *g = &goldens[i];
		uint8_t out[256];
		size_t n;

		/* Prefilled with 0xaa: reserved bytes left unwritten would show. */
		n = build_exact(&g->frame, sizeof out, out, sizeof out);
		if (n != g->len)
			print_error("%s: built %zu bytes, expected %zu\n", g->name, n, g->len);
		assert_int_equal(n, g->len);
		for (size_t b = 0; b < n; b++)
			if (out[b] != g->wire[b])
				fail_msg("%s: byte %zu is 0x%02x, expected 0x%02x", g->name, b, out[b],
					 g->wire[b]);
	}
}

static void test_parse_hand_written_wire(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		const struct golden *g = &goldens[i];
		uint8_t *buf = heap_copy(g->wire, g->len);
		struct aoe_frame f;

		check_status(g->name, g->len, parse_dir(g->response, buf, g->len, &f), AOE_PARSE_OK);
		assert_frame_equal(&g->frame, &f);
		assert_points_into(&f, buf);
		free(buf);
	}
}

static void test_parse_refuses_wrong_direction(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		const struct golden *g = &goldens[i];
		struct aoe_frame f;

		check_status(g->name, g->len, parse_exact(!g->response, g->wire, g->len, &f),
			     g->response ? AOE_PARSE_IS_RESPONSE : AOE_PARSE_NOT_RESPONSE);
	}
}

/* A frame only a response can be: an MError mask reply or a bare error reply. */
static bool response_only(const struct aoe_frame *f)
{
	if (!f->has_arg)
		return true;
	return f->hdr.command == AOE_CMD_MASK && f->arg.mask.merror != 0;
}

/* Request and response of every command, through build then parse both ways. */
static void test_round_trip_every_command_both_directions(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		for (int resp = 0; resp <= 1; resp++) {
			struct aoe_frame want = goldens[i].frame;
			uint8_t buf[256];
			struct aoe_frame got;
			size_t n;

			if (!resp && response_only(&want))
				continue;
			want.hdr.flags = resp ? (uint8_t)(want.hdr.flags | AOE_FLAG_RESPONSE)
					      : (uint8_t)(want.hdr.flags & ~AOE_FLAG_RESPONSE);
			n = aoe_build(buf, sizeof buf, &want);
			assert_int_equal(n, goldens[i].len);
			check_status(goldens[i].name, n, parse_dir(resp, buf, n, &got), AOE_PARSE_OK);
			assert_frame_equal(&want, &got);
			assert_points_into(&got, buf);
			check_status(goldens[i].name, n, parse_dir(!resp, buf, n, &got),
				     resp ? AOE_PARSE_IS_RESPONSE : AOE_PARSE_NOT_RESPONSE);
		}
	}
}

/* ------------------------------------------------------------------------
 * Header fields at their limits.
 */

static void test_header_fields_at_limits(void **state)
{
	static const struct { uint16_t v; uint8_t b[2]; } shelves[] = {
		{ 0x0000, { 0x00, 0x00 } }, { 0x0001, { 0x00, 0x01 } }, { 0x0fff, { 0x0f, 0xff } },
		{ 0x1234, { 0x12, 0x34 } }, { 0xfffe, { 0xff, 0xfe } }, { 0xffff, { 0xff, 0xff } },
	};
	static const uint8_t slots[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };
	static const struct { uint32_t v; uint8_t b[4]; } tags[] = {
		{ 0x00000000, { 0x00, 0x00, 0x00, 0x00 } },
		{ 0x00000001, { 0x00, 0x00, 0x00, 0x01 } },
		{ 0x12345678, { 0x12, 0x34, 0x56, 0x78 } },
		{ 0x7fffffff, { 0x7f, 0xff, 0xff, 0xff } },
		{ 0x80000000, { 0x80, 0x00, 0x00, 0x00 } },
		{ 0xffffffff, { 0xff, 0xff, 0xff, 0xff } },
	};

	(void)state;
	for (size_t g = 0; g < N_GOLDENS; g++)
		for (size_t s = 0; s < sizeof shelves / sizeof shelves[0]; s++)
			for (size_t m = 0; m < sizeof slots; m++)
				for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
					struct aoe_frame want = goldens[g].frame;
					struct aoe_frame got;
					uint8_t buf[256];
					size_t n;

					want.hdr.shelf = shelves[s].v;
					want.hdr.slot = slots[m];
					want.hdr.tag = tags[t].v;
					n = aoe_build(buf, sizeof buf, &want);
					assert_int_equal(n, goldens[g].len);
					assert_memory_equal(buf + 16, shelves[s].b, 2);
					assert_int_equal(buf[18], slots[m]);
					assert_memory_equal(buf + 20, tags[t].b, 4);
					check_status(goldens[g].name, n,
						     parse_dir(goldens[g].response, buf, n, &got),
						     AOE_PARSE_OK);
					assert_frame_equal(&want, &got);
				}
}

static void test_build_writes_flags_nibble(void **state)
{
	static const struct { bool response; uint8_t flags; uint8_t byte14; } cases[] = {
		{ false, 0, 0x10 },
		{ false, AOE_FLAG_ERROR, 0x14 },
		{ true, AOE_FLAG_RESPONSE, 0x18 },
		{ true, AOE_FLAG_RESPONSE | AOE_FLAG_ERROR, 0x1c },
	};

	(void)state;
	for (size_t g = 0; g < N_GOLDENS; g++) {
		if (!goldens[g].frame.has_arg)
			continue;
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct aoe_frame want = goldens[g].frame;
			struct aoe_frame got;
			uint8_t buf[256];
			size_t n;

			if (!cases[i].response && response_only(&want))
				continue;
			want.hdr.flags = cases[i].flags;
			n = aoe_build(buf, sizeof buf, &want);
			assert_int_equal(n, goldens[g].len);
			assert_int_equal(buf[14], cases[i].byte14);
			/* With its argument present, E changes nothing about the parse. */
			check_status(goldens[g].name, n, parse_dir(cases[i].response, buf, n, &got),
				     AOE_PARSE_OK);
			assert_frame_equal(&want, &got);
		}
	}
}

/* The parser reports the flag nibble and routes on R alone. */
static void test_parse_every_flag_nibble(void **state)
{
	(void)state;
	for (unsigned nib = 0; nib < 16; nib++) {
		uint8_t frame[sizeof wire_cfg_rsp];
		struct aoe_frame f;
		bool is_resp = (nib & AOE_FLAG_RESPONSE) != 0;

		memcpy(frame, wire_cfg_rsp, sizeof frame);
		frame[14] = (uint8_t)(0x10 | nib);
		check_status("flag nibble, response parser", nib,
			     parse_exact(true, frame, sizeof frame, &f),
			     is_resp ? AOE_PARSE_OK : AOE_PARSE_NOT_RESPONSE);
		if (is_resp) {
			assert_int_equal(f.hdr.flags & 0x0c, nib & 0x0c);
			assert_int_equal(f.hdr.version, 1);
			assert_true(f.has_arg);
			assert_int_equal(f.arg.cfg.config_len, 5);
		}
		check_status("flag nibble, request parser", nib,
			     parse_exact(false, frame, sizeof frame, &f),
			     is_resp ? AOE_PARSE_IS_RESPONSE : AOE_PARSE_OK);
		if (!is_resp) {
			assert_int_equal(f.hdr.flags & 0x0c, nib & 0x0c);
			assert_int_equal(f.hdr.version, 1);
			assert_true(f.has_arg);
		}
	}
}

static void test_every_error_code_round_trips(void **state)
{
	(void)state;
	for (unsigned e = 0; e < 256; e++) {
		struct aoe_frame want = golden_named("error response without argument")->frame;
		struct aoe_frame got;
		uint8_t buf[64];
		size_t n;

		want.hdr.error = (uint8_t)e;
		n = aoe_build(buf, sizeof buf, &want);
		assert_int_equal(n, AOE_HDR_LEN);
		assert_int_equal(buf[15], e);
		check_status("error code", e, parse_exact(true, buf, n, &got), AOE_PARSE_OK);
		assert_int_equal(got.hdr.error, e);
		assert_false(got.has_arg);
	}
}

/* ------------------------------------------------------------------------
 * ATA argument: the LBA is the one little-endian field.
 */

static void test_ata_lba_is_little_endian_48_bit(void **state)
{
	static const struct { uint64_t lba; uint8_t wire[6]; } cases[] = {
		{ 0x000000000000ULL, { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 } },
		{ 0x000000000001ULL, { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 } },
		{ 0x000000000100ULL, { 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 } },
		{ 0x0000123456789abcULL, { 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12 } },
		{ 0x00000fffffffULL, { 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00 } },
		{ 0x0000e0123456ULL, { 0x56, 0x34, 0x12, 0xe0, 0x00, 0x00 } },
		{ 0x000080000000ULL, { 0x00, 0x00, 0x00, 0x80, 0x00, 0x00 } },
		{ 0x800000000000ULL, { 0x00, 0x00, 0x00, 0x00, 0x00, 0x80 } },
		{ 0xffffffffffffULL, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct aoe_frame want = golden_named("ata request")->frame;
		struct aoe_frame got;
		uint8_t buf[64];
		uint8_t wire[sizeof wire_ata_req];
		size_t n;

		want.arg.ata.lba = cases[i].lba;
		n = aoe_build(buf, sizeof buf, &want);
		assert_int_equal(n, sizeof wire_ata_req);
		assert_memory_equal(buf + 28, cases[i].wire, 6);
		assert_int_equal(buf[34], 0);
		assert_int_equal(buf[35], 0);

		memcpy(wire, wire_ata_req, sizeof wire);
		memcpy(wire + 28, cases[i].wire, 6);
		check_status("lba", i, parse_exact(false, wire, sizeof wire, &got), AOE_PARSE_OK);
		assert_int_equal(got.arg.ata.lba, cases[i].lba);

		/* Non-zero reserved bytes 34-35 must not leak into a 48-bit LBA. */
		wire[34] = 0xff;
		wire[35] = 0xff;
		check_status("lba, reserved set", i, parse_exact(false, wire, sizeof wire, &got),
			     AOE_PARSE_OK);
		assert_int_equal(got.arg.ata.lba, cases[i].lba);
	}
}

/* ------------------------------------------------------------------------
 * Truncation, lying counts, padding.
 */

static void test_every_truncation_of_every_golden(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		const struct golden *g = &goldens[i];

		/* Which prefix of an error response counts as "argument missing" is not pinned. */
		if ((g->frame.hdr.flags & AOE_FLAG_ERROR) && g->frame.has_arg)
			continue;
		for (size_t k = 0; k <= g->len; k++) {
			struct aoe_frame f;
			enum aoe_parse_status want = prefix_status(g, k);

			check_status(g->name, k, parse_exact(g->response, g->wire, k, &f), want);
			if (want == AOE_PARSE_OK && g->frame.has_arg &&
			    g->frame.hdr.command == AOE_CMD_ATA) {
				/* ATA keeps whatever follows the argument as data. */
				assert_int_equal(f.arg.ata.data_len, k - AOE_ATA_HDR_LEN);
			}
			if (want == AOE_PARSE_OK)
				assert_header_equal(&g->frame.hdr, &f.hdr);
		}
	}
}

struct count_lie {
	const char *name;
	const uint8_t *wire;     /* frame whose count field is rewritten */
	size_t wire_len;
	bool response;
	size_t field;            /* offset of the count */
	unsigned width;          /* 1 or 2 bytes, big-endian */
	unsigned value;
	size_t present;          /* frame length handed to the parser (zero-extended) */
	enum aoe_parse_status want;
};

static void test_count_fields_that_lie(void **state)
{
	static const struct count_lie cases[] = {
		{ "config_len 1025 with 1025 bytes present", wire_cfg_req, sizeof wire_cfg_req, false,
		  30, 2, 1025, AOE_CFG_HDR_LEN + 1025, AOE_PARSE_CONFIG_LENGTH },
		{ "config_len 1025 with 1100 bytes present", wire_cfg_req, sizeof wire_cfg_req, false,
		  30, 2, 1025, AOE_CFG_HDR_LEN + 1100, AOE_PARSE_CONFIG_LENGTH },
		{ "config_len 0xffff", wire_cfg_rsp, sizeof wire_cfg_rsp, true, 30, 2, 0xffff,
		  sizeof wire_cfg_rsp, AOE_PARSE_CONFIG_LENGTH },
		{ "config_len 0x0500 (byte-swapped 5)", wire_cfg_rsp, sizeof wire_cfg_rsp, true, 30, 2,
		  0x0500, sizeof wire_cfg_rsp, AOE_PARSE_CONFIG_LENGTH },
		{ "config_len 6 with 5 bytes present", wire_cfg_rsp, sizeof wire_cfg_rsp, true, 30, 2, 6,
		  sizeof wire_cfg_rsp, AOE_PARSE_CONFIG_LENGTH },
		{ "config_len 1024 with 1024 bytes present", wire_cfg_req, sizeof wire_cfg_req, false,
		  30, 2, 1024, AOE_CFG_HDR_LEN + 1024, AOE_PARSE_OK },
		{ "config_len 1024 from aoeping", wire_cfg_discover, sizeof wire_cfg_discover, false, 30,
		  2, 1024, AOE_CFG_HDR_LEN + 1024, AOE_PARSE_OK },
		{ "config_len 3 with 3 bytes and padding", wire_cfg_req, sizeof wire_cfg_req, false, 30,
		  2, 3, AOE_ETH_MIN_FRAME, AOE_PARSE_OK },
		{ "dir_count 3 with 2 present", wire_mask_req, sizeof wire_mask_req, false, 27, 1, 3,
		  sizeof wire_mask_req, AOE_PARSE_MASK_COUNT },
		{ "dir_count 3 with 2.5 present", wire_mask_req, sizeof wire_mask_req, false, 27, 1, 3,
		  sizeof wire_mask_req + 4, AOE_PARSE_MASK_COUNT },
		{ "dir_count 255 with none present", wire_mask_rsp, sizeof wire_mask_rsp, true, 27, 1,
		  255, AOE_MASK_HDR_LEN, AOE_PARSE_MASK_COUNT },
		{ "dir_count 255 with 254 present", wire_mask_rsp, sizeof wire_mask_rsp, true, 27, 1, 255,
		  AOE_MASK_HDR_LEN + 254 * AOE_DIRECTIVE_LEN, AOE_PARSE_MASK_COUNT },
		{ "dir_count 255 with 255 present", wire_mask_rsp, sizeof wire_mask_rsp, true, 27, 1, 255,
		  AOE_MASK_HDR_LEN + 255 * AOE_DIRECTIVE_LEN, AOE_PARSE_OK },
		{ "dir_count 2 with 2.5 present", wire_mask_req, sizeof wire_mask_req, false, 27, 1, 2,
		  sizeof wire_mask_req + 4, AOE_PARSE_OK },
		{ "mac_count 3 with 2 present", wire_rsrv_req, sizeof wire_rsrv_req, false, 25, 1, 3,
		  sizeof wire_rsrv_req, AOE_PARSE_RESERVE_COUNT },
		{ "mac_count 255 with none present", wire_rsrv_rsp, sizeof wire_rsrv_rsp, true, 25, 1,
		  255, AOE_RSRV_HDR_LEN, AOE_PARSE_RESERVE_COUNT },
		{ "mac_count 255 with 254 present", wire_rsrv_rsp, sizeof wire_rsrv_rsp, true, 25, 1, 255,
		  AOE_RSRV_HDR_LEN + 254 * AOE_MAC_LEN, AOE_PARSE_RESERVE_COUNT },
		{ "mac_count 255 with 255 present", wire_rsrv_rsp, sizeof wire_rsrv_rsp, true, 25, 1, 255,
		  AOE_RSRV_HDR_LEN + 255 * AOE_MAC_LEN, AOE_PARSE_OK },
		{ "mac_count 1 with 1 present and padding", wire_rsrv_rsp, sizeof wire_rsrv_rsp, true,
		  25, 1, 1, AOE_ETH_MIN_FRAME, AOE_PARSE_OK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct count_lie *c = &cases[i];
		size_t len = c->present;
		uint8_t *frame = calloc(1, len > c->wire_len ? len : c->wire_len);
		struct aoe_frame f;
		enum aoe_parse_status st;

		assert_non_null(frame);
		memcpy(frame, c->wire, c->wire_len);
		if (c->width == 2) {
			frame[c->field] = (uint8_t)(c->value >> 8);
			frame[c->field + 1] = (uint8_t)c->value;
		} else {
			frame[c->field] = (uint8_t)c->value;
		}
		st = parse_exact(c->response, frame, len, &f);
		check_status(c->name, len, st, c->want);
		if (st == AOE_PARSE_OK) {
			switch (f.hdr.command) {
			case AOE_CMD_CONFIG:
				assert_int_equal(f.arg.cfg.config_len, c->value);
				break;
			case AOE_CMD_MASK:
				assert_int_equal(f.arg.mask.dir_count, c->value);
				break;
			case AOE_CMD_RESERVE:
				assert_int_equal(f.arg.rsrv.mac_count, c->value);
				break;
			default:
				fail();
			}
		}
		free(frame);
	}
}

/* Padding up to 60 (what a NIC adds) and longer junk tails are both ignored. */
static void test_trailing_padding_is_accepted(void **state)
{
	static const struct { size_t len; uint8_t fill; } pads[] = {
		{ AOE_ETH_MIN_FRAME, 0x00 }, { 64, 0xee }, { 200, 0x00 },
	};

	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		const struct golden *g = &goldens[i];

		for (size_t p = 0; p < sizeof pads / sizeof pads[0]; p++) {
			size_t len = pads[p].len;
			uint8_t frame[256];
			struct aoe_frame want = g->frame;
			struct aoe_frame f;

			/* Padding behind a bare header reads as an argument; nothing to pin there. */
			if (len <= g->len || !want.has_arg)
				continue;
			memset(frame, pads[p].fill, sizeof frame);
			memcpy(frame, g->wire, g->len);
			check_status(g->name, len, parse_dir(g->response, frame, len, &f),
				     AOE_PARSE_OK);
			if (want.has_arg && want.hdr.command == AOE_CMD_ATA) {
				/* ATA reports padding as data, after the real data bytes. */
				assert_int_equal(f.arg.ata.data_len, len - AOE_ATA_HDR_LEN);
				assert_ptr_equal(f.arg.ata.data, frame + AOE_ATA_HDR_LEN);
				want.arg.ata.data_len = g->len - AOE_ATA_HDR_LEN;
				f.arg.ata.data_len = want.arg.ata.data_len;
			}
			assert_frame_equal(&want, &f);
			assert_points_into(&f, frame);
		}
	}
}

/* The Linux discovery query arrives as 32 bytes or padded to 60: same answer. */
static void test_config_request_32_and_60_parse_the_same(void **state)
{
	uint8_t padded[AOE_ETH_MIN_FRAME] = { 0 };
	struct aoe_frame a, b;

	(void)state;
	memcpy(padded, wire_cfg_discover, sizeof wire_cfg_discover);
	check_status("discovery 32", 32, parse_exact(false, wire_cfg_discover, 32, &a), AOE_PARSE_OK);
	check_status("discovery 60", 60, parse_exact(false, padded, 60, &b), AOE_PARSE_OK);
	assert_header_equal(&a.hdr, &b.hdr);
	assert_true(a.has_arg);
	assert_true(b.has_arg);
	assert_int_equal(a.arg.cfg.buffer_count, b.arg.cfg.buffer_count);
	assert_int_equal(a.arg.cfg.firmware_version, b.arg.cfg.firmware_version);
	assert_int_equal(a.arg.cfg.sector_count, b.arg.cfg.sector_count);
	assert_int_equal(a.arg.cfg.aoe_version, b.arg.cfg.aoe_version);
	assert_int_equal(a.arg.cfg.ccmd, b.arg.cfg.ccmd);
	assert_int_equal(a.arg.cfg.config_len, 0);
	assert_int_equal(b.arg.cfg.config_len, 0);
	assert_int_equal(b.hdr.shelf, AOE_SHELF_BROADCAST);
	assert_int_equal(b.hdr.slot, AOE_SLOT_BROADCAST);
}

/* ------------------------------------------------------------------------
 * Frames the codec must recognise but cannot take apart.
 */

static void test_bad_version_keeps_header(void **state)
{
	static const uint8_t versions[] = { 0, 2, 3, 15 };

	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		const struct golden *g = &goldens[i];

		for (size_t v = 0; v < sizeof versions; v++) {
			/* Full frame and bare header: error 5 must be answerable either way. */
			static const size_t lens[] = { 0, AOE_HDR_LEN };

			for (size_t l = 0; l < 2; l++) {
				size_t len = lens[l] ? lens[l] : g->len;
				uint8_t frame[256];
				struct aoe_frame f;
				struct aoe_header want = g->frame.hdr;

				memcpy(frame, g->wire, g->len);
				frame[14] = (uint8_t)(versions[v] << 4 | (frame[14] & 0x0f));
				want.version = versions[v];
				check_status(g->name, len, parse_exact(g->response, frame, len, &f),
					     AOE_PARSE_BAD_VERSION);
				assert_header_equal(&want, &f.hdr);
			}
		}
	}
}

static void test_unknown_and_vendor_commands_keep_header(void **state)
{
	static const uint8_t commands[] = { 4, 5, 0x80, 0xef, AOE_CMD_VENDOR_FIRST, 0xfe, 0xff };
	static const size_t lens[] = { AOE_HDR_LEN, 36, AOE_ETH_MIN_FRAME };

	(void)state;
	for (size_t c = 0; c < sizeof commands; c++)
		for (int resp = 0; resp <= 1; resp++)
			for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
				uint8_t frame[AOE_ETH_MIN_FRAME] = { 0 };
				struct aoe_header want = golden_named("config set request")->frame.hdr;
				struct aoe_frame f;

				memcpy(frame, wire_cfg_req, sizeof wire_cfg_req);
				frame[19] = commands[c];
				want.command = commands[c];
				if (resp) {
					frame[14] |= AOE_FLAG_RESPONSE;
					want.flags |= AOE_FLAG_RESPONSE;
				}
				check_status("unknown command", commands[c],
					     parse_exact(resp, frame, lens[l], &f),
					     AOE_PARSE_UNKNOWN_COMMAND);
				assert_header_equal(&want, &f.hdr);
			}
}

static void test_wrong_ethertype_is_not_aoe(void **state)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806, 0xa288, 0x88a3, 0x88a1,
					   0x0000, 0xffff };

	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++)
		for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
			for (int resp = 0; resp <= 1; resp++) {
				uint8_t frame[256];
				struct aoe_frame f;

				memcpy(frame, goldens[i].wire, goldens[i].len);
				frame[12] = (uint8_t)(types[t] >> 8);
				frame[13] = (uint8_t)types[t];
				check_status(goldens[i].name, types[t],
					     parse_exact(resp, frame, goldens[i].len, &f),
					     AOE_PARSE_NOT_AOE);
				check_status(goldens[i].name, types[t],
					     parse_exact(resp, frame, AOE_HDR_LEN, &f),
					     AOE_PARSE_NOT_AOE);
			}
}

/* A target answering "reserved" or "bad argument" may send the bare header. */
static void test_error_response_without_argument(void **state)
{
	static const uint8_t commands[] = { AOE_CMD_ATA, AOE_CMD_CONFIG, AOE_CMD_MASK,
					    AOE_CMD_RESERVE };

	(void)state;
	for (size_t c = 0; c < sizeof commands; c++)
		for (uint8_t err = AOE_ERR_BAD_COMMAND; err <= AOE_ERR_RESERVED; err++) {
			uint8_t frame[AOE_HDR_LEN];
			struct aoe_header want = golden_named("error response without argument")->frame.hdr;
			struct aoe_frame f;

			memcpy(frame, wire_err_rsp, sizeof frame);
			frame[15] = err;
			frame[19] = commands[c];
			want.error = err;
			want.command = commands[c];
			check_status("bare error response", commands[c],
				     parse_exact(true, frame, sizeof frame, &f), AOE_PARSE_OK);
			assert_false(f.has_arg);
			assert_header_equal(&want, &f.hdr);
		}
}

/* Without E the argument is mandatory, for responses too. */
static void test_response_without_error_needs_argument(void **state)
{
	static const uint8_t commands[] = { AOE_CMD_ATA, AOE_CMD_CONFIG, AOE_CMD_MASK,
					    AOE_CMD_RESERVE };

	(void)state;
	for (size_t c = 0; c < sizeof commands; c++) {
		uint8_t frame[AOE_HDR_LEN];
		struct aoe_frame f;

		memcpy(frame, wire_err_rsp, sizeof frame);
		frame[14] = 0x10 | AOE_FLAG_RESPONSE;
		frame[15] = 0;
		frame[19] = commands[c];
		check_status("bare response", commands[c], parse_exact(true, frame, sizeof frame, &f),
			     AOE_PARSE_ARG_TOO_SHORT);
	}
}

/* MError: dir_count names the failing directive; ggaoed echoes directives, vblade does not. */
static void test_mask_merror_response(void **state)
{
	uint8_t echoed[sizeof wire_mask_merr + 2 * AOE_DIRECTIVE_LEN];
	struct aoe_frame f;

	(void)state;
	check_status("merror, no directives", sizeof wire_mask_merr,
		     parse_exact(true, wire_mask_merr, sizeof wire_mask_merr, &f), AOE_PARSE_OK);
	assert_true(f.has_arg);
	assert_int_equal(f.arg.mask.merror, AOE_MERROR_FULL);
	assert_int_equal(f.arg.mask.dir_count, 4);
	assert_null(f.arg.mask.directives);

	memcpy(echoed, wire_mask_merr, sizeof wire_mask_merr);
	memcpy(echoed + sizeof wire_mask_merr, mask_req_dirs, sizeof mask_req_dirs);
	echoed[27] = 1; /* second directive was bad */
	echoed[26] = AOE_MERROR_BAD_DCMD;
	check_status("merror, directives echoed", sizeof echoed,
		     parse_exact(true, echoed, sizeof echoed, &f), AOE_PARSE_OK);
	assert_int_equal(f.arg.mask.merror, AOE_MERROR_BAD_DCMD);
	assert_int_equal(f.arg.mask.dir_count, 1);
	assert_null(f.arg.mask.directives);

	/* Index 255 with nothing behind it is still a well-formed MError reply. */
	echoed[26] = AOE_MERROR_UNSPECIFIED;
	echoed[27] = 255;
	check_status("merror, index 255", AOE_MASK_HDR_LEN,
		     parse_exact(true, echoed, AOE_MASK_HDR_LEN, &f), AOE_PARSE_OK);
	assert_int_equal(f.arg.mask.dir_count, 255);
	assert_null(f.arg.mask.directives);
}

/* ------------------------------------------------------------------------
 * Builder limits.
 */

static void test_build_fails_for_every_short_cap(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GOLDENS; i++) {
		const struct golden *g = &goldens[i];
		uint8_t out[256];

		for (size_t cap = 0; cap < g->len; cap++) {
			size_t n = build_exact(&g->frame, cap, NULL, 0);

			if (n != 0)
				print_error("%s: cap %zu built %zu bytes\n", g->name, cap, n);
			assert_int_equal(n, 0);
		}
		assert_int_equal(build_exact(&g->frame, g->len, out, sizeof out), g->len);
		assert_memory_equal(out, g->wire, g->len);
	}
}

static void test_build_header_alone(void **state)
{
	const struct golden *g = golden_named("config response");
	uint8_t *buf;

	(void)state;
	for (size_t cap = 0; cap < AOE_HDR_LEN; cap++) {
		buf = malloc(cap);
		assert_int_equal(aoe_build_header(buf, cap, &g->frame.hdr), 0);
		free(buf);
	}
	buf = malloc(AOE_HDR_LEN);
	assert_non_null(buf);
	memset(buf, 0xaa, AOE_HDR_LEN);
	assert_int_equal(aoe_build_header(buf, AOE_HDR_LEN, &g->frame.hdr), AOE_HDR_LEN);
	assert_memory_equal(buf, g->wire, AOE_HDR_LEN);
	free(buf);
}

static void test_build_rejects_config_over_1024(void **state)
{
	static uint8_t big[AOE_CONFIG_MAX + 2];
	static uint8_t buf[AOE_CFG_HDR_LEN + AOE_CONFIG_MAX + 64];
	struct aoe_frame f = golden_named("config response")->frame;
	struct aoe_frame got;

	(void)state;
	memset(big, 'x', sizeof big);
	f.arg.cfg.config = big;
	f.arg.cfg.config_len = AOE_CONFIG_MAX + 1;
	assert_int_equal(aoe_build(buf, sizeof buf, &f), 0);
	f.arg.cfg.config_len = 0xffff;
	assert_int_equal(aoe_build(buf, sizeof buf, &f), 0);

	f.arg.cfg.config_len = AOE_CONFIG_MAX;
	assert_int_equal(aoe_build(buf, sizeof buf, &f), AOE_CFG_HDR_LEN + AOE_CONFIG_MAX);
	assert_int_equal(buf[30], 0x04);
	assert_int_equal(buf[31], 0x00);
	check_status("config 1024", AOE_CFG_HDR_LEN + AOE_CONFIG_MAX,
		     parse_dir(true, buf, AOE_CFG_HDR_LEN + AOE_CONFIG_MAX, &got), AOE_PARSE_OK);
	assert_int_equal(got.arg.cfg.config_len, AOE_CONFIG_MAX);
	assert_memory_equal(got.arg.cfg.config, big, AOE_CONFIG_MAX);
}

static void test_build_without_layout_or_argument_is_header_only(void **state)
{
	static const uint8_t commands[] = { 4, 0xef, AOE_CMD_VENDOR_FIRST, 0xff };
	const struct golden *g = golden_named("config response");

	(void)state;
	for (size_t c = 0; c < sizeof commands; c++) {
		struct aoe_frame f = g->frame;
		uint8_t buf[256];

		f.hdr.command = commands[c];
		assert_int_equal(aoe_build(buf, sizeof buf, &f), AOE_HDR_LEN);
		assert_int_equal(buf[19], commands[c]);
	}
	for (size_t i = 0; i < N_GOLDENS; i++) {
		struct aoe_frame f = goldens[i].frame;
		uint8_t buf[256];
		struct aoe_frame got;

		f.hdr.flags = AOE_FLAG_RESPONSE | AOE_FLAG_ERROR;
		f.hdr.error = AOE_ERR_BAD_ARG;
		f.has_arg = false;
		assert_int_equal(aoe_build(buf, sizeof buf, &f), AOE_HDR_LEN);
		assert_int_equal(buf[14], 0x1c);
		assert_int_equal(buf[15], AOE_ERR_BAD_ARG);
		check_status(goldens[i].name, AOE_HDR_LEN, parse_dir(true, buf, AOE_HDR_LEN, &got),
			     AOE_PARSE_OK);
		assert_false(got.has_arg);
	}
}

/* ------------------------------------------------------------------------
 * Replies built on top of the request they answer.
 */

static void test_ata_reply_built_on_request_buffer(void **state)
{
	static uint8_t buf[AOE_ATA_HDR_LEN + 2 * AOE_SECTOR_SIZE];
	struct aoe_frame req = golden_named("ata request")->frame;
	struct aoe_frame f, got;
	size_t n;

	(void)state;
	req.arg.ata.aflags = AOE_AFLAG_EXT;
	req.arg.ata.command_status = 0x24;
	req.arg.ata.data = NULL;
	req.arg.ata.data_len = 0;
	n = aoe_build(buf, sizeof buf, &req);
	assert_int_equal(n, AOE_ATA_HDR_LEN);
	check_status("read request", n, parse_dir(false, buf, n, &f), AOE_PARSE_OK);

	/* The target reads the sectors straight into the reply's data area. */
	for (size_t i = 0; i < 2 * AOE_SECTOR_SIZE; i++)
		buf[AOE_ATA_HDR_LEN + i] = (uint8_t)(i * 7 + 3);
	memcpy(f.hdr.dst, req.hdr.src, AOE_MAC_LEN);
	memcpy(f.hdr.src, req.hdr.dst, AOE_MAC_LEN);
	f.hdr.flags = AOE_FLAG_RESPONSE;
	f.arg.ata.sector_count = 0;
	f.arg.ata.command_status = 0x40;
	f.arg.ata.data = buf + AOE_ATA_HDR_LEN;
	f.arg.ata.data_len = 2 * AOE_SECTOR_SIZE;
	n = aoe_build(buf, sizeof buf, &f);
	assert_int_equal(n, sizeof buf);
	for (size_t i = 0; i < 2 * AOE_SECTOR_SIZE; i++)
		assert_int_equal(buf[AOE_ATA_HDR_LEN + i], (uint8_t)(i * 7 + 3));
	assert_memory_equal(buf, req.hdr.src, AOE_MAC_LEN);
	assert_int_equal(buf[14], 0x18);
	assert_int_equal(buf[27], 0x40);
	assert_memory_equal(buf + 28, wire_ata_req + 28, 6);
	check_status("read reply", n, parse_dir(true, buf, n, &got), AOE_PARSE_OK);
	assert_int_equal(got.arg.ata.data_len, 2 * AOE_SECTOR_SIZE);
	assert_ptr_equal(got.arg.ata.data, buf + AOE_ATA_HDR_LEN);
	assert_int_equal(got.hdr.tag, req.hdr.tag);
}

/* Data sitting further up the same buffer overlaps its destination: memmove, not memcpy. */
static void test_ata_build_with_overlapping_source(void **state)
{
	static uint8_t buf[AOE_ATA_HDR_LEN + 64 + AOE_SECTOR_SIZE];
	struct aoe_frame f = golden_named("ata response")->frame;
	uint8_t want[AOE_SECTOR_SIZE];

	(void)state;
	for (size_t i = 0; i < AOE_SECTOR_SIZE; i++)
		want[i] = (uint8_t)(i ^ (i >> 3));
	memcpy(buf + 100, want, sizeof want);
	f.arg.ata.data = buf + 100;
	f.arg.ata.data_len = AOE_SECTOR_SIZE;
	assert_int_equal(aoe_build(buf, sizeof buf, &f), AOE_ATA_HDR_LEN + AOE_SECTOR_SIZE);
	assert_memory_equal(buf, wire_ata_rsp, AOE_ATA_HDR_LEN);
	assert_memory_equal(buf + AOE_ATA_HDR_LEN, want, sizeof want);
}

static void test_config_reply_built_on_request_buffer(void **state)
{
	static const char label[] = "rack 7, shelf 3";
	uint8_t buf[AOE_CFG_HDR_LEN + AOE_CONFIG_MAX];
	struct aoe_frame req = golden_named("config set request")->frame;
	struct aoe_frame f, got;
	size_t n;

	(void)state;
	req.arg.cfg.config = (const uint8_t *)label;
	req.arg.cfg.config_len = (uint16_t)strlen(label);
	n = aoe_build(buf, sizeof buf, &req);
	assert_int_equal(n, AOE_CFG_HDR_LEN + strlen(label));
	check_status("set request", n, parse_dir(false, buf, n, &f), AOE_PARSE_OK);
	assert_ptr_equal(f.arg.cfg.config, buf + AOE_CFG_HDR_LEN);

	f.hdr.flags = AOE_FLAG_RESPONSE;
	f.hdr.shelf = 3;
	f.hdr.slot = 1;
	f.arg.cfg.buffer_count = 64;
	f.arg.cfg.firmware_version = 0x4019;
	f.arg.cfg.sector_count = 17;
	f.arg.cfg.aoe_version = AOE_VERSION;
	n = aoe_build(buf, sizeof buf, &f);
	assert_int_equal(n, AOE_CFG_HDR_LEN + strlen(label));
	static const uint8_t arg[] = { 0x00, 0x40, 0x40, 0x19, 0x11, 0x13, 0x00, 0x0f };
	assert_memory_equal(buf + AOE_HDR_LEN, arg, sizeof arg);
	assert_memory_equal(buf + AOE_CFG_HDR_LEN, label, strlen(label));
	check_status("set reply", n, parse_dir(true, buf, n, &got), AOE_PARSE_OK);
	assert_int_equal(got.arg.cfg.config_len, strlen(label));
	assert_memory_equal(got.arg.cfg.config, label, strlen(label));
	assert_int_equal(got.arg.cfg.sector_count, 17);
}

static void test_mask_reply_built_on_request_buffer(void **state)
{
	uint8_t buf[256];
	struct aoe_frame req = golden_named("mask edit request")->frame;
	struct aoe_frame f, got;
	size_t n;

	(void)state;
	n = aoe_build(buf, sizeof buf, &req);
	assert_int_equal(n, sizeof wire_mask_req);
	check_status("mask request", n, parse_dir(false, buf, n, &f), AOE_PARSE_OK);

	/* The reply lists the resulting mask: M1 only, DCmd 0, in place of the directives. */
	aoe_directive_put(buf + AOE_MASK_HDR_LEN, AOE_DCMD_NONE, mac_m1);
	f.hdr.flags = AOE_FLAG_RESPONSE;
	f.arg.mask.dir_count = 1;
	f.arg.mask.directives = buf + AOE_MASK_HDR_LEN;
	n = aoe_build(buf, sizeof buf, &f);
	assert_int_equal(n, AOE_MASK_HDR_LEN + AOE_DIRECTIVE_LEN);
	static const uint8_t tail[] = { 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, M1_BYTES };
	assert_memory_equal(buf + AOE_HDR_LEN, tail, sizeof tail);
	check_status("mask reply", n, parse_dir(true, buf, n, &got), AOE_PARSE_OK);
	assert_int_equal(got.arg.mask.dir_count, 1);
	assert_ptr_equal(got.arg.mask.directives, buf + AOE_MASK_HDR_LEN);
}

static void test_reserve_reply_built_on_request_buffer(void **state)
{
	uint8_t buf[256];
	struct aoe_frame req = golden_named("reserve set request")->frame;
	struct aoe_frame f, got;
	size_t n;

	(void)state;
	n = aoe_build(buf, sizeof buf, &req);
	assert_int_equal(n, sizeof wire_rsrv_req);
	check_status("reserve request", n, parse_dir(false, buf, n, &f), AOE_PARSE_OK);
	assert_ptr_equal(f.arg.rsrv.macs, buf + AOE_RSRV_HDR_LEN);

	f.hdr.flags = AOE_FLAG_RESPONSE;
	n = aoe_build(buf, sizeof buf, &f);
	assert_int_equal(n, sizeof wire_rsrv_req);
	static const uint8_t tail[] = { 0x01, 0x02, M1_BYTES, M2_BYTES };
	assert_memory_equal(buf + AOE_HDR_LEN, tail, sizeof tail);
	assert_int_equal(buf[14], 0x18);
	check_status("reserve reply", n, parse_dir(true, buf, n, &got), AOE_PARSE_OK);
	assert_int_equal(got.arg.rsrv.mac_count, 2);
	assert_memory_equal(got.arg.rsrv.macs, rsrv_req_macs, sizeof rsrv_req_macs);
}

/* ------------------------------------------------------------------------
 * Small helpers: pad, MTU, directives, MAC text, names.
 */

static void test_pad_to_ethernet_minimum(void **state)
{
	static const struct { size_t len, cap, want; } cases[] = {
		{ 0, 60, 60 },
		{ 24, 100, 60 },
		{ 32, 60, 60 },
		{ 36, 60, 60 },
		{ 59, 60, 60 },
		{ 60, 60, 60 },
		{ 61, 61, 61 },
		{ 1060, 1060, 1060 },
		{ 1060, 2000, 1060 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *buf = malloc(cases[i].cap);
		size_t n;

		assert_non_null(buf);
		memset(buf, 0xaa, cases[i].cap);
		n = aoe_pad(buf, cases[i].len, cases[i].cap);
		assert_int_equal(n, cases[i].want);
		for (size_t b = 0; b < cases[i].len; b++)
			assert_int_equal(buf[b], 0xaa);
		for (size_t b = cases[i].len; b < n; b++)
			assert_int_equal(buf[b], 0x00);
		for (size_t b = n; b < cases[i].cap; b++)
			assert_int_equal(buf[b], 0xaa);
		free(buf);
	}
}

/* A buffer too small for 60 must not be written past (cap is exact on the heap). */
static void test_pad_respects_cap(void **state)
{
	static const struct { size_t len, cap; } cases[] = { { 24, 24 }, { 36, 40 }, { 32, 59 } };

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *buf = malloc(cases[i].cap);
		size_t n;

		assert_non_null(buf);
		memset(buf, 0xaa, cases[i].cap);
		n = aoe_pad(buf, cases[i].len, cases[i].cap);
		assert_true(n >= cases[i].len);
		assert_true(n <= cases[i].cap);
		for (size_t b = 0; b < cases[i].len; b++)
			assert_int_equal(buf[b], 0xaa);
		for (size_t b = cases[i].len; b < n; b++)
			assert_int_equal(buf[b], 0x00);
		free(buf);
	}
}

static void test_sectors_for_mtu(void **state)
{
	static const struct { unsigned mtu, sectors; } cases[] = {
		{ 0, 0 }, { 1, 0 }, { 35, 0 }, { 36, 0 }, { 547, 0 }, { 548, 1 }, { 1059, 1 },
		{ 1060, 2 }, { 1500, 2 }, { 4132, 8 }, { 4131, 7 }, { 9000, 17 }, { 65536, 127 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned got = aoe_sectors_for_mtu(cases[i].mtu);

		if (got != cases[i].sectors)
			print_error("mtu %u: %u sectors, expected %u\n", cases[i].mtu, got,
				    cases[i].sectors);
		assert_int_equal(got, cases[i].sectors);
	}
}

static void test_directive_put_get(void **state)
{
	uint8_t buf[AOE_DIRECTIVE_LEN + 2];
	static const uint8_t want[] = { 0x00, 0x02, M2_BYTES, 0xaa, 0xaa };
	static const uint8_t wire[] = { 0xff, 0x01, M1_BYTES };
	uint8_t dcmd = 0xee;
	uint8_t mac[AOE_MAC_LEN];

	(void)state;
	memset(buf, 0xaa, sizeof buf);
	aoe_directive_put(buf, AOE_DCMD_DELETE, mac_m2);
	assert_memory_equal(buf, want, sizeof want); /* reserved byte zeroed, nothing past 8 */

	/* A non-zero reserved byte does not disturb reading the rest. */
	memset(mac, 0, sizeof mac);
	aoe_directive_get(wire, &dcmd, mac);
	assert_int_equal(dcmd, AOE_DCMD_ADD);
	assert_memory_equal(mac, mac_m1, AOE_MAC_LEN);

	aoe_directive_get(buf, &dcmd, mac);
	assert_int_equal(dcmd, AOE_DCMD_DELETE);
	assert_memory_equal(mac, mac_m2, AOE_MAC_LEN);
}

static void test_mac_parse_accepts_common_forms(void **state)
{
	static const struct { const char *text; uint8_t mac[6]; } cases[] = {
		{ "00:11:22:33:44:55", { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 } },
		{ "00-11-22-33-44-55", { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 } },
		{ "001122334455", { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 } },
		{ "AA:BB:CC:DD:EE:FF", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "aa:bb:cc:dd:ee:ff", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "aA-Bb-cC-Dd-eE-fF", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "DEAD00BEEF01", { 0xde, 0xad, 0x00, 0xbe, 0xef, 0x01 } },
		{ "ff:ff:ff:ff:ff:ff", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ "00:00:00:00:00:00", { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 } },
		{ "52:54:00:12:34:56", { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } },
		{ "0a:0B:c0:D9:90:09", { 0x0a, 0x0b, 0xc0, 0xd9, 0x90, 0x09 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t mac[AOE_MAC_LEN];

		memset(mac, 0x5a, sizeof mac);
		if (!aoe_mac_parse(cases[i].text, mac))
			fail_msg("refused \"%s\"", cases[i].text);
		assert_memory_equal(mac, cases[i].mac, AOE_MAC_LEN);
	}
}

static void test_mac_parse_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"00",
		"00:11:22:33:44",
		"00:11:22:33:44:55:66",
		"00:11:22:33:44:55:",
		":00:11:22:33:44:55",
		"00:11:22:33:44:5",
		"0:11:22:33:44:555",
		"00112233445",
		"0011223344556",
		"00112233445566",
		"00:11:22:33:44:5g",
		"g0:11:22:33:44:55",
		"00:11:22:3z:44:55",
		"00112233445G",
		"0x1122334455",
		"0x:11:22:33:44:55",
		"+0:11:22:33:44:55",
		"-1:11:22:33:44:55",
		" 0:11:22:33:44:55",
		" 00:11:22:33:44:55",
		"00:11:22:33:44:55 ",
		"00:11:22:33:44:55\n",
		"00 11 22 33 44 55",
		"00.11.22.33.44.55",
		"00::11:22:33:44:55",
		"00:11:22:33:44::55",
		"zz:zz:zz:zz:zz:zz",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t mac[AOE_MAC_LEN];

		if (aoe_mac_parse(bad[i], mac))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

/* The three documented forms only: one separator style, used at all five places or none. */
static void test_mac_parse_rejects_mixed_or_missing_separators(void **state)
{
	static const char *const bad[] = {
		"00:11:2233:44:55",
		"0011:22:33:44:55",
		"00:11:22:33:4455",
		"00:11-22:33:44:55",
		"00-11:22-33:44-55",
		"00:11:22:33:44-55",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t mac[AOE_MAC_LEN];

		if (aoe_mac_parse(bad[i], mac))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_mac_format(void **state)
{
	static const struct { uint8_t mac[6]; const char *text; } cases[] = {
		{ { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 }, "00:11:22:33:44:55" },
		{ { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f }, "0a:0b:0c:0d:0e:0f" },
		{ { 0xde, 0xad, 0x00, 0xbe, 0xef, 0x01 }, "de:ad:00:be:ef:01" },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, "ff:ff:ff:ff:ff:ff" },
		{ { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, "00:00:00:00:00:00" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* Exactly the documented 18 bytes, on the heap, so an overrun is caught. */
		char *out = malloc(18);
		uint8_t back[AOE_MAC_LEN];

		assert_non_null(out);
		memset(out, 'Z', 18);
		aoe_mac_format(cases[i].mac, out);
		assert_int_equal(out[17], '\0');
		assert_int_equal(strlen(out), 17);
		if (strcasecmp(out, cases[i].text) != 0)
			fail_msg("formatted \"%s\", expected \"%s\"", out, cases[i].text);
		assert_true(aoe_mac_parse(out, back));
		assert_memory_equal(back, cases[i].mac, AOE_MAC_LEN);
		free(out);
	}
}

static void test_names_exist_for_every_code(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		const char *c = aoe_command_str((uint8_t)v);
		const char *e = aoe_error_str((uint8_t)v);

		assert_non_null(c);
		assert_non_null(e);
		assert_true(c[0] != '\0');
		assert_true(e[0] != '\0');
	}
	/* Named code points must not collapse into one name or into "unknown". */
	for (unsigned a = 0; a <= AOE_CMD_RESERVE; a++) {
		assert_string_not_equal(aoe_command_str((uint8_t)a), aoe_command_str(4));
		for (unsigned b = a + 1; b <= AOE_CMD_RESERVE; b++)
			assert_string_not_equal(aoe_command_str((uint8_t)a), aoe_command_str((uint8_t)b));
	}
	assert_non_null(strstr(aoe_command_str(4), "unknown"));
	assert_non_null(strstr(aoe_command_str(0xef), "unknown"));
	for (unsigned a = AOE_ERR_BAD_COMMAND; a <= AOE_ERR_RESERVED; a++) {
		assert_string_not_equal(aoe_error_str((uint8_t)a), aoe_error_str(7));
		for (unsigned b = a + 1; b <= AOE_ERR_RESERVED; b++)
			assert_string_not_equal(aoe_error_str((uint8_t)a), aoe_error_str((uint8_t)b));
	}
	assert_non_null(strstr(aoe_error_str(7), "unknown"));
	assert_non_null(strstr(aoe_error_str(255), "unknown"));
}

static void test_parse_status_names(void **state)
{
	(void)state;
	for (int a = AOE_PARSE_OK; a <= AOE_PARSE_RESERVE_COUNT; a++) {
		const char *s = aoe_parse_status_str((enum aoe_parse_status)a);

		assert_non_null(s);
		assert_true(s[0] != '\0');
		for (int b = a + 1; b <= AOE_PARSE_RESERVE_COUNT; b++)
			assert_string_not_equal(s, aoe_parse_status_str((enum aoe_parse_status)b));
	}
}

int main(void)
{
	const struct CMUnitTest aoe_codec_tests[] = {
		cmocka_unit_test(test_build_matches_hand_written_wire),
		cmocka_unit_test(test_parse_hand_written_wire),
		cmocka_unit_test(test_parse_refuses_wrong_direction),
		cmocka_unit_test(test_round_trip_every_command_both_directions),
		cmocka_unit_test(test_header_fields_at_limits),
		cmocka_unit_test(test_build_writes_flags_nibble),
		cmocka_unit_test(test_parse_every_flag_nibble),
		cmocka_unit_test(test_every_error_code_round_trips),
		cmocka_unit_test(test_ata_lba_is_little_endian_48_bit),
		cmocka_unit_test(test_every_truncation_of_every_golden),
		cmocka_unit_test(test_count_fields_that_lie),
		cmocka_unit_test(test_trailing_padding_is_accepted),
		cmocka_unit_test(test_config_request_32_and_60_parse_the_same),
		cmocka_unit_test(test_bad_version_keeps_header),
		cmocka_unit_test(test_unknown_and_vendor_commands_keep_header),
		cmocka_unit_test(test_wrong_ethertype_is_not_aoe),
		cmocka_unit_test(test_error_response_without_argument),
		cmocka_unit_test(test_response_without_error_needs_argument),
		cmocka_unit_test(test_mask_merror_response),
		cmocka_unit_test(test_build_fails_for_every_short_cap),
		cmocka_unit_test(test_build_header_alone),
		cmocka_unit_test(test_build_rejects_config_over_1024),
		cmocka_unit_test(test_build_without_layout_or_argument_is_header_only),
		cmocka_unit_test(test_ata_reply_built_on_request_buffer),
		cmocka_unit_test(test_ata_build_with_overlapping_source),
		cmocka_unit_test(test_config_reply_built_on_request_buffer),
		cmocka_unit_test(test_mask_reply_built_on_request_buffer),
		cmocka_unit_test(test_reserve_reply_built_on_request_buffer),
		cmocka_unit_test(test_pad_to_ethernet_minimum),
		cmocka_unit_test(test_pad_respects_cap),
		cmocka_unit_test(test_sectors_for_mtu),
		cmocka_unit_test(test_directive_put_get),
		cmocka_unit_test(test_mac_parse_accepts_common_forms),
		cmocka_unit_test(test_mac_parse_rejects_malformed),
		cmocka_unit_test(test_mac_parse_rejects_mixed_or_missing_separators),
		cmocka_unit_test(test_mac_format),
		cmocka_unit_test(test_names_exist_for_every_code),
		cmocka_unit_test(test_parse_status_names),
	};

	return cmocka_run_group_tests(aoe_codec_tests, NULL, NULL);
}
