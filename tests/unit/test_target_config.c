/*
 * test_target_config.c - Query Config (AoE command 1) in the aoe-target
 * request handler, against docs/aoe-protocol.md §3: read, test, test prefix,
 * set, force set, undefined CCmds and bad lengths.
 */
#include "target_fixture.h"

/* Check a successful config reply: fields from the target, CCmd echoed, the current string. */
static void expect_config_reply_to(struct fx *f, size_t len, const uint8_t *requester, uint8_t ccmd,
				   const char *current)
{
	struct aoe_frame reply;
	assert_true(len > 0);
	fx_ok_reply(f, len, requester, &reply);
	assert_int_equal(reply.hdr.command, AOE_CMD_CONFIG);
	assert_int_equal(reply.arg.cfg.ccmd, ccmd);
	assert_int_equal(reply.arg.cfg.aoe_version, AOE_VERSION);
	assert_int_equal(reply.arg.cfg.config_len, strlen(current));
	assert_memory_equal(reply.arg.cfg.config, current, strlen(current));
	size_t expected = AOE_CFG_HDR_LEN + strlen(current);
	assert_int_equal(len, expected < AOE_ETH_MIN_FRAME ? AOE_ETH_MIN_FRAME : expected);
}

static void expect_config_reply(struct fx *f, size_t len, uint8_t ccmd, const char *current)
{
	expect_config_reply_to(f, len, FX_HOST_A, ccmd, current);
}

/* ---- CCmd 0: read ---- */

static void test_config_read_reports_target_parameters(void **state)
{
	struct fx *f = *state;
	f->t.buffer_count = 0x0102;     /* two distinct bytes: byte order shows */
	f->t.firmware_version = 0x4019;
	static const unsigned max_sectors[] = { FX_MAX_SECTORS, FX_JUMBO_SECTORS };
	for (size_t i = 0; i < 2; i++) {
		f->max_sectors = max_sectors[i];
		size_t len = fx_config(f, FX_HOST_A, AOE_CCMD_READ, NULL, 0);
		struct aoe_frame reply;
		fx_ok_reply(f, len, FX_HOST_A, &reply);
		assert_int_equal(reply.arg.cfg.buffer_count, 0x0102);
		assert_int_equal(reply.arg.cfg.firmware_version, 0x4019);
		assert_int_equal(reply.arg.cfg.sector_count, max_sectors[i]);
		assert_int_equal(f->buf[24], 0x01);
		assert_int_equal(f->buf[25], 0x02);
		assert_int_equal(f->buf[26], 0x40);
		assert_int_equal(f->buf[27], 0x19);
		assert_int_equal(f->buf[28], max_sectors[i]);
		assert_int_equal(f->buf[29], 0x10); /* AoE 1, CCmd 0 */
		assert_int_equal(f->buf[30], 0);
		assert_int_equal(f->buf[31], 0);
	}
}

/* The default buffer count is what the Linux driver needs to open a window (≥ 2). */
static void test_config_read_default_buffer_count(void **state)
{
	struct fx *f = *state;
	struct aoe_frame reply;
	fx_ok_reply(f, fx_config(f, FX_HOST_A, AOE_CCMD_READ, NULL, 0), FX_HOST_A, &reply);
	assert_int_equal(reply.arg.cfg.buffer_count, TARGET_DEFAULT_BUFFER_COUNT);
	assert_int_equal(reply.arg.cfg.firmware_version, TARGET_FIRMWARE_VERSION);
}

/* aoeping sends CCmd 0 with 1024 bytes of 0xED: the argument is ignored, the reply has ours. */
static void test_config_read_ignores_argument_and_returns_current(void **state)
{
	struct fx *f = *state;
	fx_set_config(f, "current");
	f->t.state_changed = false;
	uint8_t filler[AOE_CONFIG_MAX];
	memset(filler, 0xed, sizeof(filler));
	size_t len = fx_config(f, FX_HOST_A, AOE_CCMD_READ, filler, sizeof(filler));
	expect_config_reply(f, len, AOE_CCMD_READ, "current");
	assert_int_equal(f->buf[31], 7);
	assert_memory_equal(f->buf + AOE_CFG_HDR_LEN, "current", 7);
	assert_int_equal(f->t.config_len, 7);
	assert_false(f->t.state_changed);
}

/* ---- CCmd 1 and 2: test and test prefix ---- */

