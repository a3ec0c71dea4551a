/*
 * diskio.h - the disk stage of aoe-target's loop.
 *
 * The requests of a batch that need the disk arrive together.  Adjacent
 * requests of one export are merged into one vectored read or write whose
 * buffers are the frames' own data areas (no copy).  How a merged run is done
 * depends on the store (disk.h, enum disk_wait): memory-backed stores are
 * copied at once; a store with a page cache is tried without waiting and goes
 * to io_uring only when the device would be needed; O_DIRECT always goes to
 * io_uring.  So the loop does not wait for a device while frames arrive.  The
 * one exception is a lone request when nothing else is in flight (one
 * initiator, one request at a time): it is done synchronously, as vblade
 * does, because io_uring's worker threads would only add their hand-offs.
 *
 * Durable writes and FLUSH are group commits: a request that needs stability
 * joins its export's waiting list and is answered when a sync that started
 * after its write completed completes.  Done synchronously, that is one sync
 * per export per batch.  Through io_uring, up to DISKIO_SYNCS_MAX syncs per
 * export are in flight, and a new one starts, for everything that waits, as
 * soon as there is room: whatever arrives meanwhile rides on the next one, so
 * commits grow with the load without a request waiting for two syncs.
 * (RWF_DSYNC writes, one commit per run, were tried: on ext4 they were three
 * to ten times slower than this.)
 *
 * Completion of every request, synchronous or not, is reported through the
 * done callback, once.
 */
#ifndef AOEKIT_DISKIO_H
#define AOEKIT_DISKIO_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "export.h"
#include "handler.h"

/* A request in a pool buffer, as the loop and the disk stage see it. */
struct loop_slot {
	struct target_request req;
	struct export *export;
	uint16_t next;          /* link in a commit list */
	uint8_t port;           /* index of the port the reply goes out on */
};

enum {
	DISKIO_RUN_MAX = 32,    /* requests merged into one read or write */
	DISKIO_BATCH_MAX = 256, /* requests handed over at once */
	DISKIO_NONE = 0xffff,
	DISKIO_SYNCS_MAX = 2,   /* syncs in flight per export */
};

/* io_uring user_data: a kind in the top byte, an index below. */
enum ring_tag { RING_TAG_RUN = 1, RING_TAG_SYNC = 2, RING_TAG_POLL = 3 };

static inline uint64_t ring_tag(enum ring_tag kind, unsigned index)
{
	return (uint64_t)kind << 56 | index;
}
static inline enum ring_tag ring_tag_kind(uint64_t data) { return (enum ring_tag)(data >> 56); }
static inline unsigned ring_tag_index(uint64_t data) { return (unsigned)(data & 0xffffffu); }

typedef void diskio_done_fn(void *ctx, unsigned slot, int result);

/* One read or write of adjacent requests, in flight in io_uring. */
struct disk_run {
	struct iovec iov[DISKIO_RUN_MAX];
	uint16_t slot[DISKIO_RUN_MAX];
	uint8_t count;
	uint16_t next_free;
};

struct commit_list {
	uint16_t head, tail;
};

struct export_commit {
	struct commit_list waiting;     /* want a sync that starts after now */
	struct commit_list syncing[DISKIO_SYNCS_MAX];  /* covered by each sync in flight */
	unsigned busy;                  /* bit k: sync k is in flight */
};

struct diskio_counters {
	uint64_t runs, merged;          /* reads and writes issued; requests that rode on another's */
	uint64_t async_runs, syncs;     /* of those through io_uring; syncs issued */
};

struct diskio {
	struct io_uring *ring;          /* NULL: everything is done synchronously */
	struct export *exports;
	unsigned export_count;
	struct loop_slot *slots;
	diskio_done_fn *done;
	void *ctx;
	struct disk_run *runs;          /* one per slot: never short */
	uint16_t free_run;
	unsigned pending;               /* io_uring operations in flight */
	bool inline_batch;              /* this batch is done synchronously (diskio_start) */
	struct export_commit *commit;
	struct diskio_counters counters;
};

int diskio_init(struct diskio *d, struct io_uring *ring, struct export *exports,
		unsigned export_count, struct loop_slot *slots, unsigned slot_count,
		diskio_done_fn *done, void *ctx);
void diskio_free(struct diskio *d);

/* Start the disk work of count requests (slot indices, each verdict TARGET_NEEDS_IO). */
void diskio_start(struct diskio *d, const uint16_t *batch, unsigned count);

/* An io_uring completion whose tag is RING_TAG_RUN or RING_TAG_SYNC. */
void diskio_complete(struct diskio *d, uint64_t user_data, int res);

/* Start the group commits that are due (once per loop turn, before waiting). */
void diskio_kick(struct diskio *d);

#endif
