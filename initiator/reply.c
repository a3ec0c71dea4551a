/*
 * reply.c - what an ATA reply says, and in words an operator can act on.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "engine_internal.h"

static const char *ata_failure_meaning(const struct engine_io *io)
{
	if (io->status & ATA_STATUS_BSY)
		return "device busy";
	if (io->status & ATA_STATUS_DF)
		return "device fault";
	if (io->error & ATA_ERROR_IDNF)
		return "sector out of range";
	if (io->error & ATA_ERROR_ABRT)
		return (io->aflags & AOE_AFLAG_WRITE) ? "command aborted (read-only export?)"
						      : "command aborted (not supported by the target?)";
	if (io->error & ATA_ERROR_UNC)
		return "unrecoverable media error";
	if (io->status & ATA_STATUS_DRQ)
		return "device still requests data";
	return "device error";
}

static enum engine_result aoe_error(struct engine *e, const struct engine_target *t,
				    const char *what, uint8_t error)
{
	if (error == AOE_ERR_RESERVED) {
		snprintf(e->error, sizeof(e->error),
			 "%s: %s: target reserved by another host (AoE error 6); see "
			 "'aoe-initiator reserve %s'",
			 t->name, what, t->name);
		return ENGINE_REFUSED;
	}
	const char *hint = "";
	if (error == AOE_ERR_BAD_ARG)
		hint = "; the target refused the request's parameters";
	else if (error == AOE_ERR_DEVICE_UNAVAILABLE)
		hint = "; the target's device is gone";
	snprintf(e->error, sizeof(e->error), "%s: %s: target answered with AoE error %u (%s)%s",
		 t->name, what, error, aoe_error_str(error), hint);
	return ENGINE_TARGET_ERROR;
}

enum engine_result engine_check_reply(struct engine *e, const struct engine_target *t,
				      struct engine_io *io, const struct aoe_frame *reply)
{
	char what[96];
	engine_describe_io(io, what, sizeof(what));
	if (reply->hdr.flags & AOE_FLAG_ERROR)
		return aoe_error(e, t, what, reply->hdr.error);
	if (!reply->has_arg) {
		snprintf(e->error, sizeof(e->error), "%s: %s: reply without its ATA header", t->name, what);
		return ENGINE_TARGET_ERROR;
	}
	const struct aoe_ata *ata = &reply->arg.ata;
	io->status = ata->command_status;
	io->error = ata->feature_error;
	if (io->status & ATA_STATUS_FAILED_MASK) {
		snprintf(e->error, sizeof(e->error), "%s: %s failed: %s (ATA status 0x%02x, error 0x%02x)",
			 t->name, what, ata_failure_meaning(io), io->status, io->error);
		return ENGINE_TARGET_ERROR;
	}
	if (io->in != NULL) {
		if (ata->data_len < io->in_len) {
			snprintf(e->error, sizeof(e->error),
				 "%s: %s: short reply, %zu of %zu data bytes; the target is misbehaving",
				 t->name, what, ata->data_len, io->in_len);
			return ENGINE_TARGET_ERROR;
		}
		memcpy(io->in, ata->data, io->in_len);
	}
	return ENGINE_OK;
}
