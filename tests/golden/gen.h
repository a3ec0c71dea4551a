/*
 * gen.h - the golden generator's session: one pcap, one fresh target, and
 * requests built with the codec, each written with the reply the target gives.
 *
 * Every request states what it is there to show (an expectation); the
 * generator fails if the target does something else, so `make golden-update`
 * cannot silently record a behaviour nobody meant.
 */
#ifndef AOEKIT_GOLDEN_GEN_H
#define AOEKIT_GOLDEN_GEN_H

#include <pcap/pcap.h>

#include "golden.h"
#include "handler.h"

enum expect_kind {
	EXPECT_NONE,        /* no reply at all */
	EXPECT_OK,          /* a reply without the E flag (any command) */
	EXPECT_AOE_ERROR,   /* E flag with this error code */
	EXPECT_ATA,         /* ATA reply with this status and error register */
	EXPECT_MERROR,      /* MAC Mask reply with this MError and failing index */
};

struct expect {
	enum expect_kind kind;
	uint8_t code;       /* AoE error, ATA status or MError */
	uint8_t detail;     /* ATA error register or failing directive index */
};

#define NO_REPLY ((struct expect){ EXPECT_NONE, 0, 0 })
#define REPLY_OK ((struct expect){ EXPECT_OK, 0, 0 })
#define AOE_ERROR(e) ((struct expect){ EXPECT_AOE_ERROR, (e), 0 })
#define ATA_OK ((struct expect){ EXPECT_ATA, ATA_STATUS_DRDY, 0 })
#define ATA_ABORT ((struct expect){ EXPECT_ATA, ATA_STATUS_DRDY | ATA_STATUS_ERR, ATA_ERROR_ABRT })
#define ATA_IDNF ((struct expect){ EXPECT_ATA, ATA_STATUS_DRDY | ATA_STATUS_ERR, ATA_ERROR_IDNF })
#define MERROR(m, at) ((struct expect){ EXPECT_MERROR, (m), (at) })

/* Hosts in the golden captures (the target is settings.mac). */
extern const uint8_t HOST_A[AOE_MAC_LEN], HOST_B[AOE_MAC_LEN], HOST_C[AOE_MAC_LEN];
extern const uint8_t MAC_BROADCAST[AOE_MAC_LEN];

struct session {
	struct golden_settings s;
	struct target t;
	struct disk disk;
	pcap_t *dead;
	pcap_dumper_t *dump;
	uint8_t *buf;           /* the port's receive buffer: golden_frame_cap(mtu) */
	size_t cap;
	uint64_t usec;          /* frame timestamps: fixed start, 1 ms apart */
	uint32_t next_tag;
	unsigned requests;
	const char *topic;
};

/* Open pcaps/NAME with settings (NULL: the defaults); register its INDEX row. */
void session_open(struct session *ss, const char *name, const char *settings, const char *what);
void session_close(struct session *ss);

/* A request header to the target, from src, with the next tag. */
struct aoe_frame request(struct session *ss, const uint8_t *src, uint8_t command);

/* Build with the codec, then send; patch (may be NULL) edits the wire bytes first. */
typedef size_t patch_fn(uint8_t *frame, size_t len, size_t cap);
size_t send_built(struct session *ss, const struct aoe_frame *f, patch_fn *patch, struct expect e,
		  const char *what);
/* Send raw bytes as they are. */
size_t send_raw(struct session *ss, const uint8_t *frame, size_t len, struct expect e,
		const char *what);

/* Convenience builders. */
size_t config(struct session *ss, const uint8_t *src, uint8_t ccmd, const char *str, struct expect e,
	      const char *what);
size_t mask(struct session *ss, const uint8_t *src, uint8_t mcmd, const uint8_t *dcmds,
	    const uint8_t (*macs)[AOE_MAC_LEN], unsigned count, struct expect e, const char *what);
size_t reserve(struct session *ss, const uint8_t *src, uint8_t rcmd, const uint8_t (*macs)[AOE_MAC_LEN],
	       unsigned count, struct expect e, const char *what);
size_t ata(struct session *ss, const uint8_t *src, uint8_t aflags, uint8_t opcode, uint8_t count,
	   uint64_t lba, const uint8_t *data, size_t data_len, struct expect e, const char *what);

/* count sectors of write data for lba, different from the disk pattern. */
void write_data(uint8_t *out, uint64_t lba, unsigned count);

void gen_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The topics, one pcap each. */
void cases_config(void);
void cases_mask(void);
void cases_reserve(void);
void cases_identify(void);
void cases_rw28(void);
void cases_rw48(void);
void cases_ata_misc(void);
void cases_read_only(void);
void cases_jumbo(void);
void cases_protocol(void);
void cases_aoetools(void);

#endif
