/*
 * cases_query.c - golden captures of Query Config, MAC Mask List and
 * Reserve/Release: every subcommand, every error path, and the state they
 * leave (a later request shows what an earlier one changed).
 */
#include <string.h>

#include "gen.h"

/* Patches for requests that lie about their own length (built honest, then edited). */
static size_t config_len_10(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	aoe_put16(f + 30, 10); /* the frame holds 3 bytes of string */
	return len;
}

static size_t config_len_1025(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[len] = 'x'; /* 1025 bytes present: only the limit is wrong */
	aoe_put16(f + 30, 1025);
	return len + 1;
}

static size_t config_aoe_nibble_1(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[29] = (uint8_t)(AOE_VERSION << 4 | (f[29] & 0x0f));
	return len;
}

void cases_config(void)
{
	struct session ss;
	char big[AOE_CONFIG_MAX + 1];
	memset(big, 'k', AOE_CONFIG_MAX);
	big[AOE_CONFIG_MAX] = '\0';

	session_open(&ss, "config.pcap", NULL,
		     "Query Config: read (broadcast as the Linux driver, wildcards), test and test-prefix "
		     "matches and silent mismatches, set, idempotent set, set over another string (error 4), "
		     "force set, 1024-byte string, bad CCmd and lengths (error 2)");
	struct aoe_frame f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	memcpy(f.hdr.dst, MAC_BROADCAST, AOE_MAC_LEN);
	f.hdr.shelf = AOE_SHELF_BROADCAST;
	f.hdr.slot = AOE_SLOT_BROADCAST;
	f.hdr.tag = 0;
	send_built(&ss, &f, NULL, REPLY_OK, "broadcast discovery, tag 0, as the Linux driver");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.shelf = AOE_SHELF_BROADCAST;
	send_built(&ss, &f, NULL, REPLY_OK, "shelf wildcard, our slot");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.hdr.slot = AOE_SLOT_BROADCAST;
	send_built(&ss, &f, NULL, REPLY_OK, "our shelf, slot wildcard");
	config(&ss, HOST_A, AOE_CCMD_READ, NULL, REPLY_OK, "read, no string yet");
	config(&ss, HOST_A, AOE_CCMD_TEST, "", REPLY_OK, "test empty: matches the empty string");
	config(&ss, HOST_A, AOE_CCMD_TEST, "x", NO_REPLY, "test mismatch: silence");
	config(&ss, HOST_A, AOE_CCMD_SET, "golden-config", REPLY_OK, "set on an empty string");
	config(&ss, HOST_B, AOE_CCMD_READ, "ignored argument", REPLY_OK, "read: argument ignored");
	config(&ss, HOST_A, AOE_CCMD_TEST, "golden-config", REPLY_OK, "test exact match");
	config(&ss, HOST_A, AOE_CCMD_TEST, "golden", NO_REPLY, "test: a prefix is no exact match");
	config(&ss, HOST_A, AOE_CCMD_TEST_PREFIX, "golden", REPLY_OK, "prefix match");
	config(&ss, HOST_A, AOE_CCMD_TEST_PREFIX, "", REPLY_OK, "empty prefix matches everything");
	config(&ss, HOST_A, AOE_CCMD_TEST_PREFIX, "other", NO_REPLY, "prefix mismatch: silence");
	config(&ss, HOST_A, AOE_CCMD_TEST_PREFIX, "golden-config-longer", NO_REPLY,
	       "prefix longer than the string: silence");
	config(&ss, HOST_A, AOE_CCMD_SET, "golden-config", REPLY_OK, "set the same string again: success");
	config(&ss, HOST_B, AOE_CCMD_SET, "different", AOE_ERROR(AOE_ERR_CONFIG_PRESENT),
	       "set over another string: error 4 carrying the current string");
	config(&ss, HOST_B, AOE_CCMD_FORCE_SET, "forced-by-B", REPLY_OK, "force set");
	config(&ss, HOST_A, 5, NULL, AOE_ERROR(AOE_ERR_BAD_ARG), "CCmd 5: error 2");
	config(&ss, HOST_A, 15, NULL, AOE_ERROR(AOE_ERR_BAD_ARG), "CCmd 15: error 2");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.arg.cfg.ccmd = AOE_CCMD_SET;
	f.arg.cfg.config = (const uint8_t *)"abc";
	f.arg.cfg.config_len = 3;
	send_built(&ss, &f, config_len_10, AOE_ERROR(AOE_ERR_BAD_ARG),
		   "length 10 with 3 bytes present: error 2");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	f.arg.cfg.ccmd = AOE_CCMD_FORCE_SET;
	f.arg.cfg.config = (const uint8_t *)big;
	f.arg.cfg.config_len = AOE_CONFIG_MAX;
	send_built(&ss, &f, config_len_1025, AOE_ERROR(AOE_ERR_BAD_ARG), "length 1025: error 2");
	config(&ss, HOST_A, AOE_CCMD_FORCE_SET, big, REPLY_OK, "force set 1024 bytes, the maximum");
	config(&ss, HOST_A, AOE_CCMD_TEST_PREFIX, "kkkk", REPLY_OK, "prefix of the long string");
	f = request(&ss, HOST_A, AOE_CMD_CONFIG);
	send_built(&ss, &f, config_aoe_nibble_1, REPLY_OK, "read with the AoE nibble 1 (initiators send 0)");
	config(&ss, HOST_A, AOE_CCMD_FORCE_SET, "", REPLY_OK, "force set empty: clears the string");
	config(&ss, HOST_C, AOE_CCMD_TEST, "", REPLY_OK, "test empty matches again");
	session_close(&ss);
}

