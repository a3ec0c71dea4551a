/*
 * vblade.c - replay of a real capture whose replies are vblade's.
 *
 * vblade 25 and aoe-target answer the same request differently in ways
 * docs/compat.md lists (padding, firmware version, IDENTIFY strings and
 * feature words, the version nibble), so only the fields that must agree are
 * compared.  The disk starts zero-filled and takes the capture's writes in
 * order, so every read must return the bytes vblade returned.  Each request
 * is paired with the first later reply from the target carrying its tag.
 *
 * Compared, for every request vblade answered:
 *   header   destination MAC (the requester), R and E flags, error code when E,
 *            shelf, slot, command, tag; frame length after padding to 60 bytes
 *   config   buffer count, sector count, CCmd, config string length and bytes
 *   ATA      AFlags, error register, sector count, status, the 6 LBA bytes;
 *            READ: all count x 512 data bytes; IDENTIFY: capacity (words 60-61
 *            and 100-103) and the LBA48 bit (word 83 bit 10)
 * Not compared: source MAC (the port), version nibble, firmware version, the
 * IDENTIFY page's other words, padding bytes.  A request vblade did not
 * answer in the capture (an excerpt can end mid-flight) is counted, not
 * compared.  sectors=identify takes the disk size from the capture's first
 * IDENTIFY reply.
 */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ata.h"
#include "serve.h"

struct field {
	const char *name;
	size_t off, len;
};

static bool compare(struct replay_result *r, const struct golden_settings *s, size_t at,
		    const uint8_t *ours, size_t ours_len, const uint8_t *golden, size_t golden_len,
		    const struct field *fields, size_t count)
{
	bool same = true;
	for (size_t i = 0; i < count; i++) {
		const struct field *f = &fields[i];
		if (f->off + f->len > ours_len || f->off + f->len > golden_len) {
			replay_fail(r, s, at, "%s: past the end of a reply (%zu, capture %zu bytes)", f->name,
				    ours_len, golden_len);
			return false;
		}
		if (memcmp(ours + f->off, golden + f->off, f->len) != 0) {
			size_t b = 0;
			while (ours[f->off + b] == golden[f->off + b])
				b++;
			replay_fail(r, s, at, "%s differs at byte %zu: ours 0x%02x, vblade 0x%02x", f->name,
				    f->off + b, ours[f->off + b], golden[f->off + b]);
			same = false;
		}
	}
	return same;
}

static size_t padded(size_t len) { return len < AOE_ETH_MIN_FRAME ? AOE_ETH_MIN_FRAME : len; }

static bool is_read(uint8_t opcode)
{
	return opcode == ATA_CMD_READ_SECTORS || opcode == ATA_CMD_READ_SECTORS_EXT;
}

static void compare_reply(struct replay_result *r, const struct golden_settings *s, size_t at,
			  const uint8_t *request, const uint8_t *ours, size_t ours_len,
			  const uint8_t *golden, size_t golden_len)
{
	if (padded(ours_len) != padded(golden_len))
		replay_fail(r, s, at, "length %zu, vblade %zu (after padding to 60)", ours_len, golden_len);
	const struct field header[] = {
		{ "destination MAC", 0, 6 }, { "shelf", 16, 2 }, { "slot", 18, 1 },
		{ "command", 19, 1 }, { "tag", 20, 4 },
	};
	if (!compare(r, s, at, ours, ours_len, golden, golden_len, header, sizeof(header) / sizeof(header[0])))
		return;
	if ((ours[14] & 0x0f) != (golden[14] & 0x0f)) {
		replay_fail(r, s, at, "flags 0x%x, vblade 0x%x", ours[14] & 0x0f, golden[14] & 0x0f);
		return;
	}
	if (golden[14] & AOE_FLAG_ERROR) {
		if (ours[15] != golden[15])
			replay_fail(r, s, at, "error %u, vblade %u", ours[15], golden[15]);
		return;
	}
	if (golden[19] == AOE_CMD_CONFIG) {
		const struct field cfg[] = {
			{ "buffer count", 24, 2 }, { "sector count", 28, 1 }, { "config length", 30, 2 },
		};
		if (!compare(r, s, at, ours, ours_len, golden, golden_len, cfg, sizeof(cfg) / sizeof(cfg[0])))
			return;
		if ((ours[29] & 0x0f) != (golden[29] & 0x0f))
			replay_fail(r, s, at, "CCmd %u, vblade %u", ours[29] & 0x0f, golden[29] & 0x0f);
		const struct field str = { "config string", AOE_CFG_HDR_LEN, aoe_get16(golden + 30) };
		compare(r, s, at, ours, ours_len, golden, golden_len, &str, 1);
		return;
	}
	if (golden[19] != AOE_CMD_ATA)
		return;
	const struct field arg[] = {
		{ "AFlags", 24, 1 }, { "ATA error", 25, 1 }, { "sector count", 26, 1 },
		{ "ATA status", 27, 1 }, { "LBA", 28, 6 },
	};
	if (!compare(r, s, at, ours, ours_len, golden, golden_len, arg, sizeof(arg) / sizeof(arg[0])))
		return;
	if (golden[27] & ATA_STATUS_ERR)
		return;
	uint8_t opcode = request[27];
	if (is_read(opcode)) {
		const struct field data = { "read data", AOE_ATA_HDR_LEN, (size_t)request[26] * AOE_SECTOR_SIZE };
		compare(r, s, at, ours, ours_len, golden, golden_len, &data, 1);
	} else if (opcode == ATA_CMD_IDENTIFY) {
		const struct field id[] = {
			{ "IDENTIFY words 60-61 (LBA28 capacity)", AOE_ATA_HDR_LEN + 120, 4 },
			{ "IDENTIFY words 100-103 (LBA48 capacity)", AOE_ATA_HDR_LEN + 200, 8 },
		};
		if (!compare(r, s, at, ours, ours_len, golden, golden_len, id, sizeof(id) / sizeof(id[0])))
			return;
		/* Word 83 is little-endian: bit 10 is bit 2 of its high byte. */
		size_t w83 = AOE_ATA_HDR_LEN + 83 * 2 + 1;
		if ((ours[w83] & 0x04) != (golden[w83] & 0x04))
			replay_fail(r, s, at, "IDENTIFY word 83 bit 10 (LBA48) differs");
	}
}

