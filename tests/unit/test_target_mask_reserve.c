/*
 * test_target_mask_reserve.c - MAC Mask List (command 2) and Reserve/Release
 * (command 3) in the aoe-target request handler, against
 * docs/aoe-protocol.md §4 and §5, including how each restricts other hosts.
 */
#include "target_fixture.h"

#include <stdio.h>

/* ---- MAC Mask List ---- */

/*
 * A successful mask reply: MError 0, the whole list as DCmd 0 directives,
 * Dir Count = list length.  The protocol gives the list no order, so each
 * expected MAC must appear exactly once, in any position.
 */
static void expect_mask_list(struct fx *f, size_t len, const uint8_t *requester, uint8_t mcmd,
			     const uint8_t *const *expected, unsigned count)
{
	struct aoe_frame reply;
	assert_true(len > 0);
	fx_ok_reply(f, len, requester, &reply);
	assert_int_equal(reply.hdr.command, AOE_CMD_MASK);
	assert_int_equal(reply.arg.mask.mcmd, mcmd);
	assert_int_equal(reply.arg.mask.merror, 0);
	assert_int_equal(reply.arg.mask.dir_count, count);
	assert_int_equal(f->buf[24], 0);
	assert_int_equal(f->buf[25], mcmd);
	assert_int_equal(f->buf[26], 0);
	assert_int_equal(f->buf[27], count);
	size_t expected_len = AOE_MASK_HDR_LEN + count * AOE_DIRECTIVE_LEN;
	assert_int_equal(len, expected_len < AOE_ETH_MIN_FRAME ? AOE_ETH_MIN_FRAME : expected_len);
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *d = f->buf + AOE_MASK_HDR_LEN + i * AOE_DIRECTIVE_LEN;
		assert_int_equal(d[0], 0);
		assert_int_equal(d[1], AOE_DCMD_NONE);
	}
	for (unsigned e = 0; e < count; e++) {
		unsigned seen = 0;
		for (unsigned i = 0; i < count; i++)
			seen += memcmp(f->buf + AOE_MASK_HDR_LEN + i * AOE_DIRECTIVE_LEN + 2, expected[e],
				       AOE_MAC_LEN) == 0;
		assert_int_equal(seen, 1);
	}
	assert_int_equal(f->t.mask_count, count);
}

/* An edit that failed: MError and the failing index, no E flag (as vblade and ggaoed). */
static void expect_mask_error(struct fx *f, size_t len, uint8_t merror, uint8_t index)
{
	struct aoe_frame reply;
	assert_true(len > 0);
	fx_ok_reply(f, len, FX_HOST_A, &reply);
	assert_int_equal(reply.arg.mask.mcmd, AOE_MCMD_EDIT);
	assert_int_equal(reply.arg.mask.merror, merror);
	assert_int_equal(reply.arg.mask.dir_count, index);
	assert_int_equal(f->buf[26], merror);
	assert_int_equal(f->buf[27], index);
}

/* A distinct MAC per index, none of them one of the fixture's hosts. */
static void numbered_mac(uint8_t mac[AOE_MAC_LEN], unsigned n)
{
	static const uint8_t base[AOE_MAC_LEN] = { 0x06, 0x10, 0x20, 0x30, 0x00, 0x00 };
	memcpy(mac, base, AOE_MAC_LEN);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void test_mask_read_empty_list(void **state)
{
	struct fx *f = *state;
	size_t len = fx_mask(f, FX_HOST_A, AOE_MCMD_READ, NULL, 0);
	expect_mask_list(f, len, FX_HOST_A, AOE_MCMD_READ, NULL, 0);
	fx_assert_zero(f->buf, AOE_MASK_HDR_LEN, AOE_ETH_MIN_FRAME);
}

static void test_mask_add_one_then_two(void **state)
{
	struct fx *f = *state;
	const struct fx_directive add_a[] = { { AOE_DCMD_ADD, FX_HOST_A } };
	const uint8_t *const one[] = { FX_HOST_A };
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, add_a, 1), FX_HOST_A, AOE_MCMD_EDIT, one, 1);
	assert_true(f->t.state_changed);

	const struct fx_directive add_b[] = { { AOE_DCMD_ADD, FX_HOST_B } };
	const uint8_t *const two[] = { FX_HOST_A, FX_HOST_B };
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, add_b, 1), FX_HOST_A, AOE_MCMD_EDIT, two, 2);
	/* A read returns the same list. */
	expect_mask_list(f, fx_mask(f, FX_HOST_B, AOE_MCMD_READ, NULL, 0), FX_HOST_B, AOE_MCMD_READ, two, 2);
}