static uint8_t numbered[40][AOE_MAC_LEN];

static void number_macs(void)
{
	for (unsigned i = 0; i < 40; i++) {
		static const uint8_t base[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x01, 0x00, 0x00 };
		memcpy(numbered[i], base, AOE_MAC_LEN);
		numbered[i][5] = (uint8_t)i;
	}
}

static size_t mask_count_lie(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[27] = 4; /* one directive present */
	return len;
}

void cases_mask(void)
{
	struct session ss;
	uint8_t d[40];
	uint8_t macs[40][AOE_MAC_LEN];
	number_macs();

	session_open(&ss, "mask.pcap", NULL,
		     "MAC Mask List: read, add, delete, no-op directive, the list hiding the target from "
		     "unlisted hosts (no reply), bad DCmd (MError 2), full list (MError 3), bad MCmd and "
		     "directive count past the frame (error 2), a host deleting itself");
	mask(&ss, HOST_A, AOE_MCMD_READ, NULL, NULL, 0, REPLY_OK, "read: empty list");
	d[0] = d[1] = AOE_DCMD_ADD;
	memcpy(macs[0], HOST_A, AOE_MAC_LEN);
	memcpy(macs[1], HOST_B, AOE_MAC_LEN);
	mask(&ss, HOST_A, AOE_MCMD_EDIT, d, (const uint8_t(*)[AOE_MAC_LEN])macs, 2, REPLY_OK,
	     "add A and B: the reply lists both");
	config(&ss, HOST_C, AOE_CCMD_READ, NULL, NO_REPLY, "C is not listed: no reply to Query Config");
	mask(&ss, HOST_C, AOE_MCMD_READ, NULL, NULL, 0, NO_REPLY, "nor to MAC Mask List");
	mask(&ss, HOST_B, AOE_MCMD_READ, NULL, NULL, 0, REPLY_OK, "B reads the list");
	d[0] = AOE_DCMD_ADD, d[1] = AOE_DCMD_NONE, d[2] = AOE_DCMD_DELETE;
	memcpy(macs[0], HOST_C, AOE_MAC_LEN);
	memcpy(macs[1], HOST_A, AOE_MAC_LEN);
	memcpy(macs[2], HOST_B, AOE_MAC_LEN);
	mask(&ss, HOST_A, AOE_MCMD_EDIT, d, (const uint8_t(*)[AOE_MAC_LEN])macs, 3, REPLY_OK,
	     "add C, no-op, delete B");
	config(&ss, HOST_B, AOE_CCMD_READ, NULL, NO_REPLY, "B is no longer listed");
	config(&ss, HOST_C, AOE_CCMD_READ, NULL, REPLY_OK, "C now is");
	d[0] = AOE_DCMD_ADD, d[1] = 3, d[2] = AOE_DCMD_ADD;
	memcpy(macs[0], HOST_B, AOE_MAC_LEN);
	memcpy(macs[1], HOST_A, AOE_MAC_LEN);
	memcpy(macs[2], numbered[0], AOE_MAC_LEN);
	mask(&ss, HOST_A, AOE_MCMD_EDIT, d, (const uint8_t(*)[AOE_MAC_LEN])macs, 3,
	     MERROR(AOE_MERROR_BAD_DCMD, 1), "DCmd 3 at index 1: MError 2, the add before it stays");
	mask(&ss, HOST_A, AOE_MCMD_READ, NULL, NULL, 0, REPLY_OK, "read: A, C, B");
	mask(&ss, HOST_A, 2, NULL, NULL, 0, AOE_ERROR(AOE_ERR_BAD_ARG), "MCmd 2: error 2");
	struct aoe_frame f = request(&ss, HOST_A, AOE_CMD_MASK);
	uint8_t one[AOE_DIRECTIVE_LEN];
	aoe_directive_put(one, AOE_DCMD_ADD, numbered[1]);
	f.arg.mask.mcmd = AOE_MCMD_EDIT;
	f.arg.mask.dir_count = 1;
	f.arg.mask.directives = one;
	send_built(&ss, &f, mask_count_lie, AOE_ERROR(AOE_ERR_BAD_ARG),
		   "directive count 4 with one directive present: error 2");
	for (unsigned i = 0; i < 30; i++) {
		d[i] = AOE_DCMD_ADD;
		memcpy(macs[i], numbered[i], AOE_MAC_LEN);
	}
	mask(&ss, HOST_A, AOE_MCMD_EDIT, d, (const uint8_t(*)[AOE_MAC_LEN])macs, 30,
	     MERROR(AOE_MERROR_FULL, 29), "30 adds to a 3-entry list: the 30th finds it full (MError 3)");
	mask(&ss, HOST_A, AOE_MCMD_READ, NULL, NULL, 0, REPLY_OK, "read: 32 entries");
	for (unsigned i = 0; i < 29; i++)
		d[i] = AOE_DCMD_DELETE;
	memcpy(macs[29], HOST_B, AOE_MAC_LEN);
	d[29] = AOE_DCMD_DELETE;
	memcpy(macs[30], numbered[35], AOE_MAC_LEN);
	d[30] = AOE_DCMD_DELETE;
	mask(&ss, HOST_A, AOE_MCMD_EDIT, d, (const uint8_t(*)[AOE_MAC_LEN])macs, 31, REPLY_OK,
	     "delete 30 listed and one absent MAC: A and C remain");
	d[0] = AOE_DCMD_DELETE, d[1] = AOE_DCMD_DELETE;
	memcpy(macs[0], HOST_C, AOE_MAC_LEN);
	memcpy(macs[1], HOST_A, AOE_MAC_LEN);
	mask(&ss, HOST_A, AOE_MCMD_EDIT, d, (const uint8_t(*)[AOE_MAC_LEN])macs, 2, REPLY_OK,
	     "A deletes C and itself: the list is empty");
	config(&ss, HOST_B, AOE_CCMD_READ, NULL, REPLY_OK, "an empty list lets everyone in again");
	session_close(&ss);
}

