/*
 * test_sim_schedule.c - aoe-sim's timed events (sim/schedule.h): link down
 * windows that nest and follow each other, partitions that cut only between
 * their groups; and the queue of delayed frames (sim/frameq.h), which must
 * let frames due together leave in the order they came.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frameq.h"
#include "scenario.h"
#include "schedule.h"

#define MS 1000000ull
#define SEC 1000000000ull

static struct scenario *parse(const char *text)
{
	struct scenario *sc = scenario_parse(text, "s.sim");
	assert_non_null(sc);
	return sc;
}

static void test_windows_nest_and_follow_each_other(void **state)
{
	(void)state;
	struct scenario *sc = parse("lan s\nhost a\nhost b\n"
				    "link a in down 1s-2s down 1.5s-3s\n"
				    "link b out down 2s-2.5s down 2.5s-\n");
	struct schedule s;
	assert_int_equal(schedule_build(&s, sc), 0);
	assert_int_equal(s.nev, 7);  /* the open window has no end */
	assert_int_equal(schedule_next(&s), 1 * SEC);

	schedule_advance(&s, sc, 999 * MS);
	assert_false(schedule_link_down(&s, 0, DIR_IN));
	schedule_advance(&s, sc, 1 * SEC);  /* a window includes its start */
	assert_true(schedule_link_down(&s, 0, DIR_IN));
	assert_false(schedule_link_down(&s, 0, DIR_OUT));  /* only the direction named */
	assert_int_equal(schedule_next(&s), 1500 * MS);

	schedule_advance(&s, sc, 2 * SEC);  /* first window over, second still open */
	assert_true(schedule_link_down(&s, 0, DIR_IN));
	assert_true(schedule_link_down(&s, 1, DIR_OUT));
	schedule_advance(&s, sc, 2500 * MS);  /* back to back: b never comes up */
	assert_true(schedule_link_down(&s, 1, DIR_OUT));
	schedule_advance(&s, sc, 3 * SEC);  /* ... and excludes its end */
	assert_false(schedule_link_down(&s, 0, DIR_IN));
	assert_true(schedule_link_down(&s, 1, DIR_OUT));
	assert_int_equal(schedule_next(&s), SIM_FOREVER);
	schedule_free(&s);
	scenario_free(sc);
}

static void test_partition_cuts_between_groups_only(void **state)
{
	(void)state;
	struct scenario *sc = parse("lan s\nhost a\nhost b\nhost c\nhost d\n"
				    "partition 1s-2s a,b | c\n");
	struct schedule s;
	assert_int_equal(schedule_build(&s, sc), 0);
	assert_false(schedule_partitioned(&s, sc, 0, 2));  /* not yet */
	schedule_advance(&s, sc, 1 * SEC);
	assert_true(schedule_partitioned(&s, sc, 0, 2));
	assert_true(schedule_partitioned(&s, sc, 2, 1));
	assert_false(schedule_partitioned(&s, sc, 0, 1));  /* same group */
	assert_false(schedule_partitioned(&s, sc, 3, 2));  /* d is in no group: reaches all */
	assert_false(schedule_partitioned(&s, sc, 0, 3));
	schedule_advance(&s, sc, 2 * SEC);
	assert_false(schedule_partitioned(&s, sc, 0, 2));
	assert_false(s.any_partition);
	schedule_free(&s);
	scenario_free(sc);
}

static void test_overlapping_partitions(void **state)
{
	(void)state;
	struct scenario *sc = parse("lan s\nhost a\nhost b\nhost c\n"
				    "partition 1s-3s a | b\npartition 2s-4s a | c\n");
	struct schedule s;
	assert_int_equal(schedule_build(&s, sc), 0);
	schedule_advance(&s, sc, 2 * SEC);
	assert_true(schedule_partitioned(&s, sc, 0, 1));
	assert_true(schedule_partitioned(&s, sc, 0, 2));
	assert_false(schedule_partitioned(&s, sc, 1, 2));
	schedule_advance(&s, sc, 3 * SEC);
	assert_false(schedule_partitioned(&s, sc, 0, 1));
	assert_true(schedule_partitioned(&s, sc, 0, 2));
	assert_true(s.any_partition);
	schedule_free(&s);
	scenario_free(sc);
}

static struct qframe *qf(uint64_t due, uint8_t tag, size_t len)
{
	uint8_t bytes[64];
	memset(bytes, tag, sizeof(bytes));
	struct qframe *f = qframe_new(bytes, len);
	assert_non_null(f);
	f->due = due;
	return f;
}

static void test_frameq_orders_by_due_then_arrival(void **state)
{
	(void)state;
	struct frameq q;
	frameq_init(&q);
	assert_null(frameq_peek(&q));
	/* Tags in arrival order; dues out of order, with ties. */
	static const uint64_t due[] = { 30, 10, 20, 10, 30, 5, 10 };
	for (unsigned i = 0; i < sizeof(due) / sizeof(due[0]); i++)
		assert_int_equal(frameq_push(&q, qf(due[i], (uint8_t)i, 10 + i)), 0);
	assert_int_equal(q.bytes, 10 * 7 + 21);
	static const uint8_t want[] = { 5, 1, 3, 6, 2, 0, 4 };
	for (unsigned i = 0; i < sizeof(want); i++) {
		struct qframe *f = frameq_pop(&q);
		assert_non_null(f);
		assert_int_equal(f->data[0], want[i]);
		assert_int_equal(f->len, 10 + want[i]);
		free(f);
	}
	assert_null(frameq_pop(&q));
	assert_int_equal(q.bytes, 0);
	frameq_free(&q);
}

static void test_frameq_grows_past_its_first_allocation(void **state)
{
	(void)state;
	struct frameq q;
	frameq_init(&q);
	for (unsigned i = 0; i < 3000; i++)  /* descending: every push climbs to the top */
		assert_int_equal(frameq_push(&q, qf(3000 - i, 0, 1)), 0);
	uint64_t last = 0;
	for (unsigned i = 0; i < 1500; i++) {
		struct qframe *f = frameq_pop(&q);
		assert_true(f->due > last);
		last = f->due;
		free(f);
	}
	assert_int_equal(q.n, 1500);
	frameq_free(&q);  /* frees the 1500 still waiting */
	assert_int_equal(q.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_nest_and_follow_each_other),
		cmocka_unit_test(test_partition_cuts_between_groups_only),
		cmocka_unit_test(test_overlapping_partitions),
		cmocka_unit_test(test_frameq_orders_by_due_then_arrival),
		cmocka_unit_test(test_frameq_grows_past_its_first_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
