/*
 * test_target_diskio.c - aoe-target's disk stage (target/diskio.c) and frame
 * pool (target/pool.c), synchronously against disks in memory: adjacent
 * requests merge into one access, every request is answered once, and
 * durable writes and FLUSH wait for one sync per export per batch.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diskio.h"
#include "pool.h"

enum { SLOTS = 64, SECTORS = 256, EXPORTS = 2, SECT = AOE_SECTOR_SIZE };

/* A disk in memory that counts its calls and can be told to fail. */
struct fake {
	uint8_t data[SECTORS * SECT];
	unsigned reads, writes, flushes;
	int read_result, write_result, flush_result;
	unsigned writes_before_flush;   /* writes done when the last flush came */
};

struct fx {
	struct fake fake[EXPORTS];
	struct export exports[EXPORTS];
	struct loop_slot slots[SLOTS];
	uint8_t buf[SLOTS][4 * SECT];
	struct diskio d;
	int result[SLOTS];
	unsigned answered[SLOTS];
	unsigned order[SLOTS * 2], answers;
};

static struct fake *fake_of(struct disk *disk)
{
	return (struct fake *)disk->memory;
}

static int fake_read(struct disk *disk, void *buf, uint64_t offset, size_t len)
{
	struct fake *f = fake_of(disk);
	f->reads++;
	if (f->read_result == 0)
		memcpy(buf, f->data + offset, len);
	return f->read_result;
}

static int fake_write(struct disk *disk, const void *buf, uint64_t offset, size_t len)
{
	struct fake *f = fake_of(disk);
	f->writes++;
	if (f->write_result == 0)
		memcpy(f->data + offset, buf, len);
	return f->write_result;
}

static int fake_flush(struct disk *disk)
{
	struct fake *f = fake_of(disk);
	f->flushes++;
	f->writes_before_flush = f->writes;
	return f->flush_result;
}

static void fake_close(struct disk *disk)
{
	(void)disk;
}

static const struct disk_ops fake_ops = { fake_read, fake_write, fake_flush, fake_close };

static void on_done(void *ctx, unsigned slot, int result)
{
	struct fx *f = ctx;
	f->result[slot] = result;
	f->answered[slot]++;
	f->order[f->answers++] = slot;
}

static int setup(void **state)
{
	static struct fx fx;
	memset(&fx, 0, sizeof(fx));
	for (unsigned e = 0; e < EXPORTS; e++) {
		struct disk *disk = &fx.exports[e].disk;
		disk->ops = &fake_ops;
		disk->sectors = SECTORS;
		disk->fd = -1;
		disk->memory = (uint8_t *)&fx.fake[e];
		disk->wait = DISK_NEVER_WAITS;
		for (unsigned i = 0; i < sizeof(fx.fake[e].data); i++)
			fx.fake[e].data[i] = (uint8_t)(i / SECT + e * 100);
	}
	assert_int_equal(diskio_init(&fx.d, NULL, fx.exports, EXPORTS, fx.slots, SLOTS, on_done, &fx), 0);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	diskio_free(&f->d);
	return 0;
}

/* Slot i asks export e for op on sectors lba..lba+count. */
static void request(struct fx *f, unsigned i, unsigned e, enum target_io_op op, uint64_t lba,
		    unsigned count, bool stable)
{
	struct loop_slot *s = &f->slots[i];
	memset(s, 0, sizeof(*s));
	s->export = &f->exports[e];
	s->req.io_op = op;
	s->req.io_offset = lba * SECT;
	s->req.io_len = (size_t)count * SECT;
	s->req.io_data = f->buf[i];
	s->req.io_stable = stable;
	if (op == TARGET_IO_WRITE)
		memset(f->buf[i], 0xa0 + (int)i, s->req.io_len);
}

static void start(struct fx *f, const uint16_t *slots, unsigned count)
{
	diskio_start(&f->d, slots, count);
}

