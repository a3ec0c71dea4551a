/*
 * fastpath.h - the kernel forwards what there is nothing to simulate on.
 *
 * Between two hosts whose links have no faults, when nothing is captured and
 * no partition is declared, the switch would only copy frames from one veth
 * to another, and on a machine with few cores that copy made it the
 * bottleneck (every frame received and sent twice, by a third process).
 * There the kernel forwards instead, the way a hardware switch's forwarding
 * table does it for its CPU: a small BPF program on the ingress (tcx) of each
 * such port looks the destination up in a map of the hosts' own addresses
 * and moves the frame straight into the destination host's namespace
 * (bpf_redirect_peer: no second queue, no copy).  That skips the MTU check a
 * veth makes on delivery, so the program makes it: the map holds each host's
 * MTU as it is now, which the switch follows through a netlink socket in the
 * host's namespace (hostlink.h); a host whose interface takes another
 * address leaves the map, as the veth would no longer deliver to it.  The switch fills the map as it learns a
 * host's address on that host's port, and the map counts the frames the
 * programs forwarded.
 *
 * Every other frame (broadcast, unknown or spoofed destinations, hosts with
 * faults, another MTU) the program sends into a veth pair whose far end the
 * switch reads; the switch sends on the port itself.  So one program decides
 * each frame's way, and no frame is both forwarded by the kernel and seen by
 * the switch, even while the map changes.  The programs go when the switch
 * exits (their links are file descriptors of its own).
 */
#ifndef AOESIM_FASTPATH_H
#define AOESIM_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "counters.h"
#include "hostlink.h"
#include "scenario.h"

struct fastpath {
	bool enabled;                  /* the kernel took the set-up */
	int map_fd;                    /* host address -> its port, MTU and count slot */
	int count_fd;                  /* frames forwarded to each host (slot = host index) */
	int prog_fd[SIM_MAX_HOSTS];    /* -1: this port is read directly */
	int link_fd[SIM_MAX_HOSTS];
	int watch_fd[SIM_MAX_HOSTS];   /* netlink socket in the host's namespace (hostlink.h) */
	struct hostlink now[SIM_MAX_HOSTS]; /* the host's eth0 as it is now */
	bool at_home[SIM_MAX_HOSTS];   /* its address last learned on its own port */
	bool port_on[SIM_MAX_HOSTS];   /* this port is read through its veth pair */
	bool installed[SIM_MAX_HOSTS]; /* host h's address is in the map */
	/* Interface counters at set-up: the host port's and its reader's rx. */
	uint64_t base_rx[SIM_MAX_HOSTS][2], base_slow[SIM_MAX_HOSTS][2];
};

/* Whether a port may be forwarded by the kernel: no fault, no schedule, no partition. */
bool fastpath_port_eligible(const struct scenario *sc, int port);
/* Whether frames from one port to another may skip the switch (same MTU, both eligible). */
bool fastpath_pair_eligible(const struct scenario *sc, int from, int to);

/*
 * A comment line for `aoe-sim check`: which hosts the kernel would forward
 * between (when nothing is captured and --no-fastpath is not given).
 */
void fastpath_describe(const struct scenario *sc, FILE *out);

/* The names of the veth pair a fast port is read through. */
void fastpath_reader_ifnames(int port, char *near, char *far, size_t cap);

/* Nothing set up: the switch forwards everything (what fastpath_close may undo). */
void fastpath_init(struct fastpath *fp);
/*
 * Build the pairs and attach the programs in the current namespace for every
 * eligible port.  If the kernel refuses (no BPF, no tcx), undo it, say why
 * once, and leave fp->enabled false: the switch then forwards everything
 * itself.
 */
void fastpath_setup(struct fastpath *fp, const struct scenario *sc);
/* Detach the programs and close the map (the pairs go with the namespace). */
void fastpath_close(struct fastpath *fp);

/*
 * The switch learned (or relearned) mac on port: add or remove the map entry
 * of that host.  Only a host's own address on its own port gets one.
 */
void fastpath_learned(struct fastpath *fp, const struct scenario *sc, const uint8_t mac[6],
		      int port);

/* The watch sockets to wait on with the ports: fills fds (room for SIM_MAX_HOSTS), returns how many. */
int fastpath_watch_fds(const struct fastpath *fp, int *fds);
/* A watch socket was readable: take the hosts' new MTUs into the map. */
void fastpath_watch(struct fastpath *fp, const struct scenario *sc);

/*
 * Add what the kernel forwarded to cnt (frames, bytes, forwarded and the
 * fastpath counter of each direction).  cnt holds the switch's own counts,
 * which the interface counters include.
 */
void fastpath_add_counters(const struct fastpath *fp, const struct scenario *sc,
			   struct sim_counters *cnt);

#endif
