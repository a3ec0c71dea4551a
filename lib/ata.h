/*
 * ata.h - the ATA register semantics AoE carries: opcodes, status and error
 * bits, and the IDENTIFY DEVICE page.
 */
#ifndef AOEKIT_ATA_H
#define AOEKIT_ATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	ATA_CMD_READ_SECTORS = 0x20,
	ATA_CMD_READ_SECTORS_EXT = 0x24,
	ATA_CMD_WRITE_SECTORS = 0x30,
	ATA_CMD_WRITE_SECTORS_EXT = 0x34,
	ATA_CMD_SMART = 0xb0,
	ATA_CMD_CHECK_POWER_MODE = 0xe5,
	ATA_CMD_FLUSH_CACHE = 0xe7,
	ATA_CMD_IDENTIFY = 0xec,
	ATA_CMD_FLUSH_CACHE_EXT = 0xea,
};

/* Status register. */
enum {
	ATA_STATUS_BSY = 0x80,
	ATA_STATUS_DRDY = 0x40,
	ATA_STATUS_DF = 0x20,
	ATA_STATUS_DRQ = 0x08,
	ATA_STATUS_ERR = 0x01,
	/* Any of these fails the request in the Linux aoe driver. */
	ATA_STATUS_FAILED_MASK = ATA_STATUS_BSY | ATA_STATUS_DF | ATA_STATUS_DRQ | ATA_STATUS_ERR,
};

/* Error register. */
enum {
	ATA_ERROR_UNC = 0x40,
	ATA_ERROR_IDNF = 0x10,
	ATA_ERROR_ABRT = 0x04,
};

/* CHECK POWER MODE answer in the sector count register: active or idle. */
enum { ATA_POWER_ACTIVE = 0xff };

enum {
	ATA_IDENTIFY_LEN = 512,
	ATA_LBA28_MAX = 0x0fffffff,
	ATA_LBA48_MAX = 0xffffffffffffULL,
	ATA_MODEL_LEN = 40,
	ATA_SERIAL_LEN = 20,
	ATA_FIRMWARE_LEN = 8,
};

/* What an IDENTIFY DEVICE page says, in host terms. */
struct ata_identity {
	char model[ATA_MODEL_LEN + 1];       /* trailing spaces trimmed when decoded */
	char serial[ATA_SERIAL_LEN + 1];
	char firmware[ATA_FIRMWARE_LEN + 1];
	uint64_t sectors;                    /* LBA48 capacity, or LBA28 when lba48 is false */
	uint32_t lba28_sectors;              /* words 60-61 */
	bool lba48;                          /* word 83 bit 10 */
	bool flush;                          /* word 83 bit 12: FLUSH CACHE */
	bool flush_ext;                      /* word 83 bit 13: FLUSH CACHE EXT */
};

/* Fill a 512-byte page; strings longer than their field are cut. */
void ata_identify_build(uint8_t page[ATA_IDENTIFY_LEN], const struct ata_identity *id);
/* Decode a page (capacity from words 100-103 when LBA48 is advertised). */
void ata_identify_decode(const uint8_t page[ATA_IDENTIFY_LEN], struct ata_identity *id);

/* ATA strings: two characters a word, the first in the high byte, space padded. */
void ata_string_put(uint8_t *words, size_t word_count, const char *text);
void ata_string_get(const uint8_t *words, size_t word_count, char *out);

const char *ata_command_str(uint8_t opcode);
bool ata_command_is_ext(uint8_t opcode);

#endif
