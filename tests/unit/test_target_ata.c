/*
 * test_target_ata.c - Issue ATA Command (AoE command 0) in the aoe-target
 * request handler, against docs/aoe-protocol.md §2 and the §6 policy: media
 * and range problems are ATA status (ERR + IDNF/ABRT), never AoE errors,
 * because the Linux driver retries AoE errors until it declares the target dead.
 *
 * The memory disk starts filled with fx_pattern(); "unchanged" means it still
 * holds that pattern byte for byte.
 */
#include "target_fixture.h"

#include <errno.h>
#include <stdio.h>

enum { STATUS_OK = ATA_STATUS_DRDY, STATUS_ERR = ATA_STATUS_DRDY | ATA_STATUS_ERR };

/* The pattern bytes of sectors [lba, lba + count), as a read must return them. */
static void expect_pattern(const uint8_t *data, uint64_t lba, unsigned count)
{
	for (size_t i = 0; i < (size_t)count * AOE_SECTOR_SIZE; i++) {
		uint64_t off = lba * AOE_SECTOR_SIZE + i;
		if (data[i] != fx_pattern(off))
			fail_msg("read byte %zu (disk offset %llu) is 0x%02x, disk has 0x%02x", i,
				 (unsigned long long)off, data[i], fx_pattern(off));
	}
}

/* A successful read reply: status DRDY, count 0, exactly count sectors of the disk. */
static void expect_read(struct fx *f, size_t len, uint64_t lba, unsigned count)
{
	struct aoe_frame reply;
	fx_expect_ata(f, len, FX_HOST_A, STATUS_OK, 0, &reply);
	size_t bytes = (size_t)count * AOE_SECTOR_SIZE;
	assert_int_equal(len, AOE_ATA_HDR_LEN + bytes);
	assert_int_equal(f->buf[26], 0);
	assert_int_equal(reply.arg.ata.data_len, bytes);
	expect_pattern(f->buf + AOE_ATA_HDR_LEN, lba, count);
}

/* The disk holds data at [lba, lba + count) and the pattern everywhere else. */
static void expect_disk_written(struct fx *f, uint64_t lba, unsigned count, const uint8_t *data)
{
	uint8_t sector[AOE_SECTOR_SIZE];
	for (uint64_t s = 0; s < FX_SECTORS; s++) {
		assert_int_equal(disk_read(&f->disk, sector, s * AOE_SECTOR_SIZE, sizeof(sector)), 0);
		if (s >= lba && s < lba + count) {
			assert_memory_equal(sector, data + (s - lba) * AOE_SECTOR_SIZE, AOE_SECTOR_SIZE);
		} else {
			for (unsigned i = 0; i < AOE_SECTOR_SIZE; i++)
				if (sector[i] != fx_pattern(s * AOE_SECTOR_SIZE + i))
					fail_msg("sector %llu byte %u changed", (unsigned long long)s, i);
		}
	}
}

/* A successful write reply: 36 bytes padded to 60, status DRDY, nothing else. */
static void expect_write_ok(struct fx *f, size_t len)
{
	struct aoe_frame reply;
	fx_expect_ata(f, len, FX_HOST_A, STATUS_OK, 0, &reply);
	assert_int_equal(len, AOE_ETH_MIN_FRAME);
	assert_int_equal(f->buf[26], 0);
	fx_assert_zero(f->buf, AOE_ATA_HDR_LEN, AOE_ETH_MIN_FRAME);
}

/* An ATA error reply: no data, padded to 60. */
static void expect_ata_error(struct fx *f, size_t len, uint8_t error)
{
	struct aoe_frame reply;
	fx_expect_ata(f, len, FX_HOST_A, STATUS_ERR, error, &reply);
	assert_int_equal(len, AOE_ETH_MIN_FRAME);
	fx_assert_zero(f->buf, AOE_ATA_HDR_LEN, AOE_ETH_MIN_FRAME);
}

static void make_data(uint8_t *data, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 3 + seed + (i >> 9));
}

/* ---- IDENTIFY DEVICE ---- */

