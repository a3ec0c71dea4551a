/*
 * paths.c - path choice for new requests and retransmissions.
 */
#include "paths.h"

#include <string.h>

void paths_init_window(struct engine_path *path)
{
	cwnd_init(&path->cwnd, path->buffer_count, ENGINE_WINDOW_MAX);
}

bool paths_has_room(const struct engine_target *t, unsigned i)
{
	const struct engine_path *path = &t->paths[i];
	if (path->in_flight >= path->cwnd.window)
		return false;
	/* Two local ports may reach one target MAC: its queue is the same. */
	unsigned same_mac = 0;
	for (unsigned j = 0; j < t->path_count; j++) {
		if (memcmp(t->paths[j].mac, path->mac, AOE_MAC_LEN) == 0)
			same_mac += t->paths[j].in_flight;
	}
	return same_mac < path->cwnd.limit;
}

unsigned paths_pick(struct engine_target *t)
{
	unsigned fallback = ENGINE_NO_PATH;
	bool any_healthy = false;
	for (unsigned tried = 0; tried < t->path_count; tried++) {
		unsigned i = t->next_path++ % t->path_count;
		struct engine_path *path = &t->paths[i];
		any_healthy |= path->timeouts_in_row == 0;
		if (!paths_has_room(t, i))
			continue;
		if (path->timeouts_in_row == 0 || ++path->skipped % PATHS_PROBE_EVERY == 0)
			return i;
		if (fallback == ENGINE_NO_PATH)
			fallback = i;
	}
	/* Only when every path is suspect does a suspect one get regular work. */
	return any_healthy ? ENGINE_NO_PATH : fallback;
}

unsigned paths_retry(const struct engine_target *t, unsigned current, const unsigned *sectors,
		     unsigned need)
{
	unsigned fits = ENGINE_NO_PATH;
	for (unsigned step = 1; step <= t->path_count; step++) {
		unsigned i = (current + step) % t->path_count;
		if (sectors[i] < need)
			continue;
		if (t->paths[i].timeouts_in_row == 0)
			return i;
		if (fits == ENGINE_NO_PATH)
			fits = i;
	}
	return fits;
}
