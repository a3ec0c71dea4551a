/*
 * cases_proto.c - golden captures of the header rules (version, unknown and
 * vendor commands, addressing, frames that get no reply) and of the requests
 * the aoetools programs send (aoeping, aoecfg, aoe-sancheck), reconstructed
 * from aoetools 36 as docs/aoe-protocol.md describes them, not captured.
 */
#include <string.h>

#include "gen.h"

static size_t version_2(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[14] = (uint8_t)(2 << 4 | (f[14] & 0x0f));
	return len;
}

static size_t version_0(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[14] = (uint8_t)(f[14] & 0x0f);
	return len;
}

static size_t flag_error(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[14] |= AOE_FLAG_ERROR;
	f[15] = 3;
	return len;
}

static size_t flag_response(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[14] |= AOE_FLAG_RESPONSE;
	return len;
}

static size_t pad_to_60(uint8_t *f, size_t len, size_t cap)
{
	return aoe_pad(f, len, cap);
}

void cases_protocol(void)
{
	struct session ss;
	session_open(&ss, "protocol.pcap", NULL,
		     "header rules: version 2 and 0 (error 5), unknown commands 4 and 0x7f and vendor "
		     "commands 0xf0 and 0xff (error 1), E flag in a request (ignored), a padded request, "
		     "and frames that get no reply: other shelf, other slot, other MAC, a response");
	struct aoe_frame f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	send_built(&ss, &f, version_2, AOE_ERROR(AOE_ERR_BAD_VERSION), "version 2: error 5, reply version 1");
	f = request(&ss, HOST_A, AOE_CMD_ATA);
	f.arg.ata.command_status = ATA_CMD_IDENTIFY;
	f.arg.ata.sector_count = 1;
	send_built(&ss, &f, version_0, AOE_ERROR(AOE_ERR_BAD_VERSION), "version 0: error 5");
	static const uint8_t unknown[] = { 4, 0x7f, 0xf0, 0xff };
	for (size_t i = 0; i < sizeof(unknown); i++) {
		f = request(&ss, HOST_A, unknown[i]);
		f.has_arg = false;
		send_built(&ss, &f, NULL, AOE_ERROR(AOE_ERR_BAD_COMMAND), "unknown or vendor command: error 1");
	}
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	send_built(&ss, &f, flag_error, REPLY_OK, "E flag and error 3 in a request: ignored, clean reply");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	send_built(&ss, &f, pad_to_60, REPLY_OK, "Query Config padded to 60 bytes: padding ignored");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.shelf = 8;
	send_built(&ss, &f, NULL, NO_REPLY, "shelf 8: not ours, no reply");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.shelf = 0x0900;
	send_built(&ss, &f, NULL, NO_REPLY, "shelf 0x0900 (ours byte-swapped): no reply");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.slot = 1;
	send_built(&ss, &f, NULL, NO_REPLY, "slot 1: no reply");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.slot = AOE_SLOT_BROADCAST;
	f.hdr.shelf = 8;
	send_built(&ss, &f, NULL, NO_REPLY, "shelf 8, slot wildcard: no reply");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	memcpy(f.hdr.dst, HOST_C, AOE_MAC_LEN);
	send_built(&ss, &f, NULL, NO_REPLY, "to another host's MAC: no reply");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	send_built(&ss, &f, flag_response, NO_REPLY, "a response (R flag): never answered");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.shelf = AOE_SHELF_BROADCAST;
	f.hdr.slot = AOE_SLOT_BROADCAST;
	send_built(&ss, &f, NULL, REPLY_OK, "both wildcards to our MAC");
	session_close(&ss);
}

/* aoecfg sends the whole 1056-byte Query Config structure whatever the string's length. */
static size_t aoecfg_full(uint8_t *f, size_t len, size_t cap)
{
	size_t full = AOE_CFG_HDR_LEN + AOE_CONFIG_MAX;
	if (full > cap || len > full)
		return len;
	memset(f + len, 0, full - len);
	return full;
}

static uint32_t tool_tag(unsigned n) { return 0x80000000u | n; } /* aoetools set bit 31 */

