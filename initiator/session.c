/*
 * session.c - interfaces, locating a target, IDENTIFY.
 */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "ifaces.h"
#include "report.h"
#include "signals.h"

static int open_named(struct engine *e, const struct cli_options *opts)
{
	char err[L2PORT_ERR_MAX];
	for (unsigned i = 0; i < opts->ifname_count; i++) {
		if (engine_add_port(e, opts->ifnames[i], err, sizeof(err)) < 0) {
			report_error("%s", err);
			return EXIT_LOCAL;
		}
	}
	return EXIT_OK;
}

/* Without -i: every interface that is up.  One that cannot be opened is skipped, not fatal. */
static int open_default(struct engine *e)
{
	char names[ENGINE_PORTS_MAX][L2PORT_IFNAME_MAX];
	unsigned count = ifaces_default(names, ENGINE_PORTS_MAX);
	char err[L2PORT_ERR_MAX] = "";
	for (unsigned i = 0; i < count; i++) {
		if (engine_add_port(e, names[i], err, sizeof(err)) < 0)
			report_verbose("skipping %s", err);
	}
	if (count == 0) {
		report_error("no network interface is up (besides loopback); name one with -i IFACE");
		return EXIT_LOCAL;
	}
	if (e->port_count == 0) {
		report_error("no interface could be opened (%s); name one with -i IFACE", err);
		return EXIT_LOCAL;
	}
	return EXIT_OK;
}

int session_open_engine(struct engine *e, const struct cli_options *opts, double deadline_s)
{
	engine_init(e);
	e->deadline_ns = (uint64_t)(deadline_s * NS_PER_S);
	int rc = opts->ifname_count > 0 ? open_named(e, opts) : open_default(e);
	if (rc == EXIT_OK && engine_start(e) < 0) {
		report_error("%s", e->error);
		rc = EXIT_LOCAL;
	}
	if (rc != EXIT_OK)
		engine_close(e);
	return rc;
}

int session_fail(const struct engine *e, enum engine_result result)
{
	switch (result) {
	case ENGINE_OK:
		return EXIT_OK;
	case ENGINE_TIMEOUT:
		report_error("%s", e->error);
		return EXIT_NO_TARGET;
	case ENGINE_TARGET_ERROR:
		report_error("%s", e->error);
		return EXIT_TARGET_ERROR;
	case ENGINE_REFUSED:
		report_error("%s", e->error);
		return EXIT_REFUSED;
	case ENGINE_INTERRUPTED:
		report_error("%s", e->error);
		return signals_exit_code();
	case ENGINE_LOCAL_ERROR:
		break;
	}
	report_error("%s", e->error);
	return EXIT_LOCAL;
}

enum engine_result session_identify(struct engine *e, struct engine_target *t,
				    uint8_t page[ATA_IDENTIFY_LEN], struct ata_identity *id)
{
	struct engine_io io;
	engine_io_identify(&io, page);
	enum engine_result result = engine_run(e, t, &io, 1);
	if (result != ENGINE_OK)
		return result;
	ata_identify_decode(page, id);
	engine_apply_identity(t, id);
	return ENGINE_OK;
}

static void report_paths(const struct session *s)
{
	const struct engine_target *t = s->target;
	for (unsigned i = 0; i < t->path_count; i++) {
		char mac[18];
		aoe_mac_format(t->paths[i].mac, mac);
		report_verbose("%s: path %s %s (MTU %u), buffer count %u, window %u, %u sectors/frame",
			       t->name, s->engine.ports[t->paths[i].port].ifname, mac,
			       s->engine.ports[t->paths[i].port].mtu, t->paths[i].buffer_count,
			       t->paths[i].cwnd.window, engine_path_sectors(&s->engine, &t->paths[i]));
	}
	if (t->identified)
		report_verbose("%s: %llu sectors, %s", t->name, (unsigned long long)t->sectors,
			       t->lba48 ? "LBA48" : "LBA28");
}

static int locate(struct session *s, const struct cli_options *opts)
{
	struct engine *e = &s->engine;
	enum engine_result result =
		engine_query(e, opts->shelf, opts->slot, e->deadline_ns, true, &s->found);
	if (result != ENGINE_OK)
		return session_fail(e, result);
	if (s->found.count == 0) {
		char ports[128];
		engine_port_names(e, ports, sizeof(ports));
		report_error("e%u.%u: no such target: no answer to Query Config on %s within %.1f s; "
			     "check the shelf.slot, that the target is running and that its MAC mask "
			     "list admits this host (aoe-initiator discover lists what answers)",
			     opts->shelf, opts->slot, ports, clock_ns_to_s(e->deadline_ns));
		return EXIT_NO_TARGET;
	}
	s->target = &s->found.items[0];
	if (engine_min_sectors(e, s->target) == 0) {
		report_error("%s: the interface MTU is too small for one 512-byte sector per frame",
			     s->target->name);
		return EXIT_LOCAL;
	}
	return EXIT_OK;
}

int session_open(struct session *s, const struct cli_options *opts, bool identify)
{
	memset(s, 0, sizeof(*s));
	double deadline = opts->timeout_given ? opts->timeout_s : SESSION_DEFAULT_TIMEOUT_S;
	int rc = session_open_engine(&s->engine, opts, deadline);
	if (rc != EXIT_OK)
		return rc;
	rc = locate(s, opts);
	if (rc == EXIT_OK && identify) {
		enum engine_result result =
			session_identify(&s->engine, s->target, s->identify_page, &s->identity);
		rc = session_fail(&s->engine, result);
	}
	if (rc != EXIT_OK) {
		session_close(s);
		return rc;
	}
	report_paths(s);
	return EXIT_OK;
}

void session_close(struct session *s)
{
	engine_close(&s->engine);
	engine_target_list_free(&s->found);
	s->target = NULL;
}

enum engine_result session_flush(struct engine *e, struct engine_target *t,
				 const struct ata_identity *id)
{
	/* FLUSH CACHE EXT where advertised; plain FLUSH CACHE where only that is (vblade aborts EXT). */
	bool ext = id->flush_ext || (!id->flush && id->lba48);
	struct engine_io io;
	engine_io_flush(&io, ext);
	report_verbose("%s: sending %s", t->name, ata_command_str(io.command));
	return engine_run(e, t, &io, 1);
}
