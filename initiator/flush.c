/*
 * flush.c - "aoe-initiator flush": FLUSH CACHE EXT (or FLUSH CACHE, see
 * session_flush), so what the target acknowledged is on stable storage.
 */
#include <stdio.h>

#include "cli.h"
#include "clock.h"
#include "report.h"
#include "session.h"

int command_flush(const struct cli_options *opts)
{
	struct session s;
	int rc = session_open(&s, opts, true);
	if (rc != EXIT_OK)
		return rc;
	const struct ata_identity *id = &s.identity;
	const char *what = ata_command_str(id->flush_ext || (!id->flush && id->lba48)
						   ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE);
	uint64_t start = clock_now_ns();
	rc = session_fail(&s.engine, session_flush(&s.engine, s.target, id));
	double ms = (double)(clock_now_ns() - start) / NS_PER_MS;
	if (rc == EXIT_OK && opts->json)
		printf("{\"name\": \"%s\", \"command\": \"%s\", \"milliseconds\": %.3f}\n", s.target->name,
		       what, ms);
	else if (rc == EXIT_OK)
		printf("%s  %s  done in %.3f ms\n", s.target->name, what, ms);
	session_close(&s);
	return rc;
}
