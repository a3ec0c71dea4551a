/*
 * test_target_options.c - aoe-target's command line, -c file and kept state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"
#include "options.h"
#include "state.h"

static struct target_options opts;

/* Run options_parse on a NULL-terminated word list (argv[0] added). */
static enum options_result parse_words(const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)"aoe-target";
	va_list args;
	va_start(args, first);
	for (const char *word = first; word && argc < 31; word = va_arg(args, const char *))
		argv[argc++] = (char *)word;
	va_end(args);
	argv[argc] = NULL;
	return options_parse(argc, argv, &opts);
}

static void test_aoekit_order(void **state)
{
	(void)state;
	assert_int_equal(parse_words("eth0", "9", "0", "disk.img", NULL), OPTIONS_RUN);
	assert_int_equal(opts.export_count, 1);
	const struct export_spec *spec = &opts.exports[0];
	assert_string_equal(spec->ifnames[0], "eth0");
	assert_int_equal(spec->ifname_count, 1);
	assert_int_equal(spec->shelf, 9);
	assert_int_equal(spec->slot, 0);
	assert_string_equal(spec->path, "disk.img");
	assert_int_equal(spec->buffer_count, TARGET_DEFAULT_BUFFER_COUNT);
}

/* Global numeric options: each value given, what options_parse must say, and the value kept. */
static const struct {
	const char *option, *value;
	enum options_result result;
	unsigned coalesce_us, threads;
} numeric_cases[] = {
	{ NULL, NULL, OPTIONS_RUN, 0, 1 },  /* the defaults */
	{ "--coalesce", "40", OPTIONS_RUN, 40, 1 },
	{ "--coalesce", "1000", OPTIONS_RUN, 1000, 1 },
	{ "--coalesce", "1001", OPTIONS_EXIT_USAGE, 0, 0 },
	{ "--coalesce", "-5", OPTIONS_EXIT_USAGE, 0, 0 },
	{ "--coalesce", "fast", OPTIONS_EXIT_USAGE, 0, 0 },
	{ "--threads", "4", OPTIONS_RUN, 0, 4 },
	{ "--threads", "16", OPTIONS_RUN, 0, 16 },
	{ "--threads", "0", OPTIONS_EXIT_USAGE, 0, 0 },
	{ "--threads", "17", OPTIONS_EXIT_USAGE, 0, 0 },
};

static void test_numeric_global_options(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(numeric_cases) / sizeof(numeric_cases[0]); i++) {
		enum options_result result =
			numeric_cases[i].option
				? parse_words(numeric_cases[i].option, numeric_cases[i].value, "eth0",
					      "9", "0", "disk.img", NULL)
				: parse_words("eth0", "9", "0", "disk.img", NULL);
		assert_int_equal(result, numeric_cases[i].result);
		if (result != OPTIONS_RUN)
			continue;
		assert_int_equal(opts.coalesce_us, numeric_cases[i].coalesce_us);
		assert_int_equal(opts.threads, numeric_cases[i].threads);
	}
}

