/*
 * cli.h - what the command line asked for, and the subcommands that do it.
 *
 * main.c parses and checks the options; each command gets them read-only and
 * returns an exit code from report.h.
 */
#ifndef AOEKIT_INITIATOR_CLI_H
#define AOEKIT_INITIATOR_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

struct cli_options {
	const char *ifnames[ENGINE_PORTS_MAX];
	unsigned ifname_count;
	double timeout_s;           /* only meaningful with timeout_given */
	bool timeout_given;
	bool json;
	bool raw;
	bool sync;
	/* The target, for every command but discover. */
	uint16_t shelf;
	uint8_t slot;
	/* Where a read or write starts and how much it moves, as given. */
	bool has_lba, has_offset, has_count, has_length;
	uint64_t lba, offset, count, length;
	const char *output_path;    /* read: -o, NULL for stdout */
	const char *input_path;     /* write: -f, NULL for stdin */
};

int command_discover(const struct cli_options *opts);
int command_identify(const struct cli_options *opts);
int command_read(const struct cli_options *opts);
int command_write(const struct cli_options *opts);

#endif
