/*
 * scenario.h - a LAN description: hosts, per-link faults, partitions, and the
 * commands to run with what to expect of them.  The text format is in
 * docs/sim.md; scenario.c parses it.
 */
#ifndef AOESIM_SCENARIO_H
#define AOESIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fault.h"

enum {
	SIM_MAX_HOSTS = 64,
	SIM_MAX_PARTITIONS = 16,
	SIM_LAN_NAME_MAX = 24,    /* keeps "/run/netns/<lan>-<host>" and paths short */
	SIM_HOST_NAME_MAX = 15,
	SIM_LABEL_MAX = 31,
	SIM_DEFAULT_MTU = 1500,
	SIM_MIN_MTU = 68,         /* what Linux accepts for an Ethernet device */
	SIM_MAX_MTU = 65535,      /* veth's limit */
};

/* Directions, from the switch's point of view. */
enum sim_dir {
	DIR_IN = 0,   /* host -> switch (what the host sends) */
	DIR_OUT = 1,  /* switch -> host (what the host receives) */
};

struct sim_host {
	char name[SIM_HOST_NAME_MAX + 1];
	unsigned mtu;                 /* of the host's eth0 */
	uint8_t mac[6];
	struct fault_cfg fault[2];    /* [DIR_IN], [DIR_OUT] */
};

struct sim_partition {
	struct sim_window when;
	signed char group[SIM_MAX_HOSTS];  /* group of each host, -1 if not named */
	char text[96];                     /* as written, for the log */
};

enum step_kind { STEP_RUN, STEP_SLEEP, STEP_WAIT };

struct sim_step {
	enum step_kind kind;
	int line;
	int host;
	bool bg;                  /* start and go on */
	bool ready;               /* bg: wait until it holds a raw packet socket */
	char label[SIM_LABEL_MAX + 1];
	uint64_t timeout_ns;      /* fg: kill after; ready, wait: wait at most */
	uint64_t sleep_ns;
	int wait_for;             /* STEP_WAIT: the bg step to wait for */
	char *command;            /* shell command, {placeholders} not yet expanded */
};

enum expect_kind { EXPECT_EXIT, EXPECT_OUTPUT, EXPECT_COUNTER };
enum expect_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct sim_expect {
	enum expect_kind kind;
	int line;
	int step;                 /* EXIT, OUTPUT: the command it is about */
	int code;                 /* EXIT: exit status (128+N for signal N) */
	char *text;               /* OUTPUT: substring of the command's output */
	int host;                 /* COUNTER */
	int dir;
	int counter;              /* enum counter_id */
	enum expect_op op;
	uint64_t value;
};

struct scenario {
	char path[256];
	char name[SIM_LAN_NAME_MAX + 1];
	unsigned mtu;
	uint64_t seed;
	int nhosts;
	struct sim_host hosts[SIM_MAX_HOSTS];
	int nparts;
	struct sim_partition parts[SIM_MAX_PARTITIONS];
	int nsteps;
	struct sim_step *steps;
	int nexpects;
	struct sim_expect *expects;
};

/* Parse a file.  On error prints "FILE:LINE: reason" and returns NULL. */
struct scenario *scenario_load(const char *path);
/* Parse text already in memory (name is used in messages). */
struct scenario *scenario_parse(const char *text, const char *name);
void scenario_free(struct scenario *sc);

/* Rename the LAN (--name); false if the name is not valid. */
bool scenario_rename(struct scenario *sc, const char *name);

int scenario_host_index(const struct scenario *sc, const char *name);

/*
 * Expand {tmp}, {lan}, {host}, {mac:HOST}, {ns:HOST} and {{ / }} in a command.
 * Returns false (with a reason in err) on an unknown placeholder or overflow.
 */
bool scenario_expand(const struct scenario *sc, int host, const char *command, const char *tmp,
		     char *out, size_t cap, char *err, size_t err_len);

/* Print the scenario back in canonical form (aoe-sim check). */
void scenario_print(const struct scenario *sc);

const char *expect_op_str(enum expect_op op);
bool expect_compare(enum expect_op op, uint64_t have, uint64_t want);

#endif
