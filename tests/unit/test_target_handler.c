/*
 * test_target_handler.c - the aoe-target request handler: addressing, the
 * reply header, frames that must be dropped or refused, announce, counters,
 * and a random-frame robustness run.
 *
 * Command bodies are tested in test_target_config.c, test_target_mask_reserve.c
 * and test_target_ata.c.  The oracle is docs/aoe-protocol.md (section 1 for the
 * header, section 6 for the policy on frames a target should not process).
 */
#include "target_fixture.h"

#include <stdio.h>

/* ---- addressing ---- */

struct address_case {
	const char *name;
	const uint8_t *dst;
	uint16_t shelf;
	uint8_t slot;
	bool answered;
};

static const struct address_case address_cases[] = {
	{ "exact shelf and slot", FX_PORT_MAC, FX_SHELF, FX_SLOT, true },
	{ "shelf wildcard, our slot", FX_PORT_MAC, AOE_SHELF_BROADCAST, FX_SLOT, true },
	{ "our shelf, slot wildcard", FX_PORT_MAC, FX_SHELF, AOE_SLOT_BROADCAST, true },
	{ "both wildcards", FX_PORT_MAC, AOE_SHELF_BROADCAST, AOE_SLOT_BROADCAST, true },
	{ "broadcast MAC, exact address", FX_BROADCAST, FX_SHELF, FX_SLOT, true },
	{ "broadcast MAC, both wildcards", FX_BROADCAST, AOE_SHELF_BROADCAST, AOE_SLOT_BROADCAST, true },
	{ "other shelf", FX_PORT_MAC, FX_SHELF + 1, FX_SLOT, false },
	{ "other shelf, byte-swapped ours", FX_PORT_MAC, 0x3412, FX_SLOT, false },
	{ "other slot", FX_PORT_MAC, FX_SHELF, FX_SLOT + 1, false },
	{ "other shelf, slot wildcard", FX_PORT_MAC, FX_SHELF + 1, AOE_SLOT_BROADCAST, false },
	{ "shelf wildcard, other slot", FX_PORT_MAC, AOE_SHELF_BROADCAST, FX_SLOT + 1, false },
	{ "other unicast MAC", FX_HOST_C, FX_SHELF, FX_SLOT, false },
	{ "other unicast MAC, both wildcards", FX_HOST_C, AOE_SHELF_BROADCAST, AOE_SLOT_BROADCAST, false },
};

static void test_addressing_wildcards_and_macs(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof(address_cases) / sizeof(address_cases[0]); i++) {
		const struct address_case *c = &address_cases[i];
		struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
		memcpy(frame.hdr.dst, c->dst, AOE_MAC_LEN);
		frame.hdr.shelf = c->shelf;
		frame.hdr.slot = c->slot;
		uint64_t not_ours = f->t.counters.dropped_not_ours;
		size_t len = fx_send(f, &frame);
		print_message("   %-36s -> %zu bytes\n", c->name, len);
		if (!c->answered) {
			assert_int_equal(len, 0);
			assert_int_equal(f->t.counters.dropped_not_ours, not_ours + 1);
			continue;
		}
		struct aoe_frame reply;
		fx_ok_reply(f, len, FX_HOST_A, &reply);
		/* Our own address on the wire even when the request used a wildcard. */
		assert_int_equal(f->buf[16], 0x12);
		assert_int_equal(f->buf[17], 0x34);
		assert_int_equal(f->buf[18], FX_SLOT);
		assert_int_equal(f->t.counters.dropped_not_ours, not_ours);
	}
}