struct test_case {
	uint8_t ccmd;
	const char *arg;
	bool answered;
};

static const struct test_case test_cases[] = {
	{ AOE_CCMD_TEST, "shelf-a", true },
	{ AOE_CCMD_TEST, "shelf-b", false },            /* same length, different bytes */
	{ AOE_CCMD_TEST, "shelf", false },              /* shorter */
	{ AOE_CCMD_TEST, "shelf-a1", false },           /* longer */
	{ AOE_CCMD_TEST, "", false },
	{ AOE_CCMD_TEST, "SHELF-A", false },
	{ AOE_CCMD_TEST_PREFIX, "shelf", true },
	{ AOE_CCMD_TEST_PREFIX, "", true },             /* empty prefix matches everything */
	{ AOE_CCMD_TEST_PREFIX, "shelf-a", true },      /* the whole string */
	{ AOE_CCMD_TEST_PREFIX, "helf", false },        /* inside, not a prefix */
	{ AOE_CCMD_TEST_PREFIX, "shelf-b", false },
	{ AOE_CCMD_TEST_PREFIX, "shelf-a1", false },    /* longer than the string */
};

/* A mismatch gets no reply at all (docs §3.2): that is how initiators filter targets. */
static void test_config_test_and_prefix_table(void **state)
{
	struct fx *f = *state;
	fx_set_config(f, "shelf-a");
	f->t.state_changed = false;
	uint64_t silent = 0;
	for (size_t i = 0; i < sizeof(test_cases) / sizeof(test_cases[0]); i++) {
		const struct test_case *c = &test_cases[i];
		size_t len = fx_config_str(f, FX_HOST_A, c->ccmd, c->arg);
		print_message("   ccmd %u \"%s\" -> %zu bytes\n", c->ccmd, c->arg, len);
		if (c->answered) {
			expect_config_reply(f, len, c->ccmd, "shelf-a");
		} else {
			assert_int_equal(len, 0);
			silent++;
		}
		assert_int_equal(f->t.counters.dropped_silent, silent);
	}
	/* Testing never changes anything. */
	assert_int_equal(f->t.config_len, 7);
	assert_memory_equal(f->t.config, "shelf-a", 7);
	assert_false(f->t.state_changed);
}

/* On a target without a string, only the empty string matches exactly. */
static void test_config_test_on_empty_target(void **state)
{
	struct fx *f = *state;
	expect_config_reply(f, fx_config_str(f, FX_HOST_A, AOE_CCMD_TEST, ""), AOE_CCMD_TEST, "");
	assert_int_equal(fx_config_str(f, FX_HOST_A, AOE_CCMD_TEST, "x"), 0);
	expect_config_reply(f, fx_config_str(f, FX_HOST_A, AOE_CCMD_TEST_PREFIX, ""),
			    AOE_CCMD_TEST_PREFIX, "");
	assert_int_equal(fx_config_str(f, FX_HOST_A, AOE_CCMD_TEST_PREFIX, "x"), 0);
}

/* ---- CCmd 3: set ---- */

static void test_config_set_stores_on_empty_target(void **state)
{
	struct fx *f = *state;
	assert_false(f->t.state_changed);
	size_t len = fx_config_str(f, FX_HOST_A, AOE_CCMD_SET, "first");
	expect_config_reply(f, len, AOE_CCMD_SET, "first");
	assert_int_equal(f->buf[29], 0x13);
	assert_int_equal(f->t.config_len, 5);
	assert_memory_equal(f->t.config, "first", 5);
	assert_true(f->t.state_changed);
	/* And it is what a later read returns. */
	expect_config_reply_to(f, fx_config(f, FX_HOST_B, AOE_CCMD_READ, NULL, 0), FX_HOST_B, AOE_CCMD_READ,
			       "first");
}

/* vblade and ggaoed treat setting the identical string as success (idempotent). */
static void test_config_set_same_string_is_success(void **state)
{
	struct fx *f = *state;
	expect_config_reply(f, fx_config_str(f, FX_HOST_A, AOE_CCMD_SET, "same"), AOE_CCMD_SET, "same");
	expect_config_reply(f, fx_config_str(f, FX_HOST_A, AOE_CCMD_SET, "same"), AOE_CCMD_SET, "same");
	assert_int_equal(f->t.counters.aoe_errors, 0);
}

