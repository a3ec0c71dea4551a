/*
 * test_sim_fault.c - aoe-sim's fault model (sim/fault.h, sim/prng.h): the
 * exact decisions a seed makes, the MTU, the token bucket, delay and jitter,
 * and where corruption lands.
 *
 * The expected decisions were computed by an independent Python model of
 * SplitMix64 and of the draw order fault.c documents (loss, then corrupt,
 * dup, reorder; a zero probability draws nothing): tests/sim/fault_oracle.py
 * prints them.  They pin the replay promise: change the draws and every
 * saved run changes with them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fault.h"
#include "prng.h"

#define T0 1000000000ull  /* an arbitrary "now" for the switch's start */

static struct fault_cfg cfg_with(double loss, double dup, double reorder)
{
	struct fault_cfg c;
	fault_cfg_defaults(&c);
	c.loss = loss;
	c.dup = dup;
	c.reorder = reorder;
	return c;
}

/*
 * One or two letters a frame (out needs room for 2n+1): L lost, D duplicated,
 * H held, B both, C corrupted (before its D, H or B), . passed untouched.
 */
static void decide(const struct fault_cfg *c, uint64_t seed, uint64_t stream, int n, char *out)
{
	struct fault_state st;
	uint8_t frame[60] = { 0 };
	fault_state_init(&st, seed, stream, T0);
	for (int i = 0; i < n; i++) {
		struct fault_plan p;
		fault_plan(c, &st, frame, sizeof(frame), T0, &p);
		if (p.verdict == FAULT_DROP_LOSS) {
			*out++ = 'L';
			continue;
		}
		assert_int_equal(p.verdict, FAULT_PASS);
		if (p.corrupt)
			*out++ = 'C';
		if (p.dup || p.hold)
			*out++ = p.dup && p.hold ? 'B' : p.dup ? 'D' : 'H';
		else if (!p.corrupt)
			*out++ = '.';
	}
	*out = '\0';
}

static void test_prng_is_splitmix64(void **state)
{
	(void)state;
	struct prng r;
	prng_seed(&r, 0, 0);  /* state 0, first output discarded */
	assert_int_equal(prng_next(&r), 0x6e789e6aa1b965f4ull);
	assert_int_equal(prng_next(&r), 0x06c45d188009454full);
}

static void test_seed_42_decisions_are_pinned(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0.30, 0.20, 0.10);
	char got[81];
	decide(&c, 42, 3, 40, got);
	assert_string_equal(got, ".L...HDDH...DH..L..L..H.LD...LL.L..L.B..");
	/* The next direction's stream: other decisions, from the same seed. */
	decide(&c, 42, 4, 40, got);
	assert_string_equal(got, "D...L.L.LDL..LL.LLD.HH...D.L.L..D...L.H.");
}

static void test_same_seed_replays_exactly(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0.05, 0.01, 0.02);
	c.corrupt = 0.03;
	char a[2001], b[2001], other[2001];  /* up to two letters a frame */
	decide(&c, 9, 1, 1000, a);
	decide(&c, 9, 1, 1000, b);
	decide(&c, 10, 1, 1000, other);
	assert_string_equal(a, b);
	assert_string_not_equal(a, other);
}

static void test_zero_faults_draw_nothing(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0, 0, 0);
	struct fault_state st;
	uint8_t frame[60] = { 0 };
	fault_state_init(&st, 1, 1, T0);
	uint64_t before = st.rng.state;
	for (int i = 0; i < 100; i++) {
		struct fault_plan p;
		fault_plan(&c, &st, frame, sizeof(frame), T0 + (uint64_t)i, &p);
		assert_int_equal(p.verdict, FAULT_PASS);
		assert_false(p.dup || p.hold || p.corrupt);
		assert_int_equal(p.due_ns, T0 + (uint64_t)i);  /* leaves at once */
	}
	assert_int_equal(st.rng.state, before);
}

static void test_loss_rate_over_100000_frames(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0.10, 0, 0);
	struct fault_state st;
	uint8_t frame[60] = { 0 };
	fault_state_init(&st, 3, 2, T0);
	int lost = 0;
	for (int i = 0; i < 100000; i++) {
		struct fault_plan p;
		fault_plan(&c, &st, frame, sizeof(frame), T0, &p);
		lost += p.verdict == FAULT_DROP_LOSS;
	}
	/* 4 standard deviations of Binomial(100000, 0.1): 4 * 94.9 */
	assert_in_range(lost, 10000 - 380, 10000 + 380);
}

static void test_mtu_counts_payload_not_header_or_vlan_tag(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0.5, 0, 0);
	c.mtu = 1500;
	struct fault_state st;
	uint8_t frame[1520] = { 0 };
	struct fault_plan p;
	fault_state_init(&st, 1, 1, T0);
	uint64_t rng = st.rng.state;
	fault_plan(&c, &st, frame, 14 + 1501, T0, &p);
	assert_int_equal(p.verdict, FAULT_DROP_MTU);
	assert_int_equal(st.rng.state, rng);  /* dropped before any draw */
	frame[12] = 0x81;  /* 802.1Q: 4 more bytes of header */
	frame[13] = 0x00;
	assert_int_equal(fault_payload_len(frame, 14 + 4 + 1500), 1500);
	c.loss = 0;
	fault_plan(&c, &st, frame, 14 + 4 + 1500, T0, &p);
	assert_int_equal(p.verdict, FAULT_PASS);
	fault_plan(&c, &st, frame, 14 + 4 + 1501, T0, &p);
	assert_int_equal(p.verdict, FAULT_DROP_MTU);
	assert_int_equal(fault_payload_len(frame, 10), 0);
}