/* A response is never answered, or two targets could ping-pong forever. */
static void test_frame_with_response_flag_is_dropped(void **state)
{
	struct fx *f = *state;
	static const uint8_t commands[] = { AOE_CMD_ATA, AOE_CMD_CONFIG, AOE_CMD_MASK, AOE_CMD_RESERVE, 4 };
	for (size_t i = 0; i < sizeof(commands); i++) {
		struct aoe_frame frame = fx_request(FX_HOST_A, commands[i]);
		frame.hdr.flags = AOE_FLAG_RESPONSE;
		if (commands[i] == AOE_CMD_ATA) {
			frame.arg.ata.command_status = ATA_CMD_IDENTIFY;
			frame.arg.ata.sector_count = 1;
		}
		assert_int_equal(fx_send(f, &frame), 0);
		/* R with E set as well: still a response. */
		frame.hdr.flags = AOE_FLAG_RESPONSE | AOE_FLAG_ERROR;
		assert_int_equal(fx_send(f, &frame), 0);
	}
	assert_int_equal(f->t.counters.dropped_not_ours, 2 * sizeof(commands));
	assert_int_equal(f->t.counters.frames_out, 0);
}

/* ---- the reply header ---- */

static void test_reply_header_wire_bytes_and_tag_echo(void **state)
{
	struct fx *f = *state;
	static const uint32_t tags[] = { 0, 0x80000000u, 0xffffffffu, 0x01020304u };
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct aoe_frame frame = fx_request(FX_HOST_B, AOE_CMD_CONFIG);
		frame.hdr.tag = tags[i];
		/* A broadcast request: the reply must still be unicast to the requester. */
		memcpy(frame.hdr.dst, FX_BROADCAST, AOE_MAC_LEN);
		frame.hdr.shelf = AOE_SHELF_BROADCAST;
		frame.hdr.slot = AOE_SLOT_BROADCAST;
		size_t len = fx_send(f, &frame);
		struct aoe_frame reply;
		fx_reply_from(f, len, FX_HOST_B, tags[i], &reply);
		assert_memory_equal(f->buf + 0, FX_HOST_B, AOE_MAC_LEN);
		assert_memory_equal(f->buf + 6, FX_PORT_MAC, AOE_MAC_LEN);
		assert_int_equal(f->buf[12], 0x88);
		assert_int_equal(f->buf[13], 0xa2);
		assert_int_equal(f->buf[14], 0x18); /* version 1, R set, E clear */
		assert_int_equal(f->buf[15], 0);
		assert_int_equal(f->buf[16], 0x12);
		assert_int_equal(f->buf[17], 0x34);
		assert_int_equal(f->buf[18], FX_SLOT);
		assert_int_equal(f->buf[19], AOE_CMD_CONFIG);
		assert_int_equal(f->buf[20], (uint8_t)(tags[i] >> 24));
		assert_int_equal(f->buf[21], (uint8_t)(tags[i] >> 16));
		assert_int_equal(f->buf[22], (uint8_t)(tags[i] >> 8));
		assert_int_equal(f->buf[23], (uint8_t)tags[i]);
	}
}

/*
 * Linux discovery (docs §7): broadcast, both wildcards, tag 0, an all-zero
 * argument with AoE nibble 0.  The target must not insist on nibble 1.
 */
static void test_linux_discovery_query_is_answered(void **state)
{
	struct fx *f = *state;
	struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
	memcpy(frame.hdr.dst, FX_BROADCAST, AOE_MAC_LEN);
	frame.hdr.shelf = AOE_SHELF_BROADCAST;
	frame.hdr.slot = AOE_SLOT_BROADCAST;
	frame.hdr.tag = 0;
	size_t len = fx_put(f, &frame);
	assert_int_equal(len, AOE_CFG_HDR_LEN);
	assert_int_equal(f->buf[29], 0x00);
	struct aoe_frame reply;
	fx_reply_from(f, fx_serve(f, len), FX_HOST_A, 0, &reply);
	assert_int_equal(reply.hdr.flags & AOE_FLAG_ERROR, 0);
	assert_int_equal(reply.arg.cfg.aoe_version, AOE_VERSION);
}