static void test_identify_reports_capacity_and_features(void **state)
{
	struct fx *f = *state;
	size_t len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_IDENTIFY, 1, 0xa0000000u, NULL, 0);
	struct aoe_frame reply;
	fx_expect_ata(f, len, FX_HOST_A, STATUS_OK, 0, &reply);
	assert_int_equal(len, AOE_ATA_HDR_LEN + ATA_IDENTIFY_LEN);
	assert_int_equal(f->buf[26], 0);
	struct ata_identity id;
	ata_identify_decode(f->buf + AOE_ATA_HDR_LEN, &id);
	assert_int_equal(id.sectors, FX_SECTORS);
	assert_int_equal(id.lba28_sectors, FX_SECTORS);
	assert_true(id.lba48);
	assert_true(id.flush);
	assert_true(id.flush_ext);
	assert_string_equal(id.serial, "4660.5:testhost");
	assert_string_equal(id.model, "aoekit aoe-target");
	/* Words 100-103 on the wire, little-endian (WinAoE reads them unconditionally). */
	const uint8_t *w100 = f->buf + AOE_ATA_HDR_LEN + 200;
	static const uint8_t sixty_four[8] = { FX_SECTORS, 0, 0, 0, 0, 0, 0, 0 };
	assert_memory_equal(w100, sixty_four, 8);
	/* Word 83 bit 10: the Linux driver's LBA48 test. */
	assert_true(f->buf[AOE_ATA_HDR_LEN + 2 * 83 + 1] & 0x04);
}

/* A tiny export still fills words 100-103; a huge one caps words 60-61. */
static void test_identify_small_and_large_exports(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint64_t sectors;
		uint32_t lba28;
	} cases[] = {
		{ 8, 8 },
		{ 0x0fffffff, 0x0fffffff },
		{ 0x123456789abull, ATA_LBA28_MAX },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		target_init(&f->t, FX_SHELF, FX_SLOT, cases[i].sectors, false, "testhost");
		size_t len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_IDENTIFY, 1, 0, NULL, 0);
		struct aoe_frame reply;
		fx_expect_ata(f, len, FX_HOST_A, STATUS_OK, 0, &reply);
		const uint8_t *page = f->buf + AOE_ATA_HDR_LEN;
		uint64_t words100 = 0;
		for (int b = 7; b >= 0; b--)
			words100 = words100 << 8 | page[200 + b];
		assert_int_equal(words100, cases[i].sectors);
		uint32_t words60 = (uint32_t)page[120] | (uint32_t)page[121] << 8 | (uint32_t)page[122] << 16 |
				   (uint32_t)page[123] << 24;
		assert_int_equal(words60, cases[i].lba28);
		struct ata_identity id;
		ata_identify_decode(page, &id);
		assert_int_equal(id.sectors, cases[i].sectors);
	}
}

/* IDENTIFY must have count 1 (docs §6): anything else is E + error 2. */
static void test_identify_count_not_one_is_bad_argument(void **state)
{
	struct fx *f = *state;
	static const uint8_t counts[] = { 0, 2, 255 };
	for (size_t i = 0; i < sizeof(counts); i++) {
		size_t len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_IDENTIFY, counts[i], 0, NULL, 0);
		fx_expect_aoe_error(f, len, FX_HOST_A, AOE_ERR_BAD_ARG);
		assert_int_equal(len, AOE_ETH_MIN_FRAME);
	}
}

/* aoe-sancheck pads IDENTIFY requests with zero sectors: still one page back. */
static void test_identify_with_trailing_bytes_returns_one_page(void **state)
{
	struct fx *f = *state;
	uint8_t padding[3 * AOE_SECTOR_SIZE] = { 0 };
	size_t len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_IDENTIFY, 1, 0, padding, sizeof(padding));
	struct aoe_frame reply;
	fx_expect_ata(f, len, FX_HOST_A, STATUS_OK, 0, &reply);
	assert_int_equal(len, AOE_ATA_HDR_LEN + ATA_IDENTIFY_LEN);
}

/* ---- READ ---- */

/* Every count from 1 to the port maximum, at the start, middle and end of the disk. */
static void test_read_returns_disk_bytes_for_every_count(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint8_t opcode, aflags;
	} reads[] = {
		{ ATA_CMD_READ_SECTORS, 0 },
		{ ATA_CMD_READ_SECTORS_EXT, AOE_AFLAG_EXT },
	};
	static const unsigned maxima[] = { FX_MAX_SECTORS, FX_JUMBO_SECTORS };
	for (size_t r = 0; r < 2; r++) {
		for (size_t m = 0; m < 2; m++) {
			f->max_sectors = maxima[m];
			for (unsigned count = 1; count <= maxima[m]; count++) {
				const uint64_t lbas[] = { 0, 3, FX_SECTORS - count };
				for (size_t l = 0; l < 3; l++) {
					size_t len = fx_ata(f, FX_HOST_A, reads[r].aflags, reads[r].opcode,
							    (uint8_t)count, lbas[l], NULL, 0);
					expect_read(f, len, lbas[l], count);
				}
			}
		}
	}
	assert_true(f->t.counters.reads > 0);
}