/* Adding a MAC already present is not an error and does not duplicate it. */
static void test_mask_add_existing_is_not_duplicated(void **state)
{
	struct fx *f = *state;
	const struct fx_directive dirs[] = {
		{ AOE_DCMD_ADD, FX_HOST_A }, { AOE_DCMD_ADD, FX_HOST_B }, { AOE_DCMD_ADD, FX_HOST_A },
	};
	const uint8_t *const list[] = { FX_HOST_A, FX_HOST_B };
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, dirs, 3), FX_HOST_A, AOE_MCMD_EDIT, list, 2);
	f->t.state_changed = false;
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, dirs, 1), FX_HOST_A, AOE_MCMD_EDIT, list, 2);
	assert_false(f->t.state_changed);
}

/* Deleting a present MAC removes only it; deleting an absent one is no error. */
static void test_mask_delete_present_and_absent(void **state)
{
	struct fx *f = *state;
	const struct fx_directive add[] = {
		{ AOE_DCMD_ADD, FX_HOST_A }, { AOE_DCMD_ADD, FX_HOST_B }, { AOE_DCMD_ADD, FX_HOST_C },
	};
	fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, add, 3);
	assert_int_equal(f->t.mask_count, 3);

	const struct fx_directive del_b[] = { { AOE_DCMD_DELETE, FX_HOST_B } };
	const uint8_t *const a_c[] = { FX_HOST_A, FX_HOST_C };
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, del_b, 1), FX_HOST_A, AOE_MCMD_EDIT, a_c, 2);
	/* B is absent now: deleting it again is fine and changes nothing. */
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, del_b, 1), FX_HOST_A, AOE_MCMD_EDIT, a_c, 2);
	/* Deleting the last entry. */
	const struct fx_directive del_c[] = { { AOE_DCMD_DELETE, FX_HOST_C } };
	const uint8_t *const a[] = { FX_HOST_A };
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, del_c, 1), FX_HOST_A, AOE_MCMD_EDIT, a, 1);
}

static void test_mask_dcmd_none_is_skipped(void **state)
{
	struct fx *f = *state;
	const struct fx_directive dirs[] = {
		{ AOE_DCMD_NONE, FX_HOST_C }, { AOE_DCMD_ADD, FX_HOST_A }, { AOE_DCMD_NONE, FX_HOST_B },
	};
	const uint8_t *const list[] = { FX_HOST_A };
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, dirs, 3), FX_HOST_A, AOE_MCMD_EDIT, list, 1);
}

/* A bad DCmd stops the edit at its index; earlier directives stay applied. */
static void test_mask_bad_dcmd_reports_index_and_keeps_earlier(void **state)
{
	struct fx *f = *state;
	static const uint8_t bad_dcmds[] = { 3, 0x80, 0xff };
	for (size_t i = 0; i < sizeof(bad_dcmds); i++) {
		f->t.mask_count = 0;
		const struct fx_directive dirs[] = {
			{ AOE_DCMD_ADD, FX_HOST_A },
			{ AOE_DCMD_ADD, FX_HOST_B },
			{ bad_dcmds[i], FX_HOST_C },
			{ AOE_DCMD_DELETE, FX_HOST_A }, /* never reached */
		};
		size_t len = fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, dirs, 4);
		expect_mask_error(f, len, AOE_MERROR_BAD_DCMD, 2);
		assert_int_equal(f->t.mask_count, 2);
		assert_true(target_mask_allows(&f->t, FX_HOST_A));
		assert_true(target_mask_allows(&f->t, FX_HOST_B));
		assert_false(target_mask_allows(&f->t, FX_HOST_C));
	}
}

