/*
 * test_initiator_cwnd.c - per-path congestion windows (initiator/cwnd.h) and
 * the path choice built on them (initiator/paths.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cwnd.h"
#include "paths.h"

/* ------------------------------------------------------------- windows */

static void test_starts_at_half_the_buffer_count(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 16, 64);
	assert_int_equal(c.limit, 16);
	assert_int_equal(c.window, 8);
	cwnd_init(&c, 200, 64);  /* capped like the Linux driver's aoe_maxout */
	assert_int_equal(c.limit, 64);
	assert_int_equal(c.window, 32);
}

static void test_tiny_buffer_counts_still_allow_one(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 0, 64);
	assert_int_equal(c.limit, 1);
	assert_int_equal(c.window, 1);
	cwnd_init(&c, 1, 64);
	assert_int_equal(c.window, 1);
	cwnd_init(&c, 2, 64);
	assert_int_equal(c.window, 1);
}

static void test_grows_additively(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 16, 64);
	/* One more request per window of answers: 8 answers take it from 8 to 9. */
	for (int i = 0; i < 7; i++)
		cwnd_on_reply(&c);
	assert_int_equal(c.window, 8);
	cwnd_on_reply(&c);
	assert_int_equal(c.window, 9);
	for (int i = 0; i < 9; i++)
		cwnd_on_reply(&c);
	assert_int_equal(c.window, 10);
}

static void test_never_above_the_buffer_count(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 16, 64);
	for (int i = 0; i < 10000; i++)
		cwnd_on_reply(&c);
	assert_int_equal(c.window, 16);
}

static void test_halves_on_a_timeout(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 64, 64);
	for (int i = 0; i < 10000; i++)
		cwnd_on_reply(&c);
	assert_int_equal(c.window, 64);
	assert_true(cwnd_on_timeout(&c, 100, 200, false));
	assert_int_equal(c.window, 32);
	assert_int_equal(c.reductions, 1);
}

static void test_one_event_halves_once(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 64, 64);
	assert_true(cwnd_on_timeout(&c, 100, 1000, false));
	unsigned after = c.window;
	/* Requests sent before the reduction were in flight during the same congestion. */
	assert_false(cwnd_on_timeout(&c, 500, 1001, false));
	assert_false(cwnd_on_timeout(&c, 999, 1002, false));
	assert_int_equal(c.window, after);
	/* One sent after it is news. */
	assert_true(cwnd_on_timeout(&c, 1500, 2000, false));
	assert_int_equal(c.window, after / 2);
}

static void test_collapses_when_a_request_times_out_again(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 32, 64);
	assert_true(cwnd_on_timeout(&c, 100, 200, true));
	assert_int_equal(c.window, 1);
	assert_int_equal(c.ssthresh, 8);
	/* Already at one: nothing left to take. */
	assert_false(cwnd_on_timeout(&c, 300, 400, true));
	assert_int_equal(c.window, 1);
}

static void test_slow_start_after_a_collapse(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 32, 64);
	cwnd_on_timeout(&c, 100, 200, true);  /* 16 -> 1, threshold 8 */
	for (int i = 0; i < 7; i++)
		cwnd_on_reply(&c);
	assert_int_equal(c.window, 8);         /* +1 per answer up to the threshold */
	cwnd_on_reply(&c);
	assert_int_equal(c.window, 8);         /* then additive */
}

static void test_spurious_reduction_is_undone(void **state)
{
	(void)state;
	struct cwnd c;
	cwnd_init(&c, 32, 64);
	cwnd_on_timeout(&c, 100, 200, false);
	assert_int_equal(c.window, 8);
	cwnd_undo(&c);
	assert_int_equal(c.window, 16);
	cwnd_undo(&c);  /* only once */
	assert_int_equal(c.window, 16);
}

/* --------------------------------------------------------------- paths */

static void make_target(struct engine_target *t, unsigned paths, unsigned bufcnt)
{
	memset(t, 0, sizeof(*t));
	t->path_count = paths;
	for (unsigned i = 0; i < paths; i++) {
		t->paths[i].port = i;
		t->paths[i].mac[5] = (uint8_t)(i + 1);
		t->paths[i].buffer_count = (uint16_t)bufcnt;
		paths_init_window(&t->paths[i]);
	}
}

