/*
 * aoe.h - the AoE wire codec: protocol numbers, frame structures, parse and build.
 *
 * AoE protocol version 1 as in Coraid's specification revision 11 (AoEr11),
 * with the MAC Mask List and Reserve/Release commands.  Every multi-byte field
 * is big-endian on the wire except the six LBA bytes of the ATA argument, which
 * are little-endian.
 *
 * The codec does no I/O and never allocates.  Parsed structures point into the
 * caller's buffer (config string, directives, MACs, ATA data), so they are valid
 * only while that buffer is.  Builders write into a caller's buffer of known
 * capacity and return the frame length, or 0 when the frame would not fit.
 * Builders use memmove for variable parts, so a reply may be built on top of
 * the request it answers.
 */
#ifndef AOEKIT_AOE_H
#define AOEKIT_AOE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	AOE_ETHERTYPE = 0x88A2,
	AOE_VERSION = 1,
	AOE_MAC_LEN = 6,

	AOE_ETH_HDR_LEN = 14,    /* dst, src, type */
	AOE_HDR_LEN = 24,        /* Ethernet + AoE common header */
	AOE_ATA_HDR_LEN = 36,    /* + 12-byte ATA argument */
	AOE_CFG_HDR_LEN = 32,    /* + 8-byte Query Config argument */
	AOE_MASK_HDR_LEN = 28,   /* + 4-byte MAC Mask List argument */
	AOE_RSRV_HDR_LEN = 26,   /* + 2-byte Reserve/Release argument */
	AOE_DIRECTIVE_LEN = 8,
	AOE_ETH_MIN_FRAME = 60,  /* Ethernet minimum without FCS */

	AOE_SECTOR_SIZE = 512,
	AOE_CONFIG_MAX = 1024,
	AOE_MASK_MAX_DIRECTIVES = 255,
	AOE_RESERVE_MAX_MACS = 255,

	AOE_SHELF_BROADCAST = 0xffff,
	AOE_SLOT_BROADCAST = 0xff,
	AOE_SHELF_LINUX_IGNORED = 0x0fff, /* the Linux driver drops replies from it */
};

/* Header flags (low nibble of byte 14). */
enum {
	AOE_FLAG_RESPONSE = 0x08,
	AOE_FLAG_ERROR = 0x04,
};

/* Commands (byte 19). */
enum {
	AOE_CMD_ATA = 0,
	AOE_CMD_CONFIG = 1,
	AOE_CMD_MASK = 2,
	AOE_CMD_RESERVE = 3,
	AOE_CMD_VENDOR_FIRST = 0xf0,
};

/* Error codes (byte 15, meaningful with AOE_FLAG_ERROR). */
enum {
	AOE_ERR_BAD_COMMAND = 1,
	AOE_ERR_BAD_ARG = 2,
	AOE_ERR_DEVICE_UNAVAILABLE = 3,
	AOE_ERR_CONFIG_PRESENT = 4,
	AOE_ERR_BAD_VERSION = 5,
	AOE_ERR_RESERVED = 6,
};

/* ATA argument AFlags. */
enum {
	AOE_AFLAG_EXT = 0x40,    /* LBA48 command */
	AOE_AFLAG_DEV = 0x10,    /* device register DEV bit */
	AOE_AFLAG_ASYNC = 0x02,  /* write may be acknowledged before it is stable */
	AOE_AFLAG_WRITE = 0x01,  /* data flows initiator to target */
};

/* Query Config CCmd. */
enum {
	AOE_CCMD_READ = 0,
	AOE_CCMD_TEST = 1,
	AOE_CCMD_TEST_PREFIX = 2,
	AOE_CCMD_SET = 3,
	AOE_CCMD_FORCE_SET = 4,
};

/* MAC Mask List MCmd, MError and DCmd. */
enum {
	AOE_MCMD_READ = 0,
	AOE_MCMD_EDIT = 1,

	AOE_MERROR_UNSPECIFIED = 1,
	AOE_MERROR_BAD_DCMD = 2,
	AOE_MERROR_FULL = 3,

	AOE_DCMD_NONE = 0,
	AOE_DCMD_ADD = 1,
	AOE_DCMD_DELETE = 2,
};

/* Reserve/Release RCmd. */
enum {
	AOE_RCMD_READ = 0,
	AOE_RCMD_SET = 1,
	AOE_RCMD_FORCE_SET = 2,
};

/* Why a frame was refused, or what the header alone told us. */
enum aoe_parse_status {
	AOE_PARSE_OK = 0,
	AOE_PARSE_TOO_SHORT,        /* shorter than the 24-byte header */
	AOE_PARSE_NOT_AOE,          /* EtherType is not 0x88A2 */
	AOE_PARSE_IS_RESPONSE,      /* request parser given a response */
	AOE_PARSE_NOT_RESPONSE,     /* response parser given a request */
	AOE_PARSE_BAD_VERSION,      /* header parsed; version is not 1 */
	AOE_PARSE_UNKNOWN_COMMAND,  /* header parsed; command has no argument layout */
	AOE_PARSE_ARG_TOO_SHORT,    /* shorter than the command's fixed argument */
	AOE_PARSE_CONFIG_LENGTH,    /* config length over 1024 or past the frame */
	AOE_PARSE_MASK_COUNT,       /* directive count disagrees with the frame length */
	AOE_PARSE_RESERVE_COUNT,    /* MAC count disagrees with the frame length */
};