static void test_vblade_order_and_options(void **state)
{
	(void)state;
	/* vblade's own unit file puts options after the positionals: getopt permutes. */
	assert_int_equal(parse_words("-b", "64", "-r", "-s", "-d", "-o", "8", "-l", "100", "-m",
				     "00:11:22:33:44:55,AABBCCDDEEFF", "12", "3", "eth1", "/dev/x", NULL),
			 OPTIONS_RUN);
	const struct export_spec *spec = &opts.exports[0];
	assert_string_equal(spec->ifnames[0], "eth1");
	assert_int_equal(spec->shelf, 12);
	assert_int_equal(spec->slot, 3);
	assert_int_equal(spec->buffer_count, 64);
	assert_true(spec->read_only && spec->sync && spec->direct);
	assert_int_equal(spec->offset_sectors, 8);
	assert_int_equal(spec->length_sectors, 100);
	assert_int_equal(spec->mask_count, 2);
	static const uint8_t second[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	assert_memory_equal(spec->masks[1], second, 6);
}

static void test_several_interfaces(void **state)
{
	(void)state;
	assert_int_equal(parse_words("eth0,eth1", "1", "2", "f", NULL), OPTIONS_RUN);
	assert_int_equal(opts.exports[0].ifname_count, 2);
	assert_string_equal(opts.exports[0].ifnames[1], "eth1");
}

static void test_bad_arguments_refused(void **state)
{
	(void)state;
	static const char *bad[][6] = {
		{ "eth0", "65535", "0", "f" },          /* broadcast shelf */
		{ "eth0", "1", "255", "f" },            /* broadcast slot */
		{ "eth0", "65536", "0", "f" },
		{ "eth0", "-1", "0", "f" },
		{ "eth0", "x", "0", "f" },
		{ "eth0", "1", "0" },                   /* three positionals */
		{ "-b", "1", "eth0", "1", "0", "f" },   /* Linux needs two buffers */
		{ "-m", "00:11:22", "eth0", "1", "0", "f" },
		{ "-l", "0", "eth0", "1", "0", "f" },
		{ "--bogus", "eth0", "1", "0", "f" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum options_result result = parse_words(bad[i][0], bad[i][1], bad[i][2], bad[i][3],
							 bad[i][4], bad[i][5], NULL);
		if (result != OPTIONS_EXIT_USAGE)
			fail_msg("case %zu was accepted", i);
	}
}

static void test_shelf_and_slot_limits_accepted(void **state)
{
	(void)state;
	assert_int_equal(parse_words("eth0", "65534", "254", "f", NULL), OPTIONS_RUN);
	assert_int_equal(opts.exports[0].shelf, 65534);
	assert_int_equal(opts.exports[0].slot, 254);
	assert_int_equal(parse_words("eth0", "0x0fff", "0", "f", NULL), OPTIONS_RUN); /* warned */
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

static void test_config_file(void **state)
{
	(void)state;
	char path[] = "/tmp/aoekit-conf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "# two exports\n"
			 "state-dir /var/lib/x   # trailing comment\n"
			 "\n"
			 "export eth0,eth1 9 0 /srv/a.img\n"
			 "export -r -b 8 9 1 eth0 /srv/b.img\n");
	assert_int_equal(parse_words("-c", path, NULL), OPTIONS_RUN);
	assert_int_equal(opts.export_count, 2);
	assert_string_equal(opts.state_dir, "/var/lib/x");
	assert_int_equal(opts.exports[0].ifname_count, 2);
	assert_true(opts.exports[1].read_only);
	assert_int_equal(opts.exports[1].buffer_count, 8);
	assert_int_equal(opts.exports[1].slot, 1);

	/* A second export of the same address, an unknown keyword, a bad export line. */
	static const char *broken[] = {
		"export eth0 9 0 /a\nexport eth1 9 0 /b\n",
		"exprot eth0 9 0 /a\n",
		"export eth0 9 255 /a\n",
		"# nothing\n",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		write_file(path, broken[i]);
		if (parse_words("-c", path, NULL) != OPTIONS_EXIT_USAGE)
			fail_msg("broken file %zu was accepted", i);
	}
	/* Exports come from the file only. */
	write_file(path, "export eth0 9 0 /a\n");
	assert_int_equal(parse_words("-c", path, "eth0", "1", "1", "/b", NULL), OPTIONS_EXIT_USAGE);
	assert_int_equal(parse_words("-r", "-c", path, NULL), OPTIONS_EXIT_USAGE);
	unlink(path);
}

static void test_state_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/aoekit-state-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/e1.2.state", dir);

	static struct target saved, loaded;
	char err[256];
	target_init(&saved, 1, 2, 100, false, "host");
	static const uint8_t config[] = { 'a', 0, '\n', 0xff, ' ' }; /* any byte may be in it */
	memcpy(saved.config, config, sizeof(config));
	saved.config_len = sizeof(config);
	static const uint8_t mac_a[6] = { 0, 1, 2, 3, 4, 5 }, mac_b[6] = { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf };
	memcpy(saved.mask[0], mac_a, 6);
	memcpy(saved.mask[1], mac_b, 6);
	saved.mask_count = 2;
	memcpy(saved.reserve[0], mac_b, 6);
	saved.reserve_count = 1;
	assert_int_equal(state_save(&saved, path), 0);

	target_init(&loaded, 1, 2, 100, false, "host");
	loaded.mask_count = 1; /* from -m: the file replaces it */
	assert_int_equal(state_load(&loaded, path, err, sizeof(err)), 0);
	assert_int_equal(loaded.config_len, sizeof(config));
	assert_memory_equal(loaded.config, config, sizeof(config));
	assert_int_equal(loaded.mask_count, 2);
	assert_memory_equal(loaded.mask[1], mac_b, 6);
	assert_int_equal(loaded.reserve_count, 1);
	assert_memory_equal(loaded.reserve[0], mac_b, 6);

	/* A missing file is an empty state; a damaged one is refused with its line. */
	unlink(path);
	assert_int_equal(state_load(&loaded, path, err, sizeof(err)), 0);
	write_file(path, "aoe-target-state 1\nmask zz:00\n");
	assert_int_equal(state_load(&loaded, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2:"));
	write_file(path, "something else\n");
	assert_int_equal(state_load(&loaded, path, err, sizeof(err)), -1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aoekit_order),
		cmocka_unit_test(test_vblade_order_and_options),
		cmocka_unit_test(test_numeric_global_options),
		cmocka_unit_test(test_several_interfaces),
		cmocka_unit_test(test_bad_arguments_refused),
		cmocka_unit_test(test_shelf_and_slot_limits_accepted),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_state_round_trip),
	};
	return cmocka_run_group_tests_name("target_options_tests", tests, NULL, NULL);
}
