/*
 * engine_io.c - frame sizes per path, ATA command descriptions, and fixed
 * batches of commands run through the stream machinery.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"

unsigned engine_path_sectors(const struct engine *e, const struct engine_path *path)
{
	unsigned mtu = e->ports[path->port].mtu;
	/* Our buffers were sized at start: a later, larger MTU cannot be used beyond them. */
	if (e->frame_cap > 0 && mtu > e->frame_cap - AOE_ETH_HDR_LEN)
		mtu = (unsigned)(e->frame_cap - AOE_ETH_HDR_LEN);
	unsigned by_mtu = aoe_sectors_for_mtu(mtu);
	unsigned sectors = path->max_sectors < by_mtu ? path->max_sectors : by_mtu;
	return sectors > 255 ? 255 : sectors;  /* the sector count is one byte */
}

unsigned engine_max_sectors(const struct engine *e, const struct engine_target *t)
{
	unsigned best = 0;
	for (unsigned i = 0; i < t->path_count; i++) {
		unsigned sectors = engine_path_sectors(e, &t->paths[i]);
		if (sectors > best)
			best = sectors;
	}
	return best;
}

unsigned engine_min_sectors(const struct engine *e, const struct engine_target *t)
{
	unsigned least = 255;
	for (unsigned i = 0; i < t->path_count; i++) {
		unsigned sectors = engine_path_sectors(e, &t->paths[i]);
		if (sectors < least)
			least = sectors;
	}
	return t->path_count == 0 ? 0 : least;
}

unsigned engine_window(const struct engine_target *t)
{
	unsigned sum = 0;
	for (unsigned i = 0; i < t->path_count; i++)
		sum += t->paths[i].cwnd.window;
	return sum;
}

void engine_io_rw(struct engine_io *io, const struct engine_target *t, bool write, uint64_t lba,
		  unsigned count, uint8_t *buf)
{
	memset(io, 0, sizeof(*io));
	io->sector_count = (uint8_t)count;
	if (t->lba48) {
		io->command = write ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_READ_SECTORS_EXT;
		io->aflags = AOE_AFLAG_EXT;
		io->lba = lba;
	} else {
		io->command = write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS;
		/* LBA28: the device register (LBA mode plus the two obsolete ones) rides in lba3's high nibble. */
		io->lba = (lba & ATA_LBA28_MAX) | (uint64_t)0xe0 << 24;
	}
	size_t bytes = (size_t)count * AOE_SECTOR_SIZE;
	if (write) {
		io->aflags |= AOE_AFLAG_WRITE;
		io->out = buf;
		io->out_len = bytes;
	} else {
		io->in = buf;
		io->in_len = bytes;
	}
}

void engine_io_identify(struct engine_io *io, uint8_t page[ATA_IDENTIFY_LEN])
{
	memset(io, 0, sizeof(*io));
	io->command = ATA_CMD_IDENTIFY;
	io->sector_count = 1;
	io->lba = (uint64_t)0xa0 << 24;  /* device register as the Linux driver sends it */
	io->in = page;
	io->in_len = ATA_IDENTIFY_LEN;
}

void engine_io_flush(struct engine_io *io, bool ext)
{
	memset(io, 0, sizeof(*io));
	io->command = ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE;
	io->aflags = ext ? AOE_AFLAG_EXT : 0;
	io->lba = ext ? 0 : (uint64_t)0xa0 << 24;
}

void engine_apply_identity(struct engine_target *t, const struct ata_identity *id)
{
	t->identified = true;
	t->lba48 = id->lba48;
	t->sectors = id->sectors;
}

static uint64_t io_lba(const struct engine_io *io)
{
	return (io->aflags & AOE_AFLAG_EXT) ? io->lba : io->lba & ATA_LBA28_MAX;
}

void engine_describe_io(const struct engine_io *io, char *out, size_t out_len)
{
	if (io->command == ATA_CMD_IDENTIFY || io->in_len + io->out_len == 0)
		snprintf(out, out_len, "%s", ata_command_str(io->command));
	else
		snprintf(out, out_len, "%s of %u sector%s at LBA %llu", ata_command_str(io->command),
			 io->sector_count, io->sector_count == 1 ? "" : "s",
			 (unsigned long long)io_lba(io));
}

/* ---------------------------------------------------- a fixed batch */

struct batch {
	struct engine_io *ios;
	size_t count;
	size_t next;
};

/* A batch's commands are small (no data, or one sector): they fit any path. */
static enum engine_feed_status batch_next(void *ctx, unsigned max_sectors, struct engine_io **io)
{
	struct batch *b = ctx;
	(void)max_sectors;
	if (b->next == b->count)
		return FEED_END;
	*io = &b->ios[b->next++];
	return FEED_IO;
}

static void batch_done(void *ctx, struct engine_io *io)
{
	(void)ctx;
	(void)io;
}

enum engine_result engine_run(struct engine *e, struct engine_target *t, struct engine_io *ios,
			      size_t count)
{
	struct batch b = { .ios = ios, .count = count };
	struct engine_feed feed = { .next = batch_next, .done = batch_done, .ctx = &b };
	return engine_stream(e, t, &feed);
}
