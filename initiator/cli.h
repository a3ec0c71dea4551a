/*
 * cli.h - what the command line asked for, and the subcommands that do it.
 *
 * cli.c parses and checks the options; each command gets them read-only and
 * returns an exit code from report.h.
 */
#ifndef AOEKIT_INITIATOR_CLI_H
#define AOEKIT_INITIATOR_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "aoe.h"
#include "engine.h"

enum { CLI_SET_MAX = AOE_RESERVE_MAX_MACS };

struct cli_mask_edit {
	uint8_t dcmd;               /* AOE_DCMD_ADD or AOE_DCMD_DELETE */
	uint8_t mac[AOE_MAC_LEN];
};

struct cli_options {
	const char *command;
	const char *ifnames[ENGINE_PORTS_MAX];
	unsigned ifname_count;
	double timeout_s;           /* only meaningful with timeout_given */
	bool timeout_given;
	bool json;
	bool raw;
	bool sync;
	bool verbose;
	bool force;
	bool release;
	bool background;
	/* The target, for every command but discover (and check, where it is optional). */
	bool has_target;
	uint16_t shelf;
	uint8_t slot;
	/* Where a read or write starts and how much it moves, as given. */
	bool has_lba, has_offset, has_count, has_length;
	uint64_t lba, offset, count, length;   /* ping: count = probes */
	const char *output_path;    /* read: -o, NULL for stdout */
	const char *input_path;     /* write: -f, NULL for stdin */
	/* config: --set / --test / --prefix STRING (one of them). */
	const char *config_string;
	uint8_t config_ccmd;        /* AOE_CCMD_*; READ when none was given */
	/* mask: --add / --del, in the order given. */
	struct cli_mask_edit mask_edits[AOE_MASK_MAX_DIRECTIVES];
	unsigned mask_edit_count;
	/* reserve: --set MAC[,MAC...] (repeatable; "self" = this host's MACs). */
	bool reserve_set;
	bool reserve_self;
	uint8_t reserve_macs[AOE_RESERVE_MAX_MACS][AOE_MAC_LEN];
	unsigned reserve_mac_count;
	/* ping */
	double interval_s;
	bool interval_given;
	/* mount */
	const char *mount_path;
};

/*
 * Parse and check argv.  Returns -1 when a command should run (*opts filled),
 * or an exit code: EXIT_OK after --help or --version, EXIT_USAGE after a
 * one-line complaint on stderr.
 */
int cli_parse(int argc, char **argv, struct cli_options *opts);
/* Run the command cli_parse found. */
int cli_run(const struct cli_options *opts);

int command_discover(const struct cli_options *opts);
int command_identify(const struct cli_options *opts);
int command_read(const struct cli_options *opts);
int command_write(const struct cli_options *opts);
int command_config(const struct cli_options *opts);
int command_mask(const struct cli_options *opts);
int command_reserve(const struct cli_options *opts);
int command_flush(const struct cli_options *opts);
int command_ping(const struct cli_options *opts);
int command_check(const struct cli_options *opts);
/* In mount.c, which needs libfuse3: weak, so a binary linked without it still builds. */
int command_mount(const struct cli_options *opts) __attribute__((weak));

#endif
