/*
 * test_initiator_units.c - the initiator's command-line pieces: sizes with
 * suffixes, counts, seconds, eS.L names, human sizes (initiator/units.h),
 * ping's statistics (initiator/rttstats.h), and whole command lines as
 * cli_parse checks them (initiator/cli.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "rttstats.h"
#include "units.h"

/* ---------------------------------------------------------------- sizes */

static void test_size_plain_and_hex(void **state)
{
	(void)state;
	uint64_t v;
	assert_true(units_parse_size("0", &v));
	assert_int_equal(v, 0);
	assert_true(units_parse_size("4096", &v));
	assert_int_equal(v, 4096);
	assert_true(units_parse_size("0x1000", &v));
	assert_int_equal(v, 4096);
	assert_true(units_parse_size("1234567", &v));
	assert_int_equal(v, 1234567);
}

static void test_size_suffixes_are_powers_of_1024(void **state)
{
	(void)state;
	uint64_t v;
	assert_true(units_parse_size("4K", &v));
	assert_int_equal(v, 4096);
	assert_true(units_parse_size("4k", &v));
	assert_int_equal(v, 4096);
	assert_true(units_parse_size("64M", &v));
	assert_int_equal(v, 64ULL << 20);
	assert_true(units_parse_size("2G", &v));
	assert_int_equal(v, 2ULL << 30);
	assert_true(units_parse_size("1T", &v));
	assert_int_equal(v, 1ULL << 40);
	assert_true(units_parse_size("3MiB", &v));
	assert_int_equal(v, 3ULL << 20);
	assert_true(units_parse_size("3MB", &v));
	assert_int_equal(v, 3ULL << 20);
}

static void test_size_rejects(void **state)
{
	(void)state;
	uint64_t v;
	const char *bad[] = { "", "-1", "+1", " 1", "1.5M", "1X", "1KX", "K", "0x", "1 K",
			      "99999999999999999999", "17179869184G" /* 2^64 */ };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (units_parse_size(bad[i], &v))
			fail_msg("'%s' was accepted as %llu", bad[i], (unsigned long long)v);
	}
}

static void test_counts(void **state)
{
	(void)state;
	uint64_t v;
	assert_true(units_parse_count("131072", &v));
	assert_int_equal(v, 131072);
	assert_true(units_parse_count("0x20000", &v));
	assert_int_equal(v, 131072);
	assert_false(units_parse_count("4K", &v));
	assert_false(units_parse_count("-3", &v));
	assert_false(units_parse_count("", &v));
}

static void test_seconds(void **state)
{
	(void)state;
	double s;
	assert_true(units_parse_seconds("1", &s));
	assert_true(s == 1.0);
	assert_true(units_parse_seconds("0.25", &s));
	assert_true(s == 0.25);
	assert_false(units_parse_seconds("0", &s));
	assert_false(units_parse_seconds("-1", &s));
	assert_false(units_parse_seconds("nan", &s));
	assert_false(units_parse_seconds("inf", &s));
	assert_false(units_parse_seconds("1s", &s));
	assert_false(units_parse_seconds("100000", &s));
}