/*
 * LBA28: only 28 bits count.  Linux puts the device register (0xE0) in the
 * high nibble of lba3; bytes 4-5 are not part of an LBA28 address.
 */
static void test_read_lba28_ignores_device_nibble_and_high_bytes(void **state)
{
	struct fx *f = *state;
	static const uint64_t lbas[] = { 0xe0000009ull, 0xa0000009ull, 0xffff10000009ull & ~0x10000000ull };
	for (size_t i = 0; i < sizeof(lbas) / sizeof(lbas[0]); i++) {
		size_t len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, lbas[i], NULL, 0);
		expect_read(f, len, 9, 1);
		/* The LBA goes back as received, device nibble included. */
		struct aoe_frame reply;
		assert_int_equal(aoe_parse_response(f->buf, len, &reply), AOE_PARSE_OK);
		assert_int_equal(reply.arg.ata.lba, lbas[i]);
	}
	/* The low nibble of lba3 is address: bit 24 set is sector 16M, past the end. */
	expect_ata_error(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, 0xe1000009ull, NULL, 0),
			 ATA_ERROR_IDNF);
}

/* READ EXT uses all 48 bits: the same LBA that LBA28 masks down is out of range. */
static void test_read_ext_uses_all_48_bits(void **state)
{
	struct fx *f = *state;
	static const uint64_t lbas[] = { 0x100000005ull, 0xe0000005ull, 0x800000000005ull };
	for (size_t i = 0; i < sizeof(lbas) / sizeof(lbas[0]); i++) {
		size_t len = fx_ata(f, FX_HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, lbas[i], NULL, 0);
		expect_ata_error(f, len, ATA_ERROR_IDNF);
		len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, lbas[i], NULL, 0);
		expect_read(f, len, lbas[i] & ATA_LBA28_MAX, 1);
		/*
		 * The opcode, not the AFlags E bit, decides the address width (as
		 * vblade, docs §2.1): a mismatched E bit changes nothing.
		 */
		len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS_EXT, 1, lbas[i], NULL, 0);
		expect_ata_error(f, len, ATA_ERROR_IDNF);
		len = fx_ata(f, FX_HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS, 1, lbas[i], NULL, 0);
		expect_read(f, len, lbas[i] & ATA_LBA28_MAX, 1);
	}
}

/* Linux path probes: a read carrying trailing bytes is answered as a plain read. */
static void test_read_with_trailing_bytes_is_answered_normally(void **state)
{
	struct fx *f = *state;
	uint8_t trailing[2 * AOE_SECTOR_SIZE] = { 0 };
	for (unsigned count = 1; count <= FX_MAX_SECTORS; count++) {
		size_t len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, (uint8_t)count, 0, trailing,
				    sizeof(trailing));
		expect_read(f, len, 0, count);
	}
	/* Odd trailing lengths too. */
	size_t len = fx_ata(f, FX_HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 7, trailing, 13);
	expect_read(f, len, 7, 1);
}

/* ---- WRITE ---- */

struct write_kind {
	uint8_t opcode, aflags;
};

static const struct write_kind writes[] = {
	{ ATA_CMD_WRITE_SECTORS, AOE_AFLAG_WRITE },
	{ ATA_CMD_WRITE_SECTORS_EXT, AOE_AFLAG_EXT | AOE_AFLAG_WRITE },
};

static void test_write_stores_data_for_every_count(void **state)
{
	struct fx *f = *state;
	uint8_t data[FX_JUMBO_SECTORS * AOE_SECTOR_SIZE];
	f->max_sectors = FX_JUMBO_SECTORS;
	for (size_t w = 0; w < 2; w++) {
		for (unsigned count = 1; count <= FX_JUMBO_SECTORS; count++) {
			fx_fill_disk(&f->disk);
			uint64_t lba = 20 + w;
			make_data(data, (size_t)count * AOE_SECTOR_SIZE, (uint8_t)(count + 16 * w));
			size_t len = fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, (uint8_t)count, lba,
					    data, (size_t)count * AOE_SECTOR_SIZE);
			expect_write_ok(f, len);
			expect_disk_written(f, lba, count, data);
		}
	}
	assert_int_equal(f->t.counters.writes, 2 * FX_JUMBO_SECTORS);
}

