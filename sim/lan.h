/*
 * lan.h - bringing a scenario's LAN up and down.
 *
 * Names: host H of LAN L lives in namespace "L-H" with interface eth0; the
 * switch lives in namespace "L-sw" and holds the other ends, p0, p1, ... in
 * the order the hosts are declared.  Nothing is created in the namespace we
 * run in.  What a LAN consists of is written to /run/aoe-sim/L before any of
 * it exists, so `aoe-sim down L` can remove it even after a crash.
 */
#ifndef AOESIM_LAN_H
#define AOESIM_LAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "scenario.h"

#define LAN_STATE_ROOT "/run/aoe-sim"
#define LAN_SWITCH_NS "sw"

void lan_ns_name(const char *lan, const char *host, char *out, size_t cap);
void lan_switch_ifname(int port, char *out, size_t cap);
void lan_state_path(const char *lan, const char *file, char *out, size_t cap);

struct lan_opts {
	const char *pcap_dir;     /* captures (NULL: none) */
	const char *json_path;    /* JSON counters (NULL: none) */
	bool direct;              /* two hosts, one veth pair, no switch (benchmark baseline) */
	bool no_fastpath;         /* the switch forwards every frame itself (fastpath.h) */
	bool daemon;              /* the switch outlives us (aoe-sim up) */
};

/*
 * Create the namespaces and links and start the switch (in direct mode there
 * is none and *switch_pid is 0).  On failure removes whatever it made.
 */
int lan_up(const struct scenario *sc, const struct lan_opts *opts, pid_t *switch_pid);

/* Stop the switch: SIGTERM, then SIGKILL after a while.  It prints and writes its counters. */
int lan_stop_switch(const char *lan, pid_t pid);

/* Stop the switch, end what runs in the namespaces, delete them, forget the LAN. */
int lan_down(const char *lan, bool print_counters);

/* The switch's PID from the state directory, if it is alive and ours; else 0. */
pid_t lan_switch_pid(const char *lan);

#endif
