/*
 * aoe.c - parse and build AoE frames.  See aoe.h for the contract.
 *
 * Every read is preceded by a length check against the caller's len, and
 * every count field is checked against the bytes really present before any
 * pointer into the frame is handed out.
 */
#include "aoe.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Offsets of the common header fields within the frame. */
enum {
	OFF_DST = 0,
	OFF_SRC = 6,
	OFF_TYPE = 12,
	OFF_VERFLAGS = 14,
	OFF_ERROR = 15,
	OFF_SHELF = 16,
	OFF_SLOT = 18,
	OFF_COMMAND = 19,
	OFF_TAG = 20,
	OFF_ARG = 24,
};

static void parse_header(const uint8_t *buf, struct aoe_header *hdr)
{
	memcpy(hdr->dst, buf + OFF_DST, AOE_MAC_LEN);
	memcpy(hdr->src, buf + OFF_SRC, AOE_MAC_LEN);
	hdr->version = buf[OFF_VERFLAGS] >> 4;
	hdr->flags = buf[OFF_VERFLAGS] & 0x0f;
	hdr->error = buf[OFF_ERROR];
	hdr->shelf = aoe_get16(buf + OFF_SHELF);
	hdr->slot = buf[OFF_SLOT];
	hdr->command = buf[OFF_COMMAND];
	hdr->tag = aoe_get32(buf + OFF_TAG);
}

static uint64_t get_lba48(const uint8_t *p)
{
	uint64_t lba = 0;
	for (int i = 5; i >= 0; i--)
		lba = lba << 8 | p[i];
	return lba;
}

static void put_lba48(uint8_t *p, uint64_t lba)
{
	for (int i = 0; i < 6; i++) {
		p[i] = (uint8_t)lba;
		lba >>= 8;
	}
}

static enum aoe_parse_status parse_ata(const uint8_t *buf, size_t len, struct aoe_ata *ata)
{
	if (len < AOE_ATA_HDR_LEN)
		return AOE_PARSE_ARG_TOO_SHORT;
	ata->aflags = buf[24];
	ata->feature_error = buf[25];
	ata->sector_count = buf[26];
	ata->command_status = buf[27];
	ata->lba = get_lba48(buf + 28);
	/* bytes 34-35 are reserved */
	ata->data = buf + AOE_ATA_HDR_LEN;
	ata->data_len = len - AOE_ATA_HDR_LEN;
	return AOE_PARSE_OK;
}

static enum aoe_parse_status parse_config(const uint8_t *buf, size_t len, struct aoe_config *cfg)
{
	if (len < AOE_CFG_HDR_LEN)
		return AOE_PARSE_ARG_TOO_SHORT;
	cfg->buffer_count = aoe_get16(buf + 24);
	cfg->firmware_version = aoe_get16(buf + 26);
	cfg->sector_count = buf[28];
	cfg->aoe_version = buf[29] >> 4;
	cfg->ccmd = buf[29] & 0x0f;
	cfg->config_len = aoe_get16(buf + 30);
	if (cfg->config_len > AOE_CONFIG_MAX || cfg->config_len > len - AOE_CFG_HDR_LEN)
		return AOE_PARSE_CONFIG_LENGTH;
	cfg->config = buf + AOE_CFG_HDR_LEN;
	return AOE_PARSE_OK;
}

static enum aoe_parse_status parse_mask(const uint8_t *buf, size_t len, bool response,
					struct aoe_mask *mask)
{
	if (len < AOE_MASK_HDR_LEN)
		return AOE_PARSE_ARG_TOO_SHORT;
	/* byte 24 is reserved */
	mask->mcmd = buf[25];
	mask->merror = buf[26];
	mask->dir_count = buf[27];
	mask->directives = NULL;
	/* A failed edit reports the failing index in dir_count, not a list. */
	if (response && mask->merror != 0)
		return AOE_PARSE_OK;
	if ((size_t)mask->dir_count * AOE_DIRECTIVE_LEN > len - AOE_MASK_HDR_LEN)
		return AOE_PARSE_MASK_COUNT;
	mask->directives = buf + AOE_MASK_HDR_LEN;
	return AOE_PARSE_OK;
}