/* Extra bytes behind count * 512 are ignored: the next sector is not touched. */
static void test_write_with_trailing_bytes_stores_only_count_sectors(void **state)
{
	struct fx *f = *state;
	uint8_t data[3 * AOE_SECTOR_SIZE];
	make_data(data, sizeof(data), 0x41);
	for (size_t w = 0; w < 2; w++) {
		fx_fill_disk(&f->disk);
		size_t len = fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, 1, 30, data, sizeof(data));
		expect_write_ok(f, len);
		expect_disk_written(f, 30, 1, data);
		fx_fill_disk(&f->disk);
		len = fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, 2, 30, data, 2 * AOE_SECTOR_SIZE + 1);
		expect_write_ok(f, len);
		expect_disk_written(f, 30, 2, data);
	}
	assert_int_equal(f->t.counters.bytes_written, 2 * 3 * AOE_SECTOR_SIZE);
}

/* The first and the last sector are reachable, for reads and writes, LBA28 and LBA48. */
static void test_first_and_last_sector(void **state)
{
	struct fx *f = *state;
	static const uint64_t lbas[] = { 0, FX_SECTORS - 1 };
	uint8_t data[AOE_SECTOR_SIZE];
	for (size_t l = 0; l < 2; l++) {
		expect_read(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, lbas[l], NULL, 0), lbas[l], 1);
		expect_read(f, fx_ata(f, FX_HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, lbas[l], NULL, 0),
			    lbas[l], 1);
		for (size_t w = 0; w < 2; w++) {
			fx_fill_disk(&f->disk);
			make_data(data, sizeof(data), (uint8_t)(0x90 + l + w));
			expect_write_ok(f, fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, 1, lbas[l], data,
						  sizeof(data)));
			expect_disk_written(f, lbas[l], 1, data);
		}
	}
	/* The last two sectors in one command. */
	fx_fill_disk(&f->disk);
	expect_read(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 2, FX_SECTORS - 2, NULL, 0),
		    FX_SECTORS - 2, 2);
}

/* ---- refused ATA commands ---- */

struct range_case {
	uint8_t opcode, aflags, count;
	uint64_t lba;
};

/* One past the end, or crossing it: ATA IDNF, and nothing written. */
static void test_out_of_range_is_idnf_and_changes_nothing(void **state)
{
	struct fx *f = *state;
	static const struct range_case cases[] = {
		{ ATA_CMD_READ_SECTORS, 0, 1, FX_SECTORS },
		{ ATA_CMD_READ_SECTORS, 0, 2, FX_SECTORS - 1 },
		{ ATA_CMD_READ_SECTORS_EXT, AOE_AFLAG_EXT, 1, FX_SECTORS },
		{ ATA_CMD_READ_SECTORS_EXT, AOE_AFLAG_EXT, 2, FX_SECTORS - 1 },
		{ ATA_CMD_READ_SECTORS_EXT, AOE_AFLAG_EXT, 1, ATA_LBA48_MAX },
		{ ATA_CMD_WRITE_SECTORS, AOE_AFLAG_WRITE, 1, FX_SECTORS },
		{ ATA_CMD_WRITE_SECTORS, AOE_AFLAG_WRITE, 2, FX_SECTORS - 1 },
		{ ATA_CMD_WRITE_SECTORS_EXT, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, 1, FX_SECTORS },
		{ ATA_CMD_WRITE_SECTORS_EXT, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, 2, FX_SECTORS - 1 },
		{ ATA_CMD_WRITE_SECTORS_EXT, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, 2, ATA_LBA48_MAX },
		{ ATA_CMD_WRITE_SECTORS_EXT, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, 1, 0x800000000000ull },
	};
	uint8_t data[2 * AOE_SECTOR_SIZE];
	memset(data, 0xee, sizeof(data));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct range_case *c = &cases[i];
		size_t len = fx_ata(f, FX_HOST_A, c->aflags, c->opcode, c->count, c->lba, data,
				    (size_t)c->count * AOE_SECTOR_SIZE);
		expect_ata_error(f, len, ATA_ERROR_IDNF);
		fx_assert_disk_untouched(f);
	}
	assert_int_equal(f->t.counters.ata_errors, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(f->t.counters.aoe_errors, 0);
}

/* More sectors than the port carries: ATA abort (docs §6: safer for Linux than error 2). */
static void test_count_above_port_max_is_abort(void **state)
{
	struct fx *f = *state;
	static uint8_t data[(FX_JUMBO_SECTORS + 1) * AOE_SECTOR_SIZE];
	memset(data, 0x77, sizeof(data));
	static const unsigned maxima[] = { 0, 1, FX_MAX_SECTORS, FX_JUMBO_SECTORS };
	for (size_t m = 0; m < sizeof(maxima) / sizeof(maxima[0]); m++) {
		f->max_sectors = maxima[m];
		uint8_t count = (uint8_t)(maxima[m] + 1);
		size_t bytes = (size_t)count * AOE_SECTOR_SIZE;
		expect_ata_error(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, count, 0, NULL, 0), ATA_ERROR_ABRT);
		expect_ata_error(f, fx_ata(f, FX_HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, count, 0, NULL, 0),
				 ATA_ERROR_ABRT);
		for (size_t w = 0; w < 2; w++)
			expect_ata_error(f, fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, count, 0, data,
						   bytes),
					 ATA_ERROR_ABRT);
	}
	/* 255 sectors, more than any frame: the same. */
	expect_ata_error(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 255, 0, NULL, 0), ATA_ERROR_ABRT);
	fx_assert_disk_untouched(f);
	assert_int_equal(f->t.counters.aoe_errors, 0);
}

