/*
 * options.c - parse aoe-target's command line (a superset of vblade's).
 */
#include "options.h"

#include "config_file.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "aoe-target"
#define VERSION "0.1"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROGRAM " [options] IFACE SHELF SLOT FILE\n"
		"       " PROGRAM " [options] SHELF SLOT IFACE FILE   (vblade's order)\n"
		"       " PROGRAM " [-D] [-q] [--state-dir DIR] [--threads N] [--coalesce USEC] -c CONFIG\n"
		"Export FILE (a regular file or block device) as AoE target eSHELF.SLOT on IFACE\n"
		"(IFACE may list several interfaces: eth0,eth1).\n"
		"\n"
		"  -b, --buffers N      buffer count to advertise (default 16, at least 2)\n"
		"  -d, --direct         open FILE with O_DIRECT\n"
		"  -s, --sync           open FILE with O_SYNC\n"
		"  -r, --read-only      refuse writes\n"
		"  -m, --mask MAC[,MAC] serve only these initiators (any case, colons optional)\n"
		"  -o, --offset N       skip N sectors at the start of FILE\n"
		"  -l, --length N       export only N sectors\n"
		"      --writeback      acknowledge writes before they are stable (vblade's way)\n"
		"  -c, --config FILE    serve the exports FILE lists (see aoe-target(8))\n"
		"      --state-dir DIR  keep config string, mask and reserve lists across restarts\n"
		"      --threads N      serve with N event loops on N threads (default 1)\n"
		"      --coalesce USEC  under a steady stream of requests, gather them for USEC\n"
		"                       microseconds per wake-up (less CPU, more latency; default 0)\n"
		"  -D, --daemon         detach and log to syslog\n"
		"  -q, --quiet          no startup line or final counters\n"
		"  -h, --help           this text\n"
		"      --version        print the version\n"
		"\n"
		"SHELF is 0-65534 and SLOT 0-254 (65535 and 255 are the broadcast addresses).\n"
		"By default a write is acknowledged once it is stable on FILE.\n"
		"SIGUSR1 logs the counters; SIGTERM/SIGINT finish, flush and exit 0.\n"
		"Exit status: 0 after SIGTERM/SIGINT, 1 on a usage or setup error.\n");
}

/* Where the words being parsed came from, for messages ("disk.conf:3: "). */
static const char *current_where;

static bool bad(const char *what, const char *value)
{
	if (current_where)
		fprintf(stderr, PROGRAM ": %s: %s: %s\n", current_where, value, what);
	else
		fprintf(stderr, PROGRAM ": %s: %s (see " PROGRAM " --help)\n", value, what);
	return false;
}

static int bad_option(const char *what, const char *value)
{
	bad(what, value);
	return -1;
}

static bool parse_number(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (text[0] == '-' || text[0] == '\0')
		return false;
	unsigned long long value = strtoull(text, &end, 0);
	if (errno != 0 || *end != '\0' || value > max)
		return false;
	*out = value;
	return true;
}

static bool is_number(const char *text)
{
	uint64_t ignored;
	return parse_number(text, UINT64_MAX, &ignored);
}

/* Split a comma list into fixed-size items; returns the count, or -1 with a message. */
static int split_list(const char *list, char *items, size_t item_size, unsigned max_items,
		      const char *what)
{
	char copy[1024];
	if (strlen(list) >= sizeof(copy))
		return bad_option("list too long", what);
	snprintf(copy, sizeof(copy), "%s", list);
	unsigned count = 0;
	char *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (count == max_items || strlen(item) >= item_size) {
			bad(count == max_items ? "too many items in the list" : "item too long", item);
			return -1;
		}
		snprintf(items + count * item_size, item_size, "%s", item);
		count++;
	}
	return (int)count;
}

static bool parse_masks(const char *list, struct export_spec *spec)
{
	char items[TARGET_MASK_MAX][32];
	int count = split_list(list, &items[0][0], sizeof(items[0]), TARGET_MASK_MAX, list);
	if (count < 0)
		return false;
	for (int i = 0; i < count; i++) {
		if (!aoe_mac_parse(items[i], spec->masks[spec->mask_count]))
			return bad("not a MAC address", items[i]);
		spec->mask_count++;
	}
	return true;
}

