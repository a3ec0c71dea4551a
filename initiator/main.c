/*
 * main.c - aoe-initiator: command line parsing and subcommand dispatch.
 *
 * Every option is parsed into struct cli_options and then checked against
 * the subcommand it was given to, so "--lba" on discover is an error rather
 * than silently ignored.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "units.h"

#ifndef AOEKIT_VERSION
#define AOEKIT_VERSION "0.1.0"
#endif

static const char usage_text[] =
	"Usage: aoe-initiator COMMAND [OPTIONS]\n"
	"\n"
	"A userland AoE (ATA over Ethernet) initiator.\n"
	"\n"
	"Commands:\n"
	"  discover [-i IFACE]... [--timeout SECONDS] [--json]\n"
	"      Broadcast a Query Config, list every target that answers with its size.\n"
	"  identify eS.L [-i IFACE]... [--json] [--raw]\n"
	"      Show the target's IDENTIFY DEVICE page, decoded (--raw adds a hex dump).\n"
	"  read eS.L [-i IFACE]... [--lba N | --offset BYTES]\n"
	"        [--count N | --length BYTES] [-o FILE]\n"
	"      Read from the target to FILE or standard output.  Starts at 0 unless told;\n"
	"      without --count or --length reads to the end of the target.\n"
	"  write eS.L [-i IFACE]... (--lba N | --offset BYTES)\n"
	"        [--count N | --length BYTES] [-f FILE] [--sync]\n"
	"      Write FILE or standard input to the target, all of it unless --count or\n"
	"      --length limits it.  Unaligned offsets and lengths are read-modify-write.\n"
	"\n"
	"eS.L names a target by shelf and slot, e.g. e9.0.\n"
	"\n"
	"Options:\n"
	"  -i, --interface IFACE  network interface to use; repeat for several\n"
	"                         (default: every interface that is up, except loopback)\n"
	"  -t, --timeout SECONDS  discover: how long to collect answers (default 1);\n"
	"                         others: give up after this long without an answer\n"
	"                         (default 10)\n"
	"  -j, --json             machine-readable output (discover, identify)\n"
	"      --raw              identify: also dump the 512-byte page\n"
	"      --lba N            start at sector N (512 bytes each)\n"
	"      --offset BYTES     start at byte BYTES\n"
	"      --count N          move N sectors\n"
	"      --length BYTES     move BYTES bytes\n"
	"  -o, --output FILE      read: write the data to FILE instead of standard output\n"
	"  -f, --file FILE        write: read the data from FILE, not standard input\n"
	"  -s, --sync             write: end with FLUSH CACHE (EXT) so the data is stable\n"
	"  -v, --verbose          report paths, retransmissions and statistics on stderr\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"BYTES take K, M, G or T suffixes (powers of 1024): --offset 1M --length 4K.\n"
	"Numbers may be hexadecimal with 0x.  Raw sockets need root (CAP_NET_RAW).\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  usage error, or a range outside the target\n"
	"  2  no target answered, or the target stopped answering (timeout)\n"
	"  3  the target reported an error (AoE error, or failed ATA status)\n"
	"  4  local error (interface, socket, file)\n";

/* Options, as bits, so each command can say which it accepts. */
enum option_bit {
	OPT_INTERFACE = 1 << 0,
	OPT_TIMEOUT = 1 << 1,
	OPT_JSON = 1 << 2,
	OPT_RAW = 1 << 3,
	OPT_LBA = 1 << 4,
	OPT_OFFSET = 1 << 5,
	OPT_COUNT = 1 << 6,
	OPT_LENGTH = 1 << 7,
	OPT_OUTPUT = 1 << 8,
	OPT_FILE = 1 << 9,
	OPT_SYNC = 1 << 10,
	OPT_VERBOSE = 1 << 11,
	OPT_COMMON = OPT_INTERFACE | OPT_TIMEOUT | OPT_VERBOSE,
	OPT_RANGE = OPT_LBA | OPT_OFFSET | OPT_COUNT | OPT_LENGTH,
};