static void test_target_names(void **state)
{
	(void)state;
	uint16_t shelf;
	uint8_t slot;
	assert_true(units_parse_target("e9.0", &shelf, &slot));
	assert_int_equal(shelf, 9);
	assert_int_equal(slot, 0);
	assert_true(units_parse_target("E1.2", &shelf, &slot));
	assert_true(units_parse_target("9.0", &shelf, &slot));
	assert_true(units_parse_target("e65534.254", &shelf, &slot));
	assert_int_equal(shelf, 65534);
	assert_int_equal(slot, 254);
	const char *bad[] = { "e65535.0", "e0.255", "e9", "e9.", "e.0", "e9.0.1", "x9.0", "e-1.0",
			      "e9.0 ", "", "e" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (units_parse_target(bad[i], &shelf, &slot))
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_format_bytes(void **state)
{
	(void)state;
	char out[32];
	units_format_bytes(512, out, sizeof(out));
	assert_string_equal(out, "512 B");
	units_format_bytes(64ULL << 20, out, sizeof(out));
	assert_string_equal(out, "64.0 MiB");
	units_format_bytes(3ULL << 29, out, sizeof(out));
	assert_string_equal(out, "1.5 GiB");
}

/* ------------------------------------------------------------ rttstats */

static void test_rttstats(void **state)
{
	(void)state;
	struct rttstats s = { 0 };
	for (int i = 0; i < 4; i++)
		rttstats_sent(&s);
	rttstats_add(&s, 1.0);
	rttstats_add(&s, 3.0);
	rttstats_add(&s, 2.0);
	assert_true(s.min_ms == 1.0 && s.max_ms == 3.0);
	assert_true(rttstats_avg(&s) > 1.999 && rttstats_avg(&s) < 2.001);
	/* population deviation of 1, 2, 3 = sqrt(2/3) */
	assert_true(rttstats_mdev(&s) > 0.816 && rttstats_mdev(&s) < 0.817);
	assert_true(rttstats_loss(&s) == 25.0);
	struct rttstats none = { 0 };
	assert_true(rttstats_loss(&none) == 0 && rttstats_avg(&none) == 0 && rttstats_mdev(&none) == 0);
}

/* ----------------------------------------------------------- cli_parse */

/* Parse a NULL-terminated list of words after the program name. */
static int parse(struct cli_options *opts, ...)
{
	static char storage[32][128];
	char *argv[33];
	int argc = 0;
	argv[argc++] = strcpy(storage[0], "aoe-initiator");
	va_list args;
	va_start(args, opts);
	for (const char *word; (word = va_arg(args, const char *)) != NULL;) {
		snprintf(storage[argc], sizeof(storage[argc]), "%s", word);
		argv[argc] = storage[argc];
		argc++;
	}
	va_end(args);
	argv[argc] = NULL;
	return cli_parse(argc, argv, opts);
}

static void test_cli_read_range(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "read", "e9.0", "--offset", "1234567", "--length", "64M", "-o", "x",
			       NULL), -1);
	assert_string_equal(o.command, "read");
	assert_true(o.has_target && o.shelf == 9 && o.slot == 0);
	assert_true(o.has_offset && o.offset == 1234567);
	assert_true(o.has_length && o.length == 64ULL << 20);
	assert_string_equal(o.output_path, "x");
	/* Options may come first, as getopt permutes. */
	assert_int_equal(parse(&o, "--lba", "8", "-c", "16", "read", "e1.2", NULL), -1);
	assert_true(o.has_lba && o.lba == 8 && o.has_count && o.count == 16);
}

static void test_cli_write_needs_a_place(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "write", "e9.0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "write", "e9.0", "--lba", "0", "--offset", "0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "write", "e9.0", "--offset", "1", "--count", "1", "--length", "1",
			       NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "write", "e9.0", "--offset", "1", "--sync", "-f", "in", NULL), -1);
	assert_true(o.sync);
}

static void test_cli_refuses_options_of_other_commands(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "discover", "--lba", "1", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "identify", "e9.0", "--sync", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "mask", "e9.0", "--force", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "read", "e9.0", "--json", NULL), EXIT_USAGE);  /* data on stdout */
	assert_int_equal(parse(&o, "read", "e9.0", "--json", "-o", "f", NULL), -1);
}

static void test_cli_operands(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "frobnicate", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "identify", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "identify", "e9.0", "extra", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "identify", "e65535.0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "discover", "e9.0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "check", NULL), -1);
	assert_false(o.has_target);
	assert_int_equal(parse(&o, "check", "e3.4", NULL), -1);
	assert_true(o.has_target && o.shelf == 3 && o.slot == 4);
	assert_int_equal(parse(&o, "mount", "e9.0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "mount", "e9.0", "/mnt/disk", "--background", NULL), -1);
	assert_string_equal(o.mount_path, "/mnt/disk");
	assert_true(o.background);
}

static void test_cli_config(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "config", "e9.0", NULL), -1);
	assert_int_equal(o.config_ccmd, AOE_CCMD_READ);
	assert_int_equal(parse(&o, "config", "e9.0", "--set", "abc", NULL), -1);
	assert_int_equal(o.config_ccmd, AOE_CCMD_SET);
	assert_string_equal(o.config_string, "abc");
	assert_int_equal(parse(&o, "config", "e9.0", "--force", "--set", "abc", NULL), -1);
	assert_int_equal(o.config_ccmd, AOE_CCMD_FORCE_SET);
	assert_int_equal(parse(&o, "config", "e9.0", "--test", "abc", NULL), -1);
	assert_int_equal(o.config_ccmd, AOE_CCMD_TEST);
	assert_int_equal(parse(&o, "config", "e9.0", "--prefix", "ab", NULL), -1);
	assert_int_equal(o.config_ccmd, AOE_CCMD_TEST_PREFIX);
	assert_int_equal(parse(&o, "config", "e9.0", "--force", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "config", "e9.0", "--test", "a", "--set", "b", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "config", "e9.0", "--test", "a", "--prefix", "b", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "config", "e9.0", "--set", "a", "--set", "b", NULL), EXIT_USAGE);
}