struct aoe_header {
	uint8_t dst[AOE_MAC_LEN];
	uint8_t src[AOE_MAC_LEN];
	uint8_t version;
	uint8_t flags;          /* AOE_FLAG_* */
	uint8_t error;          /* AOE_ERR_* when AOE_FLAG_ERROR is set */
	uint16_t shelf;         /* major */
	uint8_t slot;           /* minor */
	uint8_t command;        /* AOE_CMD_* */
	uint32_t tag;
};

struct aoe_ata {
	uint8_t aflags;         /* AOE_AFLAG_* */
	uint8_t feature_error;  /* features in a request, error in a response */
	uint8_t sector_count;
	uint8_t command_status; /* ATA command in a request, status in a response */
	uint64_t lba;           /* 48 bits */
	const uint8_t *data;    /* bytes after the argument, padding included */
	size_t data_len;
};

struct aoe_config {
	uint16_t buffer_count;
	uint16_t firmware_version;
	uint8_t sector_count;
	uint8_t aoe_version;    /* high nibble of byte 29 */
	uint8_t ccmd;           /* low nibble of byte 29 */
	uint16_t config_len;
	const uint8_t *config;
};

struct aoe_mask {
	uint8_t mcmd;
	uint8_t merror;
	uint8_t dir_count;      /* in an MError response: index of the failing directive */
	const uint8_t *directives; /* dir_count * 8 wire bytes; NULL in an MError response */
};

struct aoe_reserve {
	uint8_t rcmd;
	uint8_t mac_count;
	const uint8_t *macs;    /* mac_count * 6 wire bytes */
};

struct aoe_frame {
	struct aoe_header hdr;
	bool has_arg;           /* false for an error response that carries no argument */
	union {
		struct aoe_ata ata;
		struct aoe_config cfg;
		struct aoe_mask mask;
		struct aoe_reserve rsrv;
	} arg;
};

/*
 * Parse a frame of len bytes.  The request parser refuses responses and the
 * response parser refuses requests.  When the status is OK, BAD_VERSION or
 * UNKNOWN_COMMAND the header in out->hdr is valid (so a target can answer with
 * error 5 or 1).  Trailing bytes beyond what the command needs are ignored,
 * except for ATA, where they are reported as data.
 */
enum aoe_parse_status aoe_parse_request(const uint8_t *buf, size_t len, struct aoe_frame *out);
enum aoe_parse_status aoe_parse_response(const uint8_t *buf, size_t len, struct aoe_frame *out);
const char *aoe_parse_status_str(enum aoe_parse_status status);

/*
 * Build a frame: header plus the argument of hdr.command (nothing more for an
 * error response with has_arg false, or for a command without a layout).
 * Returns the frame length, or 0 if it would not fit in cap bytes or a
 * variable part is out of range (config over 1024 bytes).
 */
size_t aoe_build(uint8_t *buf, size_t cap, const struct aoe_frame *frame);

/* The header alone (24 bytes); returns 24 or 0. */
size_t aoe_build_header(uint8_t *buf, size_t cap, const struct aoe_header *hdr);

/* One MAC Mask directive, at buf[0..7]. */
void aoe_directive_put(uint8_t *directive, uint8_t dcmd, const uint8_t mac[AOE_MAC_LEN]);
void aoe_directive_get(const uint8_t *directive, uint8_t *dcmd, uint8_t mac[AOE_MAC_LEN]);

/* Pad a frame with zeros to the Ethernet minimum; returns the new length. */
size_t aoe_pad(uint8_t *buf, size_t len, size_t cap);

/* Largest sector count a frame carries at this MTU, as every AoE peer computes it. */
unsigned aoe_sectors_for_mtu(unsigned mtu);

/* Human names for code points, "unknown" for the rest. */
const char *aoe_command_str(uint8_t command);
const char *aoe_error_str(uint8_t error);

/* MAC text: parse "00:11:22:33:44:55", "00-11-...", or "001122334455" in any case. */
bool aoe_mac_parse(const char *text, uint8_t mac[AOE_MAC_LEN]);
/* Value of one hex digit (either case), or -1. */
int aoe_hex_digit(int c);
/* Writes "xx:xx:xx:xx:xx:xx" into out (at least 18 bytes). */
void aoe_mac_format(const uint8_t mac[AOE_MAC_LEN], char *out);

/* Big-endian and little-endian field access, shared by the codec and IDENTIFY. */
static inline uint16_t aoe_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t aoe_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void aoe_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void aoe_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#endif