/* 8 gbit/s is one byte a nanosecond: the departures are exact integers. */
static void test_rate_limit_token_bucket_and_queue(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0, 0, 0);
	c.rate_bps = 8000000000ull;
	c.burst_bytes = 1500;
	c.queue_bytes = 2500;
	struct fault_state st;
	uint8_t frame[1000] = { 0 };
	struct fault_plan p;
	fault_state_init(&st, 1, 1, T0);  /* the bucket starts empty */
	fault_plan(&c, &st, frame, 1000, T0, &p);
	assert_int_equal(p.verdict, FAULT_PASS);
	assert_int_equal(p.due_ns, T0 + 1000);
	fault_plan(&c, &st, frame, 1000, T0, &p);
	assert_int_equal(p.due_ns, T0 + 2000);  /* behind the first */
	fault_plan(&c, &st, frame, 1000, T0, &p);
	assert_int_equal(p.verdict, FAULT_DROP_QUEUE);  /* 3000 bytes of backlog > 2500 */
	/* 8 us later the bucket has refilled, but only up to the burst. */
	fault_plan(&c, &st, frame, 1000, T0 + 10000, &p);
	assert_int_equal(p.due_ns, T0 + 10000);
	fault_plan(&c, &st, frame, 1000, T0 + 10000, &p);
	assert_int_equal(p.due_ns, T0 + 10500);  /* 500 tokens left, 500 to wait for */
}

static void test_duplicate_costs_twice_the_bytes(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0, 1.0, 0);
	c.rate_bps = 8000000000ull;
	c.burst_bytes = 1500;
	struct fault_state st;
	uint8_t frame[1000] = { 0 };
	struct fault_plan p;
	fault_state_init(&st, 1, 1, T0);
	fault_plan(&c, &st, frame, 1000, T0, &p);
	assert_true(p.dup);
	assert_int_equal(p.due_ns, T0 + 2000);
}

static void test_delay_and_jitter_keep_order(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0, 0, 0);
	c.delay_ns = 1000000;
	c.jitter_ns = 500000;
	struct fault_state st;
	uint8_t frame[60] = { 0 };
	struct fault_plan p;
	fault_state_init(&st, 5, 2, T0);
	/* Draws of U[0, 1000000] for seed 5, stream 2: 267660, 106687, 689185. */
	fault_plan(&c, &st, frame, 60, T0, &p);
	assert_int_equal(p.due_ns, T0 + 1000000 + 267660 - 500000);
	fault_plan(&c, &st, frame, 60, T0 + 1000, &p);
	/* Would be T0 + 607687: earlier than the frame before it, so it waits for it. */
	assert_int_equal(p.due_ns, T0 + 767660);
	fault_plan(&c, &st, frame, 60, T0 + 2000, &p);
	assert_int_equal(p.due_ns, T0 + 2000 + 1000000 + 689185 - 500000);
}

static void test_corruption_spares_the_header_and_always_changes(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0, 0, 0);
	c.corrupt = 1.0;
	c.corrupt_bytes = 3;
	struct fault_state st;
	uint8_t frame[60], orig[60];
	for (int i = 0; i < 60; i++)
		frame[i] = orig[i] = (uint8_t)i;
	struct fault_plan p;
	fault_state_init(&st, 7, 1, T0);
	fault_plan(&c, &st, frame, sizeof(frame), T0, &p);
	assert_true(p.corrupt);
	fault_corrupt(&c, &st, frame, sizeof(frame));
	/* Oracle: bytes 26, 35 and 14 XORed with 50, 162 and 183. */
	orig[26] ^= 50;
	orig[35] ^= 162;
	orig[14] ^= 183;
	assert_memory_equal(frame, orig, sizeof(frame));
}

static void test_corrupt_header_may_hit_the_first_bytes(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0, 0, 0);
	c.corrupt_bytes = 200;
	c.corrupt_header = true;
	struct fault_state st;
	uint8_t frame[60] = { 0 };
	fault_state_init(&st, 1, 1, T0);
	fault_corrupt(&c, &st, frame, sizeof(frame));
	int header_changed = 0;
	for (int i = 0; i < 14; i++)
		header_changed += frame[i] != 0;
	assert_true(header_changed > 0);
	/* Without corrupt-header a frame that is all header is left alone. */
	c.corrupt_header = false;
	uint8_t hdr[14] = { 0 }, zero[14] = { 0 };
	fault_corrupt(&c, &st, hdr, sizeof(hdr));
	assert_memory_equal(hdr, zero, sizeof(hdr));
}

static void test_cfg_format_and_active(void **state)
{
	(void)state;
	struct fault_cfg c = cfg_with(0, 0, 0);
	char buf[256];
	assert_false(fault_cfg_active(&c));
	fault_cfg_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	c.loss = 0.1;
	c.delay_ns = 2000000;
	c.down[c.ndown++] = (struct sim_window){ 3000000000ull, SIM_FOREVER };
	assert_true(fault_cfg_active(&c));
	fault_cfg_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "loss 10% delay 2ms down 3s-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prng_is_splitmix64),
		cmocka_unit_test(test_seed_42_decisions_are_pinned),
		cmocka_unit_test(test_same_seed_replays_exactly),
		cmocka_unit_test(test_zero_faults_draw_nothing),
		cmocka_unit_test(test_loss_rate_over_100000_frames),
		cmocka_unit_test(test_mtu_counts_payload_not_header_or_vlan_tag),
		cmocka_unit_test(test_rate_limit_token_bucket_and_queue),
		cmocka_unit_test(test_duplicate_costs_twice_the_bytes),
		cmocka_unit_test(test_delay_and_jitter_keep_order),
		cmocka_unit_test(test_corruption_spares_the_header_and_always_changes),
		cmocka_unit_test(test_corrupt_header_may_hit_the_first_bytes),
		cmocka_unit_test(test_cfg_format_and_active),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
