/*
 * image.c - the rows of pcaps/INDEX.md for tools that run the real binaries
 * (tests/golden/live.sh, tests/golden/vblade-record.sh).
 *
 *   golden-image --list INDEX.md
 *       one line per row: FILE MODE SHELF SLOT SECTORS MTU RO MAC HOST PAIR
 *       (SECTORS is "identify" when the row learns it from the capture;
 *       PAIR is "next" or "tag", how a request finds its reply)
 *   golden-image INDEX.md NAME.pcap OUT
 *       write the row's initial disk (sectors x 512 bytes) to the file OUT
 *
 * The bytes come from golden_target_open(), the very function the in-process
 * replay fills its memory disk with, so the file a real aoe-target serves
 * starts out byte for byte as the replay's disk: the pattern is written down
 * once, in golden.h, and nowhere else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

static const char *wanted_file, *out_path;
static int found;

static bool list_row(void *ctx, const struct golden_settings *s)
{
	(void)ctx;
	char mac[18], sectors[24];
	aoe_mac_format(s->mac, mac);
	golden_sectors_text(s, sectors, sizeof(sectors));
	printf("%s %s %u %u %s %u %d %s %s %s\n", s->file, s->mode == GOLDEN_VBLADE ? "vblade" : "exact",
	       s->shelf, s->slot, sectors, s->mtu, s->read_only ? 1 : 0, mac, s->host,
	       s->pair_by_tag ? "tag" : "next");
	return true;
}

static bool write_row(void *ctx, const struct golden_settings *s)
{
	(void)ctx;
	if (strcmp(s->file, wanted_file) != 0)
		return true;
	found++;
	if (s->sectors == 0) {
		fprintf(stderr, "golden-image: %s: sectors=identify: no known disk size\n", s->file);
		return false;
	}
	struct target *t = malloc(sizeof(*t));
	struct disk disk;
	if (t == NULL || golden_target_open(s, t, &disk) != 0) {
		fprintf(stderr, "golden-image: out of memory\n");
		free(t);
		return false;
	}
	FILE *f = fopen(out_path, "wb");
	size_t bytes = (size_t)s->sectors * AOE_SECTOR_SIZE;
	bool ok = f != NULL && fwrite(disk.memory, 1, bytes, f) == bytes;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "golden-image: %s: %s\n", out_path, strerror(errno));
	disk_close(&disk);
	free(t);
	return ok;
}

int main(int argc, char **argv)
{
	char err[512];
	int rows;
	if (argc == 3 && strcmp(argv[1], "--list") == 0) {
		rows = golden_index_read(argv[2], list_row, NULL, err, sizeof(err));
	} else if (argc == 4) {
		wanted_file = argv[2];
		out_path = argv[3];
		rows = golden_index_read(argv[1], write_row, NULL, err, sizeof(err));
		if (rows >= 0 && found != 1) {
			fprintf(stderr, "golden-image: %s: not a row of %s\n", wanted_file, argv[1]);
			return 1;
		}
	} else {
		fprintf(stderr, "usage: golden-image --list INDEX.md | golden-image INDEX.md NAME.pcap OUT\n");
		return 2;
	}
	if (rows < 0) {
		fprintf(stderr, "golden-image: %s\n", err);
		return 1;
	}
	return 0;
}
