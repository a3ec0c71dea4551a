/*
 * ping.c - "aoe-initiator ping": round-trip times to a target over each of
 * its paths, like aoeping (which sends Query Config first) and ping(8).
 *
 * Each probe is one unicast Query Config (read) on one path, never
 * retransmitted: a lost probe counts as lost.  SIGINT ends the run early
 * with the summary, as ping does.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "control.h"
#include "output.h"
#include "report.h"
#include "rttstats.h"
#include "session.h"
#include "signals.h"

enum { DEFAULT_PROBES = 4 };
#define DEFAULT_INTERVAL_S 1.0
#define DEFAULT_WAIT_S 1.0

static bool take_rtt(void *ctx, const struct aoe_frame *reply, unsigned path, uint64_t rtt_ns)
{
	(void)reply;
	(void)path;
	*(uint64_t *)ctx = rtt_ns;
	return true;
}

static void probe(struct session *s, unsigned p, uint64_t seq, double wait_s, bool json,
		  struct rttstats *stats)
{
	uint64_t rtt = 0;
	struct control_request req = {
		.request = { .hdr = { .command = AOE_CMD_CONFIG }, .has_arg = true,
			     .arg.cfg = { .ccmd = AOE_CCMD_READ } },
		.max_tries = 1, .wait_ns = (uint64_t)(wait_s * NS_PER_S), .path = p,
		.accept = take_rtt, .ctx = &rtt,
	};
	rttstats_sent(stats);
	enum engine_result result = control_exchange(&s->engine, s->target, &req);
	const struct engine_path *path = &s->target->paths[p];
	char mac[18];
	aoe_mac_format(path->mac, mac);
	if (result == ENGINE_OK)
		rttstats_add(stats, (double)rtt / NS_PER_MS);
	if (json)
		return;
	if (result == ENGINE_OK)
		printf("%s via %s %s: seq=%llu time=%.3f ms\n", s->target->name,
		       s->engine.ports[path->port].ifname, mac, (unsigned long long)seq,
		       (double)rtt / NS_PER_MS);
	else
		printf("%s via %s %s: seq=%llu no answer within %.1f s\n", s->target->name,
		       s->engine.ports[path->port].ifname, mac, (unsigned long long)seq, wait_s);
	fflush(stdout);
}

/* Sleep, but wake for Ctrl-C. */
static void pause_for(double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds,
			       .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && signals_count() == 0)
		;
}

static void print_summary(const struct session *s, const struct rttstats *stats, bool json)
{
	const struct engine_target *t = s->target;
	if (json)
		printf("{\"name\": \"%s\", \"paths\": [", t->name);
	for (unsigned i = 0; i < t->path_count; i++) {
		const struct rttstats *st = &stats[i];
		char mac[18];
		aoe_mac_format(t->paths[i].mac, mac);
		const char *ifname = s->engine.ports[t->paths[i].port].ifname;
		if (json) {
			printf("%s{\"interface\": ", i ? ", " : "");
			output_json_cstring(stdout, ifname);
			printf(", \"mac\": \"%s\", \"sent\": %llu, \"received\": %llu, \"loss_percent\": %.1f, "
			       "\"min_ms\": %.3f, \"avg_ms\": %.3f, \"max_ms\": %.3f, \"mdev_ms\": %.3f}",
			       mac, (unsigned long long)st->sent, (unsigned long long)st->received,
			       rttstats_loss(st), st->min_ms, rttstats_avg(st), st->max_ms, rttstats_mdev(st));
			continue;
		}
		printf("--- %s via %s %s: %llu probes, %llu answers, %.0f%% loss", t->name, ifname, mac,
		       (unsigned long long)st->sent, (unsigned long long)st->received, rttstats_loss(st));
		if (st->received)
			printf(", rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", st->min_ms,
			       rttstats_avg(st), st->max_ms, rttstats_mdev(st));
		putchar('\n');
	}
	if (json)
		printf("]}\n");
}

int command_ping(const struct cli_options *opts)
{
	signals_catch();
	struct session s;
	int rc = session_open(&s, opts, false);
	if (rc != EXIT_OK)
		return rc;
	uint64_t probes = opts->has_count ? opts->count : DEFAULT_PROBES;
	double interval = opts->interval_given ? opts->interval_s : DEFAULT_INTERVAL_S;
	double wait = opts->timeout_given ? opts->timeout_s : DEFAULT_WAIT_S;
	struct rttstats stats[ENGINE_PATHS_MAX] = { 0 };
	for (uint64_t seq = 1; seq <= probes && signals_count() == 0; seq++) {
		for (unsigned p = 0; p < s.target->path_count && signals_count() == 0; p++)
			probe(&s, p, seq, wait, opts->json, &stats[p]);
		if (seq < probes && signals_count() == 0)
			pause_for(interval);
	}
	print_summary(&s, stats, opts->json);
	uint64_t answered = 0;
	for (unsigned p = 0; p < s.target->path_count; p++)
		answered += stats[p].received;
	if (answered == 0) {
		report_error("%s: no probe was answered", s.target->name);
		rc = EXIT_NO_TARGET;
	}
	session_close(&s);
	return rc;
}
