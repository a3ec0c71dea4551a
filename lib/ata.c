/*
 * ata.c - the IDENTIFY DEVICE page and ATA names.
 *
 * The page is 256 little-endian 16-bit words.  Only the words an AoE client
 * reads are filled; the rest stay zero.
 */
#include "ata.h"

#include <string.h>

enum {
	W_SERIAL = 10,
	W_FIRMWARE = 23,
	W_MODEL = 27,
	W_MULTIPLE = 47,
	W_CAPABILITIES = 49,
	W_CAPABILITIES2 = 50,
	W_LBA28 = 60,
	W_SUPPORTED_82 = 82,
	W_SUPPORTED_83 = 83,
	W_SUPPORTED_84 = 84,
	W_ENABLED_85 = 85,
	W_ENABLED_86 = 86,
	W_ENABLED_87 = 87,
	W_RESET_RESULT = 93,
	W_LBA48 = 100,

	CAP_LBA = 1 << 9,
	BIT_LBA48 = 1 << 10,
	BIT_FLUSH = 1 << 12,
	BIT_FLUSH_EXT = 1 << 13,
	BIT_VALID = 1 << 14,    /* words 83/84/86/87 carry valid data: bit 14 one, bit 15 zero */
};

static void put_word(uint8_t *page, unsigned word, uint16_t value)
{
	page[2 * word] = (uint8_t)value;
	page[2 * word + 1] = (uint8_t)(value >> 8);
}

static uint16_t get_word(const uint8_t *page, unsigned word)
{
	return (uint16_t)(page[2 * word] | page[2 * word + 1] << 8);
}

void ata_string_put(uint8_t *words, size_t word_count, const char *text)
{
	size_t text_len = strlen(text);
	for (size_t i = 0; i < 2 * word_count; i++) {
		uint8_t c = i < text_len ? (uint8_t)text[i] : ' ';
		/* The first character of each pair sits in the word's high byte. */
		words[i ^ 1] = c;
	}
}

void ata_string_get(const uint8_t *words, size_t word_count, char *out)
{
	size_t len = 2 * word_count;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)words[i ^ 1];
	while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\0'))
		len--;
	out[len] = '\0';
}

void ata_identify_build(uint8_t page[ATA_IDENTIFY_LEN], const struct ata_identity *id)
{
	memset(page, 0, ATA_IDENTIFY_LEN);
	ata_string_put(page + 2 * W_SERIAL, ATA_SERIAL_LEN / 2, id->serial);
	ata_string_put(page + 2 * W_FIRMWARE, ATA_FIRMWARE_LEN / 2, id->firmware);
	ata_string_put(page + 2 * W_MODEL, ATA_MODEL_LEN / 2, id->model);
	put_word(page, W_MULTIPLE, 0x8000);
	put_word(page, W_CAPABILITIES, CAP_LBA);
	put_word(page, W_CAPABILITIES2, 0x4000);

	uint64_t lba28 = id->sectors > ATA_LBA28_MAX ? ATA_LBA28_MAX : id->sectors;
	put_word(page, W_LBA28, (uint16_t)lba28);
	put_word(page, W_LBA28 + 1, (uint16_t)(lba28 >> 16));

	uint16_t features = BIT_VALID;
	if (id->lba48)
		features |= BIT_LBA48;
	if (id->flush)
		features |= BIT_FLUSH;
	if (id->flush_ext)
		features |= BIT_FLUSH_EXT;
	put_word(page, W_SUPPORTED_82, 0);
	put_word(page, W_SUPPORTED_83, features);
	put_word(page, W_SUPPORTED_84, BIT_VALID);
	put_word(page, W_ENABLED_85, 0);
	put_word(page, W_ENABLED_86, (uint16_t)(features & ~BIT_VALID));
	put_word(page, W_ENABLED_87, BIT_VALID);
	put_word(page, W_RESET_RESULT, 0x400b);

	/* Filled even for small exports: some initiators read only these words. */
	uint64_t lba48 = id->sectors;
	for (unsigned i = 0; i < 4; i++) {
		put_word(page, W_LBA48 + i, (uint16_t)lba48);
		lba48 >>= 16;
	}
}

void ata_identify_decode(const uint8_t page[ATA_IDENTIFY_LEN], struct ata_identity *id)
{
	memset(id, 0, sizeof(*id));
	ata_string_get(page + 2 * W_SERIAL, ATA_SERIAL_LEN / 2, id->serial);
	ata_string_get(page + 2 * W_FIRMWARE, ATA_FIRMWARE_LEN / 2, id->firmware);
	ata_string_get(page + 2 * W_MODEL, ATA_MODEL_LEN / 2, id->model);

	uint16_t supported = get_word(page, W_SUPPORTED_83);
	uint16_t enabled = get_word(page, W_ENABLED_86);
	/* As the Linux driver: LBA48 if either word advertises it. */
	id->lba48 = ((supported | enabled) & BIT_LBA48) != 0;
	id->flush = (supported & BIT_FLUSH) != 0;
	id->flush_ext = (supported & BIT_FLUSH_EXT) != 0;
	id->lba28_sectors = (uint32_t)get_word(page, W_LBA28) | (uint32_t)get_word(page, W_LBA28 + 1) << 16;
	if (id->lba48) {
		uint64_t sectors = 0;
		for (int i = 3; i >= 0; i--)
			sectors = sectors << 16 | get_word(page, W_LBA48 + (unsigned)i);
		id->sectors = sectors;
	} else {
		id->sectors = id->lba28_sectors;
	}
}

const char *ata_command_str(uint8_t opcode)
{
	switch (opcode) {
	case ATA_CMD_READ_SECTORS: return "READ SECTORS";
	case ATA_CMD_READ_SECTORS_EXT: return "READ SECTORS EXT";
	case ATA_CMD_WRITE_SECTORS: return "WRITE SECTORS";
	case ATA_CMD_WRITE_SECTORS_EXT: return "WRITE SECTORS EXT";
	case ATA_CMD_SMART: return "SMART";
	case ATA_CMD_CHECK_POWER_MODE: return "CHECK POWER MODE";
	case ATA_CMD_FLUSH_CACHE: return "FLUSH CACHE";
	case ATA_CMD_FLUSH_CACHE_EXT: return "FLUSH CACHE EXT";
	case ATA_CMD_IDENTIFY: return "IDENTIFY DEVICE";
	default: return "unknown ATA command";
	}
}

bool ata_command_is_ext(uint8_t opcode)
{
	return opcode == ATA_CMD_READ_SECTORS_EXT || opcode == ATA_CMD_WRITE_SECTORS_EXT ||
	       opcode == ATA_CMD_FLUSH_CACHE_EXT;
}
