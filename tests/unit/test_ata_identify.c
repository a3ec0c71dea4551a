/*
 * test_ata_identify.c - unit tests for the IDENTIFY DEVICE page and the ATA
 * helpers (lib/ata.h).
 *
 * The page is 256 little-endian 16-bit words; initiators read it word by word
 * (Linux: words 60-61, 83, 86, 100-103; WinAoE: bytes 200-207 always), so the
 * checks below read raw page bytes with their own little-endian helper instead
 * of trusting a decode built from the same assumptions as the encoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ata.h"

/* Word numbers from the ATA/ATAPI command set, as docs/aoe-protocol.md §2.3 lists them. */
enum {
	W_SERIAL = 10,
	W_FIRMWARE = 23,
	W_MODEL = 27,
	W_CAPS = 49,
	W_LBA28 = 60,
	W_CMDSET2 = 83,
	W_CMDSET2_ENABLED = 86,
	W_LBA48 = 100,
};

enum {
	BIT_LBA = 1u << 9,
	BIT_LBA48 = 1u << 10,
	BIT_FLUSH = 1u << 12,
	BIT_FLUSH_EXT = 1u << 13,
	BIT_ONE = 1u << 14,
	BIT_ZERO = 1u << 15,
};

static unsigned word_at(const uint8_t *page, unsigned w)
{
	return (unsigned)page[2 * w] | (unsigned)page[2 * w + 1] << 8;
}

static void set_word(uint8_t *page, unsigned w, unsigned v)
{
	page[2 * w] = (uint8_t)v;
	page[2 * w + 1] = (uint8_t)(v >> 8);
}

static uint32_t dword_at(const uint8_t *page, unsigned w)
{
	return (uint32_t)word_at(page, w) | (uint32_t)word_at(page, w + 1) << 16;
}

static uint64_t qword_at(const uint8_t *page, unsigned w)
{
	return (uint64_t)word_at(page, w) | (uint64_t)word_at(page, w + 1) << 16 |
	       (uint64_t)word_at(page, w + 2) << 32 | (uint64_t)word_at(page, w + 3) << 48;
}

static struct ata_identity identity(const char *model, const char *serial, const char *firmware,
				    uint64_t sectors, bool lba48, bool flush, bool flush_ext)
{
	struct ata_identity id;

	memset(&id, 0, sizeof id);
	snprintf(id.model, sizeof id.model, "%s", model);
	snprintf(id.serial, sizeof id.serial, "%s", serial);
	snprintf(id.firmware, sizeof id.firmware, "%s", firmware);
	id.sectors = sectors;
	id.lba48 = lba48;
	id.flush = flush;
	id.flush_ext = flush_ext;
	return id;
}

/* ------------------------------------------------------------------------
 * Strings.
 */

/* First character in the high byte (page byte 2k+1), second in the low byte (2k). */
static void test_identify_strings_in_ata_byte_order(void **state)
{
	static const char serial_bytes[20] = "NS1-2.h:so t        ";    /* "SN-1.2:host" */
	static const char firmware_bytes[8] = "2V 5    ";                /* "V25" */
	static const char model_bytes[40] = "oaketiv idks                            ";
	/* model is "aoekit vdisk" */
	struct ata_identity id = identity("aoekit vdisk", "SN-1.2:host", "V25", 2048, true, true,
					  false);
	uint8_t page[ATA_IDENTIFY_LEN];

	(void)state;
	memset(page, 0xaa, sizeof page);
	ata_identify_build(page, &id);
	assert_memory_equal(page + 2 * W_SERIAL, serial_bytes, sizeof serial_bytes);
	assert_memory_equal(page + 2 * W_FIRMWARE, firmware_bytes, sizeof firmware_bytes);
	assert_memory_equal(page + 2 * W_MODEL, model_bytes, sizeof model_bytes);
}

/*
 * Strings that fill their field exactly use every byte and do not spill into
 * the next field (overlong text is cut by ata_string_put, tested below).
 */