/* A write frame without all its data: ATA abort, nothing written. */
static void test_short_write_data_is_abort(void **state)
{
	struct fx *f = *state;
	uint8_t data[2 * AOE_SECTOR_SIZE];
	memset(data, 0x99, sizeof(data));
	static const struct {
		uint8_t count;
		size_t data_len;
	} cases[] = { { 2, AOE_SECTOR_SIZE }, { 2, 2 * AOE_SECTOR_SIZE - 1 }, { 1, AOE_SECTOR_SIZE - 1 }, { 1, 0 } };
	for (size_t w = 0; w < 2; w++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			size_t len = fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, cases[i].count, 10, data,
					    cases[i].data_len);
			expect_ata_error(f, len, ATA_ERROR_ABRT);
			fx_assert_disk_untouched(f);
		}
	}
}

/* A read-only export aborts writes (as a failed pwrite would) and still reads. */
static void test_read_only_target_aborts_writes(void **state)
{
	struct fx *f = *state;
	target_init(&f->t, FX_SHELF, FX_SLOT, FX_SECTORS, true, "testhost");
	f->disk.read_only = true;
	uint8_t data[AOE_SECTOR_SIZE];
	memset(data, 0x11, sizeof(data));
	for (size_t w = 0; w < 2; w++) {
		expect_ata_error(f, fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, 1, 0, data, sizeof(data)),
				 ATA_ERROR_ABRT);
		fx_assert_disk_untouched(f);
	}
	expect_read(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, 0, NULL, 0), 0, 1);
}

/* The handler's read-only flag alone is enough: the disk is never asked to write. */
static void test_read_only_target_on_writable_disk_aborts_writes(void **state)
{
	struct fx *f = *state;
	target_init(&f->t, FX_SHELF, FX_SLOT, FX_SECTORS, true, "testhost");
	uint8_t data[AOE_SECTOR_SIZE];
	memset(data, 0x22, sizeof(data));
	expect_ata_error(f, fx_ata(f, FX_HOST_A, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 1, 5, data, sizeof(data)),
			 ATA_ERROR_ABRT);
	fx_assert_disk_untouched(f);
}

/* Count 0 is taken literally (as vblade): success, no data, nothing written. */
static void test_count_zero_is_success_without_data(void **state)
{
	struct fx *f = *state;
	static const struct write_kind kinds[] = {
		{ ATA_CMD_READ_SECTORS, 0 },
		{ ATA_CMD_READ_SECTORS_EXT, AOE_AFLAG_EXT },
		{ ATA_CMD_WRITE_SECTORS, AOE_AFLAG_WRITE },
		{ ATA_CMD_WRITE_SECTORS_EXT, AOE_AFLAG_EXT | AOE_AFLAG_WRITE },
	};
	uint8_t data[AOE_SECTOR_SIZE];
	memset(data, 0x33, sizeof(data));
	for (size_t i = 0; i < 4; i++) {
		size_t len = fx_ata(f, FX_HOST_A, kinds[i].aflags, kinds[i].opcode, 0, 12, data, sizeof(data));
		expect_write_ok(f, len);
		fx_assert_disk_untouched(f);
	}
	/* Even at the very end of the disk. */
	expect_write_ok(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 0, FX_SECTORS, NULL, 0));
}

/* CHECK POWER MODE: active (0xFF); vblade sends no reply when the request count is not 0. */
static void test_check_power_mode_reports_active(void **state)
{
	struct fx *f = *state;
	static const uint8_t counts[] = { 0, 1, 0x20, 0xff };
	for (size_t i = 0; i < sizeof(counts); i++) {
		size_t len = fx_ata(f, FX_HOST_A, 0, ATA_CMD_CHECK_POWER_MODE, counts[i], 0, NULL, 0);
		struct aoe_frame reply;
		fx_expect_ata(f, len, FX_HOST_A, STATUS_OK, 0, &reply);
		assert_int_equal(reply.arg.ata.sector_count, ATA_POWER_ACTIVE);
		assert_int_equal(f->buf[26], 0xff);
		assert_int_equal(len, AOE_ETH_MIN_FRAME);
	}
}

