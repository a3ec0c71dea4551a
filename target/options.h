/*
 * options.h - aoe-target's command line and configuration file.
 *
 * One export is described the same way wherever it comes from: the command
 * line (`[options] IFACE SHELF SLOT FILE`, or vblade's `SHELF SLOT IFACE FILE`)
 * or an `export` line of a -c file, which takes exactly those words.
 */
#ifndef AOEKIT_OPTIONS_H
#define AOEKIT_OPTIONS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoe.h"
#include "handler.h"

enum {
	OPTIONS_EXPORTS_MAX = 64,
	OPTIONS_IFACES_MAX = 8,
	OPTIONS_IFNAME_MAX = 16,
	OPTIONS_PATH_MAX = 1024,
	OPTIONS_COALESCE_MAX_US = 1000,
	OPTIONS_THREADS_MAX = 16,
};

struct export_spec {
	char ifnames[OPTIONS_IFACES_MAX][OPTIONS_IFNAME_MAX]; /* IFACE may be eth0,eth1 */
	unsigned ifname_count;
	char path[OPTIONS_PATH_MAX];
	uint16_t shelf;
	uint8_t slot;
	unsigned buffer_count;
	bool direct;        /* -d: O_DIRECT */
	bool sync;          /* -s: O_SYNC */
	bool read_only;     /* -r */
	bool writeback;     /* --writeback: acknowledge from the page cache, as vblade */
	uint64_t offset_sectors;
	uint64_t length_sectors;
	uint8_t masks[TARGET_MASK_MAX][AOE_MAC_LEN];
	unsigned mask_count;
};

struct target_options {
	struct export_spec exports[OPTIONS_EXPORTS_MAX];
	unsigned export_count;
	const char *config_path;    /* -c */
	char state_dir[OPTIONS_PATH_MAX]; /* --state-dir: config, mask and reserve survive restarts */
	bool daemon;                /* -D: detach and log to syslog */
	unsigned coalesce_us;       /* --coalesce: gather a steady stream this long (0: never) */
	unsigned threads;           /* --threads: event loops, each on a thread of its own */
	bool quiet;
};

enum options_result { OPTIONS_RUN, OPTIONS_EXIT_OK, OPTIONS_EXIT_USAGE };

/* Parse argv (and the -c file if given).  On a bad argument prints one line naming it. */
enum options_result options_parse(int argc, char **argv, struct target_options *opts);

/*
 * Parse one export's words (options, then the four positionals) into spec.
 * where names the source in messages ("FILE:LINE"), or NULL for the command line.
 */
bool options_parse_export(int argc, char **argv, const char *where, struct export_spec *spec);

#endif