static bool parse_address(const char *shelf_text, const char *slot_text, struct export_spec *spec)
{
	uint64_t shelf, slot;
	if (!parse_number(shelf_text, UINT16_MAX, &shelf) || shelf == AOE_SHELF_BROADCAST)
		return bad("shelf must be 0-65534 (65535 is the broadcast shelf)", shelf_text);
	if (!parse_number(slot_text, UINT8_MAX, &slot) || slot == AOE_SLOT_BROADCAST)
		return bad("slot must be 0-254 (255 is the broadcast slot)", slot_text);
	if (shelf == AOE_SHELF_LINUX_IGNORED)
		fprintf(stderr, PROGRAM ": warning: the Linux aoe driver ignores shelf %u (0x0fff)\n",
			AOE_SHELF_LINUX_IGNORED);
	spec->shelf = (uint16_t)shelf;
	spec->slot = (uint8_t)slot;
	return true;
}

static bool parse_positionals(int count, char **args, struct export_spec *spec)
{
	if (count != 4) {
		char got[32];
		snprintf(got, sizeof(got), "%d argument%s", count, count == 1 ? "" : "s");
		return bad("expected IFACE SHELF SLOT FILE", got);
	}
	/* vblade's order starts with two numbers and has the interface third. */
	bool vblade_order = is_number(args[0]) && is_number(args[1]) && !is_number(args[2]);
	const char *ifaces = vblade_order ? args[2] : args[0];
	if (strlen(args[3]) >= sizeof(spec->path))
		return bad("path too long", args[3]);
	snprintf(spec->path, sizeof(spec->path), "%s", args[3]);
	int count_ifaces = split_list(ifaces, &spec->ifnames[0][0], sizeof(spec->ifnames[0]),
				      OPTIONS_IFACES_MAX, ifaces);
	if (count_ifaces <= 0)
		return count_ifaces == 0 ? bad("no interface named", ifaces) : false;
	spec->ifname_count = (unsigned)count_ifaces;
	return vblade_order ? parse_address(args[0], args[1], spec)
			    : parse_address(args[1], args[2], spec);
}

enum { OPT_VERSION = 256, OPT_WRITEBACK, OPT_STATE_DIR, OPT_COALESCE, OPT_THREADS };

#define EXPORT_SHORT "b:dsrm:o:l:"
#define EXPORT_LONG                                               \
	{ "buffers", required_argument, NULL, 'b' },              \
	{ "direct", no_argument, NULL, 'd' },                     \
	{ "sync", no_argument, NULL, 's' },                       \
	{ "read-only", no_argument, NULL, 'r' },                  \
	{ "mask", required_argument, NULL, 'm' },                 \
	{ "offset", required_argument, NULL, 'o' },               \
	{ "length", required_argument, NULL, 'l' },               \
	{ "writeback", no_argument, NULL, OPT_WRITEBACK }

