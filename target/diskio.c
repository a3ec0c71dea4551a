/*
 * diskio.c - merged, batched and (where the store may wait) asynchronous disk work.
 */
#include "diskio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int diskio_init(struct diskio *d, struct io_uring *ring, struct export *exports,
		unsigned export_count, struct loop_slot *slots, unsigned slot_count,
		diskio_done_fn *done, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->ring = ring;
	d->exports = exports;
	d->export_count = export_count;
	d->slots = slots;
	d->done = done;
	d->ctx = ctx;
	d->runs = calloc(slot_count, sizeof(*d->runs));
	d->commit = calloc(export_count ? export_count : 1, sizeof(*d->commit));
	if (d->runs == NULL || d->commit == NULL) {
		diskio_free(d);
		return -1;
	}
	for (unsigned i = 0; i < slot_count; i++)
		d->runs[i].next_free = (uint16_t)(i + 1 < slot_count ? i + 1 : DISKIO_NONE);
	d->free_run = 0;
	for (unsigned e = 0; e < export_count; e++) {
		d->commit[e].waiting = (struct commit_list){ DISKIO_NONE, DISKIO_NONE };
		for (unsigned k = 0; k < DISKIO_SYNCS_MAX; k++)
			d->commit[e].syncing[k] = (struct commit_list){ DISKIO_NONE, DISKIO_NONE };
	}
	return 0;
}

void diskio_free(struct diskio *d)
{
	free(d->runs);
	free(d->commit);
	d->runs = NULL;
	d->commit = NULL;
}

static unsigned export_index(const struct diskio *d, const struct loop_slot *s)
{
	return (unsigned)(s->export - d->exports);
}

/* Work that may wait for a device goes to io_uring, if there is one, unless the batch is done inline. */
static bool goes_async(const struct diskio *d, const struct disk *disk)
{
	return d->ring != NULL && !d->inline_batch && disk->wait != DISK_NEVER_WAITS &&
	       disk->fd >= 0;
}

static bool waits_for_sync(const struct target_request *req)
{
	return req->io_op == TARGET_IO_FLUSH || (req->io_op == TARGET_IO_WRITE && req->io_stable);
}

static void list_append(struct diskio *d, struct commit_list *list, unsigned slot)
{
	d->slots[slot].next = DISKIO_NONE;
	if (list->tail == DISKIO_NONE)
		list->head = (uint16_t)slot;
	else
		d->slots[list->tail].next = (uint16_t)slot;
	list->tail = (uint16_t)slot;
}

/* Answer every request of a list with result; the list is empty afterwards. */
static void list_finish(struct diskio *d, struct commit_list *list, int result)
{
	unsigned slot = list->head;
	*list = (struct commit_list){ DISKIO_NONE, DISKIO_NONE };
	while (slot != DISKIO_NONE) {
		unsigned next = d->slots[slot].next;
		d->done(d->ctx, slot, result);
		slot = next;
	}
}

/* A request whose own I/O is over: answer it, or let it wait for its export's next sync. */
static void request_done(struct diskio *d, unsigned slot, int result)
{
	struct loop_slot *s = &d->slots[slot];
	if (result == 0 && waits_for_sync(&s->req))
		list_append(d, &d->commit[export_index(d, s)].waiting, slot);
	else
		d->done(d->ctx, slot, result);
}

/*
 * The submission queue holds an entry for every slot, export and port, and
 * the loop submits every turn, so it is never full; if it were, the work
 * would simply be done synchronously.  (Only liburing's inline functions are
 * used here, so this file links without the library: unit tests use it.)
 */
static struct io_uring_sqe *get_sqe(struct diskio *d)
{
	return io_uring_get_sqe(d->ring);
}

/* Hand a run to io_uring; false if that cannot be done (then the caller does it itself). */
static bool submit_run(struct diskio *d, const uint16_t *slots, const struct iovec *iov,
		       unsigned count, bool write, uint64_t offset)
{
	if (d->free_run == DISKIO_NONE)
		return false;
	struct disk *disk = &d->slots[slots[0]].export->disk;
	struct io_uring_sqe *sqe = get_sqe(d);
	if (sqe == NULL)
		return false;
	unsigned index = d->free_run;
	struct disk_run *run = &d->runs[index];
	d->free_run = run->next_free;
	memcpy(run->iov, iov, count * sizeof(*iov));
	memcpy(run->slot, slots, count * sizeof(*slots));
	run->count = (uint8_t)count;
	/* The iovecs live in the run until it completes: io_uring may read them late. */
	if (write)
		io_uring_prep_writev(sqe, disk->fd, run->iov, count, disk->base_offset + offset);
	else
		io_uring_prep_readv(sqe, disk->fd, run->iov, count, disk->base_offset + offset);
	io_uring_sqe_set_data64(sqe, ring_tag(RING_TAG_RUN, index));
	d->pending++;
	d->counters.async_runs++;
	return true;
}

/* One read or write of count adjacent requests of one export. */
static void do_run(struct diskio *d, const uint16_t *slots, unsigned count)
{
	struct iovec iov[DISKIO_RUN_MAX];
	const struct target_request *first = &d->slots[slots[0]].req;
	struct disk *disk = &d->slots[slots[0]].export->disk;
	bool write = first->io_op == TARGET_IO_WRITE;
	for (unsigned i = 0; i < count; i++) {
		const struct target_request *req = &d->slots[slots[i]].req;
		iov[i] = (struct iovec){ .iov_base = req->io_data, .iov_len = req->io_len };
	}
	d->counters.runs++;
	d->counters.merged += count - 1;
	int result;
	if (!goes_async(d, disk))
		result = write ? disk_writev(disk, iov, count, first->io_offset)
			       : disk_readv(disk, iov, count, first->io_offset);
	else
		result = write ? disk_try_writev(disk, iov, count, first->io_offset)
			       : disk_try_readv(disk, iov, count, first->io_offset);
	if (result == -EAGAIN) {
		if (submit_run(d, slots, iov, count, write, first->io_offset))
			return;
		result = write ? disk_writev(disk, iov, count, first->io_offset)
			       : disk_readv(disk, iov, count, first->io_offset);
	}
	for (unsigned i = 0; i < count; i++)
		request_done(d, slots[i], result);
}