/* Short replies are padded to the Ethernet minimum with zeros, not request leftovers. */
static void test_short_replies_are_zero_padded_to_60(void **state)
{
	struct fx *f = *state;

	/* A 32-byte config reply, the request carrying 0xAA junk behind its argument. */
	struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
	size_t len = fx_put(f, &frame);
	memset(f->buf + len, 0xaa, 200);
	size_t reply_len = fx_serve(f, len + 200);
	struct aoe_frame reply;
	fx_ok_reply(f, reply_len, FX_HOST_A, &reply);
	assert_int_equal(reply_len, AOE_ETH_MIN_FRAME);
	assert_int_equal(reply.arg.cfg.config_len, 0);
	fx_assert_zero(f->buf, AOE_CFG_HDR_LEN, AOE_ETH_MIN_FRAME);

	/* A 24-byte error reply (unknown command) from a 100-byte request. */
	frame = fx_request(FX_HOST_A, 4);
	frame.has_arg = false;
	len = fx_put(f, &frame);
	memset(f->buf + len, 0xaa, 100 - len);
	reply_len = fx_serve(f, 100);
	assert_int_equal(reply_len, AOE_ETH_MIN_FRAME);
	fx_expect_aoe_error(f, reply_len, FX_HOST_A, AOE_ERR_BAD_COMMAND);
	fx_assert_zero(f->buf, AOE_HDR_LEN, AOE_ETH_MIN_FRAME);
}

/* E has no meaning in a request (docs §6): process it, never reflect it. */
static void test_error_flag_in_request_is_not_reflected(void **state)
{
	struct fx *f = *state;
	struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
	frame.hdr.flags = AOE_FLAG_ERROR;
	frame.hdr.error = AOE_ERR_DEVICE_UNAVAILABLE;
	struct aoe_frame reply;
	fx_ok_reply(f, fx_send(f, &frame), FX_HOST_A, &reply);
	assert_int_equal(f->buf[14], 0x18);
}

/* ---- refused frames ---- */

/* Policy (docs §6): a version we do not speak gets E + error 5, in version 1. */
static void test_unsupported_version_gets_error_5_in_version_1(void **state)
{
	struct fx *f = *state;
	static const uint8_t versions[] = { 0, 2, 15 };
	static const uint8_t commands[] = { AOE_CMD_ATA, AOE_CMD_CONFIG, AOE_CMD_MASK, AOE_CMD_RESERVE };
	for (size_t v = 0; v < sizeof(versions); v++) {
		for (size_t c = 0; c < sizeof(commands); c++) {
			struct aoe_frame frame = fx_request(FX_HOST_A, commands[c]);
			frame.hdr.version = versions[v];
			if (commands[c] == AOE_CMD_ATA) {
				frame.arg.ata.command_status = ATA_CMD_IDENTIFY;
				frame.arg.ata.sector_count = 1;
			}
			size_t len = fx_put(f, &frame);
			assert_int_equal(f->buf[14] >> 4, versions[v]);
			len = fx_serve(f, len);
			fx_expect_aoe_error(f, len, FX_HOST_A, AOE_ERR_BAD_VERSION);
			assert_int_equal(f->buf[14] >> 4, AOE_VERSION);
			assert_int_equal(f->buf[19], commands[c]);
		}
	}
}

/* Commands 4-239 and vendor commands 240-255 get E + error 1. */
static void test_unknown_and_vendor_commands_get_error_1(void **state)
{
	struct fx *f = *state;
	static const uint8_t commands[] = { 4, 5, 0x7f, 0xef, 0xf0, 0xf7, 0xff };
	for (size_t i = 0; i < sizeof(commands); i++) {
		struct aoe_frame frame = fx_request(FX_HOST_A, commands[i]);
		frame.has_arg = false;
		size_t len = fx_send(f, &frame);
		fx_expect_aoe_error(f, len, FX_HOST_A, AOE_ERR_BAD_COMMAND);
		assert_int_equal(f->buf[19], commands[i]);
	}
	assert_int_equal(f->t.counters.aoe_errors, sizeof(commands));
}

static void test_frames_shorter_than_header_are_dropped(void **state)
{
	struct fx *f = *state;
	struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
	for (size_t len = 0; len < AOE_HDR_LEN; len++) {
		fx_put(f, &frame);
		assert_int_equal(fx_serve(f, len), 0);
	}
	assert_int_equal(f->t.counters.dropped_malformed, AOE_HDR_LEN);
	assert_int_equal(f->t.counters.frames_in, AOE_HDR_LEN);
	assert_int_equal(f->t.counters.frames_out, 0);
}

