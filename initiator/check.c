/*
 * check.c - "aoe-initiator check": for every path to every target (or to one
 * target), the largest payload that really gets through, like aoe-sancheck.
 *
 * A mismatched MTU somewhere between us and the target (a switch, the
 * target's own NIC) does not show in any configuration we can read: frames
 * above it simply vanish, and the engine would spend its life retransmitting.
 * So each path is measured in both directions with every frame size it
 * should carry: IDENTIFY requests padded with k sectors of zeros (AoE
 * targets ignore trailing bytes; aoe-sancheck probes the same way) measure
 * the way to the target, READs of k sectors at LBA 0 the way back.  All
 * sizes go out at once, unanswered ones are sent again a few times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "engine_internal.h"
#include "output.h"
#include "report.h"
#include "session.h"

enum { ROUNDS = 3, MAX_K = 255 };
#define DEFAULT_WAIT_S 1.0

static const uint8_t zeros[MAX_K * AOE_SECTOR_SIZE];

struct probes {
	struct engine_target *t;
	unsigned path;
	bool reads;                     /* READ k sectors (from the target), else padded IDENTIFY */
	unsigned kmax;
	uint32_t tags[MAX_K + 1];
	bool answered[MAX_K + 1];
	bool refused;                   /* an AoE error answered a read (reserved, say) */
};

struct path_result {
	unsigned expected;              /* what the engine would use on this path */
	unsigned to_target, from_target;
	bool reads_refused;
};

static void probe_receive(struct engine *e, void *ctx, unsigned port, const uint8_t *buf,
			  size_t len, uint64_t now)
{
	struct probes *pr = ctx;
	struct aoe_frame reply;
	(void)now;
	const struct engine_path *path = &pr->t->paths[pr->path];
	if (aoe_parse_response(buf, len, &reply) != AOE_PARSE_OK || reply.hdr.command != AOE_CMD_ATA ||
	    port != path->port || memcmp(reply.hdr.src, path->mac, AOE_MAC_LEN) != 0) {
		e->stats.strays++;
		return;
	}
	unsigned k = reply.hdr.tag & (ENGINE_SLOTS - 1);
	if (k == 0 || k > pr->kmax || pr->tags[k] != reply.hdr.tag) {
		e->stats.strays++;
		return;
	}
	if (reply.hdr.flags & AOE_FLAG_ERROR) {
		pr->refused = true;
		return;
	}
	if (pr->reads && reply.arg.ata.data_len < (size_t)k * AOE_SECTOR_SIZE)
		return;  /* cut short on the way: not through */
	pr->answered[k] = true;
}

static void send_probe(struct engine *e, struct probes *pr, unsigned k)
{
	const struct engine_path *path = &pr->t->paths[pr->path];
	struct aoe_frame frame = {
		.hdr = { .version = AOE_VERSION, .shelf = pr->t->shelf, .slot = pr->t->slot,
			 .command = AOE_CMD_ATA, .tag = engine_new_tag(e, k) },
		.has_arg = true,
	};
	struct engine_io io;
	static uint8_t unused[ATA_IDENTIFY_LEN];  /* never written: only the command is built */
	if (pr->reads) {
		engine_io_rw(&io, pr->t, false, 0, k, unused);
	} else {
		engine_io_identify(&io, unused);
		io.out = zeros;
		io.out_len = (size_t)k * AOE_SECTOR_SIZE;
	}
	frame.arg.ata = (struct aoe_ata){ .aflags = io.aflags, .sector_count = io.sector_count,
					  .command_status = io.command, .lba = io.lba,
					  .data = io.out, .data_len = io.out_len };
	memcpy(frame.hdr.dst, path->mac, AOE_MAC_LEN);
	memcpy(frame.hdr.src, e->ports[path->port].mac, AOE_MAC_LEN);
	uint8_t *buf = e->slots[k].frame;
	size_t len = aoe_pad(buf, aoe_build(buf, e->frame_cap, &frame), e->frame_cap);
	pr->tags[k] = frame.hdr.tag;
	e->stats.frames_sent++;
	engine_queue(e, path->port, buf, len);
}

/* Send every unanswered size, wait, repeat.  Returns the largest k answered. */
static enum engine_result run_probes(struct engine *e, struct probes *pr, uint64_t wait_ns,
				     unsigned *largest)
{
	for (unsigned round = 0; round < ROUNDS; round++) {
		for (unsigned k = 1; k <= pr->kmax; k++) {
			if (!pr->answered[k])
				send_probe(e, pr, k);
		}
		enum engine_result result = engine_flush(e);
		uint64_t end = clock_now_ns() + wait_ns / ROUNDS;
		for (uint64_t now = clock_now_ns(); result == ENGINE_OK && now < end; now = clock_now_ns())
			result = engine_poll(e, end - now, probe_receive, pr);
		if (result != ENGINE_OK)
			return result;
		if (pr->answered[pr->kmax] || pr->refused)
			break;
	}
	*largest = 0;
	for (unsigned k = 1; k <= pr->kmax; k++) {
		if (pr->answered[k])
			*largest = k;
	}
	return ENGINE_OK;
}