static const struct option export_options[] = { EXPORT_LONG, { NULL, 0, NULL, 0 } };
static const struct option all_options[] = {
	EXPORT_LONG,
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "coalesce", required_argument, NULL, OPT_COALESCE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "daemon", no_argument, NULL, 'D' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Returns 1 if opt is an export option and was applied, 0 if not one, -1 if bad. */
static int apply_export_option(int opt, const char *arg, struct export_spec *spec)
{
	uint64_t value;
	switch (opt) {
	case 'b':
		if (!parse_number(arg, UINT16_MAX, &value) || value < 2)
			return bad_option("buffer count must be 2-65535 (Linux needs at least 2)", arg);
		spec->buffer_count = (unsigned)value;
		return 1;
	case 'd': spec->direct = true; return 1;
	case 's': spec->sync = true; return 1;
	case 'r': spec->read_only = true; return 1;
	case OPT_WRITEBACK: spec->writeback = true; return 1;
	case 'm': return parse_masks(arg, spec) ? 1 : -1;
	case 'o':
		if (!parse_number(arg, UINT64_MAX / AOE_SECTOR_SIZE, &spec->offset_sectors))
			return bad_option("offset must be a number of sectors", arg);
		return 1;
	case 'l':
		if (!parse_number(arg, UINT64_MAX / AOE_SECTOR_SIZE, &spec->length_sectors) ||
		    spec->length_sectors == 0)
			return bad_option("length must be a positive number of sectors", arg);
		return 1;
	default:
		return 0;
	}
}

static void spec_defaults(struct export_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->buffer_count = TARGET_DEFAULT_BUFFER_COUNT;
}

static bool unknown_option(char **argv)
{
	return bad("unknown option or missing value", argv[optind - 1]);
}

bool options_parse_export(int argc, char **argv, const char *where, struct export_spec *spec)
{
	spec_defaults(spec);
	current_where = where;
	optind = 0; /* GNU getopt: start afresh on a new argv */
	opterr = 0;
	int opt;
	bool ok = true;
	while (ok && (opt = getopt_long(argc, argv, "+" EXPORT_SHORT, export_options, NULL)) != -1)
		ok = opt == '?' || opt == ':' ? unknown_option(argv)
					      : apply_export_option(opt, optarg, spec) == 1;
	ok = ok && parse_positionals(argc - optind, argv + optind, spec);
	current_where = NULL;
	return ok;
}

/* Global options; returns 1 applied, 0 not global, -1 bad. */
static int apply_global_option(int opt, const char *arg, struct target_options *opts)
{
	switch (opt) {
	case 'c': opts->config_path = arg; return 1;
	case 'D': opts->daemon = true; return 1;
	case 'q': opts->quiet = true; return 1;
	case OPT_STATE_DIR:
		if (strlen(arg) >= sizeof(opts->state_dir))
			return bad_option("path too long", arg);
		snprintf(opts->state_dir, sizeof(opts->state_dir), "%s", arg);
		return 1;
	case OPT_COALESCE: {
		uint64_t usec;
		if (!parse_number(arg, OPTIONS_COALESCE_MAX_US, &usec))
			return bad_option("coalesce must be 0-1000 microseconds", arg);
		opts->coalesce_us = (unsigned)usec;
		return 1;
	}
	case OPT_THREADS: {
		uint64_t threads;
		if (!parse_number(arg, OPTIONS_THREADS_MAX, &threads) || threads == 0)
			return bad_option("threads must be 1-16", arg);
		opts->threads = (unsigned)threads;
		return 1;
	}
	default:
		return 0;
	}
}

enum options_result options_parse(int argc, char **argv, struct target_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->threads = 1;
	struct export_spec *spec = &opts->exports[0];
	spec_defaults(spec);
	bool export_options_given = false;
	optind = 0;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, EXPORT_SHORT "c:Dqh", all_options, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return OPTIONS_EXIT_OK;
		}
		if (opt == OPT_VERSION) {
			printf(PROGRAM " " VERSION " (aoekit)\n");
			return OPTIONS_EXIT_OK;
		}
		if (opt == '?' || opt == ':') {
			unknown_option(argv);
			return OPTIONS_EXIT_USAGE;
		}
		int applied = apply_global_option(opt, optarg, opts);
		if (applied == 0) {
			applied = apply_export_option(opt, optarg, spec);
			export_options_given = true;
		}
		if (applied < 0)
			return OPTIONS_EXIT_USAGE;
	}
	if (opts->config_path) {
		if (optind < argc || export_options_given) {
			bad("with -c, exports and their options come from the file", opts->config_path);
			return OPTIONS_EXIT_USAGE;
		}
		return config_file_read(opts->config_path, opts) ? OPTIONS_RUN : OPTIONS_EXIT_USAGE;
	}
	if (!parse_positionals(argc - optind, argv + optind, spec))
		return OPTIONS_EXIT_USAGE;
	opts->export_count = 1;
	return OPTIONS_RUN;
}