void cases_aoetools(void)
{
	struct session ss;
	static uint8_t filler[AOE_CONFIG_MAX];
	static uint8_t zeros[2 * AOE_SECTOR_SIZE];
	memset(filler, 0xed, sizeof(filler));

	session_open(&ss, "aoetools.pcap", NULL,
		     "the requests of aoetools 36 (reconstructed from its source, not captured; tags with bit "
		     "31): aoeping's Query Config (1024 bytes of 0xED), IDENTIFY and SMART; aoecfg's full "
		     "1056-byte Query Config set, test, prefix and broadcast read; aoe-sancheck's padded "
		     "IDENTIFY probes");
	struct aoe_frame f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.tag = tool_tag(1);
	f.arg.cfg.config = filler;
	f.arg.cfg.config_len = AOE_CONFIG_MAX;
	send_built(&ss, &f, NULL, REPLY_OK, "aoeping: Query Config read, length 1024, 0xED filler");
	f = request(&ss, HOST_A, AOE_CMD_ATA);
	f.hdr.tag = tool_tag(2);
	f.arg.ata.command_status = ATA_CMD_IDENTIFY;
	f.arg.ata.sector_count = 1;
	f.arg.ata.lba = 0xa0000000ULL;
	send_built(&ss, &f, NULL, ATA_OK, "aoeping -i: IDENTIFY");
	f = request(&ss, HOST_A, AOE_CMD_ATA);
	f.hdr.tag = tool_tag(3);
	f.arg.ata.command_status = ATA_CMD_SMART;
	f.arg.ata.feature_error = 0xd0;
	f.arg.ata.sector_count = 1;
	f.arg.ata.lba = 0xa0c24f00ULL;
	send_built(&ss, &f, NULL, ATA_ABORT, "aoeping -S: SMART READ DATA: abort");

	static const struct { uint8_t ccmd; const char *str; const char *what; bool answered; } cfg[] = {
		{ AOE_CCMD_SET, "aoecfg-string", "aoecfg -c set: 1056-byte frame", true },
		{ AOE_CCMD_TEST, "aoecfg-string", "aoecfg -c test: match", true },
		{ AOE_CCMD_TEST, "aoecfg", "aoecfg -c test: mismatch, silence", false },
		{ AOE_CCMD_TEST_PREFIX, "aoecfg", "aoecfg -c prefix: match", true },
		{ AOE_CCMD_FORCE_SET, "", "aoecfg -c fset: clear", true },
	};
	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		f = request(&ss, HOST_B, AOE_CMD_CONFIG);
		f.hdr.tag = tool_tag(10 + (unsigned)i);
		f.arg.cfg.ccmd = cfg[i].ccmd;
		f.arg.cfg.config = (const uint8_t *)cfg[i].str;
		f.arg.cfg.config_len = (uint16_t)strlen(cfg[i].str);
		send_built(&ss, &f, aoecfg_full, cfg[i].answered ? REPLY_OK : NO_REPLY, cfg[i].what);
	}
	f = request(&ss, HOST_B, AOE_CMD_CONFIG);
	memcpy(f.hdr.dst, MAC_BROADCAST, AOE_MAC_LEN);
	f.hdr.shelf = AOE_SHELF_BROADCAST;
	f.hdr.slot = AOE_SLOT_BROADCAST;
	f.hdr.tag = tool_tag(20);
	send_built(&ss, &f, aoecfg_full, REPLY_OK, "aoecfg default: broadcast read");

	f = request(&ss, HOST_C, AOE_CMD_ATA);
	f.arg.ata.command_status = ATA_CMD_IDENTIFY;
	f.arg.ata.sector_count = 1;
	f.arg.ata.lba = 0xa0000000ULL;
	f.arg.ata.data = zeros;
	for (unsigned pad = 0; pad <= 2; pad++) {
		f.hdr.tag = tool_tag(30 << 8 | pad); /* last tag byte: padding sectors */
		f.arg.ata.data_len = pad * AOE_SECTOR_SIZE;
		send_built(&ss, &f, NULL, ATA_OK, "aoe-sancheck: IDENTIFY padded to probe the MTU");
	}
	session_close(&ss);
}
