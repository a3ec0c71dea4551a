/*
 * identify.c - "aoe-initiator identify": the target's IDENTIFY DEVICE page,
 * decoded (and with --raw, dumped).
 */
#include <stdio.h>

#include "cli.h"
#include "output.h"
#include "report.h"
#include "session.h"
#include "units.h"

static const char *yes_no(bool value)
{
	return value ? "yes" : "no";
}

static void print_text(const struct session *s, bool raw)
{
	const struct engine_target *t = s->target;
	const struct ata_identity *id = &s->identity;
	char size[32], mac[18];
	units_format_bytes(id->sectors * AOE_SECTOR_SIZE, size, sizeof(size));
	aoe_mac_format(t->paths[0].mac, mac);
	printf("target          %s (%s %s)\n", t->name, s->engine.ports[t->paths[0].port].ifname, mac);
	printf("model           %s\n", id->model);
	printf("serial          %s\n", id->serial);
	printf("firmware        %s\n", id->firmware);
	printf("sectors         %llu (%s)\n", (unsigned long long)id->sectors, size);
	printf("lba28 sectors   %u\n", id->lba28_sectors);
	printf("lba48           %s\n", yes_no(id->lba48));
	printf("flush cache     %s\n", yes_no(id->flush));
	printf("flush cache ext %s\n", yes_no(id->flush_ext));
	if (raw) {
		printf("raw page:\n");
		output_hexdump(stdout, s->identify_page, ATA_IDENTIFY_LEN);
	}
}

static void print_json(const struct session *s, bool raw)
{
	const struct engine_target *t = s->target;
	const struct ata_identity *id = &s->identity;
	printf("{\"name\": \"%s\", \"shelf\": %u, \"slot\": %u, \"model\": ", t->name, t->shelf, t->slot);
	output_json_cstring(stdout, id->model);
	printf(", \"serial\": ");
	output_json_cstring(stdout, id->serial);
	printf(", \"firmware\": ");
	output_json_cstring(stdout, id->firmware);
	printf(", \"sectors\": %llu, \"bytes\": %llu, \"lba28_sectors\": %u, \"lba48\": %s, "
	       "\"flush_cache\": %s, \"flush_cache_ext\": %s",
	       (unsigned long long)id->sectors, (unsigned long long)(id->sectors * AOE_SECTOR_SIZE),
	       id->lba28_sectors, id->lba48 ? "true" : "false", id->flush ? "true" : "false",
	       id->flush_ext ? "true" : "false");
	if (raw) {
		printf(", \"raw\": \"");
		for (unsigned i = 0; i < ATA_IDENTIFY_LEN; i++)
			printf("%02x", s->identify_page[i]);
		printf("\"");
	}
	printf("}\n");
}

int command_identify(const struct cli_options *opts)
{
	struct session s;
	int rc = session_open(&s, opts, true);
	if (rc != EXIT_OK)
		return rc;
	if (opts->json)
		print_json(&s, opts->raw);
	else
		print_text(&s, opts->raw);
	session_close(&s);
	return EXIT_OK;
}
