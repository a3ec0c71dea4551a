/*
 * cli.c - aoe-initiator's command line: parsing, checking, dispatch.
 *
 * Every option is parsed into struct cli_options and then checked against
 * the subcommand it was given to, so "--lba" on discover is an error rather
 * than silently ignored.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "units.h"
#include "usage.h"

#ifndef AOEKIT_VERSION
#define AOEKIT_VERSION "0.2.0"
#endif

/* Options, as bits, so each command can say which it accepts. */
enum option_bit {
	OPT_INTERFACE = 1 << 0, OPT_TIMEOUT = 1 << 1, OPT_JSON = 1 << 2, OPT_RAW = 1 << 3,
	OPT_LBA = 1 << 4, OPT_OFFSET = 1 << 5, OPT_COUNT = 1 << 6, OPT_LENGTH = 1 << 7,
	OPT_OUTPUT = 1 << 8, OPT_FILE = 1 << 9, OPT_SYNC = 1 << 10, OPT_VERBOSE = 1 << 11,
	OPT_SET = 1 << 12, OPT_FORCE = 1 << 13, OPT_TEST = 1 << 14, OPT_PREFIX = 1 << 15,
	OPT_ADD = 1 << 16, OPT_DEL = 1 << 17, OPT_RELEASE = 1 << 18, OPT_INTERVAL = 1 << 19,
	OPT_BACKGROUND = 1 << 20,
	OPT_COMMON = OPT_INTERFACE | OPT_TIMEOUT | OPT_VERBOSE | OPT_JSON,
	OPT_RANGE = OPT_LBA | OPT_OFFSET | OPT_COUNT | OPT_LENGTH,
};