static void test_adjacent_reads_merge_into_one_access(void **state)
{
	struct fx *f = *state;
	/* Arrival out of order: 4, 0, 2, 6 (two sectors each) are one span 0..8. */
	static const uint16_t batch[] = { 0, 1, 2, 3 };
	static const unsigned lbas[] = { 4, 0, 2, 6 };
	for (unsigned i = 0; i < 4; i++)
		request(f, i, 0, TARGET_IO_READ, lbas[i], 2, false);
	start(f, batch, 4);
	assert_int_equal(f->d.counters.runs, 1);
	assert_int_equal(f->d.counters.merged, 3);
	assert_int_equal(f->answers, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(f->answered[i], 1);
		assert_int_equal(f->result[i], 0);
		/* Each frame got its own sectors. */
		assert_int_equal(f->buf[i][0], lbas[i]);
		assert_int_equal(f->buf[i][SECT], lbas[i] + 1);
	}
}

static void test_what_is_not_adjacent_is_not_merged(void **state)
{
	struct fx *f = *state;
	static const uint16_t batch[] = { 0, 1, 2, 3, 4 };
	request(f, 0, 0, TARGET_IO_READ, 0, 2, false);
	request(f, 1, 0, TARGET_IO_READ, 3, 2, false);   /* a gap */
	request(f, 2, 1, TARGET_IO_READ, 5, 2, false);   /* another export */
	request(f, 3, 0, TARGET_IO_WRITE, 5, 2, false);  /* a write right after a read */
	request(f, 4, 0, TARGET_IO_READ, 3, 2, false);   /* the same sectors again */
	start(f, batch, 5);
	assert_int_equal(f->d.counters.runs, 5);
	assert_int_equal(f->d.counters.merged, 0);
	assert_int_equal(f->answers, 5);
	assert_int_equal(f->buf[2][0], 105);
	assert_int_equal(f->fake[0].data[5 * SECT], 0xa3);
}

static void test_runs_are_capped(void **state)
{
	struct fx *f = *state;
	uint16_t batch[DISKIO_RUN_MAX + 8];
	for (unsigned i = 0; i < DISKIO_RUN_MAX + 8; i++) {
		request(f, i, 0, TARGET_IO_WRITE, i, 1, false);
		batch[i] = (uint16_t)i;
	}
	start(f, batch, DISKIO_RUN_MAX + 8);
	assert_int_equal(f->d.counters.runs, 2);
	assert_int_equal(f->answers, DISKIO_RUN_MAX + 8);
	for (unsigned i = 0; i < DISKIO_RUN_MAX + 8; i++)
		assert_int_equal(f->fake[0].data[i * SECT], (uint8_t)(0xa0 + i));
}

/* Durable writes and FLUSH are answered after one sync per export; other writes at once. */
static void test_group_commit_one_sync_per_export(void **state)
{
	struct fx *f = *state;
	static const uint16_t batch[] = { 0, 1, 2, 3, 4, 5 };
	request(f, 0, 0, TARGET_IO_WRITE, 10, 2, true);
	request(f, 1, 0, TARGET_IO_FLUSH, 0, 0, false);
	request(f, 2, 0, TARGET_IO_WRITE, 40, 2, true);
	request(f, 3, 0, TARGET_IO_WRITE, 80, 2, false);
	request(f, 4, 1, TARGET_IO_WRITE, 10, 2, true);
	request(f, 5, 1, TARGET_IO_READ, 0, 2, false);
	start(f, batch, 6);
	assert_int_equal(f->fake[0].flushes, 1);
	assert_int_equal(f->fake[1].flushes, 1);
	assert_int_equal(f->d.counters.syncs, 2);
	/* The sync came after every write of the batch. */
	assert_int_equal(f->fake[0].writes_before_flush, 3);
	assert_int_equal(f->answers, 6);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(f->answered[i], 1);
		assert_int_equal(f->result[i], 0);
	}
	/* The plain write and the read went first, those waiting for a sync last. */
	assert_true(f->order[0] == 3 || f->order[0] == 5);
	assert_true(f->order[1] == 3 || f->order[1] == 5);
}