/* Order: export, then reads before writes, then offset; equal keys keep arrival order. */
static bool sorts_before(const struct diskio *d, unsigned a, unsigned b)
{
	const struct loop_slot *x = &d->slots[a], *y = &d->slots[b];
	if (x->export != y->export)
		return x->export < y->export;
	if (x->req.io_op != y->req.io_op)
		return x->req.io_op < y->req.io_op;
	return x->req.io_offset < y->req.io_offset;
}

static bool continues(const struct diskio *d, unsigned prev, unsigned next)
{
	const struct loop_slot *x = &d->slots[prev], *y = &d->slots[next];
	return x->export == y->export && x->req.io_op == y->req.io_op &&
	       x->req.io_offset + x->req.io_len == y->req.io_offset;
}

/* Stores that never wait commit synchronously, at the end of the batch. */
static void commit_now(struct diskio *d)
{
	for (unsigned e = 0; e < d->export_count; e++) {
		struct export_commit *c = &d->commit[e];
		if (c->waiting.head == DISKIO_NONE || goes_async(d, &d->exports[e].disk))
			continue;
		d->counters.syncs++;
		list_finish(d, &c->waiting, disk_flush(&d->exports[e].disk));
	}
}

void diskio_start(struct diskio *d, const uint16_t *batch, unsigned count)
{
	uint16_t order[DISKIO_BATCH_MAX];
	unsigned n = 0;
	/*
	 * A lone request with nothing in flight is done right here: nothing waits
	 * behind it, and handing it to io_uring's workers (a thread wake-up for the
	 * write, another for the sync) would add more than the disk's own time.
	 */
	d->inline_batch = count == 1 && d->pending == 0;
	for (unsigned i = 0; i < count; i++) {
		unsigned slot = batch[i];
		if (d->slots[slot].req.io_op == TARGET_IO_FLUSH) {
			request_done(d, slot, 0);
			continue;
		}
		/* Insertion sort: batches are small and mostly in order already. */
		unsigned at = n++;
		while (at > 0 && sorts_before(d, slot, order[at - 1])) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = (uint16_t)slot;
	}
	for (unsigned i = 0; i < n;) {
		unsigned j = i + 1;
		while (j < n && j - i < DISKIO_RUN_MAX && continues(d, order[j - 1], order[j]))
			j++;
		do_run(d, order + i, j - i);
		i = j;
	}
	commit_now(d);
	d->inline_batch = false;
}

/* How much of a run io_uring did: requests wholly covered succeed, the rest fail. */
static void finish_run(struct diskio *d, unsigned index, int res)
{
	struct disk_run *run = &d->runs[index];
	size_t done_bytes = res > 0 ? (size_t)res : 0;
	for (unsigned i = 0; i < run->count; i++) {
		int result = res < 0 ? res : 0;
		if (res >= 0 && done_bytes < run->iov[i].iov_len)
			result = -EIO; /* a short transfer: the file shrank, or the device ran out */
		done_bytes -= done_bytes < run->iov[i].iov_len ? done_bytes : run->iov[i].iov_len;
		request_done(d, run->slot[i], result);
	}
	run->next_free = d->free_run;
	d->free_run = (uint16_t)index;
}

void diskio_complete(struct diskio *d, uint64_t user_data, int res)
{
	unsigned index = ring_tag_index(user_data);
	d->pending--;
	if (ring_tag_kind(user_data) == RING_TAG_RUN) {
		finish_run(d, index, res);
		return;
	}
	struct export_commit *c = &d->commit[index / DISKIO_SYNCS_MAX];
	unsigned k = index % DISKIO_SYNCS_MAX;
	c->busy &= ~(1u << k);
	list_finish(d, &c->syncing[k], res < 0 ? res : 0);
}

static int free_sync(const struct export_commit *c)
{
	for (unsigned k = 0; k < DISKIO_SYNCS_MAX; k++)
		if (!(c->busy & (1u << k)))
			return (int)k;
	return -1;
}

void diskio_kick(struct diskio *d)
{
	for (unsigned e = 0; e < d->export_count; e++) {
		struct export_commit *c = &d->commit[e];
		int k = free_sync(c);
		if (k < 0 || c->waiting.head == DISKIO_NONE)
			continue;
		struct disk *disk = &d->exports[e].disk;
		struct io_uring_sqe *sqe = goes_async(d, disk) ? get_sqe(d) : NULL;
		d->counters.syncs++;
		if (sqe == NULL) {
			list_finish(d, &c->waiting, disk_flush(disk));
			continue;
		}
		io_uring_prep_fsync(sqe, disk->fd, IORING_FSYNC_DATASYNC);
		io_uring_sqe_set_data64(sqe, ring_tag(RING_TAG_SYNC, e * DISKIO_SYNCS_MAX + (unsigned)k));
		c->syncing[k] = c->waiting;
		c->waiting = (struct commit_list){ DISKIO_NONE, DISKIO_NONE };
		c->busy |= 1u << k;
		d->pending++;
	}
}
