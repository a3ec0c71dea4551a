/*
 * session.h - the common start of every command: open the interfaces, find
 * the target, learn its size.
 */
#ifndef AOEKIT_INITIATOR_SESSION_H
#define AOEKIT_INITIATOR_SESSION_H

#include "ata.h"
#include "cli.h"
#include "engine.h"

struct session {
	struct engine engine;
	struct engine_target_list found;
	struct engine_target *target;   /* in found, once located */
	uint8_t identify_page[ATA_IDENTIFY_LEN];
	struct ata_identity identity;
};

enum { SESSION_DEFAULT_TIMEOUT_S = 10 };

/*
 * Open the named interfaces, or every one that is up except loopback, and
 * start the engine with the no-progress deadline from --timeout.  Returns an
 * exit code; on failure the message is printed and nothing stays open.
 */
int session_open_engine(struct engine *e, const struct cli_options *opts, double deadline_s);

/*
 * Open, then Query Config to shelf.slot and, with identify, IDENTIFY it.
 * Returns an exit code; on failure the message is printed and nothing stays open.
 */
int session_open(struct session *s, const struct cli_options *opts, bool identify);
void session_close(struct session *s);

/* IDENTIFY a located target and take its capacity. */
enum engine_result session_identify(struct engine *e, struct engine_target *t,
				    uint8_t page[ATA_IDENTIFY_LEN], struct ata_identity *id);

/*
 * FLUSH CACHE EXT, or FLUSH CACHE when the target advertises only that (or
 * neither, without LBA48): vblade aborts EXT and advertises plain FLUSH.
 */
enum engine_result session_flush(struct engine *e, struct engine_target *t,
				 const struct ata_identity *id);

/* The exit code for an engine failure; prints e->error unless the result is OK. */
int session_fail(const struct engine *e, enum engine_result result);

#endif