/* A different string is refused with error 4, and the reply carries the old string. */
static void test_config_set_different_string_is_error_4_with_current(void **state)
{
	struct fx *f = *state;
	fx_set_config(f, "old");
	f->t.state_changed = false;
	static const char *const others[] = { "new", "ol", "old!", "" };
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		size_t len = fx_config_str(f, FX_HOST_A, AOE_CCMD_SET, others[i]);
		fx_expect_aoe_error(f, len, FX_HOST_A, AOE_ERR_CONFIG_PRESENT);
		struct aoe_frame reply;
		assert_int_equal(aoe_parse_response(f->buf, len, &reply), AOE_PARSE_OK);
		assert_true(reply.has_arg);
		assert_int_equal(reply.arg.cfg.ccmd, AOE_CCMD_SET);
		assert_int_equal(reply.arg.cfg.aoe_version, AOE_VERSION);
		assert_int_equal(reply.arg.cfg.buffer_count, TARGET_DEFAULT_BUFFER_COUNT);
		assert_int_equal(reply.arg.cfg.sector_count, FX_MAX_SECTORS);
		assert_int_equal(reply.arg.cfg.config_len, 3);
		assert_memory_equal(reply.arg.cfg.config, "old", 3);
	}
	assert_int_equal(f->t.config_len, 3);
	assert_memory_equal(f->t.config, "old", 3);
	assert_false(f->t.state_changed);
}

/* Setting the empty string on an empty target succeeds and leaves it empty. */
static void test_config_set_empty_on_empty_target(void **state)
{
	struct fx *f = *state;
	expect_config_reply(f, fx_config(f, FX_HOST_A, AOE_CCMD_SET, "", 0), AOE_CCMD_SET, "");
	assert_int_equal(f->t.config_len, 0);
	/* Still empty, so a real set afterwards is accepted. */
	expect_config_reply(f, fx_config_str(f, FX_HOST_A, AOE_CCMD_SET, "later"), AOE_CCMD_SET, "later");
}

/* ---- CCmd 4: force set ---- */

static void test_config_force_set_replaces(void **state)
{
	struct fx *f = *state;
	fx_set_config(f, "original");
	f->t.state_changed = false;
	size_t len = fx_config_str(f, FX_HOST_B, AOE_CCMD_FORCE_SET, "replaced");
	struct aoe_frame reply;
	fx_ok_reply(f, len, FX_HOST_B, &reply);
	assert_int_equal(reply.arg.cfg.ccmd, AOE_CCMD_FORCE_SET);
	assert_int_equal(reply.arg.cfg.config_len, 8);
	assert_memory_equal(reply.arg.cfg.config, "replaced", 8);
	assert_memory_equal(f->t.config, "replaced", 8);
	assert_true(f->t.state_changed);
	/* Force set to empty clears it. */
	fx_ok_reply(f, fx_config(f, FX_HOST_B, AOE_CCMD_FORCE_SET, "", 0), FX_HOST_B, &reply);
	assert_int_equal(reply.arg.cfg.config_len, 0);
	assert_int_equal(f->t.config_len, 0);
}

/* ---- bad arguments ---- */

static void test_config_undefined_ccmds_are_bad_argument(void **state)
{
	struct fx *f = *state;
	fx_set_config(f, "keep");
	f->t.state_changed = false;
	for (uint8_t ccmd = 5; ccmd <= 15; ccmd++) {
		size_t len = fx_config_str(f, FX_HOST_A, ccmd, "other");
		fx_expect_aoe_error(f, len, FX_HOST_A, AOE_ERR_BAD_ARG);
		assert_int_equal(f->buf[19], AOE_CMD_CONFIG);
	}
	assert_int_equal(f->t.config_len, 4);
	assert_memory_equal(f->t.config, "keep", 4);
	assert_false(f->t.state_changed);
}

/* Length 1025 with 1025 bytes really present: over the protocol maximum. */
static void test_config_length_over_1024_is_bad_argument(void **state)
{
	struct fx *f = *state;
	static const uint8_t ccmds[] = { AOE_CCMD_READ, AOE_CCMD_TEST, AOE_CCMD_SET, AOE_CCMD_FORCE_SET };
	uint8_t str[AOE_CONFIG_MAX];
	memset(str, 'x', sizeof(str));
	for (size_t i = 0; i < sizeof(ccmds); i++) {
		struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
		frame.arg.cfg.ccmd = ccmds[i];
		frame.arg.cfg.config = str;
		frame.arg.cfg.config_len = AOE_CONFIG_MAX;
		size_t len = fx_put(f, &frame);
		/* The codec will not build it, so forge: one more byte and length 1025. */
		f->buf[len] = 'x';
		len++;
		aoe_put16(f->buf + 30, AOE_CONFIG_MAX + 1);
		fx_expect_aoe_error(f, fx_serve(f, len), FX_HOST_A, AOE_ERR_BAD_ARG);
	}
	assert_int_equal(f->t.config_len, 0);
}

