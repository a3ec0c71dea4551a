/*
 * switch.h - the learning switch's decisions: which ports a frame goes to.
 *
 * Sources are learned per port; a unicast frame to a known address goes to
 * that port only (or nowhere, if it is the port it came from); broadcast,
 * multicast and unknown unicast are flooded to every other port.  Pure: no
 * I/O, no time, so it is easy to test and to reason about.
 */
#ifndef AOESIM_SWITCH_H
#define AOESIM_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MAC_SLOTS = 4096 };  /* power of two; far more than a scenario's hosts */

struct mac_entry {
	uint8_t mac[6];
	int16_t port;             /* -1: empty slot */
};

struct mac_table {
	struct mac_entry slot[MAC_SLOTS];
	unsigned used;
};

void mac_table_init(struct mac_table *t);
/* Remember that mac is behind port.  True if that is news (new or moved). */
bool mac_learn(struct mac_table *t, const uint8_t mac[6], int port);
/* The port behind mac, or -1. */
int mac_lookup(const struct mac_table *t, const uint8_t mac[6]);

enum switch_result {
	SWITCH_UNICAST,           /* out[0] is the one port */
	SWITCH_FLOOD,             /* every port but the ingress */
	SWITCH_FILTER,            /* destination is on the ingress port: send nowhere */
};

/*
 * Learn from a frame arriving on in_port and decide where it goes.  Fills out
 * with the ports (nports at most) and sets *count.  *learned tells whether the
 * source address was news.
 */
enum switch_result switch_decide(struct mac_table *t, int in_port, const uint8_t *frame,
				 size_t len, int nports, int *out, int *count, bool *learned);

#endif