/* The disk size vblade announced: its first IDENTIFY reply. */
static uint64_t identify_sectors(const struct capture *c)
{
	for (size_t i = 0; i < c->count; i++) {
		const struct cap_frame *f = &c->frames[i];
		struct aoe_frame reply;
		if (!f->from_target || aoe_parse_response(f->data, f->len, &reply) != AOE_PARSE_OK ||
		    reply.hdr.command != AOE_CMD_ATA || !reply.has_arg || reply.arg.ata.data_len < ATA_IDENTIFY_LEN)
			continue;
		/* The matching request says whether this was an IDENTIFY: find it by tag. */
		for (size_t j = 0; j < i; j++) {
			const struct cap_frame *q = &c->frames[j];
			if (!q->from_target && q->len >= AOE_ATA_HDR_LEN && q->data[19] == AOE_CMD_ATA &&
			    q->data[27] == ATA_CMD_IDENTIFY && aoe_get32(q->data + 20) == reply.hdr.tag) {
				struct ata_identity id;
				ata_identify_decode(reply.arg.ata.data, &id);
				return id.sectors;
			}
		}
	}
	return 0;
}

void replay_vblade(const struct golden_settings *row, struct capture *c, struct replay_result *r)
{
	struct golden_settings s = *row;
	if (s.sectors == 0 && (s.sectors = identify_sectors(c)) == 0) {
		replay_fail(r, &s, 0, "sectors=identify, but the capture has no IDENTIFY reply");
		return;
	}
	struct target *t = malloc(sizeof(*t));
	struct disk disk;
	size_t cap = golden_frame_cap(s.mtu);
	uint8_t *buf = malloc(cap);
	if (t == NULL || buf == NULL || golden_target_open(&s, t, &disk) != 0) {
		replay_fail(r, &s, 0, "out of memory");
		free(t);
		free(buf);
		return;
	}
	for (size_t i = 0; i < c->count; i++) {
		const struct cap_frame *q = &c->frames[i];
		if (q->from_target)
			continue;
		r->requests++;
		size_t got = replay_serve(&s, t, &disk, q, buf, cap);
		struct cap_frame *golden = NULL;
		size_t j;
		for (j = i + 1; q->len >= AOE_HDR_LEN && j < c->count; j++) {
			struct cap_frame *f = &c->frames[j];
			if (f->from_target && !f->matched && f->len >= AOE_HDR_LEN && (f->data[14] & AOE_FLAG_RESPONSE) &&
			    memcmp(f->data + 20, q->data + 20, 4) == 0) {
				golden = f;
				break;
			}
		}
		if (golden == NULL) {
			if (got == 0)
				r->silent++;
			else
				r->unanswered++;
			continue;
		}
		golden->matched = true;
		r->replies_compared++;
		if (got == 0) {
			replay_fail(r, &s, j, "vblade answered; the target sent nothing");
			continue;
		}
		compare_reply(r, &s, j, q->data, buf, got, golden->data, golden->len);
	}
	for (size_t i = 0; i < c->count; i++)
		if (c->frames[i].from_target && !c->frames[i].matched)
			replay_fail(r, &s, i, "a vblade reply no request of the capture asked for");
	disk_close(&disk);
	free(t);
	free(buf);
}
