/*
 * discover.c - "aoe-initiator discover": who answers a broadcast Query Config,
 * and how big is each of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "output.h"
#include "report.h"
#include "session.h"
#include "units.h"

#define DISCOVER_DEFAULT_WAIT_S 1.0

static int compare_targets(const void *a, const void *b)
{
	const struct engine_target *x = a, *y = b;
	if (x->shelf != y->shelf)
		return x->shelf < y->shelf ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Size each target; one that does not answer IDENTIFY is still listed, size unknown. */
static void identify_all(struct engine *e, struct engine_target_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		struct engine_target *t = &list->items[i];
		uint8_t page[ATA_IDENTIFY_LEN];
		struct ata_identity id;
		if (session_identify(e, t, page, &id) != ENGINE_OK)
			report_warn("%s (size unknown)", e->error);
	}
}

/* "eth0,eth1  mac0,mac1": the paths, pairwise in the same order. */
static void print_path_columns(const struct engine *e, const struct engine_target *t)
{
	for (unsigned i = 0; i < t->path_count; i++)
		printf("%s%s", i ? "," : "", e->ports[t->paths[i].port].ifname);
	fputs("  ", stdout);
	for (unsigned i = 0; i < t->path_count; i++) {
		char mac[18];
		aoe_mac_format(t->paths[i].mac, mac);
		printf("%s%s", i ? "," : "", mac);
	}
}

static void print_text(const struct engine *e, const struct engine_target *t)
{
	const struct engine_path *first = &t->paths[0];
	printf("%s  ", t->name);
	print_path_columns(e, t);
	if (t->identified) {
		char size[32];
		units_format_bytes(t->sectors * AOE_SECTOR_SIZE, size, sizeof(size));
		printf("  %s  %llu sectors", size, (unsigned long long)t->sectors);
	} else {
		printf("  ?  ? sectors");
	}
	printf("  bufcnt %u  fw 0x%04x  %u sectors/frame  config ", first->buffer_count,
	       first->firmware_version, engine_path_sectors(e, first));
	output_quoted(stdout, t->config, t->config_len);
	putchar('\n');
}

static void print_json_path(const struct engine *e, const struct engine_path *path)
{
	char mac[18];
	aoe_mac_format(path->mac, mac);
	printf("{\"interface\": ");
	output_json_cstring(stdout, e->ports[path->port].ifname);
	printf(", \"mac\": \"%s\", \"buffer_count\": %u, \"firmware_version\": %u, "
	       "\"sectors_per_frame\": %u}",
	       mac, path->buffer_count, path->firmware_version, engine_path_sectors(e, path));
}

/* One object a line; the first path's fields at top level, every path under "paths". */
static void print_json(const struct engine *e, const struct engine_target *t)
{
	const struct engine_path *first = &t->paths[0];
	char mac[18];
	aoe_mac_format(first->mac, mac);
	printf("  {\"name\": \"%s\", \"shelf\": %u, \"slot\": %u, \"interface\": ", t->name, t->shelf,
	       t->slot);
	output_json_cstring(stdout, e->ports[first->port].ifname);
	printf(", \"mac\": \"%s\", ", mac);
	if (t->identified)
		printf("\"sectors\": %llu, \"bytes\": %llu, ", (unsigned long long)t->sectors,
		       (unsigned long long)(t->sectors * AOE_SECTOR_SIZE));
	else
		printf("\"sectors\": null, \"bytes\": null, ");
	printf("\"buffer_count\": %u, \"firmware_version\": %u, \"sectors_per_frame\": %u, \"config\": ",
	       first->buffer_count, first->firmware_version, engine_path_sectors(e, first));
	output_json_string(stdout, t->config, t->config_len);
	printf(", \"paths\": [");
	for (unsigned i = 0; i < t->path_count; i++) {
		if (i > 0)
			printf(", ");
		print_json_path(e, &t->paths[i]);
	}
	printf("]}");
}

static void print_targets(const struct engine *e, const struct engine_target_list *list, bool json)
{
	if (json)
		printf("[\n");
	for (size_t i = 0; i < list->count; i++) {
		if (json) {
			print_json(e, &list->items[i]);
			printf(i + 1 < list->count ? ",\n" : "\n");
		} else {
			print_text(e, &list->items[i]);
		}
	}
	if (json)
		printf("]\n");
}

int command_discover(const struct cli_options *opts)
{
	double wait_s = opts->timeout_given ? opts->timeout_s : DISCOVER_DEFAULT_WAIT_S;
	struct engine e;
	/* IDENTIFY gets the same time as the query: discovery is meant to be quick. */
	int rc = session_open_engine(&e, opts, wait_s);
	if (rc != EXIT_OK)
		return rc;
	struct engine_target_list list = { 0 };
	enum engine_result result = engine_query(&e, AOE_SHELF_BROADCAST, AOE_SLOT_BROADCAST,
						 (uint64_t)(wait_s * NS_PER_S), false, &list);
	if (result != ENGINE_OK) {
		rc = session_fail(&e, result);
	} else if (list.count == 0) {
		char ports[128];
		engine_port_names(&e, ports, sizeof(ports));
		report_error("no AoE targets answered on %s within %.1f s", ports, wait_s);
		rc = EXIT_NO_TARGET;
	} else {
		qsort(list.items, list.count, sizeof(list.items[0]), compare_targets);
		identify_all(&e, &list);
		print_targets(&e, &list, opts->json);
		report_verbose("%llu stray frames ignored", (unsigned long long)e.stats.strays);
	}
	engine_target_list_free(&list);
	engine_close(&e);
	return rc;
}