/* The list holds 32 (as vblade): the 33rd add fails with MError 3 at its index. */
static void test_mask_full_reports_index(void **state)
{
	struct fx *f = *state;
	uint8_t macs[TARGET_MASK_MAX + 2][AOE_MAC_LEN];
	struct fx_directive dirs[TARGET_MASK_MAX + 2];
	memcpy(macs[0], FX_HOST_A, AOE_MAC_LEN); /* keep our own access */
	for (unsigned i = 1; i < TARGET_MASK_MAX + 2; i++)
		numbered_mac(macs[i], i);
	for (unsigned i = 0; i < TARGET_MASK_MAX + 2; i++) {
		dirs[i].dcmd = AOE_DCMD_ADD;
		dirs[i].mac = macs[i];
	}
	size_t len = fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, dirs, TARGET_MASK_MAX + 2);
	expect_mask_error(f, len, AOE_MERROR_FULL, TARGET_MASK_MAX);
	assert_int_equal(f->t.mask_count, TARGET_MASK_MAX);
	assert_true(target_mask_allows(&f->t, macs[TARGET_MASK_MAX - 1]));
	assert_false(target_mask_allows(&f->t, macs[TARGET_MASK_MAX]));

	/* Full list: re-adding a present MAC still succeeds, a new one fails at index 2. */
	const struct fx_directive again[] = {
		{ AOE_DCMD_ADD, macs[5] }, { AOE_DCMD_NONE, macs[TARGET_MASK_MAX] },
		{ AOE_DCMD_ADD, macs[TARGET_MASK_MAX + 1] },
	};
	expect_mask_error(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, again, 3), AOE_MERROR_FULL, 2);
	/* After a delete there is room again. */
	const struct fx_directive swap[] = {
		{ AOE_DCMD_DELETE, macs[5] }, { AOE_DCMD_ADD, macs[TARGET_MASK_MAX] },
	};
	len = fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, swap, 2);
	struct aoe_frame reply;
	fx_ok_reply(f, len, FX_HOST_A, &reply);
	assert_int_equal(reply.arg.mask.merror, 0);
	assert_int_equal(reply.arg.mask.dir_count, TARGET_MASK_MAX);
	assert_int_equal(len, AOE_MASK_HDR_LEN + TARGET_MASK_MAX * AOE_DIRECTIVE_LEN);
}

static void test_mask_unknown_mcmd_is_bad_argument(void **state)
{
	struct fx *f = *state;
	static const uint8_t mcmds[] = { 2, 3, 0x7f, 0xff };
	const struct fx_directive dirs[] = { { AOE_DCMD_ADD, FX_HOST_B } };
	for (size_t i = 0; i < sizeof(mcmds); i++)
		fx_expect_aoe_error(f, fx_mask(f, FX_HOST_A, mcmds[i], dirs, 1), FX_HOST_A, AOE_ERR_BAD_ARG);
	assert_int_equal(f->t.mask_count, 0);
}

/* Dir Count larger than the directives present: E + error 2, nothing applied. */
static void test_mask_dir_count_past_frame_is_bad_argument(void **state)
{
	struct fx *f = *state;
	const struct fx_directive dirs[] = { { AOE_DCMD_ADD, FX_HOST_A } };
	struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_MASK);
	uint8_t wire[AOE_DIRECTIVE_LEN];
	aoe_directive_put(wire, dirs[0].dcmd, dirs[0].mac);
	frame.arg.mask.mcmd = AOE_MCMD_EDIT;
	frame.arg.mask.dir_count = 1;
	frame.arg.mask.directives = wire;
	size_t len = fx_put(f, &frame);
	f->buf[27] = 2;
	fx_expect_aoe_error(f, fx_serve(f, len), FX_HOST_A, AOE_ERR_BAD_ARG);
	assert_int_equal(f->t.mask_count, 0);
	/* A read that claims directives it does not carry is refused the same way. */
	frame.arg.mask.mcmd = AOE_MCMD_READ;
	len = fx_put(f, &frame);
	f->buf[27] = 5;
	fx_expect_aoe_error(f, fx_serve(f, len), FX_HOST_A, AOE_ERR_BAD_ARG);
}

