/*
 * counters.c - names, the printed table, JSON and the runner's TSV.
 */
#include "counters.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const names[C_COUNT] = {
	[C_FRAMES] = "frames",
	[C_BYTES] = "bytes",
	[C_FORWARDED] = "forwarded",
	[C_FORWARDED_BYTES] = "forwarded_bytes",
	[C_DROPPED] = "dropped",
	[C_DROP_LOSS] = "drop_loss",
	[C_DROP_MTU] = "drop_mtu",
	[C_DROP_DOWN] = "drop_down",
	[C_DROP_PARTITION] = "drop_partition",
	[C_DROP_QUEUE] = "drop_queue",
	[C_DROP_TX] = "drop_tx",
	[C_DUPLICATED] = "duplicated",
	[C_DELAYED] = "delayed",
	[C_REORDERED] = "reordered",
	[C_CORRUPTED] = "corrupted",
	[C_OVERRUN] = "overrun",
	[C_FASTPATH] = "fastpath",
};

static const char *const dir_names[2] = { "in", "out" };

const char *counter_name(int id)
{
	return id >= 0 && id < C_COUNT ? names[id] : "?";
}

int counter_lookup(const char *name)
{
	for (int i = 0; i < C_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* Short column titles for the table; the JSON uses the full names. */
static const struct {
	int id;
	const char *title;
} columns[] = {
	{ C_FRAMES, "frames" },     { C_BYTES, "bytes" },       { C_FORWARDED, "fwd" },
	{ C_DROPPED, "dropped" },   { C_DROP_LOSS, "loss" },    { C_DROP_MTU, "mtu" },
	{ C_DROP_DOWN, "down" },    { C_DROP_PARTITION, "part" }, { C_DROP_QUEUE, "queue" },
	{ C_DROP_TX, "tx" },        { C_DUPLICATED, "dup" },    { C_DELAYED, "delayed" },
	{ C_REORDERED, "reord" },   { C_CORRUPTED, "corrupt" }, { C_OVERRUN, "overrun" },
	{ C_FASTPATH, "kernel" },
};
enum { NCOLUMNS = sizeof(columns) / sizeof(columns[0]) };

void counters_print(FILE *out, const struct scenario *sc, const struct sim_counters *cnt)
{
	fprintf(out, "%s: counters of LAN %s after %.3f s (in = host->switch, out = switch->host)\n",
		SIM_PROG, sc->name, cnt->elapsed_s);
	fprintf(out, "%-15s %-3s", "host", "dir");
	for (int k = 0; k < NCOLUMNS; k++)
		fprintf(out, " %*s", k == 1 ? 12 : 9, columns[k].title);
	fputc('\n', out);
	for (int h = 0; h < sc->nhosts; h++) {
		for (int d = 0; d < 2; d++) {
			fprintf(out, "%-15s %-3s", sc->hosts[h].name, dir_names[d]);
			for (int k = 0; k < NCOLUMNS; k++)
				fprintf(out, " %*llu", k == 1 ? 12 : 9,
					(unsigned long long)cnt->port[h][d].c[columns[k].id]);
			fputc('\n', out);
		}
	}
	fprintf(out, "switch: %llu MACs learned, %llu frames flooded, %llu filtered\n",
		(unsigned long long)cnt->sw.learned, (unsigned long long)cnt->sw.flooded,
		(unsigned long long)cnt->sw.filtered);
	fflush(out);
}

static void json_dir(FILE *f, const struct dir_counters *d)
{
	fputc('{', f);
	for (int i = 0; i < C_COUNT; i++)
		fprintf(f, "%s\"%s\": %llu", i ? ", " : "", names[i], (unsigned long long)d->c[i]);
	fputc('}', f);
}

/* Write through a temporary file and rename, so readers see old or new, never half. */
static FILE *open_tmp(const char *path, char *tmp, size_t cap)
{
	snprintf(tmp, cap, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		sim_err("cannot write %s: %s", tmp, strerror(errno));
	return f;
}

static int close_tmp(FILE *f, const char *tmp, const char *path)
{
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		sim_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int counters_write_json(const char *path, const struct scenario *sc, const struct sim_counters *cnt)
{
	char tmp[4096];
	FILE *f = open_tmp(path, tmp, sizeof(tmp));
	if (!f)
		return -1;
	fprintf(f, "{\"lan\": \"%s\", \"seed\": %llu, \"elapsed_s\": %.6f,\n", sc->name,
		(unsigned long long)sc->seed, cnt->elapsed_s);
	fprintf(f, " \"switch\": {\"learned\": %llu, \"flooded\": %llu, \"filtered\": %llu},\n",
		(unsigned long long)cnt->sw.learned, (unsigned long long)cnt->sw.flooded,
		(unsigned long long)cnt->sw.filtered);
	fprintf(f, " \"ports\": [");
	for (int h = 0; h < sc->nhosts; h++) {
		char mac[18];
		const uint8_t *m = sc->hosts[h].mac;
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		fprintf(f, "%s\n  {\"port\": %d, \"host\": \"%s\", \"mac\": \"%s\", \"in\": ", h ? "," : "",
			h, sc->hosts[h].name, mac);
		json_dir(f, &cnt->port[h][DIR_IN]);
		fprintf(f, ",\n   \"out\": ");
		json_dir(f, &cnt->port[h][DIR_OUT]);
		fputc('}', f);
	}
	fprintf(f, "\n ]}\n");
	return close_tmp(f, tmp, path);
}

int counters_write_tsv(const char *path, const struct scenario *sc, const struct sim_counters *cnt)
{
	char tmp[4096];
	FILE *f = open_tmp(path, tmp, sizeof(tmp));
	if (!f)
		return -1;
	fprintf(f, "- - elapsed_ms %llu\n", (unsigned long long)(cnt->elapsed_s * 1000));
	for (int h = 0; h < sc->nhosts; h++)
		for (int d = 0; d < 2; d++)
			for (int i = 0; i < C_COUNT; i++)
				fprintf(f, "%s %s %s %llu\n", sc->hosts[h].name, dir_names[d], names[i],
					(unsigned long long)cnt->port[h][d].c[i]);
	return close_tmp(f, tmp, path);
}

int counters_read_tsv(const char *path, const struct scenario *sc, struct sim_counters *cnt)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	memset(cnt, 0, sizeof(*cnt));
	char host[64], dir[8], name[32];
	unsigned long long value;
	while (fscanf(f, "%63s %7s %31s %llu", host, dir, name, &value) == 4) {
		if (strcmp(name, "elapsed_ms") == 0) {
			cnt->elapsed_s = (double)value / 1000;
			continue;
		}
		int h = scenario_host_index(sc, host);
		int id = counter_lookup(name);
		int d = strcmp(dir, "out") == 0 ? DIR_OUT : DIR_IN;
		if (h >= 0 && id >= 0)
			cnt->port[h][d].c[id] = value;
	}
	fclose(f);
	return 0;
}