/* FLUSH CACHE and FLUSH CACHE EXT succeed with DRDY (vblade answers status 0x00). */
static void test_flush_cache_succeeds(void **state)
{
	struct fx *f = *state;
	static const struct write_kind flushes[] = {
		{ ATA_CMD_FLUSH_CACHE, 0 },
		{ ATA_CMD_FLUSH_CACHE_EXT, AOE_AFLAG_EXT },
	};
	for (size_t i = 0; i < 2; i++) {
		size_t len = fx_ata(f, FX_HOST_A, flushes[i].aflags, flushes[i].opcode, 0, 0, NULL, 0);
		expect_write_ok(f, len);
	}
	assert_int_equal(f->t.counters.flushes, 2);
	fx_assert_disk_untouched(f);
}

/* Everything but the eight implemented opcodes is an ATA abort (docs §6). */
static void test_unknown_opcodes_are_aborted(void **state)
{
	struct fx *f = *state;
	static const uint8_t known[] = {
		ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT, ATA_CMD_WRITE_SECTORS, ATA_CMD_WRITE_SECTORS_EXT,
		ATA_CMD_IDENTIFY, ATA_CMD_CHECK_POWER_MODE, ATA_CMD_FLUSH_CACHE, ATA_CMD_FLUSH_CACHE_EXT,
	};
	unsigned aborted = 0;
	for (unsigned op = 0; op < 256; op++) {
		if (memchr(known, (int)op, sizeof(known)))
			continue;
		size_t len = fx_ata(f, FX_HOST_A, 0, (uint8_t)op, 1, 0, NULL, 0);
		if (len == 0)
			fail_msg("opcode 0x%02x got no reply", op);
		expect_ata_error(f, len, ATA_ERROR_ABRT);
		aborted++;
	}
	assert_int_equal(aborted, 256 - sizeof(known));
	assert_int_equal(f->t.counters.ata_errors, aborted);
	fx_assert_disk_untouched(f);
}

/* The reply carries AFlags and the LBA exactly as received, on success and on error. */
static void test_reply_echoes_aflags_and_lba(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint8_t aflags, opcode, count;
		uint64_t lba;
		uint8_t status;
	} cases[] = {
		{ AOE_AFLAG_EXT | AOE_AFLAG_DEV, ATA_CMD_READ_SECTORS_EXT, 1, 7, STATUS_OK },
		{ 0, ATA_CMD_READ_SECTORS, 1, 0xe0000007ull, STATUS_OK },
		{ AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 0xabcdef123456ull, STATUS_ERR },
		{ 0, ATA_CMD_SMART, 1, 0x00c24f00ull, STATUS_ERR },
		{ AOE_AFLAG_DEV, ATA_CMD_CHECK_POWER_MODE, 0, 0x112233445566ull, STATUS_OK },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = fx_ata(f, FX_HOST_A, cases[i].aflags, cases[i].opcode, cases[i].count, cases[i].lba,
				    NULL, 0);
		struct aoe_frame reply;
		fx_reply(f, len, FX_HOST_A, &reply);
		assert_int_equal(reply.arg.ata.command_status, cases[i].status);
		assert_int_equal(f->buf[24], cases[i].aflags);
		assert_int_equal(reply.arg.ata.lba, cases[i].lba);
		for (unsigned b = 0; b < 6; b++)
			assert_int_equal(f->buf[28 + b], (uint8_t)(cases[i].lba >> (8 * b)));
		assert_int_equal(f->buf[34], 0);
		assert_int_equal(f->buf[35], 0);
	}
}

/* ---- the I/O request the handler hands out ---- */

/* Run target_handle alone to see the I/O it asks for. */
static enum target_verdict handle_only(struct fx *f, uint8_t aflags, uint8_t opcode, uint8_t count,
				       uint64_t lba, const uint8_t *data, size_t data_len)
{
	struct aoe_frame frame = fx_ata_request(FX_HOST_A, aflags, opcode, count, lba);
	frame.arg.ata.data = data;
	frame.arg.ata.data_len = data_len;
	fx_prepare(f, fx_put(f, &frame));
	return target_handle(&f->t, &f->req);
}