/* Send one request of each command from src; returns how many were answered. */
static unsigned answered_commands(struct fx *f, const uint8_t *src)
{
	unsigned answered = 0;
	answered += fx_config(f, src, AOE_CCMD_READ, NULL, 0) > 0;
	answered += fx_mask(f, src, AOE_MCMD_READ, NULL, 0) > 0;
	answered += fx_reserve(f, src, AOE_RCMD_READ, NULL, 0) > 0;
	answered += fx_ata(f, src, 0, ATA_CMD_IDENTIFY, 1, 0, NULL, 0) > 0;
	answered += fx_ata(f, src, 0, ATA_CMD_READ_SECTORS, 1, 0, NULL, 0) > 0;
	answered += fx_ata(f, src, 0, ATA_CMD_CHECK_POWER_MODE, 0, 0, NULL, 0) > 0;
	/* Broadcast discovery too: the target must stay invisible. */
	struct aoe_frame frame = fx_request(src, AOE_CMD_CONFIG);
	memcpy(frame.hdr.dst, FX_BROADCAST, AOE_MAC_LEN);
	frame.hdr.shelf = AOE_SHELF_BROADCAST;
	frame.hdr.slot = AOE_SLOT_BROADCAST;
	answered += fx_send(f, &frame) > 0;
	return answered;
}

enum { COMMANDS_TRIED = 7 };

/* A non-empty list hides the target entirely from unlisted hosts (docs §4.2). */
static void test_mask_enforced_on_every_command(void **state)
{
	struct fx *f = *state;
	/* Empty list: everybody is served. */
	assert_int_equal(answered_commands(f, FX_HOST_B), COMMANDS_TRIED);

	const struct fx_directive add_a[] = { { AOE_DCMD_ADD, FX_HOST_A } };
	fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, add_a, 1);
	uint64_t masked = f->t.counters.dropped_masked;
	assert_int_equal(answered_commands(f, FX_HOST_B), 0);
	assert_int_equal(f->t.counters.dropped_masked, masked + COMMANDS_TRIED);
	assert_int_equal(answered_commands(f, FX_HOST_A), COMMANDS_TRIED);
	/* An unlisted host cannot edit the list either. */
	const struct fx_directive clear_a[] = { { AOE_DCMD_DELETE, FX_HOST_A } };
	assert_int_equal(fx_mask(f, FX_HOST_B, AOE_MCMD_EDIT, clear_a, 1), 0);
	assert_int_equal(f->t.mask_count, 1);
	/* Nor write to the disk. */
	uint8_t data[AOE_SECTOR_SIZE];
	memset(data, 0x5a, sizeof(data));
	assert_int_equal(fx_ata(f, FX_HOST_B, 0, ATA_CMD_WRITE_SECTORS, 1, 0, data, sizeof(data)), 0);
	fx_assert_disk_untouched(f);
}

/* A host that deletes itself gets the reply to that edit, then loses access. */
static void test_mask_host_deleting_itself_loses_access(void **state)
{
	struct fx *f = *state;
	const struct fx_directive add[] = { { AOE_DCMD_ADD, FX_HOST_A }, { AOE_DCMD_ADD, FX_HOST_B } };
	fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, add, 2);
	const struct fx_directive del_a[] = { { AOE_DCMD_DELETE, FX_HOST_A } };
	const uint8_t *const b[] = { FX_HOST_B };
	expect_mask_list(f, fx_mask(f, FX_HOST_A, AOE_MCMD_EDIT, del_a, 1), FX_HOST_A, AOE_MCMD_EDIT, b, 1);
	assert_int_equal(answered_commands(f, FX_HOST_A), 0);
	assert_int_equal(answered_commands(f, FX_HOST_B), COMMANDS_TRIED);
	/* B empties the list: everybody is back. */
	const struct fx_directive del_b[] = { { AOE_DCMD_DELETE, FX_HOST_B } };
	expect_mask_list(f, fx_mask(f, FX_HOST_B, AOE_MCMD_EDIT, del_b, 1), FX_HOST_B, AOE_MCMD_EDIT, NULL, 0);
	assert_int_equal(answered_commands(f, FX_HOST_C), COMMANDS_TRIED);
}

