/*
 * options.c - parse aoe-target's command line (a superset of vblade's).
 */
#include "options.h"

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
		"Export FILE (a regular file or block device) as AoE target eSHELF.SLOT on IFACE.\n"
		"\n"
		"  -b, --buffers N      buffer count to advertise (default 16, at least 2)\n"
		"  -d, --direct         open FILE with O_DIRECT\n"
		"  -s, --sync           open FILE with O_SYNC\n"
		"  -r, --read-only      refuse writes\n"
		"  -m, --mask MAC[,MAC] serve only these initiators (any case, colons optional)\n"
		"  -o, --offset N       skip N sectors at the start of FILE\n"
		"  -l, --length N       export only N sectors\n"
		"      --writeback      acknowledge writes before they are stable (vblade's way)\n"
		"  -q, --quiet          no startup line\n"
		"  -h, --help           this text\n"
		"      --version        print the version\n"
		"\n"
		"SHELF is 0-65534 and SLOT 0-254 (65535 and 255 are the broadcast addresses).\n"
		"By default a write is acknowledged once it is stable on FILE.\n"
		"Exit status: 0 after SIGTERM/SIGINT, 1 on a usage or setup error.\n");
}

static bool bad(const char *what, const char *value)
{
	fprintf(stderr, PROGRAM ": %s: %s (see " PROGRAM " --help)\n", value, what);
	return false;
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

static bool parse_masks(const char *list, struct target_options *opts)
{
	char copy[1024];
	if (strlen(list) >= sizeof(copy))
		return bad("MAC list too long", "-m");
	snprintf(copy, sizeof(copy), "%s", list);
	char *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (opts->mask_count == TARGET_MASK_MAX)
			return bad("more than 32 MACs in the mask list", item);
		if (!aoe_mac_parse(item, opts->masks[opts->mask_count]))
			return bad("not a MAC address", item);
		opts->mask_count++;
	}
	return true;
}

static bool parse_address(const char *shelf_text, const char *slot_text, struct target_options *opts)
{
	uint64_t shelf, slot;
	if (!parse_number(shelf_text, UINT16_MAX, &shelf) || shelf == AOE_SHELF_BROADCAST)
		return bad("shelf must be 0-65534 (65535 is the broadcast shelf)", shelf_text);
	if (!parse_number(slot_text, UINT8_MAX, &slot) || slot == AOE_SLOT_BROADCAST)
		return bad("slot must be 0-254 (255 is the broadcast slot)", slot_text);
	if (shelf == AOE_SHELF_LINUX_IGNORED)
		fprintf(stderr, PROGRAM ": warning: the Linux aoe driver ignores shelf %u (0x0fff)\n",
			AOE_SHELF_LINUX_IGNORED);
	opts->shelf = (uint16_t)shelf;
	opts->slot = (uint8_t)slot;
	return true;
}

static bool parse_positionals(int count, char **args, struct target_options *opts)
{
	if (count != 4) {
		fprintf(stderr, PROGRAM ": expected IFACE SHELF SLOT FILE, got %d argument%s "
			"(see " PROGRAM " --help)\n", count, count == 1 ? "" : "s");
		return false;
	}
	/* vblade's order starts with two numbers and has the interface third. */
	bool vblade_order = is_number(args[0]) && is_number(args[1]) && !is_number(args[2]);
	opts->ifname = vblade_order ? args[2] : args[0];
	opts->path = args[3];
	return vblade_order ? parse_address(args[0], args[1], opts)
			    : parse_address(args[1], args[2], opts);
}

enum { OPT_VERSION = 256, OPT_WRITEBACK };

static const struct option long_options[] = {
	{ "buffers", required_argument, NULL, 'b' },
	{ "direct", no_argument, NULL, 'd' },
	{ "sync", no_argument, NULL, 's' },
	{ "read-only", no_argument, NULL, 'r' },
	{ "mask", required_argument, NULL, 'm' },
	{ "offset", required_argument, NULL, 'o' },
	{ "length", required_argument, NULL, 'l' },
	{ "writeback", no_argument, NULL, OPT_WRITEBACK },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static bool apply_option(int opt, const char *arg, struct target_options *opts)
{
	uint64_t value;
	switch (opt) {
	case 'b':
		if (!parse_number(arg, UINT16_MAX, &value) || value < 2)
			return bad("buffer count must be 2-65535 (Linux needs at least 2)", arg);
		opts->buffer_count = (unsigned)value;
		return true;
	case 'd': opts->direct = true; return true;
	case 's': opts->sync = true; return true;
	case 'r': opts->read_only = true; return true;
	case 'q': opts->quiet = true; return true;
	case OPT_WRITEBACK: opts->writeback = true; return true;
	case 'm': return parse_masks(arg, opts);
	case 'o':
		if (!parse_number(arg, UINT64_MAX / AOE_SECTOR_SIZE, &opts->offset_sectors))
			return bad("offset must be a number of sectors", arg);
		return true;
	case 'l':
		if (!parse_number(arg, UINT64_MAX / AOE_SECTOR_SIZE, &opts->length_sectors) ||
		    opts->length_sectors == 0)
			return bad("length must be a positive number of sectors", arg);
		return true;
	default:
		return false;
	}
}

enum options_result options_parse(int argc, char **argv, struct target_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->buffer_count = TARGET_DEFAULT_BUFFER_COUNT;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "b:dsrm:o:l:qh", long_options, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return OPTIONS_EXIT_OK;
		}
		if (opt == OPT_VERSION) {
			printf(PROGRAM " " VERSION " (aoekit)\n");
			return OPTIONS_EXIT_OK;
		}
		if (opt == '?' || opt == ':') {
			fprintf(stderr, PROGRAM ": %s: unknown option or missing value (see " PROGRAM
				" --help)\n", argv[optind - 1]);
			return OPTIONS_EXIT_USAGE;
		}
		if (!apply_option(opt, optarg, opts))
			return OPTIONS_EXIT_USAGE;
	}
	if (!parse_positionals(argc - optind, argv + optind, opts))
		return OPTIONS_EXIT_USAGE;
	return OPTIONS_RUN;
}