/* getopt values of the long-only options. */
enum { LONG_RAW = 256, LONG_LBA, LONG_OFFSET, LONG_COUNT, LONG_LENGTH };

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "timeout", required_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },
	{ "raw", no_argument, NULL, LONG_RAW },
	{ "lba", required_argument, NULL, LONG_LBA },
	{ "offset", required_argument, NULL, LONG_OFFSET },
	{ "count", required_argument, NULL, LONG_COUNT },
	{ "length", required_argument, NULL, LONG_LENGTH },
	{ "output", required_argument, NULL, 'o' },
	{ "file", required_argument, NULL, 'f' },
	{ "sync", no_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct command {
	const char *name;
	int (*run)(const struct cli_options *opts);
	bool needs_target;
	unsigned accepted;          /* OPT_* bits */
};

static const struct command commands[] = {
	{ "discover", command_discover, false, OPT_COMMON | OPT_JSON },
	{ "identify", command_identify, true, OPT_COMMON | OPT_JSON | OPT_RAW },
	{ "read", command_read, true, OPT_COMMON | OPT_RANGE | OPT_OUTPUT },
	{ "write", command_write, true, OPT_COMMON | OPT_RANGE | OPT_FILE | OPT_SYNC },
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

/* Parse one option's argument into opts.  Returns EXIT_OK or a usage error. */
static int take_option(int opt, const char *arg, struct cli_options *opts)
{
	switch (opt) {
	case 'i':
		if (opts->ifname_count == ENGINE_PORTS_MAX)
			return usage_error("too many interfaces (at most 8): %s", arg);
		opts->ifnames[opts->ifname_count++] = arg;
		return EXIT_OK;
	case 't':
		opts->timeout_given = true;
		return units_parse_seconds(arg, &opts->timeout_s)
			       ? EXIT_OK : usage_error("--timeout wants positive seconds, not '%s'", arg);
	case LONG_LBA:
		opts->has_lba = true;
		return units_parse_count(arg, &opts->lba)
			       ? EXIT_OK : usage_error("--lba wants a sector number, not '%s'", arg);
	case LONG_COUNT:
		opts->has_count = true;
		return units_parse_count(arg, &opts->count)
			       ? EXIT_OK : usage_error("--count wants a number of sectors, not '%s'", arg);
	case LONG_OFFSET:
		opts->has_offset = true;
		return units_parse_size(arg, &opts->offset)
			       ? EXIT_OK : usage_error("--offset wants bytes (e.g. 4096, 1M), not '%s'", arg);
	case LONG_LENGTH:
		opts->has_length = true;
		return units_parse_size(arg, &opts->length)
			       ? EXIT_OK : usage_error("--length wants bytes (e.g. 4096, 1M), not '%s'", arg);
	case 'o':
		opts->output_path = arg;
		return EXIT_OK;
	case 'f':
		opts->input_path = arg;
		return EXIT_OK;
	}
	return EXIT_OK;
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
	case LONG_COUNT: return OPT_COUNT;
	case LONG_LENGTH: return OPT_LENGTH;
	case 'o': return OPT_OUTPUT;
	case 'f': return OPT_FILE;
	case 's': return OPT_SYNC;
	case 'v': return OPT_VERBOSE;
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

/* Parse argv; returns -1 to go on, or an exit code (help, version, error). */
static int parse_options(int argc, char **argv, struct cli_options *opts, unsigned *given)
{
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:t:jo:f:svhV", long_options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, stdout);
			return EXIT_OK;
		}
		if (opt == 'V') {
			printf(PROGRAM_NAME " (aoekit) %s\n", AOEKIT_VERSION);
			return EXIT_OK;
		}
		if (opt == '?' || opt == ':') {
			const char *bad = argv[optind - 1];
			return usage_error(opt == ':' ? "option %s needs an argument" : "unknown option %s",
					   bad);
		}
		*given |= option_bit(opt);
		opts->json |= opt == 'j';
		opts->raw |= opt == LONG_RAW;
		opts->sync |= opt == 's';
		if (opt == 'v')
			report_set_verbose(true);
		int rc = take_option(opt, optarg, opts);
		if (rc != EXIT_OK)
			return rc;
	}
	return -1;
}

static int check_combination(const struct command *cmd, const struct cli_options *opts,
			     unsigned given)
{
	unsigned refused = given & ~cmd->accepted;
	if (refused != 0) {
		unsigned bit = refused & -refused;
		return usage_error("option --%s does not apply to %s", option_name(bit), cmd->name);
	}
	if (opts->has_lba && opts->has_offset)
		return usage_error("%s: give --lba or --offset, not both", cmd->name);
	if (opts->has_count && opts->has_length)
		return usage_error("%s: give --count or --length, not both", cmd->name);
	if (strcmp(cmd->name, "write") == 0 && !opts->has_lba && !opts->has_offset)
		return usage_error("%s: say where to write with --lba N or --offset BYTES", cmd->name);
	return EXIT_OK;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

/* The positional words: COMMAND [eS.L]. */
static int take_operands(int count, char **words, const struct command **cmd,
			 struct cli_options *opts)
{
	if (count == 0)
		return usage_error("%s", "no command given (discover, identify, read, write)");
	*cmd = find_command(words[0]);
	if (*cmd == NULL)
		return usage_error("unknown command '%s'", words[0]);
	int wanted = (*cmd)->needs_target ? 2 : 1;
	if (count < wanted)
		return usage_error("%s: name the target, e.g. e9.0", words[0]);
	if (count > wanted)
		return usage_error("unexpected argument '%s'", words[wanted]);
	if ((*cmd)->needs_target && !units_parse_target(words[1], &opts->shelf, &opts->slot))
		return usage_error("'%s' is not a target name like e9.0 (shelf 0-65534, slot 0-254)",
				   words[1]);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli_options opts = { 0 };
	unsigned given = 0;
	int rc = parse_options(argc, argv, &opts, &given);
	if (rc >= 0)
		return rc;
	const struct command *cmd = NULL;
	rc = take_operands(argc - optind, argv + optind, &cmd, &opts);
	if (rc == EXIT_OK)
		rc = check_combination(cmd, &opts, given);
	if (rc != EXIT_OK)
		return rc;
	return cmd->run(&opts);
}