/* A write must be stable before the reply unless the initiator said A or we are writeback. */
static void test_write_stability_follows_async_flag_and_writeback(void **state)
{
	struct fx *f = *state;
	uint8_t data[2 * AOE_SECTOR_SIZE];
	make_data(data, sizeof(data), 0x5);

	assert_int_equal(handle_only(f, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 2, 6, data, sizeof(data)),
			 TARGET_NEEDS_IO);
	assert_int_equal(f->req.io_op, TARGET_IO_WRITE);
	assert_int_equal(f->req.io_offset, 6 * AOE_SECTOR_SIZE);
	assert_int_equal(f->req.io_len, sizeof(data));
	assert_ptr_equal(f->req.io_data, f->buf + AOE_ATA_HDR_LEN);
	assert_memory_equal(f->req.io_data, data, sizeof(data));
	assert_true(f->req.io_stable);
	/* Completing it leaves a padded DRDY reply, as target_serve would. */
	target_complete(&f->t, &f->req, 0);
	assert_int_equal(f->req.len, AOE_ETH_MIN_FRAME);
	assert_int_equal(f->buf[27], STATUS_OK);

	assert_int_equal(handle_only(f, AOE_AFLAG_WRITE | AOE_AFLAG_ASYNC, ATA_CMD_WRITE_SECTORS, 2, 6, data,
				     sizeof(data)),
			 TARGET_NEEDS_IO);
	assert_false(f->req.io_stable);

	assert_int_equal(handle_only(f, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, 1, 6, data,
				     AOE_SECTOR_SIZE),
			 TARGET_NEEDS_IO);
	assert_true(f->req.io_stable);

	f->t.writeback = true;
	assert_int_equal(handle_only(f, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 2, 6, data, sizeof(data)),
			 TARGET_NEEDS_IO);
	assert_false(f->req.io_stable);
	f->t.writeback = false;

	/* Reads and flushes are not "writes to make stable". */
	assert_int_equal(handle_only(f, 0, ATA_CMD_READ_SECTORS, 2, 6, NULL, 0), TARGET_NEEDS_IO);
	assert_int_equal(f->req.io_op, TARGET_IO_READ);
	assert_int_equal(f->req.io_offset, 6 * AOE_SECTOR_SIZE);
	assert_int_equal(f->req.io_len, sizeof(data));
	assert_false(f->req.io_stable);
	assert_int_equal(handle_only(f, 0, ATA_CMD_FLUSH_CACHE, 0, 0, NULL, 0), TARGET_NEEDS_IO);
	assert_int_equal(f->req.io_op, TARGET_IO_FLUSH);
	/* No disk work for a refused command. */
	assert_int_equal(handle_only(f, 0, ATA_CMD_READ_SECTORS, 1, FX_SECTORS, NULL, 0), TARGET_REPLY);
	assert_int_equal(f->req.io_op, TARGET_IO_NONE);
}

/* ---- disk errors ---- */

static int fail_read(struct disk *disk, void *buf, uint64_t offset, size_t len)
{
	(void)disk, (void)buf, (void)offset, (void)len;
	return -EIO;
}

static int fail_write(struct disk *disk, const void *buf, uint64_t offset, size_t len)
{
	(void)disk, (void)buf, (void)offset, (void)len;
	return -EIO;
}

static int ok_write(struct disk *disk, const void *buf, uint64_t offset, size_t len)
{
	(void)disk, (void)buf, (void)offset, (void)len;
	return 0;
}

static int fail_flush(struct disk *disk)
{
	(void)disk;
	return -EIO;
}

static int ok_flush(struct disk *disk)
{
	(void)disk;
	return 0;
}

static void no_close(struct disk *disk)
{
	(void)disk;
}

static const struct disk_ops failing_ops = { fail_read, fail_write, fail_flush, no_close };
static const struct disk_ops failing_flush_ops = { fail_read, ok_write, fail_flush, no_close };
static const struct disk_ops failing_io_ok_flush_ops = { fail_read, fail_write, ok_flush, no_close };

/* Replace the memory disk with one whose operations fail. */
static void use_disk(struct fx *f, const struct disk_ops *ops)
{
	disk_close(&f->disk);
	memset(&f->disk, 0, sizeof(f->disk));
	f->disk.ops = ops;
	f->disk.sectors = FX_SECTORS;
	f->disk.fd = -1;
}