static void test_no_sync_without_durable_work(void **state)
{
	struct fx *f = *state;
	static const uint16_t batch[] = { 0, 1 };
	request(f, 0, 0, TARGET_IO_WRITE, 0, 2, false);
	request(f, 1, 0, TARGET_IO_READ, 8, 2, false);
	start(f, batch, 2);
	assert_int_equal(f->fake[0].flushes, 0);
	assert_int_equal(f->d.counters.syncs, 0);
}

/* A failed sync fails exactly what waited for it. */
static void test_failed_sync_fails_what_waited(void **state)
{
	struct fx *f = *state;
	static const uint16_t batch[] = { 0, 1, 2 };
	f->fake[0].flush_result = -EIO;
	request(f, 0, 0, TARGET_IO_WRITE, 0, 2, true);
	request(f, 1, 0, TARGET_IO_WRITE, 20, 2, false);
	request(f, 2, 0, TARGET_IO_FLUSH, 0, 0, false);
	start(f, batch, 3);
	assert_int_equal(f->result[0], -EIO);
	assert_int_equal(f->result[1], 0);
	assert_int_equal(f->result[2], -EIO);
}

/* A failed write is answered at once with its error; it does not wait for a sync. */
static void test_failed_write_does_not_wait(void **state)
{
	struct fx *f = *state;
	static const uint16_t batch[] = { 0, 1 };
	f->fake[0].write_result = -ENOSPC;
	request(f, 0, 0, TARGET_IO_WRITE, 0, 2, true);
	request(f, 1, 0, TARGET_IO_WRITE, 2, 2, true);
	start(f, batch, 2);
	assert_int_equal(f->result[0], -ENOSPC);
	assert_int_equal(f->result[1], -ENOSPC);
	assert_int_equal(f->fake[0].flushes, 0);
	assert_int_equal(f->answers, 2);
}

/* Nothing is left behind: the next batch's commit covers only the next batch. */
static void test_commit_lists_empty_between_batches(void **state)
{
	struct fx *f = *state;
	static const uint16_t first[] = { 0 }, second[] = { 1 };
	request(f, 0, 0, TARGET_IO_WRITE, 0, 2, true);
	start(f, first, 1);
	request(f, 1, 0, TARGET_IO_READ, 0, 2, false);
	start(f, second, 1);
	assert_int_equal(f->fake[0].flushes, 1);
	assert_int_equal(f->answered[0], 1);
	assert_int_equal(f->answered[1], 1);
	diskio_kick(&f->d);
	assert_int_equal(f->fake[0].flushes, 1);
}

/* The pool: every buffer once, page-aligned data areas, indices from addresses. */
static void test_pool_buffers(void **state)
{
	(void)state;
	struct frame_pool pool;
	assert_int_equal(pool_init(&pool, 0, 1514), -1);
	assert_int_equal(pool_init(&pool, POOL_MAX + 1, 1514), -1);
	assert_int_equal(pool_init(&pool, 8, 9014), 0);
	assert_true(pool.cap >= 9014);
	bool seen[8] = { false };
	for (unsigned n = 0; n < 8; n++) {
		int i = pool_get(&pool);
		assert_true(i >= 0 && i < 8);
		assert_false(seen[i]);
		seen[i] = true;
		uint8_t *buf = pool_buf(&pool, (unsigned)i);
		assert_int_equal((uintptr_t)(buf + AOE_ATA_HDR_LEN) % 4096, 0);
		assert_int_equal(pool_index(&pool, buf), i);
		memset(buf, 0xee, pool.cap); /* the whole buffer is ours (ASan would tell) */
	}
	assert_int_equal(pool_get(&pool), -1);
	pool_put(&pool, 3);
	assert_int_equal(pool_get(&pool), 3);
	pool_free(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_adjacent_reads_merge_into_one_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_what_is_not_adjacent_is_not_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs_are_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_one_sync_per_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sync_without_durable_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_sync_fails_what_waited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_does_not_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_lists_empty_between_batches, setup, teardown),
		cmocka_unit_test(test_pool_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