static enum aoe_parse_status parse_reserve(const uint8_t *buf, size_t len, struct aoe_reserve *rsrv)
{
	if (len < AOE_RSRV_HDR_LEN)
		return AOE_PARSE_ARG_TOO_SHORT;
	rsrv->rcmd = buf[24];
	rsrv->mac_count = buf[25];
	if ((size_t)rsrv->mac_count * AOE_MAC_LEN > len - AOE_RSRV_HDR_LEN)
		return AOE_PARSE_RESERVE_COUNT;
	rsrv->macs = buf + AOE_RSRV_HDR_LEN;
	return AOE_PARSE_OK;
}

static enum aoe_parse_status parse_arg(const uint8_t *buf, size_t len, bool response,
				       struct aoe_frame *out)
{
	switch (out->hdr.command) {
	case AOE_CMD_ATA:
		return parse_ata(buf, len, &out->arg.ata);
	case AOE_CMD_CONFIG:
		return parse_config(buf, len, &out->arg.cfg);
	case AOE_CMD_MASK:
		return parse_mask(buf, len, response, &out->arg.mask);
	case AOE_CMD_RESERVE:
		return parse_reserve(buf, len, &out->arg.rsrv);
	default:
		return AOE_PARSE_UNKNOWN_COMMAND;
	}
}

static enum aoe_parse_status parse_frame(const uint8_t *buf, size_t len, bool response,
					 struct aoe_frame *out)
{
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < AOE_HDR_LEN)
		return AOE_PARSE_TOO_SHORT;
	if (aoe_get16(buf + OFF_TYPE) != AOE_ETHERTYPE)
		return AOE_PARSE_NOT_AOE;
	parse_header(buf, &out->hdr);
	bool is_response = (out->hdr.flags & AOE_FLAG_RESPONSE) != 0;
	if (is_response != response)
		return response ? AOE_PARSE_NOT_RESPONSE : AOE_PARSE_IS_RESPONSE;
	if (out->hdr.version != AOE_VERSION)
		return AOE_PARSE_BAD_VERSION;

	enum aoe_parse_status status = parse_arg(buf, len, response, out);
	out->has_arg = status == AOE_PARSE_OK;
	/* An error reply need not carry its argument: the header is the news. */
	if (response && (out->hdr.flags & AOE_FLAG_ERROR) && status != AOE_PARSE_OK) {
		memset(&out->arg, 0, sizeof(out->arg));
		return AOE_PARSE_OK;
	}
	return status;
}

enum aoe_parse_status aoe_parse_request(const uint8_t *buf, size_t len, struct aoe_frame *out)
{
	return parse_frame(buf, len, false, out);
}

enum aoe_parse_status aoe_parse_response(const uint8_t *buf, size_t len, struct aoe_frame *out)
{
	return parse_frame(buf, len, true, out);
}

size_t aoe_build_header(uint8_t *buf, size_t cap, const struct aoe_header *hdr)
{
	if (cap < AOE_HDR_LEN)
		return 0;
	memmove(buf + OFF_DST, hdr->dst, AOE_MAC_LEN);
	memmove(buf + OFF_SRC, hdr->src, AOE_MAC_LEN);
	aoe_put16(buf + OFF_TYPE, AOE_ETHERTYPE);
	buf[OFF_VERFLAGS] = (uint8_t)(hdr->version << 4 | (hdr->flags & 0x0f));
	buf[OFF_ERROR] = hdr->error;
	aoe_put16(buf + OFF_SHELF, hdr->shelf);
	buf[OFF_SLOT] = hdr->slot;
	buf[OFF_COMMAND] = hdr->command;
	aoe_put32(buf + OFF_TAG, hdr->tag);
	return AOE_HDR_LEN;
}

/* Copy a variable part into place; a NULL source with length 0 is fine. */
static void put_bytes(uint8_t *dst, const uint8_t *src, size_t len)
{
	if (len > 0 && src != dst)
		memmove(dst, src, len);
}

