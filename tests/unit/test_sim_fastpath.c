/*
 * test_sim_fastpath.c - which links aoe-sim lets the kernel forward
 * (sim/fastpath.h): only between hosts whose links have nothing to
 * simulate, of the same MTU, and never when a partition is declared.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "fastpath.h"

static struct scenario *parse(const char *text)
{
	struct scenario *sc = scenario_parse(text, "test.sim");
	assert_non_null(sc);
	return sc;
}

static void clean_lan_every_pair(void **state)
{
	(void)state;
	struct scenario *sc = parse("lan x\nhost a\nhost b\nhost c\n");
	for (int from = 0; from < 3; from++) {
		assert_true(fastpath_port_eligible(sc, from));
		for (int to = 0; to < 3; to++)
			assert_int_equal(fastpath_pair_eligible(sc, from, to), from != to);
	}
	scenario_free(sc);
}

static void each_fault_keeps_its_host_in_the_switch(void **state)
{
	(void)state;
	static const char *const faults[] = {
		"loss 1%",      "dup 1%",      "reorder 1%",     "corrupt 1%",
		"delay 1ms",    "jitter 1ms",  "rate 10mbit",    "down 1s-2s",
		"mtu 1000",
	};
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		for (int dir = 0; dir < 2; dir++) {
			char text[256];
			snprintf(text, sizeof(text), "lan x\nhost a\nhost b\nhost c\nlink b %s %s\n",
				 dir ? "out" : "in", faults[i]);
			struct scenario *sc = parse(text);
			assert_false(fastpath_port_eligible(sc, 1));
			assert_false(fastpath_pair_eligible(sc, 0, 1));
			assert_false(fastpath_pair_eligible(sc, 1, 2));
			/* The others still may. */
			assert_true(fastpath_pair_eligible(sc, 0, 2));
			scenario_free(sc);
		}
	}
}

static void another_mtu_is_not_paired(void **state)
{
	(void)state;
	struct scenario *sc = parse("lan x mtu 9000\nhost a\nhost b mtu 1500\nhost c\n");
	assert_true(fastpath_port_eligible(sc, 1));
	assert_false(fastpath_pair_eligible(sc, 0, 1));
	assert_false(fastpath_pair_eligible(sc, 1, 2));
	assert_true(fastpath_pair_eligible(sc, 0, 2));
	scenario_free(sc);
}

static void a_partition_keeps_everything_in_the_switch(void **state)
{
	(void)state;
	struct scenario *sc = parse("lan x\nhost a\nhost b\nhost c\npartition 1s-2s a | b\n");
	for (int p = 0; p < 3; p++)
		assert_false(fastpath_port_eligible(sc, p));
	scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_lan_every_pair),
		cmocka_unit_test(each_fault_keeps_its_host_in_the_switch),
		cmocka_unit_test(another_mtu_is_not_paired),
		cmocka_unit_test(a_partition_keeps_everything_in_the_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
