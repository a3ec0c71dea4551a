/*
 * maclist.c - MAC lists: membership, printing.
 */
#include "maclist.h"

#include <string.h>

bool maclist_has(const struct maclist *list, const uint8_t mac[AOE_MAC_LEN])
{
	for (unsigned i = 0; i < list->count; i++) {
		if (memcmp(list->macs[i], mac, AOE_MAC_LEN) == 0)
			return true;
	}
	return false;
}

bool maclist_add(struct maclist *list, const uint8_t mac[AOE_MAC_LEN])
{
	if (maclist_has(list, mac))
		return true;
	if (list->count == sizeof(list->macs) / sizeof(list->macs[0]))
		return false;
	memcpy(list->macs[list->count++], mac, AOE_MAC_LEN);
	return true;
}

bool maclist_has_us(const struct maclist *list, const struct engine *e,
		    const struct engine_target *t)
{
	for (unsigned i = 0; i < t->path_count; i++) {
		if (maclist_has(list, e->ports[t->paths[i].port].mac))
			return true;
	}
	return false;
}

void maclist_format(const struct maclist *list, char *out, size_t out_len)
{
	size_t used = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < list->count && used + 20 < out_len; i++) {
		char mac[18];
		aoe_mac_format(list->macs[i], mac);
		used += (size_t)snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", mac);
	}
}

void maclist_print(const struct maclist *list, const char *name, const char *what,
		   const char *empty_meaning)
{
	if (list->count == 0) {
		printf("%s  %s  empty (%s)\n", name, what, empty_meaning);
		return;
	}
	printf("%s  %s ", name, what);
	for (unsigned i = 0; i < list->count; i++) {
		char mac[18];
		aoe_mac_format(list->macs[i], mac);
		printf("%s%s", i ? ", " : " ", mac);
	}
	putchar('\n');
}

void maclist_print_json(const struct maclist *list, const char *name, const char *key)
{
	printf("{\"name\": \"%s\", \"%s\": [", name, key);
	for (unsigned i = 0; i < list->count; i++) {
		char mac[18];
		aoe_mac_format(list->macs[i], mac);
		printf("%s\"%s\"", i ? ", " : "", mac);
	}
	printf("]}\n");
}
