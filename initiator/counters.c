/*
 * counters.c - printing struct engine_stats and the paths' state.
 */
#include "counters.h"

#include "clock.h"
#include "output.h"
#include "report.h"

void counters_verbose(const struct engine *e, const struct engine_target *t)
{
	const struct engine_stats *s = &e->stats;
	report_verbose("%s: %llu frames sent, %llu retransmits, %llu replies, %llu late replies, "
		       "%llu duplicates, %llu strays, %llu window reductions, %llu splits",
		       t->name, (unsigned long long)s->frames_sent, (unsigned long long)s->retransmits,
		       (unsigned long long)s->replies, (unsigned long long)s->late_replies,
		       (unsigned long long)s->duplicates, (unsigned long long)s->strays,
		       (unsigned long long)s->window_reductions, (unsigned long long)s->splits);
	for (unsigned i = 0; i < t->path_count; i++) {
		const struct engine_path *path = &t->paths[i];
		char mac[18];
		aoe_mac_format(path->mac, mac);
		report_verbose("%s: via %s %s: %llu frames, %llu timeouts, srtt %.3f ms, rto %.1f ms, "
			       "window %u of %u, %u sectors/frame",
			       t->name, e->ports[path->port].ifname, mac,
			       (unsigned long long)path->stats.frames_sent,
			       (unsigned long long)path->stats.timeouts,
			       (double)path->rtt.srtt_ns / NS_PER_MS,
			       (double)rtt_rto_ns(&path->rtt) / NS_PER_MS, path->cwnd.window,
			       path->cwnd.limit, engine_path_sectors(e, path));
	}
}

static void path_json(FILE *out, const struct engine *e, const struct engine_path *path)
{
	char mac[18];
	aoe_mac_format(path->mac, mac);
	fprintf(out, "{\"interface\": ");
	output_json_cstring(out, e->ports[path->port].ifname);
	fprintf(out, ", \"mac\": \"%s\", \"frames_sent\": %llu, \"timeouts\": %llu, \"replies\": %llu, "
		     "\"srtt_ms\": %.3f, \"rto_ms\": %.3f, \"window\": %u, \"buffer_count\": %u, "
		     "\"sectors_per_frame\": %u}",
		mac, (unsigned long long)path->stats.frames_sent,
		(unsigned long long)path->stats.timeouts, (unsigned long long)path->stats.replies,
		(double)path->rtt.srtt_ns / NS_PER_MS, (double)rtt_rto_ns(&path->rtt) / NS_PER_MS,
		path->cwnd.window, path->buffer_count, engine_path_sectors(e, path));
}

void counters_json(FILE *out, const struct engine *e, const struct engine_target *t)
{
	const struct engine_stats *s = &e->stats;
	fprintf(out, "\"counters\": {\"frames_sent\": %llu, \"retransmits\": %llu, \"replies\": %llu, "
		     "\"late_replies\": %llu, \"duplicates\": %llu, \"strays\": %llu, "
		     "\"window_reductions\": %llu, \"splits\": %llu}, \"paths\": [",
		(unsigned long long)s->frames_sent, (unsigned long long)s->retransmits,
		(unsigned long long)s->replies, (unsigned long long)s->late_replies,
		(unsigned long long)s->duplicates, (unsigned long long)s->strays,
		(unsigned long long)s->window_reductions, (unsigned long long)s->splits);
	for (unsigned i = 0; i < t->path_count; i++) {
		if (i > 0)
			fputs(", ", out);
		path_json(out, e, &t->paths[i]);
	}
	fputc(']', out);
}