static void test_cli_mask_edits_in_order(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "mask", "e9.0", "--add", "52:54:00:12:34:56", "--del",
			       "001122334455", "--add", "00-11-22-33-44-66", NULL), -1);
	assert_int_equal(o.mask_edit_count, 3);
	assert_int_equal(o.mask_edits[0].dcmd, AOE_DCMD_ADD);
	assert_int_equal(o.mask_edits[0].mac[0], 0x52);
	assert_int_equal(o.mask_edits[1].dcmd, AOE_DCMD_DELETE);
	assert_int_equal(o.mask_edits[1].mac[5], 0x55);
	assert_int_equal(o.mask_edits[2].mac[5], 0x66);
	assert_int_equal(parse(&o, "mask", "e9.0", "--add", "52:54:00:12:34", NULL), EXIT_USAGE);
}

static void test_cli_reserve(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "reserve", "e9.0", NULL), -1);
	assert_false(o.reserve_set || o.release);
	assert_int_equal(parse(&o, "reserve", "e9.0", "--set", "02:00:00:00:00:01,02:00:00:00:00:02",
			       "--set", "self", "--force", NULL), -1);
	assert_true(o.reserve_set && o.reserve_self && o.force);
	assert_int_equal(o.reserve_mac_count, 2);
	assert_int_equal(o.reserve_macs[1][5], 2);
	assert_int_equal(parse(&o, "reserve", "e9.0", "--release", "--force", NULL), -1);
	assert_true(o.release && o.force);
	assert_int_equal(parse(&o, "reserve", "e9.0", "--release", "--set", "self", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "reserve", "e9.0", "--force", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "reserve", "e9.0", "--set", "nonsense", NULL), EXIT_USAGE);
}

static void test_cli_ping_and_common(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "ping", "e9.0", "-c", "3", "--interval", "0.2", "-i", "eth0", "-i",
			       "eth1", "-t", "0.5", "-j", "-v", NULL), -1);
	assert_true(o.has_count && o.count == 3);
	assert_true(o.interval_given && o.interval_s == 0.2);
	assert_int_equal(o.ifname_count, 2);
	assert_string_equal(o.ifnames[1], "eth1");
	assert_true(o.timeout_given && o.timeout_s == 0.5);
	assert_true(o.json && o.verbose && report_is_verbose());
	assert_int_equal(parse(&o, "ping", "e9.0", "-c", "0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "ping", "e9.0", "--timeout", "soon", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "ping", "e9.0", "--interval", NULL), EXIT_USAGE);
	assert_false(report_is_verbose());  /* each parse starts afresh */
}

static void test_cli_help_and_version(void **state)
{
	(void)state;
	struct cli_options o;
	assert_int_equal(parse(&o, "--help", NULL), EXIT_OK);
	assert_int_equal(parse(&o, "read", "-V", NULL), EXIT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_plain_and_hex),
		cmocka_unit_test(test_size_suffixes_are_powers_of_1024),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_target_names),
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_rttstats),
		cmocka_unit_test(test_cli_read_range),
		cmocka_unit_test(test_cli_write_needs_a_place),
		cmocka_unit_test(test_cli_refuses_options_of_other_commands),
		cmocka_unit_test(test_cli_operands),
		cmocka_unit_test(test_cli_config),
		cmocka_unit_test(test_cli_mask_edits_in_order),
		cmocka_unit_test(test_cli_reserve),
		cmocka_unit_test(test_cli_ping_and_common),
		cmocka_unit_test(test_cli_help_and_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
