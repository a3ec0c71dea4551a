/*
 * test_sim_scenario.c - aoe-sim's scenario files (sim/scenario.h) and the
 * units they are written in (sim/util.h): what a good file becomes, with its
 * defaults, and the "FILE:LINE: reason" a bad one gets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "counters.h"
#include "scenario.h"
#include "util.h"

#define MS 1000000ull
#define SEC 1000000000ull

/* Parse text that must fail; returns what the parser wrote to stderr. */
static const char *parse_error(const char *text)
{
	static char msg[512];
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	struct scenario *sc = scenario_parse(text, "t.sim");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_null(sc);
	rewind(tmp);
	size_t n = fread(msg, 1, sizeof(msg) - 1, tmp);
	fclose(tmp);
	msg[n] = '\0';
	return msg;
}

static void test_defaults_are_filled_in(void **state)
{
	(void)state;
	struct scenario *sc = scenario_parse("lan demo\nhost t1\nhost i1 mtu 9000\n", "d.sim");
	assert_non_null(sc);
	assert_string_equal(sc->name, "demo");
	assert_int_equal(sc->mtu, 1500);
	assert_int_equal(sc->seed, 1);
	assert_int_equal(sc->nhosts, 2);
	static const uint8_t mac2[6] = { 0x02, 0xae, 0, 0, 0, 2 };
	assert_memory_equal(sc->hosts[1].mac, mac2, 6);
	assert_int_equal(sc->hosts[0].mtu, 1500);
	assert_int_equal(sc->hosts[1].mtu, 9000);
	const struct fault_cfg *f = &sc->hosts[1].fault[DIR_OUT];
	assert_int_equal(f->mtu, 9000);           /* a link's MTU is its host's */
	assert_int_equal(f->burst_bytes, 9018);   /* at least one frame */
	assert_int_equal(f->reorder_gap, 1);
	assert_int_equal(f->reorder_hold_ns, 10 * MS);
	assert_int_equal(f->queue_bytes, 256 * 1024);
	assert_false(fault_cfg_active(f));
	scenario_free(sc);
}

static void test_link_directions_and_all(void **state)
{
	(void)state;
	struct scenario *sc = scenario_parse("# comment\n"
					     "lan l seed 42 mtu 9000\n"
					     "host a mac 02:00:00:00:00:aa\n"
					     "host b\n"
					     "link all delay 2ms\n"
					     "link b in loss 10% corrupt 0.5% corrupt-header\n"
					     "link b out rate 100mbit burst 64k down 1s-2s down 3s-\n",
					     "l.sim");
	assert_non_null(sc);
	assert_int_equal(sc->seed, 42);
	assert_int_equal(sc->hosts[0].mac[5], 0xaa);
	assert_int_equal(sc->hosts[0].fault[DIR_IN].delay_ns, 2 * MS);
	assert_int_equal(sc->hosts[1].fault[DIR_OUT].delay_ns, 2 * MS);
	const struct fault_cfg *in = &sc->hosts[1].fault[DIR_IN], *out = &sc->hosts[1].fault[DIR_OUT];
	assert_true(in->loss > 0.0999 && in->loss < 0.1001);
	assert_true(in->corrupt > 0.00499 && in->corrupt < 0.00501);
	assert_true(in->corrupt_header);
	assert_true(out->loss == 0);
	assert_int_equal(out->rate_bps, 100000000);
	assert_int_equal(out->burst_bytes, 65536);
	assert_int_equal(out->ndown, 2);
	assert_int_equal(out->down[0].start_ns, 1 * SEC);
	assert_int_equal(out->down[0].end_ns, 2 * SEC);
	assert_int_equal(out->down[1].end_ns, SIM_FOREVER);
	assert_int_equal(in->ndown, 0);
	scenario_free(sc);
}