static void test_wrong_ethertype_is_dropped(void **state)
{
	struct fx *f = *state;
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x88a3, 0xa288, 0x0000 };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
		size_t len = fx_put(f, &frame);
		aoe_put16(f->buf + 12, types[i]);
		assert_int_equal(fx_serve(f, len), 0);
	}
	assert_int_equal(f->t.counters.dropped_malformed, sizeof(types) / sizeof(types[0]));
}

/* Policy (docs §6): shorter than the command's fixed argument: drop silently. */
static void test_frames_shorter_than_fixed_argument_are_dropped(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint8_t command;
		size_t fixed;
	} cases[] = {
		{ AOE_CMD_ATA, AOE_ATA_HDR_LEN },
		{ AOE_CMD_CONFIG, AOE_CFG_HDR_LEN },
		{ AOE_CMD_MASK, AOE_MASK_HDR_LEN },
		{ AOE_CMD_RESERVE, AOE_RSRV_HDR_LEN },
	};
	uint64_t dropped = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t len = AOE_HDR_LEN; len < cases[i].fixed; len++) {
			struct aoe_frame frame = fx_request(FX_HOST_A, cases[i].command);
			if (cases[i].command == AOE_CMD_ATA) {
				frame.arg.ata.command_status = ATA_CMD_IDENTIFY;
				frame.arg.ata.sector_count = 1;
			}
			fx_put(f, &frame);
			assert_int_equal(fx_serve(f, len), 0);
			dropped++;
		}
		/* The complete fixed argument is enough to get an answer. */
		struct aoe_frame frame = fx_request(FX_HOST_A, cases[i].command);
		if (cases[i].command == AOE_CMD_ATA)
			frame.arg.ata.command_status = ATA_CMD_CHECK_POWER_MODE;
		size_t full = fx_put(f, &frame);
		assert_int_equal(full, cases[i].fixed);
		assert_true(fx_serve(f, full) > 0);
	}
	assert_int_equal(f->t.counters.dropped_malformed, dropped);
	assert_int_equal(f->t.counters.frames_out, 4);
}

/* ---- announce ---- */

static void test_announce_is_an_unsolicited_config_reply(void **state)
{
	struct fx *f = *state;
	f->t.buffer_count = 32;
	size_t len = target_announce(&f->t, f->buf, FX_CAP, FX_PORT_MAC, FX_BROADCAST, FX_JUMBO_SECTORS);
	assert_int_equal(len, AOE_ETH_MIN_FRAME);
	struct aoe_frame reply;
	assert_int_equal(aoe_parse_response(f->buf, len, &reply), AOE_PARSE_OK);
	assert_memory_equal(reply.hdr.dst, FX_BROADCAST, AOE_MAC_LEN);
	assert_memory_equal(reply.hdr.src, FX_PORT_MAC, AOE_MAC_LEN);
	assert_int_equal(f->buf[14], 0x18); /* version 1, R, no E */
	assert_int_equal(reply.hdr.shelf, FX_SHELF);
	assert_int_equal(reply.hdr.slot, FX_SLOT);
	assert_int_equal(reply.hdr.command, AOE_CMD_CONFIG);
	assert_int_equal(reply.hdr.tag, 0);
	assert_int_equal(reply.arg.cfg.buffer_count, 32);
	assert_int_equal(reply.arg.cfg.firmware_version, TARGET_FIRMWARE_VERSION);
	assert_int_equal(reply.arg.cfg.sector_count, FX_JUMBO_SECTORS);
	assert_int_equal(f->buf[29], 0x10); /* AoE 1, CCmd 0 */
	assert_int_equal(reply.arg.cfg.config_len, 0);
	fx_assert_zero(f->buf, AOE_CFG_HDR_LEN, AOE_ETH_MIN_FRAME);

	/* Unicast to a mask-list host, carrying the config string. */
	static const char config[] = "an announce string longer than the padding";
	memcpy(f->t.config, config, sizeof(config) - 1);
	f->t.config_len = sizeof(config) - 1;
	len = target_announce(&f->t, f->buf, FX_CAP, FX_PORT_MAC, FX_HOST_B, FX_MAX_SECTORS);
	assert_int_equal(len, AOE_CFG_HDR_LEN + sizeof(config) - 1);
	assert_int_equal(aoe_parse_response(f->buf, len, &reply), AOE_PARSE_OK);
	assert_memory_equal(reply.hdr.dst, FX_HOST_B, AOE_MAC_LEN);
	assert_int_equal(reply.arg.cfg.sector_count, FX_MAX_SECTORS);
	assert_int_equal(reply.arg.cfg.config_len, sizeof(config) - 1);
	assert_memory_equal(reply.arg.cfg.config, config, sizeof(config) - 1);

	/* A buffer too small for the frame: nothing. */
	assert_int_equal(target_announce(&f->t, f->buf, AOE_CFG_HDR_LEN, FX_PORT_MAC, FX_HOST_B, 2), 0);
}