/* ---- Reserve/Release ---- */

static void expect_reserve_list(struct fx *f, size_t len, const uint8_t *requester, uint8_t rcmd,
				const uint8_t *const *expected, unsigned count)
{
	struct aoe_frame reply;
	assert_true(len > 0);
	fx_ok_reply(f, len, requester, &reply);
	assert_int_equal(reply.hdr.command, AOE_CMD_RESERVE);
	assert_int_equal(reply.arg.rsrv.rcmd, rcmd);
	assert_int_equal(reply.arg.rsrv.mac_count, count);
	assert_int_equal(f->buf[24], rcmd);
	assert_int_equal(f->buf[25], count);
	size_t expected_len = AOE_RSRV_HDR_LEN + count * AOE_MAC_LEN;
	assert_int_equal(len, expected_len < AOE_ETH_MIN_FRAME ? AOE_ETH_MIN_FRAME : expected_len);
	for (unsigned i = 0; i < count; i++)
		assert_memory_equal(f->buf + AOE_RSRV_HDR_LEN + i * AOE_MAC_LEN, expected[i], AOE_MAC_LEN);
	assert_int_equal(f->t.reserve_count, count);
}

static void test_reserve_read_empty(void **state)
{
	struct fx *f = *state;
	expect_reserve_list(f, fx_reserve(f, FX_HOST_A, AOE_RCMD_READ, NULL, 0), FX_HOST_A, AOE_RCMD_READ,
			    NULL, 0);
	fx_assert_zero(f->buf, AOE_RSRV_HDR_LEN, AOE_ETH_MIN_FRAME);
	assert_false(f->t.state_changed);
}

/* Read ignores the MACs a request carries. */
static void test_reserve_read_ignores_request_macs(void **state)
{
	struct fx *f = *state;
	const uint8_t *const a[] = { FX_HOST_A };
	const uint8_t *const bc[] = { FX_HOST_B, FX_HOST_C };
	fx_reserve(f, FX_HOST_A, AOE_RCMD_SET, a, 1);
	expect_reserve_list(f, fx_reserve(f, FX_HOST_B, AOE_RCMD_READ, bc, 2), FX_HOST_B, AOE_RCMD_READ, a, 1);
}

static void test_reserve_set_by_listed_and_unlisted_hosts(void **state)
{
	struct fx *f = *state;
	const uint8_t *const a[] = { FX_HOST_A };
	const uint8_t *const ab[] = { FX_HOST_A, FX_HOST_B };
	const uint8_t *const c[] = { FX_HOST_C };

	/* Unreserved: anyone may set. */
	expect_reserve_list(f, fx_reserve(f, FX_HOST_A, AOE_RCMD_SET, a, 1), FX_HOST_A, AOE_RCMD_SET, a, 1);
	assert_true(f->t.state_changed);
	/* A listed host may change it. */
	expect_reserve_list(f, fx_reserve(f, FX_HOST_A, AOE_RCMD_SET, ab, 2), FX_HOST_A, AOE_RCMD_SET, ab, 2);
	/* An unlisted host may not: E + error 6, the list stays. */
	f->t.state_changed = false;
	fx_expect_aoe_error(f, fx_reserve(f, FX_HOST_C, AOE_RCMD_SET, c, 1), FX_HOST_C, AOE_ERR_RESERVED);
	assert_int_equal(f->t.reserve_count, 2);
	assert_memory_equal(f->t.reserve[1], FX_HOST_B, AOE_MAC_LEN);
	assert_false(f->t.state_changed);
	/* B was added by A, so B may now change it. */
	expect_reserve_list(f, fx_reserve(f, FX_HOST_B, AOE_RCMD_SET, c, 1), FX_HOST_B, AOE_RCMD_SET, c, 1);
}