static void test_identify_strings_filling_their_fields(void **state)
{
	static const char model[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD"; /* exactly 40 */
	static const char serial[] = "SERIAL-0123456789ABC";                    /* exactly 20 */
	static const char firmware[] = "FW-1.2.3";                              /* exactly 8 */
	struct ata_identity id;
	struct ata_identity back;
	uint8_t page[ATA_IDENTIFY_LEN];

	(void)state;
	memset(&id, 0, sizeof id);
	memcpy(id.model, model, ATA_MODEL_LEN);
	memcpy(id.serial, serial, ATA_SERIAL_LEN);
	memcpy(id.firmware, firmware, ATA_FIRMWARE_LEN);
	id.sectors = 8;
	id.lba48 = true;
	ata_identify_build(page, &id);
	for (unsigned k = 0; k < ATA_MODEL_LEN / 2; k++) {
		assert_int_equal(page[2 * (W_MODEL + k) + 1], model[2 * k]);
		assert_int_equal(page[2 * (W_MODEL + k)], model[2 * k + 1]);
	}
	for (unsigned k = 0; k < ATA_SERIAL_LEN / 2; k++) {
		assert_int_equal(page[2 * (W_SERIAL + k) + 1], serial[2 * k]);
		assert_int_equal(page[2 * (W_SERIAL + k)], serial[2 * k + 1]);
	}
	for (unsigned k = 0; k < ATA_FIRMWARE_LEN / 2; k++) {
		assert_int_equal(page[2 * (W_FIRMWARE + k) + 1], firmware[2 * k]);
		assert_int_equal(page[2 * (W_FIRMWARE + k)], firmware[2 * k + 1]);
	}
	ata_identify_decode(page, &back);
	assert_string_equal(back.model, model);
	assert_string_equal(back.serial, serial);
	assert_string_equal(back.firmware, firmware);
}

static void test_string_put_pads_and_cuts(void **state)
{
	static const struct {
		const char *text;
		size_t words;
		uint8_t want[8];
	} cases[] = {
		{ "", 2, { ' ', ' ', ' ', ' ' } },
		{ "A", 2, { ' ', 'A', ' ', ' ' } },
		{ "AB", 2, { 'B', 'A', ' ', ' ' } },
		{ "ABC", 2, { 'B', 'A', ' ', 'C' } },
		{ "ABCD", 2, { 'B', 'A', 'D', 'C' } },
		{ "ABCDEFGH", 2, { 'B', 'A', 'D', 'C' } },
		{ "x y", 4, { ' ', 'x', ' ', 'y', ' ', ' ', ' ', ' ' } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 2 * cases[i].words;
		uint8_t buf[12];

		memset(buf, 0xaa, sizeof buf);
		ata_string_put(buf, cases[i].words, cases[i].text);
		assert_memory_equal(buf, cases[i].want, n);
		for (size_t b = n; b < sizeof buf; b++)
			assert_int_equal(buf[b], 0xaa);
	}
}

static void test_string_get_trims_trailing_spaces(void **state)
{
	static const struct {
		uint8_t words[8];
		size_t count;
		const char *want;
	} cases[] = {
		{ { 'B', 'A', 'D', 'C' }, 2, "ABCD" },
		{ { 'B', 'A', ' ', 'C' }, 2, "ABC" },
		{ { ' ', 'A', ' ', ' ' }, 2, "A" },
		{ { ' ', ' ', ' ', ' ' }, 2, "" },
		{ { ' ', 'x', ' ', 'y', ' ', ' ', ' ', ' ' }, 4, "x y" },
		{ { 'b', 'a', ' ', ' ', 'd', 'c', ' ', ' ' }, 4, "ab  cd" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* Exactly two characters a word plus the NUL: an overrun hits the heap redzone. */
		size_t outlen = 2 * cases[i].count + 1;
		char *out = malloc(outlen);

		assert_non_null(out);
		memset(out, 'Z', outlen);
		ata_string_get(cases[i].words, cases[i].count, out);
		assert_string_equal(out, cases[i].want);
		free(out);
	}
}

static void test_string_put_get_round_trip(void **state)
{
	static const char *const texts[] = { "", "a", "Coraid EtherDrive vblade", "V25",
					     "1.7:storage-host-01" };

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		uint8_t words[2 * 20];
		char out[2 * 20 + 1];

		ata_string_put(words, 20, texts[i]);
		ata_string_get(words, 20, out);
		assert_string_equal(out, texts[i]);
	}
}

/* ------------------------------------------------------------------------
 * Capacity.
 */

static void test_identify_capacity_words(void **state)
{
	static const struct {
		uint64_t sectors;
		uint32_t lba28;     /* words 60-61 */
		uint16_t w[4];      /* words 100-103, low word first */
	} cases[] = {
		{ 8, 8, { 0x0008, 0, 0, 0 } },
		{ 2048, 2048, { 0x0800, 0, 0, 0 } },
		{ 0x00abcdef, 0x00abcdef, { 0xcdef, 0x00ab, 0, 0 } },
		{ 0x0ffffffe, 0x0ffffffe, { 0xfffe, 0x0fff, 0, 0 } },
		{ 0x0fffffff, 0x0fffffff, { 0xffff, 0x0fff, 0, 0 } },
		{ 0x10000000, 0x0fffffff, { 0x0000, 0x1000, 0, 0 } },
		{ 0x123456789abcULL, 0x0fffffff, { 0x9abc, 0x5678, 0x1234, 0 } },
		{ ATA_LBA48_MAX, 0x0fffffff, { 0xffff, 0xffff, 0xffff, 0 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ata_identity id = identity("m", "s", "f", cases[i].sectors, true, true, false);
		uint8_t page[ATA_IDENTIFY_LEN];

		memset(page, 0xaa, sizeof page);
		ata_identify_build(page, &id);
		if (dword_at(page, W_LBA28) != cases[i].lba28)
			print_error("sectors 0x%llx: words 60-61 0x%x\n",
				    (unsigned long long)cases[i].sectors, dword_at(page, W_LBA28));
		assert_int_equal(word_at(page, W_LBA28), cases[i].lba28 & 0xffff);
		assert_int_equal(word_at(page, W_LBA28 + 1), cases[i].lba28 >> 16);
		for (unsigned k = 0; k < 4; k++)
			assert_int_equal(word_at(page, W_LBA48 + k), cases[i].w[k]);
	}
}

/* WinAoE reads words 100-103 whatever word 83 says, so small exports fill them too. */
static void test_small_export_fills_lba48_words(void **state)
{
	struct ata_identity id = identity("m", "s", "f", 8, true, true, false);
	uint8_t page[ATA_IDENTIFY_LEN];

	(void)state;
	memset(page, 0xff, sizeof page);
	ata_identify_build(page, &id);
	assert_int_equal(qword_at(page, W_LBA48), 8);
	assert_int_equal(page[200], 8);
	for (unsigned b = 201; b < 208; b++)
		assert_int_equal(page[b], 0);
	assert_int_equal(dword_at(page, W_LBA28), 8);
}

static void test_identify_round_trip(void **state)
{
	static const struct {
		uint64_t sectors;
		bool lba48, flush, flush_ext;
	} cases[] = {
		{ 8, true, true, false },
		{ 8, true, false, false },
		{ 1000, false, true, false },
		{ 0x0fffffff, true, true, true },
		{ 0x10000000, true, true, true },
		{ 0x123456789abcULL, true, false, true },
		{ ATA_LBA48_MAX, true, true, true },
		{ 0x0abcdef0, false, false, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ata_identity id = identity("aoekit virtual disk", "3.7:host", "0.1",
						  cases[i].sectors, cases[i].lba48, cases[i].flush,
						  cases[i].flush_ext);
		struct ata_identity back;
		uint8_t page[ATA_IDENTIFY_LEN];
		uint32_t lba28 = cases[i].sectors > ATA_LBA28_MAX ? ATA_LBA28_MAX
								  : (uint32_t)cases[i].sectors;

		ata_identify_build(page, &id);
		memset(&back, 0x5a, sizeof back);
		ata_identify_decode(page, &back);
		assert_string_equal(back.model, "aoekit virtual disk");
		assert_string_equal(back.serial, "3.7:host");
		assert_string_equal(back.firmware, "0.1");
		assert_int_equal(back.sectors, cases[i].sectors);
		assert_int_equal(back.lba28_sectors, lba28);
		assert_int_equal(back.lba48, cases[i].lba48);
		assert_int_equal(back.flush, cases[i].flush);
		assert_int_equal(back.flush_ext, cases[i].flush_ext);
	}
}

/* What Linux does with a page lacking word 83 bit 10: capacity from words 60-61. */
static void test_decode_without_lba48_uses_words_60_61(void **state)
{
	uint8_t page[ATA_IDENTIFY_LEN];
	struct ata_identity id;

	(void)state;
	memset(page, 0, sizeof page);
	/* FLUSH supported but not enabled: the identity reports support (word 83). */
	set_word(page, W_CMDSET2, BIT_ONE | BIT_FLUSH);
	set_word(page, W_CMDSET2_ENABLED, 0);
	set_word(page, W_LBA28, 0xcdef);
	set_word(page, W_LBA28 + 1, 0x00ab);
	/* Stale-looking LBA48 words that must be ignored. */
	set_word(page, W_LBA48, 0x1111);
	set_word(page, W_LBA48 + 2, 0x0001);
	ata_identify_decode(page, &id);
	assert_false(id.lba48);
	assert_true(id.flush);
	assert_false(id.flush_ext);
	assert_int_equal(id.lba28_sectors, 0x00abcdef);
	assert_int_equal(id.sectors, 0x00abcdef);
}

static void test_decode_hand_written_lba48_page(void **state)
{
	/* vblade's strings, pairs swapped as they travel. */
	static const char serial_bytes[20] = "1.                  ";           /* ".1" */
	static const char firmware_bytes[8] = "2V 5    ";                      /* "V25" */
	static const char model_bytes[40] = "oCardiE htrerDvi ebvaled                ";
	uint8_t page[ATA_IDENTIFY_LEN];
	struct ata_identity id;

	(void)state;
	memset(page, 0, sizeof page);
	memcpy(page + 2 * W_SERIAL, serial_bytes, sizeof serial_bytes);
	memcpy(page + 2 * W_FIRMWARE, firmware_bytes, sizeof firmware_bytes);
	memcpy(page + 2 * W_MODEL, model_bytes, sizeof model_bytes);
	set_word(page, W_CAPS, BIT_LBA);
	set_word(page, W_CMDSET2, 0x5400 | BIT_FLUSH_EXT);
	set_word(page, W_CMDSET2_ENABLED, 0x1400 | BIT_FLUSH_EXT);
	set_word(page, W_LBA28, 0xffff);
	set_word(page, W_LBA28 + 1, 0x0fff);
	set_word(page, W_LBA48, 0x6789);
	set_word(page, W_LBA48 + 1, 0x2345);
	set_word(page, W_LBA48 + 2, 0x0001);
	memset(&id, 0x5a, sizeof id);
	ata_identify_decode(page, &id);
	assert_string_equal(id.model, "Coraid EtherDrive vblade");
	assert_string_equal(id.serial, ".1");
	assert_string_equal(id.firmware, "V25");
	assert_true(id.lba48);
	assert_true(id.flush);
	assert_true(id.flush_ext);
	assert_int_equal(id.sectors, 0x123456789ULL);
	assert_int_equal(id.lba28_sectors, 0x0fffffff);
}

/* ------------------------------------------------------------------------
 * Feature words.
 */

static void test_identify_feature_words(void **state)
{
	(void)state;
	for (unsigned combo = 0; combo < 8; combo++) {
		bool lba48 = combo & 1, flush = combo & 2, flush_ext = combo & 4;
		struct ata_identity id = identity("m", "s", "f", 1u << 20, lba48, flush, flush_ext);
		uint8_t page[ATA_IDENTIFY_LEN];
		unsigned w83, w86;

		memset(page, 0xff, sizeof page);
		ata_identify_build(page, &id);
		w83 = word_at(page, W_CMDSET2);
		w86 = word_at(page, W_CMDSET2_ENABLED);
		assert_int_equal((w83 & BIT_LBA48) != 0, lba48);
		assert_int_equal((w83 & BIT_FLUSH) != 0, flush);
		assert_int_equal((w83 & BIT_FLUSH_EXT) != 0, flush_ext);
		/* Bits 15:14 = 01 say the word is valid at all. */
		assert_true(w83 & BIT_ONE);
		assert_false(w83 & BIT_ZERO);
		/* Supported features are all enabled: word 86 mirrors word 83's bits. */
		assert_int_equal(w86 & (BIT_LBA48 | BIT_FLUSH | BIT_FLUSH_EXT),
				 w83 & (BIT_LBA48 | BIT_FLUSH | BIT_FLUSH_EXT));
		assert_true(word_at(page, W_CAPS) & BIT_LBA);
	}
}

/* vblade's own page, as a spot check of the whole feature set at once. */
static void test_identify_matches_vblade_feature_words(void **state)
{
	struct ata_identity id = identity("Coraid EtherDrive vblade", "0.1:host", "V25", 1u << 21,
					  true, true, false);
	uint8_t page[ATA_IDENTIFY_LEN];

	(void)state;
	ata_identify_build(page, &id);
	assert_int_equal(word_at(page, W_CMDSET2) & 0xf400, 0x5400);
	assert_int_equal(word_at(page, W_CMDSET2_ENABLED) & 0x3400, 0x1400);
	assert_int_equal(word_at(page, W_CAPS) & BIT_LBA, BIT_LBA);
}

/* The page is fully defined: whatever the buffer held before must not show through. */
static void test_identify_build_overwrites_whole_page(void **state)
{
	struct ata_identity id = identity("aoekit vdisk", "1.2:h", "1.0", 123456789, true, true,
					  true);
	uint8_t a[ATA_IDENTIFY_LEN], b[ATA_IDENTIFY_LEN];

	(void)state;
	memset(a, 0x00, sizeof a);
	memset(b, 0xff, sizeof b);
	ata_identify_build(a, &id);
	ata_identify_build(b, &id);
	for (unsigned i = 0; i < ATA_IDENTIFY_LEN; i++)
		if (a[i] != b[i])
			fail_msg("page byte %u depends on old buffer contents (0x%02x vs 0x%02x)", i,
				 a[i], b[i]);
}

/* ------------------------------------------------------------------------
 * Opcodes.
 */

static void test_command_names(void **state)
{
	static const uint8_t known[] = {
		ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT, ATA_CMD_WRITE_SECTORS,
		ATA_CMD_WRITE_SECTORS_EXT, ATA_CMD_SMART, ATA_CMD_CHECK_POWER_MODE,
		ATA_CMD_FLUSH_CACHE, ATA_CMD_IDENTIFY, ATA_CMD_FLUSH_CACHE_EXT,
	};

	(void)state;
	for (unsigned op = 0; op < 256; op++) {
		const char *s = ata_command_str((uint8_t)op);

		assert_non_null(s);
		assert_true(s[0] != '\0');
	}
	/* Log lines are useless if two opcodes print the same. */
	for (size_t a = 0; a < sizeof known; a++)
		for (size_t b = a + 1; b < sizeof known; b++)
			assert_string_not_equal(ata_command_str(known[a]), ata_command_str(known[b]));
}

static void test_command_is_ext(void **state)
{
	static const struct { uint8_t op; bool ext; } cases[] = {
		{ ATA_CMD_READ_SECTORS_EXT, true },  { ATA_CMD_WRITE_SECTORS_EXT, true },
		{ ATA_CMD_FLUSH_CACHE_EXT, true },   { ATA_CMD_READ_SECTORS, false },
		{ ATA_CMD_WRITE_SECTORS, false },    { ATA_CMD_FLUSH_CACHE, false },
		{ ATA_CMD_IDENTIFY, false },         { ATA_CMD_CHECK_POWER_MODE, false },
		{ ATA_CMD_SMART, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (ata_command_is_ext(cases[i].op) != cases[i].ext)
			fail_msg("opcode 0x%02x: is_ext %d, expected %d", cases[i].op,
				 !cases[i].ext, cases[i].ext);
}

int main(void)
{
	const struct CMUnitTest ata_identify_tests[] = {
		cmocka_unit_test(test_identify_strings_in_ata_byte_order),
		cmocka_unit_test(test_identify_strings_filling_their_fields),
		cmocka_unit_test(test_string_put_pads_and_cuts),
		cmocka_unit_test(test_string_get_trims_trailing_spaces),
		cmocka_unit_test(test_string_put_get_round_trip),
		cmocka_unit_test(test_identify_capacity_words),
		cmocka_unit_test(test_small_export_fills_lba48_words),
		cmocka_unit_test(test_identify_round_trip),
		cmocka_unit_test(test_decode_without_lba48_uses_words_60_61),
		cmocka_unit_test(test_decode_hand_written_lba48_page),
		cmocka_unit_test(test_identify_feature_words),
		cmocka_unit_test(test_identify_matches_vblade_feature_words),
		cmocka_unit_test(test_identify_build_overwrites_whole_page),
		cmocka_unit_test(test_command_names),
		cmocka_unit_test(test_command_is_ext),
	};

	return cmocka_run_group_tests(ata_identify_tests, NULL, NULL);
}