/* ---- counters ---- */

static void test_counters_follow_each_command(void **state)
{
	struct fx *f = *state;
	struct aoe_frame reply;
	fx_ok_reply(f, fx_config(f, FX_HOST_A, AOE_CCMD_READ, NULL, 0), FX_HOST_A, &reply);
	fx_ok_reply(f, fx_mask(f, FX_HOST_A, AOE_MCMD_READ, NULL, 0), FX_HOST_A, &reply);
	fx_ok_reply(f, fx_reserve(f, FX_HOST_A, AOE_RCMD_READ, NULL, 0), FX_HOST_A, &reply);
	fx_expect_ata(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, 0, NULL, 0), FX_HOST_A,
		      ATA_STATUS_DRDY, 0, &reply);
	fx_expect_ata(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, FX_SECTORS, NULL, 0),
		      FX_HOST_A, ATA_STATUS_DRDY | ATA_STATUS_ERR, ATA_ERROR_IDNF, &reply);
	struct aoe_frame frame = fx_request(FX_HOST_A, 9);
	frame.has_arg = false;
	fx_expect_aoe_error(f, fx_send(f, &frame), FX_HOST_A, AOE_ERR_BAD_COMMAND);
	/* Not for us. */
	frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
	frame.hdr.slot = FX_SLOT + 1;
	assert_int_equal(fx_send(f, &frame), 0);
	/* Too short. */
	assert_int_equal(fx_serve(f, 10), 0);

	const struct target_counters *c = &f->t.counters;
	assert_int_equal(c->frames_in, 8);
	assert_int_equal(c->frames_out, 6);
	assert_int_equal(c->per_command[AOE_CMD_ATA], 2);
	assert_int_equal(c->per_command[AOE_CMD_CONFIG], 1);
	assert_int_equal(c->per_command[AOE_CMD_MASK], 1);
	assert_int_equal(c->per_command[AOE_CMD_RESERVE], 1);
	assert_int_equal(c->aoe_errors, 1);
	assert_int_equal(c->ata_errors, 1);
	assert_int_equal(c->reads, 1);
	assert_int_equal(c->bytes_read, AOE_SECTOR_SIZE);
	assert_int_equal(c->dropped_not_ours, 1);
	assert_int_equal(c->dropped_malformed, 1);
	assert_int_equal(c->dropped_masked, 0);
	assert_int_equal(c->dropped_silent, 0);
}