static void test_steps_partitions_and_expects(void **state)
{
	(void)state;
	struct scenario *sc = scenario_parse("lan p\nhost t1\nhost i1\nhost i2\n"
					     "partition 1s-3s t1,i2 | i1\n"
					     "run t1 bg ready as=tgt: bin/aoe-target eth0 9 0 {tmp}/d\n"
					     "run i1 timeout=5s: echo a:b\n"
					     "sleep 250ms\n"
					     "wait tgt\n"
					     "expect i1 output a:b\n"
					     "expect counter i1 out drop_loss >= 3\n",
					     "p.sim");
	assert_non_null(sc);
	assert_int_equal(sc->nparts, 1);
	assert_int_equal(sc->parts[0].group[0], 0);
	assert_int_equal(sc->parts[0].group[1], 1);
	assert_int_equal(sc->parts[0].group[2], 0);
	assert_int_equal(sc->nsteps, 4);
	assert_true(sc->steps[0].bg && sc->steps[0].ready);
	assert_string_equal(sc->steps[0].label, "tgt");
	assert_int_equal(sc->steps[0].timeout_ns, 10 * SEC);  /* ready's default */
	assert_string_equal(sc->steps[1].command, "echo a:b");  /* only the first ':' splits */
	assert_int_equal(sc->steps[1].timeout_ns, 5 * SEC);
	assert_int_equal(sc->steps[1].line, 7);
	assert_int_equal(sc->steps[2].kind, STEP_SLEEP);
	assert_int_equal(sc->steps[2].sleep_ns, 250 * MS);
	assert_int_equal(sc->steps[3].kind, STEP_WAIT);
	assert_int_equal(sc->steps[3].wait_for, 0);
	assert_int_equal(sc->nexpects, 2);
	assert_int_equal(sc->expects[0].kind, EXPECT_OUTPUT);
	assert_int_equal(sc->expects[0].step, 1);
	assert_string_equal(sc->expects[0].text, "a:b");
	assert_int_equal(sc->expects[1].kind, EXPECT_COUNTER);
	assert_int_equal(sc->expects[1].counter, C_DROP_LOSS);
	assert_int_equal(sc->expects[1].op, OP_GE);
	assert_int_equal(sc->expects[1].value, 3);
	assert_int_equal(sc->expects[1].line, 11);
	scenario_free(sc);
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	assert_string_equal(parse_error("lan l\nhost a\n\n# blank and comment lines count\n"
					"link a loss 10\n"),
			    "t.sim:5: loss needs a percentage such as 10% or 0.5%\n");
	assert_string_equal(parse_error("host a\n"), "t.sim:1: 'lan NAME' must come first\n");
	assert_string_equal(parse_error("lan l\nhost a\nhost a\n"), "t.sim:3: host a declared twice\n");
	assert_string_equal(parse_error("lan l\nhost sw\n"),
			    "t.sim:2: host needs a NAME (at most 15 of letters, digits, '_', '.', '-'; "
			    "not sw, all or counter)\n");
	assert_string_equal(parse_error("lan l\nhost a\nlink b loss 1%\n"),
			    "t.sim:3: link: no host b (declare it with 'host' first)\n");
	assert_string_equal(parse_error("lan l\nhost a\nlink a down 3s-2s\n"),
			    "t.sim:3: bad end time in '3s-2s' (must be after the start)\n");
	assert_string_equal(parse_error("lan l\nhost a\nhost b\npartition 1s-2s a | a\n"),
			    "t.sim:4: partition: host a is in two groups\n");
	assert_string_equal(parse_error("lan l\nhost a\nrun a ready: true\n"),
			    "t.sim:3: 'ready' is for bg commands\n");
	assert_string_equal(parse_error("lan l\nhost a\nrun a: echo {nope}\n"),
			    "t.sim:3: run: unknown placeholder {nope} ({tmp} {lan} {host} {mac:HOST} "
			    "{ns:HOST})\n");
	assert_string_equal(parse_error("lan l\nhost a\nexpect counter a in frames ~ 1\n"),
			    "t.sim:3: expect counter: operator is ==, !=, <, <=, > or >=\n");
	assert_string_equal(parse_error("lan l\n"), "t.sim:1: no hosts\n");
	assert_string_equal(parse_error("lan l\nhost a\nfrobnicate\n"),
			    "t.sim:3: unknown statement 'frobnicate' (lan, host, link, partition, run, "
			    "sleep, wait, expect)\n");
}

static void test_expand_placeholders(void **state)
{
	(void)state;
	struct scenario *sc = scenario_parse("lan x\nhost t1\nhost i1\n", "x.sim");
	assert_non_null(sc);
	char out[256], err[160];
	assert_true(scenario_expand(sc, 1, "{host} {lan} {ns:t1} {mac:t1} {tmp}/f {{x}}", "/tmp/q",
				    out, sizeof(out), err, sizeof(err)));
	assert_string_equal(out, "i1 x x-t1 02:ae:00:00:00:01 /tmp/q/f {x}");
	assert_false(scenario_expand(sc, 0, "{mac:zz}", "/t", out, sizeof(out), err, sizeof(err)));
	assert_string_equal(err, "unknown placeholder {mac:zz} ({tmp} {lan} {host} {mac:HOST} {ns:HOST})");
	assert_true(scenario_expand(sc, 0, "{tmp}{tmp}", "/t", out, 5, err, sizeof(err)));
	assert_false(scenario_expand(sc, 0, "{tmp}{tmp}", "/t", out, 4, err, sizeof(err)));
	assert_string_equal(err, "command longer than 3 bytes after expansion");
	scenario_free(sc);
}

static void test_units(void **state)
{
	(void)state;
	uint64_t v;
	double p;
	assert_true(parse_duration("250ns", &v) && v == 250);
	assert_true(parse_duration("100us", &v) && v == 100000);
	assert_true(parse_duration("1.5s", &v) && v == 1500000000ull);
	assert_true(parse_duration("2", &v) && v == 2 * SEC);
	assert_false(parse_duration("2 ms", &v));
	assert_false(parse_duration("2min", &v));
	assert_true(parse_percent("0.5%", &p) && p > 0.00499 && p < 0.00501);
	assert_false(parse_percent("101%", &p));
	assert_false(parse_percent("10", &p));
	assert_true(parse_rate("512kbit", &v) && v == 512000);
	assert_true(parse_rate("1mbps", &v) && v == 8000000);
	assert_false(parse_rate("fast", &v));
	assert_true(parse_size("64k", &v) && v == 65536);
	assert_true(parse_size("1m", &v) && v == 1048576);
	assert_false(parse_size("-1", &v));
	assert_true(valid_name("a-b_c.1", 24));
	assert_false(valid_name("a/b", 24));
	assert_false(valid_name("", 24));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_filled_in),
		cmocka_unit_test(test_link_directions_and_all),
		cmocka_unit_test(test_steps_partitions_and_expects),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_expand_placeholders),
		cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
