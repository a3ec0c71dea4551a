/*
 * switch.c - MAC learning (open addressing, no ageing: hosts do not move
 * during a run, and a moved address is simply relearned) and forwarding
 * decisions.
 */
#include "switch.h"

#include <string.h>

void mac_table_init(struct mac_table *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < MAC_SLOTS; i++)
		t->slot[i].port = -1;
}

static unsigned mac_hash(const uint8_t mac[6])
{
	/* FNV-1a: the low bytes of locally made MACs differ, the high ones often do not. */
	uint32_t h = 2166136261u;
	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h & (MAC_SLOTS - 1);
}

/* The slot holding mac, or the empty slot where it would go, or -1 if full. */
static int find_slot(const struct mac_table *t, const uint8_t mac[6])
{
	unsigned i = mac_hash(mac);
	for (unsigned probe = 0; probe < MAC_SLOTS; probe++, i = (i + 1) & (MAC_SLOTS - 1)) {
		const struct mac_entry *e = &t->slot[i];
		if (e->port < 0 || memcmp(e->mac, mac, 6) == 0)
			return (int)i;
	}
	return -1;
}

bool mac_learn(struct mac_table *t, const uint8_t mac[6], int port)
{
	/* Half full is full: keeps probes short; beyond it we flood, which is still correct. */
	int i = find_slot(t, mac);
	if (i < 0)
		return false;
	struct mac_entry *e = &t->slot[i];
	if (e->port == port)
		return false;
	if (e->port < 0) {
		if (t->used >= MAC_SLOTS / 2)
			return false;
		t->used++;
		memcpy(e->mac, mac, 6);
	}
	e->port = (int16_t)port;
	return true;
}

int mac_lookup(const struct mac_table *t, const uint8_t mac[6])
{
	int i = find_slot(t, mac);
	return i < 0 ? -1 : t->slot[i].port;
}

enum switch_result switch_decide(struct mac_table *t, int in_port, const uint8_t *frame,
				 size_t len, int nports, int *out, int *count, bool *learned)
{
	const uint8_t *dst = frame, *src = frame + 6;
	*learned = false;
	*count = 0;
	if (len >= 14 && !(src[0] & 1))  /* a multicast source is bogus: never learn it */
		*learned = mac_learn(t, src, in_port);
	int port = len >= 14 && !(dst[0] & 1) ? mac_lookup(t, dst) : -1;
	if (port == in_port)
		return SWITCH_FILTER;
	if (port >= 0) {
		out[(*count)++] = port;
		return SWITCH_UNICAST;
	}
	for (int p = 0; p < nports; p++)
		if (p != in_port)
			out[(*count)++] = p;
	return SWITCH_FLOOD;
}