/* ---- robustness ---- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

enum { FUZZ_FRAMES = 20000, FUZZ_MAX_LEN = 1600, FUZZ_CAP = 1600 };

static const uint8_t fuzz_opcodes[] = {
	ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT, ATA_CMD_WRITE_SECTORS, ATA_CMD_WRITE_SECTORS_EXT,
	ATA_CMD_IDENTIFY, ATA_CMD_CHECK_POWER_MODE, ATA_CMD_FLUSH_CACHE, ATA_CMD_FLUSH_CACHE_EXT,
};

/* Make a random frame plausible enough to reach the command handlers. */
static void fuzz_shape(uint8_t *frame, size_t len, uint64_t *rng)
{
	static const uint8_t *const hosts[] = { FX_HOST_A, FX_HOST_B, FX_HOST_C };
	uint64_t r = xorshift64(rng);
	if (len >= 6)
		memcpy(frame, r & 1 ? FX_PORT_MAC : FX_BROADCAST, AOE_MAC_LEN);
	if (len >= 12 && (r & 6) != 0)
		memcpy(frame + 6, hosts[(r >> 1) % 3], AOE_MAC_LEN);
	if (len >= 14)
		aoe_put16(frame + 12, AOE_ETHERTYPE);
	if (len >= 15)
		frame[14] = (uint8_t)(AOE_VERSION << 4 | ((r >> 3) & 0x07)); /* R clear */
	if (len >= 18)
		aoe_put16(frame + 16, (r >> 6) & 7 ? FX_SHELF : AOE_SHELF_BROADCAST);
	if (len >= 19)
		frame[18] = (r >> 9) & 7 ? FX_SLOT : AOE_SLOT_BROADCAST;
	if (len < 20)
		return;
	uint8_t command = (uint8_t)((r >> 12) & 3);
	frame[19] = command;
	bool plausible = (r >> 14) & 3; /* most of them get sane argument fields too */
	if (!plausible)
		return;
	switch (command) {
	case AOE_CMD_ATA:
		if (len >= AOE_ATA_HDR_LEN) {
			frame[26] = (uint8_t)((r >> 16) % 4);
			frame[27] = fuzz_opcodes[(r >> 20) % sizeof(fuzz_opcodes)];
			uint64_t lba = (r >> 24) % (FX_SECTORS + 4);
			memset(frame + 28, 0, 6);
			frame[28] = (uint8_t)lba;
		}
		break;
	case AOE_CMD_CONFIG:
		if (len >= AOE_CFG_HDR_LEN) {
			frame[29] = (uint8_t)((r >> 16) % 6);
			aoe_put16(frame + 30, (uint16_t)((r >> 20) % (len - AOE_CFG_HDR_LEN + 2)));
		}
		break;
	case AOE_CMD_MASK:
		if (len >= AOE_MASK_HDR_LEN) {
			unsigned count = (unsigned)((r >> 16) % 6);
			frame[25] = (uint8_t)((r >> 20) % 3);
			frame[27] = (uint8_t)count;
			for (unsigned i = 0; i < count; i++) {
				uint8_t *d = frame + AOE_MASK_HDR_LEN + i * AOE_DIRECTIVE_LEN;
				if (d + AOE_DIRECTIVE_LEN > frame + len)
					break;
				d[1] = (uint8_t)((r >> (24 + 2 * i)) & 3);
				memcpy(d + 2, hosts[(r >> (36 + 2 * i)) % 3], AOE_MAC_LEN);
			}
		}
		break;
	case AOE_CMD_RESERVE:
		if (len >= AOE_RSRV_HDR_LEN) {
			unsigned count = (unsigned)((r >> 20) % 4);
			frame[24] = (uint8_t)((r >> 16) % 4);
			frame[25] = (uint8_t)count;
			for (unsigned i = 0; i < count; i++) {
				uint8_t *m = frame + AOE_RSRV_HDR_LEN + i * AOE_MAC_LEN;
				if (m + AOE_MAC_LEN > frame + len)
					break;
				memcpy(m, hosts[(r >> (24 + 2 * i)) % 3], AOE_MAC_LEN);
			}
		}
		break;
	}
}

/* For the operator: every frame in was either answered or counted as dropped, once. */
static void assert_every_frame_accounted(const struct target_counters *c)
{
	assert_int_equal(c->frames_in, c->frames_out + c->dropped_malformed + c->dropped_not_ours +
					       c->dropped_masked + c->dropped_silent);
}

/*
 * 20000 random frames, half of them shaped to pass the header checks.  The
 * frame buffer is exactly FUZZ_CAP bytes on the heap and the memory disk
 * exactly 64 * 512 bytes, so ASan/valgrind catch any access outside either.
 * Every reply must be a well-formed response to that request, and a
 * successful read must return the disk's bytes.
 */