static size_t build_ata(uint8_t *buf, size_t cap, const struct aoe_ata *ata)
{
	if (ata->data_len > cap || cap - ata->data_len < AOE_ATA_HDR_LEN)
		return 0;
	/* Move the data first: on a reply built in place it may overlap the argument. */
	put_bytes(buf + AOE_ATA_HDR_LEN, ata->data, ata->data_len);
	buf[24] = ata->aflags;
	buf[25] = ata->feature_error;
	buf[26] = ata->sector_count;
	buf[27] = ata->command_status;
	put_lba48(buf + 28, ata->lba);
	buf[34] = 0;
	buf[35] = 0;
	return AOE_ATA_HDR_LEN + ata->data_len;
}

static size_t build_config(uint8_t *buf, size_t cap, const struct aoe_config *cfg)
{
	if (cfg->config_len > AOE_CONFIG_MAX || cap < (size_t)AOE_CFG_HDR_LEN + cfg->config_len)
		return 0;
	put_bytes(buf + AOE_CFG_HDR_LEN, cfg->config, cfg->config_len);
	aoe_put16(buf + 24, cfg->buffer_count);
	aoe_put16(buf + 26, cfg->firmware_version);
	buf[28] = cfg->sector_count;
	buf[29] = (uint8_t)(cfg->aoe_version << 4 | (cfg->ccmd & 0x0f));
	aoe_put16(buf + 30, cfg->config_len);
	return AOE_CFG_HDR_LEN + cfg->config_len;
}

static size_t build_mask(uint8_t *buf, size_t cap, const struct aoe_mask *mask)
{
	size_t dir_bytes = mask->directives ? (size_t)mask->dir_count * AOE_DIRECTIVE_LEN : 0;
	if (cap < AOE_MASK_HDR_LEN + dir_bytes)
		return 0;
	put_bytes(buf + AOE_MASK_HDR_LEN, mask->directives, dir_bytes);
	buf[24] = 0;
	buf[25] = mask->mcmd;
	buf[26] = mask->merror;
	buf[27] = mask->dir_count;
	return AOE_MASK_HDR_LEN + dir_bytes;
}

static size_t build_reserve(uint8_t *buf, size_t cap, const struct aoe_reserve *rsrv)
{
	size_t mac_bytes = (size_t)rsrv->mac_count * AOE_MAC_LEN;
	if (cap < AOE_RSRV_HDR_LEN + mac_bytes || (mac_bytes > 0 && rsrv->macs == NULL))
		return 0;
	put_bytes(buf + AOE_RSRV_HDR_LEN, rsrv->macs, mac_bytes);
	buf[24] = rsrv->rcmd;
	buf[25] = rsrv->mac_count;
	return AOE_RSRV_HDR_LEN + mac_bytes;
}

size_t aoe_build(uint8_t *buf, size_t cap, const struct aoe_frame *frame)
{
	if (cap < AOE_HDR_LEN)
		return 0;
	size_t len = AOE_HDR_LEN;
	if (frame->has_arg) {
		switch (frame->hdr.command) {
		case AOE_CMD_ATA:
			len = build_ata(buf, cap, &frame->arg.ata);
			break;
		case AOE_CMD_CONFIG:
			len = build_config(buf, cap, &frame->arg.cfg);
			break;
		case AOE_CMD_MASK:
			len = build_mask(buf, cap, &frame->arg.mask);
			break;
		case AOE_CMD_RESERVE:
			len = build_reserve(buf, cap, &frame->arg.rsrv);
			break;
		default:
			break;
		}
	}
	if (len == 0)
		return 0;
	/* The header last: the argument's sources may lie inside it only for the MACs. */
	aoe_build_header(buf, cap, &frame->hdr);
	return len;
}

void aoe_directive_put(uint8_t *directive, uint8_t dcmd, const uint8_t mac[AOE_MAC_LEN])
{
	directive[0] = 0;
	directive[1] = dcmd;
	memmove(directive + 2, mac, AOE_MAC_LEN);
}