/* Force set is the "break the reservation" path: anyone, unconditionally. */
static void test_reserve_force_set_by_anyone(void **state)
{
	struct fx *f = *state;
	const uint8_t *const a[] = { FX_HOST_A };
	const uint8_t *const c[] = { FX_HOST_C };
	fx_reserve(f, FX_HOST_A, AOE_RCMD_SET, a, 1);
	f->t.state_changed = false;
	expect_reserve_list(f, fx_reserve(f, FX_HOST_C, AOE_RCMD_FORCE_SET, c, 1), FX_HOST_C,
			    AOE_RCMD_FORCE_SET, c, 1);
	assert_true(f->t.state_changed);
	expect_reserve_list(f, fx_reserve(f, FX_HOST_B, AOE_RCMD_FORCE_SET, NULL, 0), FX_HOST_B,
			    AOE_RCMD_FORCE_SET, NULL, 0);
}

/* Release = set with no MACs, by a listed host; an unlisted host cannot release. */
static void test_reserve_release_is_set_with_no_macs(void **state)
{
	struct fx *f = *state;
	const uint8_t *const a[] = { FX_HOST_A };
	fx_reserve(f, FX_HOST_A, AOE_RCMD_SET, a, 1);
	fx_expect_aoe_error(f, fx_reserve(f, FX_HOST_B, AOE_RCMD_SET, NULL, 0), FX_HOST_B, AOE_ERR_RESERVED);
	assert_int_equal(f->t.reserve_count, 1);
	expect_reserve_list(f, fx_reserve(f, FX_HOST_A, AOE_RCMD_SET, NULL, 0), FX_HOST_A, AOE_RCMD_SET, NULL, 0);
	/* Released: B can read and write again. */
	uint8_t data[AOE_SECTOR_SIZE];
	memset(data, 0x3c, sizeof(data));
	struct aoe_frame reply;
	fx_expect_ata(f, fx_ata(f, FX_HOST_B, 0, ATA_CMD_WRITE_SECTORS, 1, 9, data, sizeof(data)), FX_HOST_B,
		      ATA_STATUS_DRDY, 0, &reply);
	assert_memory_equal(f->disk.memory + 9 * AOE_SECTOR_SIZE, data, sizeof(data));
}

/* The list holds 255 MACs (NMacs is one byte); the reply carries them all. */
static void test_reserve_255_macs(void **state)
{
	struct fx *f = *state;
	static uint8_t macs[AOE_RESERVE_MAX_MACS][AOE_MAC_LEN];
	const uint8_t *list[AOE_RESERVE_MAX_MACS];
	for (unsigned i = 0; i < AOE_RESERVE_MAX_MACS; i++) {
		numbered_mac(macs[i], i);
		list[i] = macs[i];
	}
	expect_reserve_list(f, fx_reserve(f, FX_HOST_A, AOE_RCMD_FORCE_SET, list, AOE_RESERVE_MAX_MACS),
			    FX_HOST_A, AOE_RCMD_FORCE_SET, list, AOE_RESERVE_MAX_MACS);
}

static void test_reserve_unknown_rcmd_is_bad_argument(void **state)
{
	struct fx *f = *state;
	static const uint8_t rcmds[] = { 3, 4, 0x80, 0xff };
	const uint8_t *const a[] = { FX_HOST_A };
	for (size_t i = 0; i < sizeof(rcmds); i++)
		fx_expect_aoe_error(f, fx_reserve(f, FX_HOST_A, rcmds[i], a, 1), FX_HOST_A, AOE_ERR_BAD_ARG);
	assert_int_equal(f->t.reserve_count, 0);
	assert_false(f->t.state_changed);
}

/* NMacs larger than the MACs present: E + error 2, nothing stored. */
static void test_reserve_mac_count_past_frame_is_bad_argument(void **state)
{
	struct fx *f = *state;
	static const uint8_t rcmds[] = { AOE_RCMD_READ, AOE_RCMD_SET, AOE_RCMD_FORCE_SET };
	const uint8_t *const a[] = { FX_HOST_A };
	for (size_t i = 0; i < sizeof(rcmds); i++) {
		struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_RESERVE);
		frame.arg.rsrv.rcmd = rcmds[i];
		frame.arg.rsrv.mac_count = 1;
		frame.arg.rsrv.macs = a[0];
		size_t len = fx_put(f, &frame);
		f->buf[25] = 2;
		fx_expect_aoe_error(f, fx_serve(f, len), FX_HOST_A, AOE_ERR_BAD_ARG);
		/* 255 claimed, none present. */
		fx_put(f, &frame);
		f->buf[25] = 0xff;
		fx_expect_aoe_error(f, fx_serve(f, AOE_RSRV_HDR_LEN), FX_HOST_A, AOE_ERR_BAD_ARG);
	}
	assert_int_equal(f->t.reserve_count, 0);
}