/* A disk error is ATA abort; a failed read carries no data (36 bytes padded to 60). */
static void test_io_error_is_ata_abort_without_data(void **state)
{
	struct fx *f = *state;
	static const struct disk_ops *const disks[] = { &failing_ops, &failing_io_ok_flush_ops };
	uint8_t data[2 * AOE_SECTOR_SIZE];
	make_data(data, sizeof(data), 0x61);
	for (size_t d = 0; d < 2; d++) {
		use_disk(f, disks[d]);
		uint64_t io_errors = f->t.counters.io_errors;
		/* Request bytes behind the header must not leak into the padding. */
		memset(f->buf, 0xab, FX_CAP);
		expect_ata_error(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 2, 0, NULL, 0), ATA_ERROR_ABRT);
		expect_ata_error(f, fx_ata(f, FX_HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 5, NULL, 0),
				 ATA_ERROR_ABRT);
		for (size_t w = 0; w < 2; w++)
			expect_ata_error(f, fx_ata(f, FX_HOST_A, writes[w].aflags, writes[w].opcode, 2, 0, data,
						   sizeof(data)),
					 ATA_ERROR_ABRT);
		assert_int_equal(f->t.counters.io_errors, io_errors + 4);
	}
	assert_int_equal(f->t.counters.bytes_read, 0);
	assert_int_equal(f->t.counters.bytes_written, 0);
	assert_int_equal(f->t.counters.aoe_errors, 0);
}

/* A failing flush fails FLUSH CACHE and a stable write, but not an async one. */
static void test_flush_error_fails_stable_writes_only(void **state)
{
	struct fx *f = *state;
	use_disk(f, &failing_flush_ops);
	uint8_t data[AOE_SECTOR_SIZE];
	make_data(data, sizeof(data), 0x62);
	expect_ata_error(f, fx_ata(f, FX_HOST_A, 0, ATA_CMD_FLUSH_CACHE, 0, 0, NULL, 0), ATA_ERROR_ABRT);
	expect_ata_error(f, fx_ata(f, FX_HOST_A, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 1, 0, data, sizeof(data)),
			 ATA_ERROR_ABRT);
	expect_write_ok(f, fx_ata(f, FX_HOST_A, AOE_AFLAG_WRITE | AOE_AFLAG_ASYNC, ATA_CMD_WRITE_SECTORS, 1, 0,
				  data, sizeof(data)));
}

/* ---- counters ---- */

static void test_ata_counters(void **state)
{
	struct fx *f = *state;
	uint8_t data[2 * AOE_SECTOR_SIZE];
	make_data(data, sizeof(data), 0x70);
	fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 2, 0, NULL, 0);
	fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, 0, NULL, 0);
	fx_ata(f, FX_HOST_A, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 2, 0, data, sizeof(data));
	fx_ata(f, FX_HOST_A, 0, ATA_CMD_FLUSH_CACHE, 0, 0, NULL, 0);
	fx_ata(f, FX_HOST_A, 0, ATA_CMD_READ_SECTORS, 1, FX_SECTORS, NULL, 0);
	fx_ata(f, FX_HOST_A, 0, ATA_CMD_IDENTIFY, 1, 0, NULL, 0);
	const struct target_counters *c = &f->t.counters;
	assert_int_equal(c->reads, 2);
	assert_int_equal(c->bytes_read, 3 * AOE_SECTOR_SIZE);
	assert_int_equal(c->writes, 1);
	assert_int_equal(c->bytes_written, 2 * AOE_SECTOR_SIZE);
	assert_int_equal(c->flushes, 1);
	assert_int_equal(c->ata_errors, 1);
	assert_int_equal(c->per_command[AOE_CMD_ATA], 6);
	assert_int_equal(c->frames_in, 6);
	assert_int_equal(c->frames_out, 6);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identify_reports_capacity_and_features),
		T(test_identify_small_and_large_exports),
		T(test_identify_count_not_one_is_bad_argument),
		T(test_identify_with_trailing_bytes_returns_one_page),
		T(test_read_returns_disk_bytes_for_every_count),
		T(test_read_lba28_ignores_device_nibble_and_high_bytes),
		T(test_read_ext_uses_all_48_bits),
		T(test_read_with_trailing_bytes_is_answered_normally),
		T(test_write_stores_data_for_every_count),
		T(test_write_with_trailing_bytes_stores_only_count_sectors),
		T(test_first_and_last_sector),
		T(test_out_of_range_is_idnf_and_changes_nothing),
		T(test_count_above_port_max_is_abort),
		T(test_short_write_data_is_abort),
		T(test_read_only_target_aborts_writes),
		T(test_read_only_target_on_writable_disk_aborts_writes),
		T(test_count_zero_is_success_without_data),
		T(test_check_power_mode_reports_active),
		T(test_flush_cache_succeeds),
		T(test_unknown_opcodes_are_aborted),
		T(test_reply_echoes_aflags_and_lba),
		T(test_write_stability_follows_async_flag_and_writeback),
		T(test_io_error_is_ata_abort_without_data),
		T(test_flush_error_fails_stable_writes_only),
		T(test_ata_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
