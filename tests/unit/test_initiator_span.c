/*
 * test_initiator_span.c - byte ranges on 512-byte sectors (initiator/span.h):
 * how a write at an odd offset splits into head, body and tail, and how a
 * read's covering sectors are clipped back to the bytes asked for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "span.h"

static void test_aligned_range_is_all_body(void **state)
{
	(void)state;
	struct span_plan p;
	span_plan(4096, 8192, &p);
	assert_int_equal(p.head_len, 0);
	assert_int_equal(p.body_lba, 8);
	assert_int_equal(p.body_sectors, 16);
	assert_int_equal(p.tail_len, 0);
}

static void test_odd_start_and_end(void **state)
{
	(void)state;
	struct span_plan p;
	/* 1234567 = 2411 * 512 + 135; 1000000 bytes later is 2234567 = 4364 * 512 + 199. */
	span_plan(1234567, 1000000, &p);
	assert_int_equal(p.head_lba, 2411);
	assert_int_equal(p.head_skip, 135);
	assert_int_equal(p.head_len, 512 - 135);
	assert_int_equal(p.body_lba, 2412);
	assert_int_equal(p.body_sectors, 4364 - 2412);
	assert_int_equal(p.tail_lba, 4364);
	assert_int_equal(p.tail_len, 199);
	/* Every byte accounted for once. */
	assert_int_equal(p.head_len + p.body_sectors * 512 + p.tail_len, 1000000);
}

static void test_range_inside_one_sector_is_all_head(void **state)
{
	(void)state;
	struct span_plan p;
	span_plan(1000, 10, &p);
	assert_int_equal(p.head_lba, 1);
	assert_int_equal(p.head_skip, 1000 - 512);
	assert_int_equal(p.head_len, 10);
	assert_int_equal(p.body_sectors, 0);
	assert_int_equal(p.tail_len, 0);
}

static void test_range_ending_on_a_boundary(void **state)
{
	(void)state;
	struct span_plan p;
	span_plan(100, 412, &p);   /* exactly the rest of sector 0 */
	assert_int_equal(p.head_len, 412);
	assert_int_equal(p.body_lba, 1);
	assert_int_equal(p.body_sectors, 0);
	assert_int_equal(p.tail_len, 0);
}

static void test_aligned_start_odd_length(void **state)
{
	(void)state;
	struct span_plan p;
	span_plan(512, 1000, &p);
	assert_int_equal(p.head_len, 0);
	assert_int_equal(p.body_lba, 1);
	assert_int_equal(p.body_sectors, 1);
	assert_int_equal(p.tail_lba, 2);
	assert_int_equal(p.tail_len, 488);
}

static void test_unbounded_stream(void **state)
{
	(void)state;
	struct span_plan p;
	span_plan(700, UINT64_MAX, &p);
	assert_int_equal(p.head_lba, 1);
	assert_int_equal(p.head_skip, 188);
	assert_int_equal(p.head_len, 324);
	assert_int_equal(p.body_lba, 2);
	assert_true(p.body_sectors == UINT64_MAX);
	assert_int_equal(p.tail_len, 0);
}

static void test_empty_range(void **state)
{
	(void)state;
	struct span_plan p;
	span_plan(777, 0, &p);
	assert_int_equal(p.head_len, 0);
	assert_int_equal(p.body_sectors, 0);
	assert_int_equal(p.tail_len, 0);
}

static void test_cover(void **state)
{
	(void)state;
	uint64_t lba, count;
	span_cover(1234567, 1000000, &lba, &count);
	assert_int_equal(lba, 2411);
	assert_int_equal(count, 4364 - 2411 + 1);
	span_cover(512, 512, &lba, &count);
	assert_int_equal(lba, 1);
	assert_int_equal(count, 1);
	span_cover(511, 2, &lba, &count);
	assert_int_equal(lba, 0);
	assert_int_equal(count, 2);
	span_cover(5, 0, &lba, &count);
	assert_int_equal(count, 0);
}

static void test_clip(void **state)
{
	(void)state;
	size_t off, len;
	/* Bytes 600..1999 wanted; a frame of sectors 1-2 (512..1535). */
	assert_true(span_clip(1, 2, 600, 2000, &off, &len));
	assert_int_equal(off, 88);
	assert_int_equal(len, 1536 - 600);
	/* The last frame, sectors 3-4 (1536..2559): up to 2000. */
	assert_true(span_clip(3, 2, 600, 2000, &off, &len));
	assert_int_equal(off, 0);
	assert_int_equal(len, 2000 - 1536);
	/* A frame wholly inside. */
	assert_true(span_clip(10, 4, 0, 1 << 20, &off, &len));
	assert_int_equal(off, 0);
	assert_int_equal(len, 2048);
	/* Frames outside touch nothing. */
	assert_false(span_clip(0, 1, 600, 2000, &off, &len));
	assert_false(span_clip(4, 1, 600, 2000, &off, &len));
}

static void test_clipped_frames_tile_the_range(void **state)
{
	(void)state;
	/* Any split of the covering sectors into frames delivers each byte once, in order. */
	const uint64_t start = 1234567, length = 3 * 8704 + 77;
	uint64_t lba, count;
	span_cover(start, length, &lba, &count);
	uint64_t end_lba = lba + count, expect = start, total = 0;
	for (uint64_t at = lba; at < end_lba;) {
		unsigned n = span_frame_sectors(at, end_lba, 17);
		size_t off, len;
		assert_true(span_clip(at, n, start, start + length, &off, &len));
		assert_int_equal(at * 512 + off, expect);
		expect += len;
		total += len;
		at += n;
	}
	assert_int_equal(total, length);
}

static void test_frame_sectors(void **state)
{
	(void)state;
	assert_int_equal(span_frame_sectors(0, 100, 17), 17);
	assert_int_equal(span_frame_sectors(90, 100, 17), 10);
	assert_int_equal(span_frame_sectors(100, 100, 17), 0);
	assert_int_equal(span_frame_sectors(101, 100, 17), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aligned_range_is_all_body),
		cmocka_unit_test(test_odd_start_and_end),
		cmocka_unit_test(test_range_inside_one_sector_is_all_head),
		cmocka_unit_test(test_range_ending_on_a_boundary),
		cmocka_unit_test(test_aligned_start_odd_length),
		cmocka_unit_test(test_unbounded_stream),
		cmocka_unit_test(test_empty_range),
		cmocka_unit_test(test_cover),
		cmocka_unit_test(test_clip),
		cmocka_unit_test(test_clipped_frames_tile_the_range),
		cmocka_unit_test(test_frame_sectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