static void test_pick_round_robin(void **state)
{
	(void)state;
	struct engine_target t;
	make_target(&t, 3, 16);
	unsigned seen[3] = { 0 };
	for (int i = 0; i < 9; i++) {
		unsigned p = paths_pick(&t);
		assert_true(p < 3);
		seen[p]++;
	}
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 3);
	assert_int_equal(seen[2], 3);
}

static void test_pick_respects_windows(void **state)
{
	(void)state;
	struct engine_target t;
	make_target(&t, 2, 4);  /* windows of 2 */
	t.paths[0].in_flight = 2;
	assert_int_equal(paths_pick(&t), 1);
	t.paths[1].in_flight = 2;
	assert_int_equal(paths_pick(&t), ENGINE_NO_PATH);
}

static void test_paths_to_one_mac_share_its_buffer_count(void **state)
{
	(void)state;
	struct engine_target t;
	make_target(&t, 2, 4);
	memcpy(t.paths[1].mac, t.paths[0].mac, AOE_MAC_LEN);  /* two local ports, one target MAC */
	t.paths[0].cwnd.window = t.paths[1].cwnd.window = 4;
	t.paths[0].in_flight = 3;
	assert_true(paths_has_room(&t, 1));
	t.paths[1].in_flight = 1;
	assert_false(paths_has_room(&t, 1));   /* 4 in flight to that MAC: its buffer count */
	assert_false(paths_has_room(&t, 0));
}

static void test_suspect_path_only_probed(void **state)
{
	(void)state;
	struct engine_target t;
	make_target(&t, 2, 64);
	t.paths[1].timeouts_in_row = 1;
	unsigned to_suspect = 0;
	for (int i = 0; i < 2 * PATHS_PROBE_EVERY; i++) {
		unsigned p = paths_pick(&t);
		assert_true(p < 2);
		to_suspect += p == 1;
	}
	assert_in_range(to_suspect, 1, 2);
}

static void test_all_suspect_still_used(void **state)
{
	(void)state;
	struct engine_target t;
	make_target(&t, 2, 16);
	t.paths[0].timeouts_in_row = t.paths[1].timeouts_in_row = 3;
	assert_true(paths_pick(&t) < 2);
}

static void test_retry_prefers_an_answering_path_that_fits(void **state)
{
	(void)state;
	struct engine_target t;
	make_target(&t, 3, 16);
	unsigned sectors[3] = { 17, 2, 17 };
	/* From path 0: path 1 answers but carries only 2 sectors; path 2 fits. */
	assert_int_equal(paths_retry(&t, 0, sectors, 17), 2);
	/* Small requests may go to the next path. */
	assert_int_equal(paths_retry(&t, 0, sectors, 2), 1);
	/* A suspect path is taken only if nothing else fits. */
	t.paths[2].timeouts_in_row = 1;
	assert_int_equal(paths_retry(&t, 0, sectors, 17), 0);
	t.paths[0].timeouts_in_row = 1;
	assert_int_equal(paths_retry(&t, 0, sectors, 17), 2);
}

static void test_retry_without_a_fitting_path(void **state)
{
	(void)state;
	struct engine_target t;
	make_target(&t, 2, 16);
	unsigned sectors[2] = { 2, 2 };   /* an MTU shrank under a 17-sector request */
	assert_int_equal(paths_retry(&t, 0, sectors, 17), ENGINE_NO_PATH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_at_half_the_buffer_count),
		cmocka_unit_test(test_tiny_buffer_counts_still_allow_one),
		cmocka_unit_test(test_grows_additively),
		cmocka_unit_test(test_never_above_the_buffer_count),
		cmocka_unit_test(test_halves_on_a_timeout),
		cmocka_unit_test(test_one_event_halves_once),
		cmocka_unit_test(test_collapses_when_a_request_times_out_again),
		cmocka_unit_test(test_slow_start_after_a_collapse),
		cmocka_unit_test(test_spurious_reduction_is_undone),
		cmocka_unit_test(test_pick_round_robin),
		cmocka_unit_test(test_pick_respects_windows),
		cmocka_unit_test(test_paths_to_one_mac_share_its_buffer_count),
		cmocka_unit_test(test_suspect_path_only_probed),
		cmocka_unit_test(test_all_suspect_still_used),
		cmocka_unit_test(test_retry_prefers_an_answering_path_that_fits),
		cmocka_unit_test(test_retry_without_a_fitting_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