void aoe_directive_get(const uint8_t *directive, uint8_t *dcmd, uint8_t mac[AOE_MAC_LEN])
{
	*dcmd = directive[1];
	memmove(mac, directive + 2, AOE_MAC_LEN);
}

size_t aoe_pad(uint8_t *buf, size_t len, size_t cap)
{
	size_t want = len < AOE_ETH_MIN_FRAME ? AOE_ETH_MIN_FRAME : len;
	if (want > cap)
		want = cap;
	if (want > len)
		memset(buf + len, 0, want - len);
	return want > len ? want : len;
}

unsigned aoe_sectors_for_mtu(unsigned mtu)
{
	/* Every peer subtracts 36 (Ethernet + AoE + ATA headers) from the MTU. */
	if (mtu < AOE_ATA_HDR_LEN)
		return 0;
	unsigned sectors = (mtu - AOE_ATA_HDR_LEN) / AOE_SECTOR_SIZE;
	return sectors > 255 ? 255 : sectors;
}

const char *aoe_command_str(uint8_t command)
{
	switch (command) {
	case AOE_CMD_ATA: return "ATA";
	case AOE_CMD_CONFIG: return "Query Config";
	case AOE_CMD_MASK: return "MAC Mask List";
	case AOE_CMD_RESERVE: return "Reserve/Release";
	default: return command >= AOE_CMD_VENDOR_FIRST ? "vendor" : "unknown";
	}
}

const char *aoe_error_str(uint8_t error)
{
	switch (error) {
	case AOE_ERR_BAD_COMMAND: return "unrecognized command code";
	case AOE_ERR_BAD_ARG: return "bad argument parameter";
	case AOE_ERR_DEVICE_UNAVAILABLE: return "device unavailable";
	case AOE_ERR_CONFIG_PRESENT: return "config string present";
	case AOE_ERR_BAD_VERSION: return "unsupported version";
	case AOE_ERR_RESERVED: return "target is reserved";
	default: return "unknown error";
	}
}

const char *aoe_parse_status_str(enum aoe_parse_status status)
{
	switch (status) {
	case AOE_PARSE_OK: return "ok";
	case AOE_PARSE_TOO_SHORT: return "shorter than the AoE header";
	case AOE_PARSE_NOT_AOE: return "not an AoE frame";
	case AOE_PARSE_IS_RESPONSE: return "a response where a request was expected";
	case AOE_PARSE_NOT_RESPONSE: return "a request where a response was expected";
	case AOE_PARSE_BAD_VERSION: return "unsupported AoE version";
	case AOE_PARSE_UNKNOWN_COMMAND: return "unknown command";
	case AOE_PARSE_ARG_TOO_SHORT: return "shorter than the command's argument";
	case AOE_PARSE_CONFIG_LENGTH: return "config string length disagrees with the frame";
	case AOE_PARSE_MASK_COUNT: return "directive count disagrees with the frame";
	case AOE_PARSE_RESERVE_COUNT: return "MAC count disagrees with the frame";
	}
	return "unknown parse status";
}

int aoe_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool aoe_mac_parse(const char *text, uint8_t mac[AOE_MAC_LEN])
{
	/* One separator for the whole address (':' or '-'), or none at all. */
	char separator = (text[0] && text[1] && (text[2] == ':' || text[2] == '-')) ? text[2] : '\0';
	size_t pos = 0;
	for (int i = 0; i < AOE_MAC_LEN; i++) {
		if (i > 0 && separator) {
			if (text[pos] != separator)
				return false;
			pos++;
		}
		int high = aoe_hex_digit((unsigned char)text[pos]);
		int low = high < 0 ? -1 : aoe_hex_digit((unsigned char)text[pos + 1]);
		if (low < 0)
			return false;
		mac[i] = (uint8_t)(high << 4 | low);
		pos += 2;
	}
	return text[pos] == '\0';
}

void aoe_mac_format(const uint8_t mac[AOE_MAC_LEN], char *out)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}