static void test_random_frames_get_sane_replies_or_none(void **state)
{
	struct fx *f = *state;
	uint8_t *frame = malloc(FUZZ_CAP);
	uint8_t *sent = malloc(FUZZ_CAP);
	assert_non_null(frame);
	assert_non_null(sent);
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	uint64_t replies = 0, deep = 0;
	for (unsigned n = 0; n < FUZZ_FRAMES; n++) {
		/* Start over now and then so a random mask list cannot lock everybody out. */
		if (n % 31 == 0) {
			assert_every_frame_accounted(&f->t.counters);
			target_init(&f->t, FX_SHELF, FX_SLOT, FX_SECTORS, false, "fuzz");
		}
		size_t len = (size_t)(xorshift64(&rng) % (FUZZ_MAX_LEN + 1));
		for (size_t i = 0; i < len; i += 8) {
			uint64_t r = xorshift64(&rng);
			for (size_t j = i; j < len && j < i + 8; j++)
				frame[j] = (uint8_t)(r >> (8 * (j - i)));
		}
		if (xorshift64(&rng) & 1)
			fuzz_shape(frame, len, &rng);
		memcpy(sent, frame, len);

		struct target_request req = {
			.frame = frame,
			.len = len,
			.cap = FUZZ_CAP,
			.port_mac = FX_PORT_MAC,
			.port_max_sectors = (unsigned)(xorshift64(&rng) % 5),
		};
		size_t reply_len = target_serve(&f->t, &f->disk, &req);
		if (reply_len == 0)
			continue;
		replies++;
		assert_in_range(reply_len, AOE_ETH_MIN_FRAME, FUZZ_CAP);

		struct aoe_frame reply;
		assert_int_equal(aoe_parse_response(frame, reply_len, &reply), AOE_PARSE_OK);
		assert_int_equal(reply.hdr.version, AOE_VERSION);
		assert_int_equal(frame[14] & 0x0b, AOE_FLAG_RESPONSE);
		assert_int_equal(reply.hdr.shelf, FX_SHELF);
		assert_int_equal(reply.hdr.slot, FX_SLOT);
		assert_memory_equal(frame, sent + 6, AOE_MAC_LEN);
		assert_memory_equal(frame + 6, FX_PORT_MAC, AOE_MAC_LEN);
		assert_memory_equal(frame + 19, sent + 19, 5); /* command and tag */

		if (reply.hdr.command == AOE_CMD_ATA && !(reply.hdr.flags & AOE_FLAG_ERROR) &&
		    reply.arg.ata.command_status == ATA_STATUS_DRDY &&
		    (sent[27] == ATA_CMD_READ_SECTORS || sent[27] == ATA_CMD_READ_SECTORS_EXT) &&
		    sent[26] > 0) {
			uint64_t lba = reply.arg.ata.lba;
			if (sent[27] == ATA_CMD_READ_SECTORS)
				lba &= ATA_LBA28_MAX;
			size_t bytes = (size_t)sent[26] * AOE_SECTOR_SIZE;
			assert_int_equal(reply_len, AOE_ATA_HDR_LEN + bytes);
			assert_true(lba + sent[26] <= FX_SECTORS);
			assert_memory_equal(frame + AOE_ATA_HDR_LEN, f->disk.memory + lba * AOE_SECTOR_SIZE,
					    bytes);
			deep++;
		}
	}
	assert_every_frame_accounted(&f->t.counters);
	print_message("   %llu replies, %llu successful reads checked\n", (unsigned long long)replies,
		      (unsigned long long)deep);
	/* The run must really have reached the command handlers. */
	assert_true(replies > FUZZ_FRAMES / 10);
	assert_true(deep > 100);
	free(sent);
	free(frame);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_addressing_wildcards_and_macs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_frame_with_response_flag_is_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reply_header_wire_bytes_and_tag_echo, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_linux_discovery_query_is_answered, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_short_replies_are_zero_padded_to_60, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_error_flag_in_request_is_not_reflected, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_version_gets_error_5_in_version_1, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_vendor_commands_get_error_1, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_frames_shorter_than_header_are_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_ethertype_is_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_frames_shorter_than_fixed_argument_are_dropped, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_announce_is_an_unsolicited_config_reply, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_counters_follow_each_command, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_random_frames_get_sane_replies_or_none, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