/* getopt values of the long-only options. */
enum {
	LONG_RAW = 256, LONG_LBA, LONG_OFFSET, LONG_LENGTH, LONG_SET, LONG_FORCE, LONG_TEST,
	LONG_PREFIX, LONG_ADD, LONG_DEL, LONG_RELEASE, LONG_INTERVAL, LONG_BACKGROUND,
};

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' }, { "timeout", required_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },            { "raw", no_argument, NULL, LONG_RAW },
	{ "lba", required_argument, NULL, LONG_LBA },  { "offset", required_argument, NULL, LONG_OFFSET },
	{ "count", required_argument, NULL, 'c' },     { "length", required_argument, NULL, LONG_LENGTH },
	{ "output", required_argument, NULL, 'o' },    { "file", required_argument, NULL, 'f' },
	{ "sync", no_argument, NULL, 's' },            { "verbose", no_argument, NULL, 'v' },
	{ "set", required_argument, NULL, LONG_SET },  { "force", no_argument, NULL, LONG_FORCE },
	{ "test", required_argument, NULL, LONG_TEST }, { "prefix", required_argument, NULL, LONG_PREFIX },
	{ "add", required_argument, NULL, LONG_ADD },  { "del", required_argument, NULL, LONG_DEL },
	{ "release", no_argument, NULL, LONG_RELEASE },
	{ "interval", required_argument, NULL, LONG_INTERVAL },
	{ "background", no_argument, NULL, LONG_BACKGROUND },
	{ "help", no_argument, NULL, 'h' },            { "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

enum operands { NO_TARGET, TARGET, MAYBE_TARGET, TARGET_AND_FILE };

struct command {
	const char *name;
	int (*run)(const struct cli_options *opts);
	enum operands operands;
	unsigned accepted;          /* OPT_* bits */
};

static const struct command commands[] = {
	{ "discover", command_discover, NO_TARGET, OPT_COMMON },
	{ "identify", command_identify, TARGET, OPT_COMMON | OPT_RAW },
	{ "read", command_read, TARGET, OPT_COMMON | OPT_RANGE | OPT_OUTPUT },
	{ "write", command_write, TARGET, OPT_COMMON | OPT_RANGE | OPT_FILE | OPT_SYNC },
	{ "config", command_config, TARGET, OPT_COMMON | OPT_SET | OPT_FORCE | OPT_TEST | OPT_PREFIX },
	{ "mask", command_mask, TARGET, OPT_COMMON | OPT_ADD | OPT_DEL },
	{ "reserve", command_reserve, TARGET, OPT_COMMON | OPT_SET | OPT_FORCE | OPT_RELEASE },
	{ "flush", command_flush, TARGET, OPT_COMMON },
	{ "ping", command_ping, TARGET, OPT_COMMON | OPT_COUNT | OPT_INTERVAL },
	{ "check", command_check, MAYBE_TARGET, OPT_COMMON },
	{ "mount", NULL, TARGET_AND_FILE, OPT_COMMON | OPT_BACKGROUND },
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line naming the mistake, pointing at --help; always EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	fprintf(stderr, PROGRAM_NAME ": ");
	vfprintf(stderr, fmt, args);
	fprintf(stderr, "; see " PROGRAM_NAME " --help\n");
	va_end(args);
	return EXIT_USAGE;
}

static unsigned option_bit(int opt)
{
	switch (opt) {
	case 'i': return OPT_INTERFACE;
	case 't': return OPT_TIMEOUT;
	case 'j': return OPT_JSON;
	case LONG_RAW: return OPT_RAW;
	case LONG_LBA: return OPT_LBA;
	case LONG_OFFSET: return OPT_OFFSET;
	case 'c': return OPT_COUNT;
	case LONG_LENGTH: return OPT_LENGTH;
	case 'o': return OPT_OUTPUT;
	case 'f': return OPT_FILE;
	case 's': return OPT_SYNC;
	case 'v': return OPT_VERBOSE;
	case LONG_SET: return OPT_SET;
	case LONG_FORCE: return OPT_FORCE;
	case LONG_TEST: return OPT_TEST;
	case LONG_PREFIX: return OPT_PREFIX;
	case LONG_ADD: return OPT_ADD;
	case LONG_DEL: return OPT_DEL;
	case LONG_RELEASE: return OPT_RELEASE;
	case LONG_INTERVAL: return OPT_INTERVAL;
	case LONG_BACKGROUND: return OPT_BACKGROUND;
	default: return 0;
	}
}

static const char *option_name(unsigned bit)
{
	for (const struct option *o = long_options; o->name != NULL; o++) {
		if (option_bit(o->val) == bit)
			return o->name;
	}
	return "?";
}

/* --set means a config string to config and MACs to reserve: keep it until the command is known. */
struct pending {
	const char *set_values[CLI_SET_MAX];
	unsigned set_count;
};

static int take_mac_edit(struct cli_options *opts, uint8_t dcmd, const char *arg)
{
	if (opts->mask_edit_count == AOE_MASK_MAX_DIRECTIVES)
		return usage_error("at most %d --add/--del", AOE_MASK_MAX_DIRECTIVES);
	struct cli_mask_edit *edit = &opts->mask_edits[opts->mask_edit_count];
	if (!aoe_mac_parse(arg, edit->mac))
		return usage_error("'%s' is not a MAC address like 52:54:00:12:34:56", arg);
	edit->dcmd = dcmd;
	opts->mask_edit_count++;
	return EXIT_OK;
}

static int take_number(int opt, const char *arg, struct cli_options *opts)
{
	switch (opt) {
	case 't':
		opts->timeout_given = true;
		return units_parse_seconds(arg, &opts->timeout_s)
			       ? EXIT_OK : usage_error("--timeout wants positive seconds, not '%s'", arg);
	case LONG_INTERVAL:
		opts->interval_given = true;
		return units_parse_seconds(arg, &opts->interval_s)
			       ? EXIT_OK : usage_error("--interval wants positive seconds, not '%s'", arg);
	case LONG_LBA:
		opts->has_lba = true;
		return units_parse_count(arg, &opts->lba)
			       ? EXIT_OK : usage_error("--lba wants a sector number, not '%s'", arg);
	case 'c':
		opts->has_count = true;
		return units_parse_count(arg, &opts->count)
			       ? EXIT_OK : usage_error("--count wants a whole number, not '%s'", arg);
	case LONG_OFFSET:
		opts->has_offset = true;
		return units_parse_size(arg, &opts->offset)
			       ? EXIT_OK : usage_error("--offset wants bytes (e.g. 4096, 1M), not '%s'", arg);
	case LONG_LENGTH:
		opts->has_length = true;
		return units_parse_size(arg, &opts->length)
			       ? EXIT_OK : usage_error("--length wants bytes (e.g. 4096, 1M), not '%s'", arg);
	}
	return EXIT_OK;
}

/* Parse one option's argument into opts.  Returns EXIT_OK or a usage error. */
static int take_option(int opt, const char *arg, struct cli_options *opts, struct pending *pending)
{
	switch (opt) {
	case 'i':
		if (opts->ifname_count == ENGINE_PORTS_MAX)
			return usage_error("too many interfaces (at most %d): %s", ENGINE_PORTS_MAX, arg);
		opts->ifnames[opts->ifname_count++] = arg;
		return EXIT_OK;
	case 'o': opts->output_path = arg; return EXIT_OK;
	case 'f': opts->input_path = arg; return EXIT_OK;
	case 'j': opts->json = true; return EXIT_OK;
	case LONG_RAW: opts->raw = true; return EXIT_OK;
	case 's': opts->sync = true; return EXIT_OK;
	case 'v': opts->verbose = true; report_set_verbose(true); return EXIT_OK;
	case LONG_FORCE: opts->force = true; return EXIT_OK;
	case LONG_RELEASE: opts->release = true; return EXIT_OK;
	case LONG_BACKGROUND: opts->background = true; return EXIT_OK;
	case LONG_ADD: return take_mac_edit(opts, AOE_DCMD_ADD, arg);
	case LONG_DEL: return take_mac_edit(opts, AOE_DCMD_DELETE, arg);
	case LONG_TEST: case LONG_PREFIX:
		opts->config_string = arg;
		opts->config_ccmd = opt == LONG_TEST ? AOE_CCMD_TEST : AOE_CCMD_TEST_PREFIX;
		return EXIT_OK;
	case LONG_SET:
		if (pending->set_count == CLI_SET_MAX)
			return usage_error("too many --set (at most %d)", CLI_SET_MAX);
		pending->set_values[pending->set_count++] = arg;
		return EXIT_OK;
	}
	return take_number(opt, arg, opts);
}

/* Parse argv; returns -1 to go on, or an exit code (help, version, error). */
static int parse_options(int argc, char **argv, struct cli_options *opts, unsigned *given,
			 struct pending *pending)
{
	int opt;
	opterr = 0;
	optind = 0;  /* GNU: start afresh (cli_parse may run more than once, in tests) */
	while ((opt = getopt_long(argc, argv, ":i:t:jc:o:f:svhV", long_options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, stdout);
			return EXIT_OK;
		}
		if (opt == 'V') {
			printf(PROGRAM_NAME " (aoekit) %s\n", AOEKIT_VERSION);
			return EXIT_OK;
		}
		if (opt == '?' || opt == ':')
			return usage_error(opt == ':' ? "option %s needs an argument" : "unknown option %s",
					   argv[optind - 1]);
		*given |= option_bit(opt);
		int rc = take_option(opt, optarg, opts, pending);
		if (rc != EXIT_OK)
			return rc;
	}
	return -1;
}

/* reserve --set: MACs, comma-separated and repeatable; "self" stands for this host's. */
static int take_reserve_macs(struct cli_options *opts, const struct pending *pending)
{
	for (unsigned i = 0; i < pending->set_count; i++) {
		char list[1024];
		snprintf(list, sizeof(list), "%s", pending->set_values[i]);
		for (char *save = NULL, *word = strtok_r(list, ",", &save); word != NULL;
		     word = strtok_r(NULL, ",", &save)) {
			if (strcmp(word, "self") == 0) {
				opts->reserve_self = true;
				continue;
			}
			if (opts->reserve_mac_count == AOE_RESERVE_MAX_MACS)
				return usage_error("a reserve list holds at most %d MACs", AOE_RESERVE_MAX_MACS);
			if (!aoe_mac_parse(word, opts->reserve_macs[opts->reserve_mac_count]))
				return usage_error("'%s' is not a MAC address (or 'self')", word);
			opts->reserve_mac_count++;
		}
	}
	opts->reserve_set = pending->set_count > 0;
	return EXIT_OK;
}

static int take_config_set(struct cli_options *opts, const struct pending *pending)
{
	if (pending->set_count > 1)
		return usage_error("config: give --set once");
	if (pending->set_count == 0)
		return EXIT_OK;
	if (opts->config_string != NULL)
		return usage_error("config: give one of --set, --test and --prefix");
	opts->config_string = pending->set_values[0];
	opts->config_ccmd = opts->force ? AOE_CCMD_FORCE_SET : AOE_CCMD_SET;
	return EXIT_OK;
}

static int check_config(const struct cli_options *opts, unsigned given)
{
	if ((given & OPT_TEST) && (given & OPT_PREFIX))
		return usage_error("config: give one of --set, --test and --prefix");
	if (opts->force && opts->config_ccmd != AOE_CCMD_FORCE_SET)
		return usage_error("config: --force goes with --set");
	if (opts->config_string != NULL && strlen(opts->config_string) > AOE_CONFIG_MAX)
		return usage_error("config: a config string has at most %d bytes", AOE_CONFIG_MAX);
	return EXIT_OK;
}

static int check_reserve(const struct cli_options *opts)
{
	if (opts->reserve_set && opts->release)
		return usage_error("reserve: give --set or --release, not both");
	if (opts->force && !opts->reserve_set && !opts->release)
		return usage_error("reserve: --force goes with --set or --release");
	return EXIT_OK;
}

static int check_transfer(const struct command *cmd, const struct cli_options *opts)
{
	if (opts->has_lba && opts->has_offset)
		return usage_error("%s: give --lba or --offset, not both", cmd->name);
	if (opts->has_count && opts->has_length)
		return usage_error("%s: give --count or --length, not both", cmd->name);
	if (strcmp(cmd->name, "write") == 0 && !opts->has_lba && !opts->has_offset)
		return usage_error("%s: say where to write with --lba N or --offset BYTES", cmd->name);
	if (strcmp(cmd->name, "read") == 0 && opts->json && opts->output_path == NULL)
		return usage_error("read: --json needs -o FILE (standard output carries the data)");
	return EXIT_OK;
}

static int check_combination(const struct command *cmd, struct cli_options *opts, unsigned given,
			     const struct pending *pending)
{
	unsigned refused = given & ~cmd->accepted;
	if (refused != 0) {
		unsigned bit = refused & -refused;
		return usage_error("option --%s does not apply to %s", option_name(bit), cmd->name);
	}
	if (strcmp(cmd->name, "config") == 0) {
		int rc = take_config_set(opts, pending);
		return rc != EXIT_OK ? rc : check_config(opts, given);
	}
	if (strcmp(cmd->name, "reserve") == 0) {
		int rc = take_reserve_macs(opts, pending);
		return rc != EXIT_OK ? rc : check_reserve(opts);
	}
	if (strcmp(cmd->name, "ping") == 0 && opts->has_count && opts->count == 0)
		return usage_error("ping: --count wants at least 1");
	return check_transfer(cmd, opts);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

static int take_target(const char *word, struct cli_options *opts)
{
	if (!units_parse_target(word, &opts->shelf, &opts->slot))
		return usage_error("'%s' is not a target name like e9.0 (shelf 0-65534, slot 0-254)",
				   word);
	opts->has_target = true;
	return EXIT_OK;
}

/* The positional words: COMMAND [eS.L [FILE]]. */
static int take_operands(int count, char **words, const struct command **cmd,
			 struct cli_options *opts)
{
	if (count == 0)
		return usage_error("%s", "no command given (discover, identify, read, write, ...)");
	*cmd = find_command(words[0]);
	if (*cmd == NULL)
		return usage_error("unknown command '%s'", words[0]);
	opts->command = (*cmd)->name;
	enum operands want = (*cmd)->operands;
	int least = want == TARGET ? 2 : want == TARGET_AND_FILE ? 3 : 1;
	int most = want == NO_TARGET ? 1 : want == TARGET_AND_FILE ? 3 : 2;
	if (count < least)
		return usage_error(want == TARGET_AND_FILE ? "%s: name the target and the file, e.g. "
							     "e9.0 /mnt/e9.0"
							   : "%s: name the target, e.g. e9.0",
				   words[0]);
	if (count > most)
		return usage_error("unexpected argument '%s'", words[most]);
	if (count >= 2) {
		int rc = take_target(words[1], opts);
		if (rc != EXIT_OK)
			return rc;
	}
	if (want == TARGET_AND_FILE)
		opts->mount_path = words[2];
	return EXIT_OK;
}

int cli_parse(int argc, char **argv, struct cli_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	report_set_verbose(false);
	struct pending pending = { .set_count = 0 };
	unsigned given = 0;
	int rc = parse_options(argc, argv, opts, &given, &pending);
	if (rc >= 0)
		return rc;
	const struct command *cmd = NULL;
	rc = take_operands(argc - optind, argv + optind, &cmd, opts);
	if (rc == EXIT_OK)
		rc = check_combination(cmd, opts, given, &pending);
	return rc == EXIT_OK ? -1 : rc;
}

int cli_run(const struct cli_options *opts)
{
	const struct command *cmd = find_command(opts->command);
	if (strcmp(cmd->name, "mount") == 0) {
		if (command_mount == NULL) {
			report_error("mount: this aoe-initiator was built without FUSE (libfuse3); "
				     "see aoe-initiator(1)");
			return EXIT_LOCAL;
		}
		return command_mount(opts);
	}
	return cmd->run(opts);
}
