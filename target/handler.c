/*
 * handler.c - what the target does with each request.
 *
 * One policy, applied everywhere:
 *   - a frame we cannot trust (too short, not for us, masked out) is dropped;
 *   - a protocol problem is an AoE error reply (E flag);
 *   - a media or range problem is ATA status, because the Linux driver drops
 *     AoE error replies and retries until it declares the target dead.
 * Replies are built in the request's buffer and padded to the Ethernet minimum.
 */
#include "handler.h"

#include <stdio.h>
#include <string.h>

static const uint8_t broadcast_mac[AOE_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void target_init(struct target *t, uint16_t shelf, uint8_t slot, uint64_t sectors,
		 bool read_only, const char *hostname)
{
	memset(t, 0, sizeof(*t));
	t->shelf = shelf;
	t->slot = slot;
	t->sectors = sectors;
	t->read_only = read_only;
	t->buffer_count = TARGET_DEFAULT_BUFFER_COUNT;
	t->firmware_version = TARGET_FIRMWARE_VERSION;
	snprintf(t->identity.model, sizeof(t->identity.model), "aoekit aoe-target");
	snprintf(t->identity.firmware, sizeof(t->identity.firmware), "aoekit1");
	snprintf(t->identity.serial, sizeof(t->identity.serial), "%u.%u:%s", shelf, slot,
		 hostname ? hostname : "");
	t->identity.sectors = sectors;
	t->identity.lba48 = true;
	t->identity.flush = true;
	t->identity.flush_ext = true;
}

static bool mac_in_list(const uint8_t (*list)[AOE_MAC_LEN], unsigned count, const uint8_t *mac)
{
	for (unsigned i = 0; i < count; i++)
		if (memcmp(list[i], mac, AOE_MAC_LEN) == 0)
			return true;
	return false;
}

bool target_mask_allows(const struct target *t, const uint8_t *mac)
{
	return t->mask_count == 0 || mac_in_list(t->mask, t->mask_count, mac);
}

static bool reservation_allows(const struct target *t, const uint8_t *mac)
{
	return t->reserve_count == 0 || mac_in_list(t->reserve, t->reserve_count, mac);
}

static bool addressed_to_us(const struct target *t, const struct target_request *req,
			    const struct aoe_header *hdr)
{
	if (memcmp(hdr->dst, req->port_mac, AOE_MAC_LEN) != 0 &&
	    memcmp(hdr->dst, broadcast_mac, AOE_MAC_LEN) != 0)
		return false;
	/* The two wildcards count independently, as in vblade and the Linux driver. */
	return (hdr->shelf == t->shelf || hdr->shelf == AOE_SHELF_BROADCAST) &&
	       (hdr->slot == t->slot || hdr->slot == AOE_SLOT_BROADCAST);
}

/* The reply header: to the requester, from us, our own address, the same tag. */
static struct aoe_header reply_header(const struct target *t, const struct target_request *req,
				      const struct aoe_header *request)
{
	struct aoe_header hdr = *request;
	memcpy(hdr.dst, request->src, AOE_MAC_LEN);
	memcpy(hdr.src, req->port_mac, AOE_MAC_LEN);
	hdr.version = AOE_VERSION;
	hdr.flags = AOE_FLAG_RESPONSE;
	hdr.error = 0;
	hdr.shelf = t->shelf;
	hdr.slot = t->slot;
	return hdr;
}

static enum target_verdict send_frame(struct target *t, struct target_request *req,
				      const struct aoe_frame *reply)
{
	size_t len = aoe_build(req->frame, req->cap, reply);
	if (len == 0)
		return TARGET_DROP;
	req->len = aoe_pad(req->frame, len, req->cap);
	if (reply->hdr.flags & AOE_FLAG_ERROR)
		t->counters.aoe_errors++;
	t->counters.frames_out++;
	return TARGET_REPLY;
}

/* An AoE error reply: the header alone, the request's argument is not echoed. */
static enum target_verdict send_error(struct target *t, struct target_request *req,
				      const struct aoe_header *request, uint8_t error)
{
	struct aoe_frame reply = { .hdr = reply_header(t, req, request) };
	reply.hdr.flags |= AOE_FLAG_ERROR;
	reply.hdr.error = error;
	return send_frame(t, req, &reply);
}

/* ---- Query Config ---- */

static bool config_matches(const struct target *t, const struct aoe_config *cfg, bool prefix)
{
	if (prefix ? cfg->config_len > t->config_len : cfg->config_len != t->config_len)
		return false;
	return memcmp(t->config, cfg->config, cfg->config_len) == 0;
}

static void config_store(struct target *t, const struct aoe_config *cfg)
{
	memcpy(t->config, cfg->config, cfg->config_len);
	t->config_len = cfg->config_len;
	t->state_changed = true;
}

static struct aoe_config config_reply_arg(const struct target *t, unsigned max_sectors, uint8_t ccmd)
{
	struct aoe_config arg = {
		.buffer_count = t->buffer_count,
		.firmware_version = t->firmware_version,
		.sector_count = (uint8_t)(max_sectors > 255 ? 255 : max_sectors),
		.aoe_version = AOE_VERSION,
		.ccmd = ccmd,
		.config_len = t->config_len,
		.config = t->config,
	};
	return arg;
}

static enum target_verdict handle_config(struct target *t, struct target_request *req,
					 const struct aoe_frame *request)
{
	const struct aoe_config *cfg = &request->arg.cfg;
	uint8_t error = 0;
	switch (cfg->ccmd) {
	case AOE_CCMD_READ:
		break;
	case AOE_CCMD_TEST:
	case AOE_CCMD_TEST_PREFIX:
		/* A mismatch gets no reply at all: that is how initiators filter targets. */
		if (!config_matches(t, cfg, cfg->ccmd == AOE_CCMD_TEST_PREFIX)) {
			t->counters.dropped_silent++;
			return TARGET_DROP;
		}
		break;
	case AOE_CCMD_SET:
		if (t->config_len == 0)
			config_store(t, cfg);
		else if (!config_matches(t, cfg, false))
			error = AOE_ERR_CONFIG_PRESENT;
		break;
	case AOE_CCMD_FORCE_SET:
		config_store(t, cfg);
		break;
	default:
		return send_error(t, req, &request->hdr, AOE_ERR_BAD_ARG);
	}
	/* Every reply, the error-4 one included, carries the current string. */
	struct aoe_frame reply = { .hdr = reply_header(t, req, &request->hdr), .has_arg = true };
	reply.arg.cfg = config_reply_arg(t, req->port_max_sectors, cfg->ccmd);
	if (error) {
		reply.hdr.flags |= AOE_FLAG_ERROR;
		reply.hdr.error = error;
	}
	return send_frame(t, req, &reply);
}

size_t target_announce(struct target *t, uint8_t *buf, size_t cap, const uint8_t *src_mac,
		       const uint8_t *dst_mac, unsigned max_sectors)
{
	struct aoe_frame frame = { .has_arg = true };
	memcpy(frame.hdr.dst, dst_mac, AOE_MAC_LEN);
	memcpy(frame.hdr.src, src_mac, AOE_MAC_LEN);
	frame.hdr.version = AOE_VERSION;
	frame.hdr.flags = AOE_FLAG_RESPONSE;
	frame.hdr.shelf = t->shelf;
	frame.hdr.slot = t->slot;
	frame.hdr.command = AOE_CMD_CONFIG;
	frame.arg.cfg = config_reply_arg(t, max_sectors, AOE_CCMD_READ);
	size_t len = aoe_build(buf, cap, &frame);
	return len ? aoe_pad(buf, len, cap) : 0;
}

/* ---- MAC Mask List ---- */

/* Apply directives in order; on failure return the MError and the failing index. */
static uint8_t mask_edit(struct target *t, const struct aoe_mask *mask, uint8_t *failed_at)
{
	for (unsigned i = 0; i < mask->dir_count; i++) {
		uint8_t dcmd, mac[AOE_MAC_LEN];
		aoe_directive_get(mask->directives + i * AOE_DIRECTIVE_LEN, &dcmd, mac);
		*failed_at = (uint8_t)i;
		bool present = mac_in_list(t->mask, t->mask_count, mac);
		switch (dcmd) {
		case AOE_DCMD_NONE:
			break;
		case AOE_DCMD_ADD:
			if (present)
				break;
			if (t->mask_count == TARGET_MASK_MAX)
				return AOE_MERROR_FULL;
			memcpy(t->mask[t->mask_count++], mac, AOE_MAC_LEN);
			t->state_changed = true;
			break;
		case AOE_DCMD_DELETE:
			for (unsigned j = 0; j < t->mask_count; j++) {
				if (memcmp(t->mask[j], mac, AOE_MAC_LEN) != 0)
					continue;
				memmove(t->mask[j], t->mask[j + 1], (t->mask_count - j - 1) * AOE_MAC_LEN);
				t->mask_count--;
				t->state_changed = true;
				break;
			}
			break;
		default:
			return AOE_MERROR_BAD_DCMD;
		}
	}
	return 0;
}

static enum target_verdict handle_mask(struct target *t, struct target_request *req,
				       const struct aoe_frame *request)
{
	const struct aoe_mask *mask = &request->arg.mask;
	struct aoe_frame reply = { .hdr = reply_header(t, req, &request->hdr), .has_arg = true };
	reply.arg.mask.mcmd = mask->mcmd;
	if (mask->mcmd != AOE_MCMD_READ && mask->mcmd != AOE_MCMD_EDIT)
		return send_error(t, req, &request->hdr, AOE_ERR_BAD_ARG);
	if (mask->mcmd == AOE_MCMD_EDIT) {
		uint8_t failed_at = 0;
		uint8_t merror = mask_edit(t, mask, &failed_at);
		if (merror) {
			reply.arg.mask.merror = merror;
			reply.arg.mask.dir_count = failed_at;
			return send_frame(t, req, &reply);
		}
	}
	/* The request's directives have been consumed: the list may overwrite them. */
	if (req->cap < AOE_MASK_HDR_LEN + t->mask_count * AOE_DIRECTIVE_LEN)
		return TARGET_DROP;
	for (unsigned i = 0; i < t->mask_count; i++)
		aoe_directive_put(req->frame + AOE_MASK_HDR_LEN + i * AOE_DIRECTIVE_LEN, AOE_DCMD_NONE,
				  t->mask[i]);
	reply.arg.mask.dir_count = (uint8_t)t->mask_count;
	reply.arg.mask.directives = req->frame + AOE_MASK_HDR_LEN;
	return send_frame(t, req, &reply);
}

/* ---- Reserve/Release ---- */

static enum target_verdict handle_reserve(struct target *t, struct target_request *req,
					  const struct aoe_frame *request)
{
	const struct aoe_reserve *rsrv = &request->arg.rsrv;
	switch (rsrv->rcmd) {
	case AOE_RCMD_READ:
		break;
	case AOE_RCMD_SET:
		if (!reservation_allows(t, request->hdr.src))
			return send_error(t, req, &request->hdr, AOE_ERR_RESERVED);
		/* fall through */
	case AOE_RCMD_FORCE_SET:
		memcpy(t->reserve, rsrv->macs, (size_t)rsrv->mac_count * AOE_MAC_LEN);
		t->reserve_count = rsrv->mac_count;
		t->state_changed = true;
		break;
	default:
		return send_error(t, req, &request->hdr, AOE_ERR_BAD_ARG);
	}
	struct aoe_frame reply = { .hdr = reply_header(t, req, &request->hdr), .has_arg = true };
	reply.arg.rsrv.rcmd = rsrv->rcmd;
	reply.arg.rsrv.mac_count = (uint8_t)t->reserve_count;
	reply.arg.rsrv.macs = &t->reserve[0][0];
	return send_frame(t, req, &reply);
}

/* ---- ATA ---- */

static enum target_verdict ata_reply(struct target *t, struct target_request *req,
				     const struct aoe_frame *request, uint8_t status, uint8_t error,
				     uint8_t count, const uint8_t *data, size_t data_len)
{
	struct aoe_frame reply = { .hdr = reply_header(t, req, &request->hdr), .has_arg = true };
	reply.arg.ata = request->arg.ata;
	reply.arg.ata.command_status = status;
	reply.arg.ata.feature_error = error;
	reply.arg.ata.sector_count = count;
	reply.arg.ata.data = data;
	reply.arg.ata.data_len = data_len;
	if (status & ATA_STATUS_ERR)
		t->counters.ata_errors++;
	return send_frame(t, req, &reply);
}

static enum target_verdict ata_abort(struct target *t, struct target_request *req,
				     const struct aoe_frame *request)
{
	return ata_reply(t, req, request, ATA_STATUS_DRDY | ATA_STATUS_ERR, ATA_ERROR_ABRT,
			 request->arg.ata.sector_count, NULL, 0);
}

static enum target_verdict ata_identify(struct target *t, struct target_request *req,
					const struct aoe_frame *request)
{
	if (request->arg.ata.sector_count != 1)
		return send_error(t, req, &request->hdr, AOE_ERR_BAD_ARG);
	uint8_t page[ATA_IDENTIFY_LEN];
	ata_identify_build(page, &t->identity);
	return ata_reply(t, req, request, ATA_STATUS_DRDY, 0, 0, page, sizeof(page));
}

/*
 * Set up a READ, WRITE or FLUSH for the caller.  The reply header is built
 * now; status and padding wait for target_complete(), because padding a write
 * reply now would overwrite the data it has yet to store.
 */
static enum target_verdict ata_needs_io(struct target *t, struct target_request *req,
					const struct aoe_frame *request, enum target_io_op op,
					uint64_t lba, size_t byte_count)
{
	struct aoe_frame reply = { .hdr = reply_header(t, req, &request->hdr), .has_arg = true };
	reply.arg.ata = request->arg.ata;
	reply.arg.ata.command_status = ATA_STATUS_BSY;
	/* Read data goes where the reply carries it; write data stays where it arrived. */
	reply.arg.ata.data = req->frame + AOE_ATA_HDR_LEN;
	reply.arg.ata.data_len = op == TARGET_IO_READ ? byte_count : 0;
	size_t len = aoe_build(req->frame, req->cap, &reply);
	if (len == 0)
		return TARGET_DROP;
	req->len = len;
	req->io_op = op;
	req->io_offset = lba * AOE_SECTOR_SIZE;
	req->io_len = byte_count;
	req->io_data = req->frame + AOE_ATA_HDR_LEN;
	req->io_stable = op == TARGET_IO_WRITE && !t->writeback &&
			 !(request->arg.ata.aflags & AOE_AFLAG_ASYNC);
	return TARGET_NEEDS_IO;
}

static enum target_verdict ata_read_write(struct target *t, struct target_request *req,
					  const struct aoe_frame *request, bool is_write, bool ext)
{
	const struct aoe_ata *ata = &request->arg.ata;
	uint64_t lba = ext ? ata->lba : ata->lba & ATA_LBA28_MAX;
	size_t count = ata->sector_count;
	size_t byte_count = count * AOE_SECTOR_SIZE;

	/* More than a frame carries, or a write without its data: refuse the command. */
	if (count > req->port_max_sectors || AOE_ATA_HDR_LEN + byte_count > req->cap)
		return ata_abort(t, req, request);
	if (is_write && ata->data_len < byte_count)
		return ata_abort(t, req, request);
	if (lba > t->sectors || count > t->sectors - lba)
		return ata_reply(t, req, request, ATA_STATUS_DRDY | ATA_STATUS_ERR, ATA_ERROR_IDNF,
				 ata->sector_count, NULL, 0);
	if (is_write && t->read_only)
		return ata_abort(t, req, request);
	if (count == 0)
		return ata_reply(t, req, request, ATA_STATUS_DRDY, 0, 0, NULL, 0);
	return ata_needs_io(t, req, request, is_write ? TARGET_IO_WRITE : TARGET_IO_READ, lba,
			    byte_count);
}

static enum target_verdict handle_ata(struct target *t, struct target_request *req,
				      const struct aoe_frame *request)
{
	uint8_t opcode = request->arg.ata.command_status;
	/* IDENTIFY stays open so that unreserved hosts can still learn the capacity. */
	if (opcode != ATA_CMD_IDENTIFY && !reservation_allows(t, request->hdr.src))
		return send_error(t, req, &request->hdr, AOE_ERR_RESERVED);
	switch (opcode) {
	case ATA_CMD_READ_SECTORS:
	case ATA_CMD_READ_SECTORS_EXT:
	case ATA_CMD_WRITE_SECTORS:
	case ATA_CMD_WRITE_SECTORS_EXT:
		return ata_read_write(t, req, request,
				      opcode == ATA_CMD_WRITE_SECTORS || opcode == ATA_CMD_WRITE_SECTORS_EXT,
				      ata_command_is_ext(opcode));
	case ATA_CMD_IDENTIFY:
		return ata_identify(t, req, request);
	case ATA_CMD_CHECK_POWER_MODE:
		return ata_reply(t, req, request, ATA_STATUS_DRDY, 0, ATA_POWER_ACTIVE, NULL, 0);
	case ATA_CMD_FLUSH_CACHE:
	case ATA_CMD_FLUSH_CACHE_EXT:
		return ata_needs_io(t, req, request, TARGET_IO_FLUSH, 0, 0);
	default:
		return ata_abort(t, req, request);
	}
}

void target_complete(struct target *t, struct target_request *req, int io_result)
{
	uint8_t *ata = req->frame + AOE_HDR_LEN;
	if (io_result == 0) {
		ata[1] = 0;                 /* error register */
		ata[2] = 0;                 /* sectors remaining */
		ata[3] = ATA_STATUS_DRDY;
	} else {
		ata[1] = ATA_ERROR_ABRT;
		ata[3] = ATA_STATUS_DRDY | ATA_STATUS_ERR;
		t->counters.io_errors++;
		t->counters.ata_errors++;
		req->len = AOE_ATA_HDR_LEN; /* a failed read carries no data */
	}
	switch (req->io_op) {
	case TARGET_IO_READ:
		t->counters.reads++;
		t->counters.bytes_read += io_result == 0 ? req->io_len : 0;
		break;
	case TARGET_IO_WRITE:
		t->counters.writes++;
		t->counters.bytes_written += io_result == 0 ? req->io_len : 0;
		break;
	case TARGET_IO_FLUSH:
		t->counters.flushes++;
		break;
	case TARGET_IO_NONE:
		break;
	}
	/* The write data has been used: the short reply may now be padded over it. */
	req->len = aoe_pad(req->frame, req->len, req->cap);
	t->counters.frames_out++;
}

/* ---- dispatch ---- */

static bool header_usable(enum aoe_parse_status status)
{
	return status != AOE_PARSE_TOO_SHORT && status != AOE_PARSE_NOT_AOE &&
	       status != AOE_PARSE_IS_RESPONSE;
}

enum target_verdict target_handle(struct target *t, struct target_request *req)
{
	struct aoe_frame request;
	enum aoe_parse_status status = aoe_parse_request(req->frame, req->len, &request);
	req->io_op = TARGET_IO_NONE;
	t->counters.frames_in++;

	if (!header_usable(status)) {
		if (status == AOE_PARSE_IS_RESPONSE)
			t->counters.dropped_not_ours++;
		else
			t->counters.dropped_malformed++;
		return TARGET_DROP;
	}
	if (!addressed_to_us(t, req, &request.hdr)) {
		t->counters.dropped_not_ours++;
		return TARGET_DROP;
	}
	/* A non-empty mask list hides the target from everyone else, entirely. */
	if (!target_mask_allows(t, request.hdr.src)) {
		t->counters.dropped_masked++;
		return TARGET_DROP;
	}
	if (request.hdr.command < 4)
		t->counters.per_command[request.hdr.command]++;

	switch (status) {
	case AOE_PARSE_OK:
		break;
	case AOE_PARSE_BAD_VERSION:
		return send_error(t, req, &request.hdr, AOE_ERR_BAD_VERSION);
	case AOE_PARSE_UNKNOWN_COMMAND:
		return send_error(t, req, &request.hdr, AOE_ERR_BAD_COMMAND);
	case AOE_PARSE_CONFIG_LENGTH:
	case AOE_PARSE_MASK_COUNT:
	case AOE_PARSE_RESERVE_COUNT:
		return send_error(t, req, &request.hdr, AOE_ERR_BAD_ARG);
	default:
		/* Too short for its own argument: no field of it can be trusted. */
		t->counters.dropped_malformed++;
		return TARGET_DROP;
	}

	switch (request.hdr.command) {
	case AOE_CMD_ATA:
		return handle_ata(t, req, &request);
	case AOE_CMD_CONFIG:
		return handle_config(t, req, &request);
	case AOE_CMD_MASK:
		return handle_mask(t, req, &request);
	case AOE_CMD_RESERVE:
		return handle_reserve(t, req, &request);
	default:
		return send_error(t, req, &request.hdr, AOE_ERR_BAD_COMMAND);
	}
}