/*
 * While reserved by A (docs §5.2): READ/WRITE from others get E + error 6 and
 * the disk is untouched; IDENTIFY, Query Config and MAC Mask stay open to them.
 */
static void test_reservation_blocks_only_read_write_from_others(void **state)
{
	struct fx *f = *state;
	const uint8_t *const a[] = { FX_HOST_A };
	fx_reserve(f, FX_HOST_A, AOE_RCMD_SET, a, 1);
	uint8_t data[2 * AOE_SECTOR_SIZE];
	memset(data, 0xc3, sizeof(data));

	static const struct {
		uint8_t aflags, opcode;
		bool write;
	} blocked[] = {
		{ 0, ATA_CMD_READ_SECTORS, false },
		{ AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, false },
		{ AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, true },
		{ AOE_AFLAG_EXT | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, true },
	};
	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
		size_t len = fx_ata(f, FX_HOST_B, blocked[i].aflags, blocked[i].opcode, 2, 4,
				    blocked[i].write ? data : NULL, blocked[i].write ? sizeof(data) : 0);
		fx_expect_aoe_error(f, len, FX_HOST_B, AOE_ERR_RESERVED);
		assert_int_equal(len, AOE_ETH_MIN_FRAME); /* no data in a refusal */
	}
	fx_assert_disk_untouched(f);

	/* IDENTIFY still answered, so an unreserved host can learn the capacity. */
	struct aoe_frame reply;
	size_t len = fx_ata(f, FX_HOST_B, 0, ATA_CMD_IDENTIFY, 1, 0, NULL, 0);
	fx_expect_ata(f, len, FX_HOST_B, ATA_STATUS_DRDY, 0, &reply);
	assert_int_equal(len, AOE_ATA_HDR_LEN + ATA_IDENTIFY_LEN);
	/* Query Config and MAC Mask are not affected by reservation. */
	fx_ok_reply(f, fx_config(f, FX_HOST_B, AOE_CCMD_READ, NULL, 0), FX_HOST_B, &reply);
	fx_ok_reply(f, fx_mask(f, FX_HOST_B, AOE_MCMD_READ, NULL, 0), FX_HOST_B, &reply);
	fx_ok_reply(f, fx_reserve(f, FX_HOST_B, AOE_RCMD_READ, NULL, 0), FX_HOST_B, &reply);

	/* The holder reads and writes as usual. */
	fx_expect_ata(f, fx_ata(f, FX_HOST_A, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 2, 4, data, sizeof(data)),
		      FX_HOST_A, ATA_STATUS_DRDY, 0, &reply);
	assert_memory_equal(f->disk.memory + 4 * AOE_SECTOR_SIZE, data, sizeof(data));
	len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 2, 4, NULL, 0);
	fx_expect_ata(f, len, FX_HOST_A, ATA_STATUS_DRDY, 0, &reply);
	assert_memory_equal(f->buf + AOE_ATA_HDR_LEN, data, sizeof(data));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mask_read_empty_list, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_add_one_then_two, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_add_existing_is_not_duplicated, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_delete_present_and_absent, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_dcmd_none_is_skipped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_bad_dcmd_reports_index_and_keeps_earlier, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_full_reports_index, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_unknown_mcmd_is_bad_argument, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_dir_count_past_frame_is_bad_argument, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_enforced_on_every_command, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_host_deleting_itself_loses_access, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_read_empty, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_read_ignores_request_macs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_set_by_listed_and_unlisted_hosts, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_force_set_by_anyone, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_release_is_set_with_no_macs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_255_macs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_unknown_rcmd_is_bad_argument, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_mac_count_past_frame_is_bad_argument, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_reservation_blocks_only_read_write_from_others, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
