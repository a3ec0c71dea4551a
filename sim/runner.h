/*
 * runner.h - `aoe-sim run`: bring the LAN up, run the scenario's commands in
 * order, stop them, check the expectations, and take everything down again,
 * also when a command fails or we are interrupted.
 */
#ifndef AOESIM_RUNNER_H
#define AOESIM_RUNNER_H

#include <stdbool.h>

#include "scenario.h"

struct run_opts {
	const char *pcap_dir;
	const char *json_path;
	bool keep;                /* keep the temporary directory */
	bool direct;              /* no switch: one veth pair (benchmark baseline) */
	bool no_fastpath;         /* the switch forwards every frame itself */
};

/* Exit status: 0 all passed, 1 something failed, 130/143 interrupted. */
int runner_run(struct scenario *sc, const struct run_opts *opts);

#endif