static size_t reserve_count_lie(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[25] = 2; /* one MAC present */
	return len;
}

void cases_reserve(void)
{
	struct session ss;
	uint8_t macs[3][AOE_MAC_LEN];
	const uint8_t(*m)[AOE_MAC_LEN] = (const uint8_t(*)[AOE_MAC_LEN])macs;

	session_open(&ss, "reserve.pcap", NULL,
		     "Reserve/Release: read, set, ATA from an unreserved host (error 6; IDENTIFY exempt), "
		     "config and reserve read still open, set by another host (error 6), force set, "
		     "release, bad RCmd and MAC count past the frame (error 2)");
	reserve(&ss, HOST_A, AOE_RCMD_READ, NULL, 0, REPLY_OK, "read: empty");
	memcpy(macs[0], HOST_A, AOE_MAC_LEN);
	reserve(&ss, HOST_A, AOE_RCMD_SET, m, 1, REPLY_OK, "A reserves for itself");
	reserve(&ss, HOST_B, AOE_RCMD_READ, NULL, 0, REPLY_OK, "B reads the list: allowed");
	ata(&ss, HOST_B, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 0, NULL, 0,
	    AOE_ERROR(AOE_ERR_RESERVED), "B reads a sector: error 6");
	ata(&ss, HOST_B, 0, ATA_CMD_IDENTIFY, 1, 0, NULL, 0, ATA_OK, "B's IDENTIFY passes");
	ata(&ss, HOST_B, 0, ATA_CMD_CHECK_POWER_MODE, 0, 0, NULL, 0, AOE_ERROR(AOE_ERR_RESERVED),
	    "B's CHECK POWER MODE: error 6");
	config(&ss, HOST_B, AOE_CCMD_READ, NULL, REPLY_OK, "B's Query Config: allowed");
	memcpy(macs[0], HOST_B, AOE_MAC_LEN);
	reserve(&ss, HOST_B, AOE_RCMD_SET, m, 1, AOE_ERROR(AOE_ERR_RESERVED), "B tries to take it: error 6");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 0, NULL, 0, ATA_OK, "A reads");
	memcpy(macs[0], HOST_A, AOE_MAC_LEN);
	memcpy(macs[1], HOST_B, AOE_MAC_LEN);
	reserve(&ss, HOST_A, AOE_RCMD_SET, m, 2, REPLY_OK, "A shares with B");
	ata(&ss, HOST_B, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 1, NULL, 0, ATA_OK, "B reads now");
	memcpy(macs[0], HOST_C, AOE_MAC_LEN);
	reserve(&ss, HOST_C, AOE_RCMD_FORCE_SET, m, 1, REPLY_OK, "C breaks the reservation (force set)");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 0, NULL, 0,
	    AOE_ERROR(AOE_ERR_RESERVED), "A is locked out");
	reserve(&ss, HOST_C, AOE_RCMD_SET, NULL, 0, REPLY_OK, "C releases (set, no MACs)");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 0, NULL, 0, ATA_OK, "A reads again");
	reserve(&ss, HOST_A, 3, NULL, 0, AOE_ERROR(AOE_ERR_BAD_ARG), "RCmd 3: error 2");
	struct aoe_frame f = request(&ss, HOST_A, AOE_CMD_RESERVE);
	f.arg.rsrv.rcmd = AOE_RCMD_SET;
	f.arg.rsrv.mac_count = 1;
	f.arg.rsrv.macs = HOST_A;
	send_built(&ss, &f, reserve_count_lie, AOE_ERROR(AOE_ERR_BAD_ARG),
		   "MAC count 2 with one MAC present: error 2");
	reserve(&ss, HOST_A, AOE_RCMD_READ, NULL, 0, REPLY_OK, "read: still empty");
	session_close(&ss);
}
