/*
 * impair.h - `aoe-sim impair IFACE`: lose a share of the AoE frames that an
 * existing interface receives or sends, for as long as the command runs.
 *
 * The switch's faults need hosts that aoe-sim made; this puts loss on any
 * interface in the caller's namespace (a TAP that a QEMU guest's Linux aoe
 * driver talks through, a veth, a NIC on a test bench): a BPF program on the
 * interface's ingress and/or egress (tcx) that drops AoE frames (EtherType
 * 0x88a2) with the given probability and counts what it saw and dropped.
 * Other frames pass untouched.  The kernel's random numbers decide, so runs
 * are not reproducible by a seed as the switch's faults are.
 */
#ifndef AOESIM_IMPAIR_H
#define AOESIM_IMPAIR_H

#include <stdint.h>

enum impair_dir { IMPAIR_IN, IMPAIR_OUT };

/* The program's counters for one direction. */
struct impair_count {
	uint64_t frames;    /* AoE frames the program saw */
	uint64_t dropped;   /* of them, dropped */
};

/* The drop threshold for a loss probability (0..1): a random u32 below it drops. */
uint64_t impair_threshold(double loss);

/* aoe-sim impair IFACE [--loss-in P%] [--loss-out P%]; returns the exit status. */
int impair_main(int argc, char **argv);

#endif
