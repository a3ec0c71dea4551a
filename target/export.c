/*
 * export.c - bring one export up from its spec.
 */
#include "export.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "state.h"

static unsigned disk_flags(const struct export_spec *spec)
{
	return (spec->direct ? DISK_DIRECT : 0) | (spec->sync ? DISK_SYNC : 0) |
	       (spec->read_only ? DISK_READ_ONLY : 0);
}

int export_open(struct export *e, const struct export_spec *spec, const char *state_dir,
		const char *hostname, char *err, size_t err_len)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	if (disk_open_file(&e->disk, spec->path, disk_flags(spec), spec->offset_sectors,
			   spec->length_sectors, err, err_len) < 0)
		return -1;
	struct target *t = &e->target;
	target_init(t, spec->shelf, spec->slot, e->disk.sectors, spec->read_only, hostname);
	t->buffer_count = (uint16_t)spec->buffer_count;
	t->writeback = spec->writeback;
	memcpy(t->mask, spec->masks, sizeof(t->mask));
	t->mask_count = spec->mask_count;
	if (state_dir && state_dir[0]) {
		snprintf(e->state_path, sizeof(e->state_path), "%s/e%u.%u.state", state_dir, spec->shelf,
			 spec->slot);
		if (state_load(t, e->state_path, err, err_len) < 0) {
			disk_close(&e->disk);
			return -1;
		}
	}
	t->state_changed = false;
	return 0;
}

void export_close(struct export *e)
{
	export_save_state(e);
	disk_close(&e->disk);
	pthread_mutex_destroy(&e->lock);
}

void export_save_state(struct export *e)
{
	if (!e->target.state_changed || e->state_path[0] == '\0')
		return;
	int result = state_save(&e->target, e->state_path);
	if (result < 0)
		log_msg(LOG_ERR, "%s: cannot save state: %s", e->state_path, strerror(-result));
	else
		e->target.state_changed = false;
}
