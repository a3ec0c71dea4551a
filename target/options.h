/*
 * options.h - aoe-target's command line.
 */
#ifndef AOEKIT_OPTIONS_H
#define AOEKIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoe.h"
#include "handler.h"

struct target_options {
	const char *ifname;
	const char *path;
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
	bool quiet;
};

enum options_result { OPTIONS_RUN, OPTIONS_EXIT_OK, OPTIONS_EXIT_USAGE };

/*
 * Parse argv.  Accepts aoekit's order IFACE SHELF SLOT FILE and vblade's
 * SHELF SLOT IFACE FILE.  On a bad argument prints one line naming it.
 */
enum options_result options_parse(int argc, char **argv, struct target_options *opts);

#endif