static enum engine_result check_path(struct engine *e, struct engine_target *t, unsigned p,
				     uint64_t wait_ns, struct path_result *r)
{
	struct probes pr = { .t = t, .path = p };
	r->expected = engine_path_sectors(e, &t->paths[p]);
	pr.kmax = r->expected;
	enum engine_result result = run_probes(e, &pr, wait_ns, &r->to_target);
	if (result != ENGINE_OK)
		return result;
	memset(&pr, 0, sizeof(pr));
	pr = (struct probes){ .t = t, .path = p, .reads = true, .kmax = r->expected };
	result = run_probes(e, &pr, wait_ns, &r->from_target);
	r->reads_refused = pr.refused && r->from_target == 0;
	if (r->reads_refused)
		r->from_target = r->expected;  /* unmeasurable (reserved): do not blame the path */
	return result;
}

static bool path_ok(const struct path_result *r)
{
	return r->to_target >= r->expected && r->from_target >= r->expected;
}

static void print_text(const struct engine *e, const struct engine_target *t, unsigned p,
		       const struct path_result *r)
{
	const struct engine_path *path = &t->paths[p];
	char mac[18];
	aoe_mac_format(path->mac, mac);
	printf("%s  %s  %s  MTU %u  target %u sectors  expected %u B  to target %u B  from target ",
	       t->name, e->ports[path->port].ifname, mac, e->ports[path->port].mtu, path->max_sectors,
	       r->expected * AOE_SECTOR_SIZE, r->to_target * AOE_SECTOR_SIZE);
	if (r->reads_refused)
		printf("? (reads refused)");
	else
		printf("%u B", r->from_target * AOE_SECTOR_SIZE);
	printf("  %s\n", path_ok(r) ? "ok" : "PROBLEM");
}

static void print_json(const struct engine *e, const struct engine_target *t, unsigned p,
		       const struct path_result *r, bool first)
{
	const struct engine_path *path = &t->paths[p];
	char mac[18];
	aoe_mac_format(path->mac, mac);
	printf("%s  {\"name\": \"%s\", \"interface\": ", first ? "" : ",\n", t->name);
	output_json_cstring(stdout, e->ports[path->port].ifname);
	printf(", \"mac\": \"%s\", \"mtu\": %u, \"target_sectors\": %u, \"expected_bytes\": %u, "
	       "\"to_target_bytes\": %u, \"from_target_bytes\": %s%u, \"ok\": %s}",
	       mac, e->ports[path->port].mtu, path->max_sectors, r->expected * AOE_SECTOR_SIZE,
	       r->to_target * AOE_SECTOR_SIZE, r->reads_refused ? "null, \"reads_refused\": " : "",
	       r->reads_refused ? 1u : r->from_target * AOE_SECTOR_SIZE, path_ok(r) ? "true" : "false");
}

/* A problem path, in words: what is lost, and what to do about it. */
static void explain(const struct engine *e, const struct engine_target *t, unsigned p,
		    const struct path_result *r)
{
	const struct engine_path *path = &t->paths[p];
	unsigned through = r->to_target < r->from_target ? r->to_target : r->from_target;
	report_warn("%s via %s: frames with more than %u bytes of data are lost on the way %s the "
		    "target (%u expected); an MTU between here and there is smaller than %s's %u",
		    t->name, e->ports[path->port].ifname, through * AOE_SECTOR_SIZE,
		    r->to_target < r->expected ? "to" : "from", r->expected * AOE_SECTOR_SIZE,
		    e->ports[path->port].ifname, e->ports[path->port].mtu);
}

static enum engine_result check_targets(struct engine *e, struct engine_target_list *list,
					uint64_t wait_ns, bool json, unsigned *problems)
{
	bool first = true;
	for (size_t i = 0; i < list->count; i++) {
		struct engine_target *t = &list->items[i];
		for (unsigned p = 0; p < t->path_count; p++) {
			struct path_result r;
			enum engine_result result = check_path(e, t, p, wait_ns, &r);
			if (result != ENGINE_OK)
				return result;
			if (json)
				print_json(e, t, p, &r, first);
			else
				print_text(e, t, p, &r);
			first = false;
			if (!path_ok(&r)) {
				explain(e, t, p, &r);
				(*problems)++;
			}
		}
	}
	return ENGINE_OK;
}

int command_check(const struct cli_options *opts)
{
	double wait_s = opts->timeout_given ? opts->timeout_s : DEFAULT_WAIT_S;
	uint64_t wait_ns = (uint64_t)(wait_s * NS_PER_S);
	struct engine e;
	int rc = session_open_engine(&e, opts, wait_s);
	if (rc != EXIT_OK)
		return rc;
	struct engine_target_list list = { 0 };
	uint16_t shelf = opts->has_target ? opts->shelf : AOE_SHELF_BROADCAST;
	uint8_t slot = opts->has_target ? opts->slot : AOE_SLOT_BROADCAST;
	enum engine_result result = engine_query(&e, shelf, slot, wait_ns, opts->has_target, &list);
	unsigned problems = 0;
	if (result == ENGINE_OK && list.count == 0) {
		char ports[128];
		engine_port_names(&e, ports, sizeof(ports));
		report_error("no AoE target answered on %s within %.1f s", ports, wait_s);
		rc = EXIT_NO_TARGET;
	} else if (result == ENGINE_OK) {
		if (opts->json)
			printf("[\n");
		result = check_targets(&e, &list, wait_ns, opts->json, &problems);
		if (opts->json)
			printf("\n]\n");
	}
	if (rc == EXIT_OK)
		rc = session_fail(&e, result);
	if (rc == EXIT_OK && problems > 0)
		rc = EXIT_TARGET_ERROR;
	engine_target_list_free(&list);
	engine_close(&e);
	return rc;
}
