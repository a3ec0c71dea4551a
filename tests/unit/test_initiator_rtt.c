/*
 * test_initiator_rtt.c - the retransmit timer (initiator/rtt.h): it starts
 * where the Linux driver does, converges on a steady RTT, follows a change,
 * stays inside its clamps and backs off by doubling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rtt.h"

#define US 1000ULL
#define MS 1000000ULL

static void test_initial_timeout_before_any_sample(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	assert_false(rtt.sampled);
	assert_int_equal(rtt_rto_ns(&rtt), RTT_INITIAL_RTO_NS);
}

static void test_first_sample_sets_mean_and_half_deviation(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	rtt_sample(&rtt, 40 * MS);
	assert_true(rtt.sampled);
	assert_int_equal(rtt.srtt_ns, 40 * MS);
	assert_int_equal(rtt.rttvar_ns, 20 * MS);
	/* RFC 6298: srtt + 4 * rttvar */
	assert_int_equal(rtt_rto_ns(&rtt), 120 * MS);
}

static void test_converges_on_a_steady_rtt(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	rtt_sample(&rtt, 200 * MS);
	for (int i = 0; i < 200; i++)
		rtt_sample(&rtt, 30 * MS);
	/* Within 1% of the true RTT, deviation near zero. */
	assert_in_range(rtt.srtt_ns, 29700 * US, 30300 * US);
	assert_true(rtt.rttvar_ns < (int64_t)(1 * MS));
	assert_in_range(rtt_rto_ns(&rtt), 30 * MS, 34 * MS);
}

static void test_follows_a_change_of_rtt(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	for (int i = 0; i < 100; i++)
		rtt_sample(&rtt, 20 * MS);
	for (int i = 0; i < 100; i++)
		rtt_sample(&rtt, 80 * MS);
	assert_in_range(rtt.srtt_ns, 79 * MS, 81 * MS);
}

static void test_deviation_widens_the_timeout_for_jitter(void **state)
{
	(void)state;
	struct rtt_estimator steady, jittery;
	rtt_init(&steady);
	rtt_init(&jittery);
	for (int i = 0; i < 100; i++) {
		rtt_sample(&steady, 50 * MS);
		rtt_sample(&jittery, (i % 2) ? 20 * MS : 80 * MS);
	}
	assert_true(rtt_rto_ns(&jittery) > rtt_rto_ns(&steady) + 50 * MS);
}

static void test_clamped_below_for_lan_round_trips(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	for (int i = 0; i < 100; i++)
		rtt_sample(&rtt, 50 * US);
	/* 50 us of RTT, but scheduling noise is not loss: never below the floor. */
	assert_int_equal(rtt_rto_ns(&rtt), RTT_MIN_RTO_NS);
}

static void test_clamped_above(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	rtt_sample(&rtt, 10ULL * 1000 * MS);
	assert_int_equal(rtt_rto_ns(&rtt), RTT_MAX_RTO_NS);
}

static void test_absurd_sample_does_not_overflow(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	rtt_sample(&rtt, UINT64_MAX);
	rtt_sample(&rtt, UINT64_MAX);
	assert_true(rtt.srtt_ns > 0);
	assert_int_equal(rtt_rto_ns(&rtt), RTT_MAX_RTO_NS);
}

static void test_backoff_doubles_per_retry(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	rtt_sample(&rtt, 40 * MS);  /* rto 120 ms */
	assert_int_equal(rtt_backoff_ns(&rtt, 0), 120 * MS);
	assert_int_equal(rtt_backoff_ns(&rtt, 1), 240 * MS);
	assert_int_equal(rtt_backoff_ns(&rtt, 3), 960 * MS);
}

static void test_backoff_stops_at_the_maximum(void **state)
{
	(void)state;
	struct rtt_estimator rtt;
	rtt_init(&rtt);
	assert_int_equal(rtt_backoff_ns(&rtt, 4), RTT_MAX_RTO_NS);   /* 250 ms * 16 > 2 s */
	assert_int_equal(rtt_backoff_ns(&rtt, 1000), RTT_MAX_RTO_NS); /* no overflow */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_timeout_before_any_sample),
		cmocka_unit_test(test_first_sample_sets_mean_and_half_deviation),
		cmocka_unit_test(test_converges_on_a_steady_rtt),
		cmocka_unit_test(test_follows_a_change_of_rtt),
		cmocka_unit_test(test_deviation_widens_the_timeout_for_jitter),
		cmocka_unit_test(test_clamped_below_for_lan_round_trips),
		cmocka_unit_test(test_clamped_above),
		cmocka_unit_test(test_absurd_sample_does_not_overflow),
		cmocka_unit_test(test_backoff_doubles_per_retry),
		cmocka_unit_test(test_backoff_stops_at_the_maximum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
