/*
 * golden.h - what the golden generator and the replay runner agree on: the
 * target settings a capture was made with (one line of pcaps/INDEX.md), the
 * disk's initial contents, and how a frame's direction is told.
 *
 * INDEX.md rows look like
 *   | config.pcap | mode=exact shelf=9 slot=0 sectors=64 mtu=1500 ro=0 disk=pattern mac=02:ae:00:00:00:01 host=golden | what it shows |
 * and every setting has a default, so a row names only what differs.
 */
#ifndef AOEKIT_GOLDEN_H
#define AOEKIT_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoe.h"
#include "disk.h"
#include "handler.h"

enum golden_mode {
	GOLDEN_EXACT,   /* our own replies: byte for byte */
	GOLDEN_VBLADE,  /* vblade's replies: the fields that must agree (tests/golden/README.md) */
};

enum golden_disk {
	GOLDEN_DISK_PATTERN,    /* golden_pattern() everywhere */
	GOLDEN_DISK_ZERO,
};

struct golden_settings {
	char file[256];             /* relative to the INDEX.md directory */
	enum golden_mode mode;
	uint16_t shelf;
	uint8_t slot;
	uint64_t sectors;           /* 0: learn it from the capture's IDENTIFY reply (vblade mode) */
	unsigned mtu;               /* sectors per frame and receive buffer follow from it */
	bool read_only;
	enum golden_disk disk;
	uint8_t mac[AOE_MAC_LEN];   /* the target port: frames from it are replies */
	char host[32];              /* in the IDENTIFY serial "shelf.slot:host" */
	bool pair_by_tag;           /* pair=tag: a reply is the next one with its request's tag, not
				       the next frame (an initiator with several requests in flight) */
};

/* The defaults every row starts from. */
void golden_settings_default(struct golden_settings *s);

/*
 * Parse "key=value ..." into s (on top of what it holds).  Returns false and
 * writes a reason into err on an unknown key or a bad value.
 */
bool golden_settings_parse(const char *text, struct golden_settings *s, char *err, size_t err_len);

/* The row's sectors setting as written in INDEX.md: a number, or "identify" (0). */
void golden_sectors_text(const struct golden_settings *s, char *out, size_t out_len);
/* The settings as INDEX.md shows them (every key, so a row is self-contained). */
void golden_settings_format(const struct golden_settings *s, char *out, size_t out_len);

/*
 * Read an INDEX.md: calls fn for each row whose first cell names a .pcap.
 * Returns the number of rows, or -1 with err set (fn returning false stops with -1).
 */
int golden_index_read(const char *path, bool (*fn)(void *ctx, const struct golden_settings *s),
		      void *ctx, char *err, size_t err_len);

/*
 * A fresh target and memory disk as the settings say (the disk filled per
 * s->disk).  Returns 0, or -1 if memory runs out; close with disk_close().
 */
int golden_target_open(const struct golden_settings *s, struct target *t, struct disk *disk);

/* The disk's known content: each byte depends on its sector and its offset. */
static inline uint8_t golden_pattern(uint64_t offset)
{
	uint64_t sector = offset / AOE_SECTOR_SIZE;
	return (uint8_t)(offset * 7u + sector * 31u + 1u);
}

/* The receive buffer of a port at this MTU: the Ethernet header plus the MTU. */
static inline size_t golden_frame_cap(unsigned mtu) { return AOE_ETH_HDR_LEN + (size_t)mtu; }

#endif