/* A length larger than the bytes present must not read past the frame. */
static void test_config_length_past_frame_is_bad_argument(void **state)
{
	struct fx *f = *state;
	static const uint8_t ccmds[] = { AOE_CCMD_READ, AOE_CCMD_TEST, AOE_CCMD_TEST_PREFIX, AOE_CCMD_SET,
					 AOE_CCMD_FORCE_SET };
	for (size_t i = 0; i < sizeof(ccmds); i++) {
		struct aoe_frame frame = fx_request(FX_HOST_A, AOE_CMD_CONFIG);
		frame.arg.cfg.ccmd = ccmds[i];
		frame.arg.cfg.config = (const uint8_t *)"abcd";
		frame.arg.cfg.config_len = 4;
		size_t len = fx_put(f, &frame);
		aoe_put16(f->buf + 30, 5);
		fx_expect_aoe_error(f, fx_serve(f, len), FX_HOST_A, AOE_ERR_BAD_ARG);
	}
	assert_int_equal(f->t.config_len, 0);
	assert_false(f->t.state_changed);
}

/* The longest string the protocol allows is stored and returned whole. */
static void test_config_1024_byte_string_round_trips(void **state)
{
	struct fx *f = *state;
	uint8_t str[AOE_CONFIG_MAX];
	for (size_t i = 0; i < sizeof(str); i++)
		str[i] = (uint8_t)(i * 13 + 5);
	size_t len = fx_config(f, FX_HOST_A, AOE_CCMD_SET, str, sizeof(str));
	assert_int_equal(len, AOE_CFG_HDR_LEN + AOE_CONFIG_MAX);
	assert_int_equal(f->t.config_len, AOE_CONFIG_MAX);

	len = fx_config(f, FX_HOST_B, AOE_CCMD_READ, NULL, 0);
	assert_int_equal(len, AOE_CFG_HDR_LEN + AOE_CONFIG_MAX);
	struct aoe_frame reply;
	fx_ok_reply(f, len, FX_HOST_B, &reply);
	assert_int_equal(reply.arg.cfg.config_len, AOE_CONFIG_MAX);
	assert_int_equal(f->buf[30], 0x04);
	assert_int_equal(f->buf[31], 0x00);
	assert_memory_equal(f->buf + AOE_CFG_HDR_LEN, str, sizeof(str));

	/* And it matches itself exactly. */
	len = fx_config(f, FX_HOST_A, AOE_CCMD_TEST, str, sizeof(str));
	assert_int_equal(len, AOE_CFG_HDR_LEN + AOE_CONFIG_MAX);
}

/* Config and its state flag are protocol state a persisting caller relies on. */
static void test_config_state_changed_on_changes(void **state)
{
	struct fx *f = *state;
	fx_config(f, FX_HOST_A, AOE_CCMD_READ, NULL, 0);
	fx_config_str(f, FX_HOST_A, AOE_CCMD_TEST, "nope");
	fx_config_str(f, FX_HOST_A, AOE_CCMD_TEST_PREFIX, "");
	assert_false(f->t.state_changed);
	fx_config_str(f, FX_HOST_A, AOE_CCMD_SET, "a");
	assert_true(f->t.state_changed);
	f->t.state_changed = false;
	fx_config_str(f, FX_HOST_A, AOE_CCMD_FORCE_SET, "b");
	assert_true(f->t.state_changed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_read_reports_target_parameters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_read_default_buffer_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_read_ignores_argument_and_returns_current, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_test_and_prefix_table, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_test_on_empty_target, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_set_stores_on_empty_target, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_set_same_string_is_success, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_set_different_string_is_error_4_with_current, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_set_empty_on_empty_target, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_force_set_replaces, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_undefined_ccmds_are_bad_argument, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_length_over_1024_is_bad_argument, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_length_past_frame_is_bad_argument, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_1024_byte_string_round_trips, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_state_changed_on_changes, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
