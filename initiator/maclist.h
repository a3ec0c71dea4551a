/*
 * maclist.h - a list of MAC addresses as the MAC Mask List and Reserve/
 * Release commands carry it, and the ways we print it.
 */
#ifndef AOEKIT_INITIATOR_MACLIST_H
#define AOEKIT_INITIATOR_MACLIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aoe.h"
#include "engine.h"

struct maclist {
	uint8_t macs[255][AOE_MAC_LEN];
	unsigned count;
};

/* Add unless present; false when full. */
bool maclist_add(struct maclist *list, const uint8_t mac[AOE_MAC_LEN]);
bool maclist_has(const struct maclist *list, const uint8_t mac[AOE_MAC_LEN]);
/* Does the list name any local port that has a path to the target? */
bool maclist_has_us(const struct maclist *list, const struct engine *e,
		    const struct engine_target *t);
/* Text: "e9.0  WHAT  mac, mac" or "e9.0  WHAT  empty (EMPTY_MEANING)". */
void maclist_print(const struct maclist *list, const char *name, const char *what,
		   const char *empty_meaning);
/* JSON: {"name": "e9.0", "KEY": ["mac", ...]} and a newline. */
void maclist_print_json(const struct maclist *list, const char *name, const char *key);
/* "a, b, c" into out. */
void maclist_format(const struct maclist *list, char *out, size_t out_len);

#endif
