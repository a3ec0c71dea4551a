/*
 * export.h - one exported target: its protocol state, its disk, the ports it
 * is served on, and where its state is kept.
 */
#ifndef AOEKIT_EXPORT_H
#define AOEKIT_EXPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk.h"
#include "handler.h"
#include "options.h"

struct export {
	struct target target;
	struct disk disk;
	uint32_t port_mask;                 /* bit p set: served on the loop's port p */
	char state_path[OPTIONS_PATH_MAX];  /* empty: state is not kept */
	/*
	 * With --threads, several loops handle this export's frames: the
	 * protocol state (config string, lists, counters) is then touched
	 * under the lock.  One loop alone never takes it.
	 */
	bool shared;
	pthread_mutex_t lock;
};

static inline void export_lock(struct export *e)
{
	if (e->shared)
		pthread_mutex_lock(&e->lock);
}

static inline void export_unlock(struct export *e)
{
	if (e->shared)
		pthread_mutex_unlock(&e->lock);
}

/* Open the disk, set up the target, load kept state. Returns 0, or -1 with err. */
int export_open(struct export *e, const struct export_spec *spec, const char *state_dir,
		const char *hostname, char *err, size_t err_len);
void export_close(struct export *e);

/* Save the client-set state if it changed since the last save. */
void export_save_state(struct export *e);

/* Is a request for shelf/slot (wildcards allowed) meant for this export? */
static inline bool export_matches(const struct export *e, uint16_t shelf, uint8_t slot)
{
	return (shelf == e->target.shelf || shelf == AOE_SHELF_BROADCAST) &&
	       (slot == e->target.slot || slot == AOE_SLOT_BROADCAST);
}

#endif
