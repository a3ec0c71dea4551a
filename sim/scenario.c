/*
 * scenario.c - the line-based scenario format (see docs/sim.md).
 *
 * One statement per line; '#' starts a comment line.  Words are separated by
 * blanks, except that everything after the first ':' of a run line is the
 * shell command, untouched.  Every error names the file and line.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "util.h"

enum {
	MAX_WORDS = 96,
	DEFAULT_FG_TIMEOUT_S = 300,
	DEFAULT_READY_TIMEOUT_S = 10,
	MAX_FILE = 1 << 20,
};

struct parser {
	struct scenario *sc;
	const char *file;
	int line;
	bool have_lan;
};

static bool perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: ", p->file, p->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* Split s in place on blanks. Returns the number of words, or -1 if too many. */
static int split_words(char *s, char **words, int max)
{
	int n = 0;
	for (char *tok = strtok(s, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		if (n == max)
			return -1;
		words[n++] = tok;
	}
	return n;
}

int scenario_host_index(const struct scenario *sc, const char *name)
{
	for (int i = 0; i < sc->nhosts; i++)
		if (strcmp(sc->hosts[i].name, name) == 0)
			return i;
	return -1;
}

static bool parse_mtu(struct parser *p, const char *text, unsigned *mtu)
{
	uint64_t v;
	if (!parse_u64(text, &v) || v < SIM_MIN_MTU || v > SIM_MAX_MTU)
		return perr(p, "bad MTU '%s' (%d..%d)", text ? text : "", SIM_MIN_MTU, SIM_MAX_MTU);
	*mtu = (unsigned)v;
	return true;
}

/* "3s-6s" or "3s-" (until the end). */
static bool parse_window(struct parser *p, const char *text, struct sim_window *w)
{
	char buf[64];
	const char *dash = text ? strchr(text, '-') : NULL;
	if (!dash || (size_t)(dash - text) >= sizeof(buf))
		return perr(p, "bad time window '%s' (FROM-TO or FROM-, e.g. 3s-6s)", text ? text : "");
	memcpy(buf, text, (size_t)(dash - text));
	buf[dash - text] = '\0';
	if (!parse_duration(buf, &w->start_ns))
		return perr(p, "bad start time '%s' in '%s'", buf, text);
	w->end_ns = SIM_FOREVER;
	if (dash[1] && (!parse_duration(dash + 1, &w->end_ns) || w->end_ns <= w->start_ns))
		return perr(p, "bad end time in '%s' (must be after the start)", text);
	return true;
}

/* lan NAME [mtu N] [seed N] */
static bool stmt_lan(struct parser *p, char **w, int n)
{
	struct scenario *sc = p->sc;
	if (p->have_lan)
		return perr(p, "a second 'lan' line");
	if (sc->nhosts > 0)
		return perr(p, "'lan' must come before the hosts");
	if (n < 2 || !valid_name(w[1], SIM_LAN_NAME_MAX))
		return perr(p, "lan needs a NAME (letters, digits, '_', '.', '-'; at most %d)",
			    SIM_LAN_NAME_MAX);
	snprintf(sc->name, sizeof(sc->name), "%s", w[1]);
	for (int i = 2; i < n; i += 2) {
		if (strcmp(w[i], "mtu") == 0) {
			if (!parse_mtu(p, i + 1 < n ? w[i + 1] : NULL, &sc->mtu))
				return false;
		} else if (strcmp(w[i], "seed") == 0) {
			if (i + 1 >= n || !parse_u64(w[i + 1], &sc->seed))
				return perr(p, "seed needs a number");
		} else {
			return perr(p, "unknown lan option '%s' (mtu, seed)", w[i]);
		}
	}
	p->have_lan = true;
	return true;
}

static void default_mac(int index, uint8_t mac[6])
{
	/* Locally administered, fixed per host: captures repeat byte for byte. */
	const uint8_t base[6] = { 0x02, 0xae, 0x00, 0x00, 0x00, 0x00 };
	memcpy(mac, base, 6);
	mac[4] = (uint8_t)((index + 1) >> 8);
	mac[5] = (uint8_t)(index + 1);
}

static bool parse_mac(const char *text, uint8_t mac[6])
{
	unsigned b[6];
	char tail;
	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return !(mac[0] & 1); /* a host's address is never multicast */
}

static bool host_option(struct parser *p, struct sim_host *h, const char *key, const char *val)
{
	if (strcmp(key, "mtu") == 0)
		return parse_mtu(p, val, &h->mtu);
	if (strcmp(key, "mac") == 0) {
		if (!val || !parse_mac(val, h->mac))
			return perr(p, "bad MAC '%s' (xx:xx:xx:xx:xx:xx, unicast)", val ? val : "");
		return true;
	}
	return perr(p, "unknown host option '%s' (mtu, mac)", key);
}

/* host NAME [mtu N] [mac MAC] */
static bool stmt_host(struct parser *p, char **w, int n)
{
	struct scenario *sc = p->sc;
	if (!p->have_lan)
		return perr(p, "'lan NAME' must come first");
	if (n < 2 || !valid_name(w[1], SIM_HOST_NAME_MAX) || strcmp(w[1], "sw") == 0 ||
	    strcmp(w[1], "all") == 0 || strcmp(w[1], "counter") == 0)
		return perr(p, "host needs a NAME (at most %d of letters, digits, '_', '.', '-'; "
			       "not sw, all or counter)", SIM_HOST_NAME_MAX);
	if (scenario_host_index(sc, w[1]) >= 0)
		return perr(p, "host %s declared twice", w[1]);
	if (sc->nhosts == SIM_MAX_HOSTS)
		return perr(p, "more than %d hosts", SIM_MAX_HOSTS);
	struct sim_host *h = &sc->hosts[sc->nhosts];
	snprintf(h->name, sizeof(h->name), "%s", w[1]);
	h->mtu = sc->mtu;
	default_mac(sc->nhosts, h->mac);
	fault_cfg_defaults(&h->fault[DIR_IN]);
	fault_cfg_defaults(&h->fault[DIR_OUT]);
	for (int i = 2; i < n; i += 2)
		if (!host_option(p, h, w[i], i + 1 < n ? w[i + 1] : NULL))
			return false;
	for (int i = 0; i < sc->nhosts; i++)
		if (memcmp(sc->hosts[i].mac, h->mac, 6) == 0)
			return perr(p, "host %s has the MAC of host %s", h->name, sc->hosts[i].name);
	sc->nhosts++;
	return true;
}

static bool want_percent(struct parser *p, const char *key, const char *val, double *out)
{
	if (!val || !parse_percent(val, out))
		return perr(p, "%s needs a percentage such as 10%% or 0.5%%", key);
	return true;
}

static bool want_duration(struct parser *p, const char *key, const char *val, uint64_t *out)
{
	if (!val || !parse_duration(val, out))
		return perr(p, "%s needs a duration such as 2ms, 500us or 1.5s", key);
	return true;
}

static bool want_count(struct parser *p, const char *key, const char *val, unsigned min,
		       unsigned max, unsigned *out)
{
	uint64_t v;
	if (!val || !parse_u64(val, &v) || v < min || v > max)
		return perr(p, "%s needs a number %u..%u", key, min, max);
	*out = (unsigned)v;
	return true;
}

static bool want_size(struct parser *p, const char *key, const char *val, uint64_t *out)
{
	if (!val || !parse_size(val, out) || *out == 0)
		return perr(p, "%s needs a size such as 1500, 64k or 1m", key);
	return true;
}

/* One fault keyword with its value (if it takes one); *used says how many words. */
static bool fault_option(struct parser *p, struct fault_cfg *f, const char *key, const char *val,
			 int *used)
{
	*used = 2;
	if (strcmp(key, "loss") == 0)
		return want_percent(p, key, val, &f->loss);
	if (strcmp(key, "dup") == 0)
		return want_percent(p, key, val, &f->dup);
	if (strcmp(key, "reorder") == 0)
		return want_percent(p, key, val, &f->reorder);
	if (strcmp(key, "corrupt") == 0)
		return want_percent(p, key, val, &f->corrupt);
	if (strcmp(key, "reorder-gap") == 0)
		return want_count(p, key, val, 1, 1000, &f->reorder_gap);
	if (strcmp(key, "reorder-hold") == 0)
		return want_duration(p, key, val, &f->reorder_hold_ns);
	if (strcmp(key, "corrupt-bytes") == 0)
		return want_count(p, key, val, 1, 65535, &f->corrupt_bytes);
	if (strcmp(key, "delay") == 0)
		return want_duration(p, key, val, &f->delay_ns);
	if (strcmp(key, "jitter") == 0)
		return want_duration(p, key, val, &f->jitter_ns);
	if (strcmp(key, "burst") == 0)
		return want_size(p, key, val, &f->burst_bytes);
	if (strcmp(key, "queue") == 0)
		return want_size(p, key, val, &f->queue_bytes);
	if (strcmp(key, "mtu") == 0)
		return parse_mtu(p, val, &f->mtu);
	if (strcmp(key, "rate") == 0) {
		if (!val || !parse_rate(val, &f->rate_bps))
			return perr(p, "rate needs a rate such as 100mbit, 512kbit or 1gbit");
		return true;
	}
	if (strcmp(key, "down") == 0) {
		if (f->ndown == FAULT_MAX_WINDOWS)
			return perr(p, "more than %d down windows on one link", FAULT_MAX_WINDOWS);
		return parse_window(p, val, &f->down[f->ndown++]);
	}
	*used = 1;
	if (strcmp(key, "corrupt-header") == 0) {
		f->corrupt_header = true;
		return true;
	}
	return perr(p, "unknown fault '%s' (loss dup reorder reorder-gap reorder-hold delay jitter "
		       "corrupt corrupt-bytes corrupt-header rate burst queue mtu down)", key);
}

/* Apply the fault words to one direction of one host. */
static bool link_apply(struct parser *p, struct fault_cfg *f, char **w, int n)
{
	for (int i = 0; i < n;) {
		int used;
		if (!fault_option(p, f, w[i], i + 1 < n ? w[i + 1] : NULL, &used))
			return false;
		i += used;
	}
	return true;
}

/* link HOST|all [in|out|both] FAULT... */
static bool stmt_link(struct parser *p, char **w, int n)
{
	struct scenario *sc = p->sc;
	if (n < 2)
		return perr(p, "link needs a HOST (or all)");
	int first = 0, last = sc->nhosts - 1;
	if (strcmp(w[1], "all") != 0) {
		first = last = scenario_host_index(sc, w[1]);
		if (first < 0)
			return perr(p, "link: no host %s (declare it with 'host' first)", w[1]);
	}
	int at = 2;
	bool in = true, out = true;
	if (n > 2 && (strcmp(w[2], "in") == 0 || strcmp(w[2], "out") == 0 ||
		      strcmp(w[2], "both") == 0)) {
		in = strcmp(w[2], "out") != 0;
		out = strcmp(w[2], "in") != 0;
		at = 3;
	}
	for (int h = first; h <= last; h++) {
		if (in && !link_apply(p, &sc->hosts[h].fault[DIR_IN], w + at, n - at))
			return false;
		if (out && !link_apply(p, &sc->hosts[h].fault[DIR_OUT], w + at, n - at))
			return false;
	}
	return true;
}

/* Members of one partition group: words with commas and blanks between names. */
static bool partition_group(struct parser *p, struct sim_partition *part, char *text, int group)
{
	int members = 0;
	for (char *name = strtok(text, ", \t"); name; name = strtok(NULL, ", \t")) {
		int h = scenario_host_index(p->sc, name);
		if (h < 0)
			return perr(p, "partition: no host %s", name);
		if (part->group[h] >= 0)
			return perr(p, "partition: host %s is in two groups", name);
		part->group[h] = (signed char)group;
		members++;
	}
	if (members == 0)
		return perr(p, "partition: an empty group");
	return true;
}

/* partition WINDOW A,B | C [| D...] */
static bool stmt_partition(struct parser *p, char *rest)
{
	struct scenario *sc = p->sc;
	if (sc->nparts == SIM_MAX_PARTITIONS)
		return perr(p, "more than %d partitions", SIM_MAX_PARTITIONS);
	struct sim_partition *part = &sc->parts[sc->nparts];
	memset(part->group, -1, sizeof(part->group));
	while (isspace((unsigned char)*rest))
		rest++;
	snprintf(part->text, sizeof(part->text), "%s", rest);
	char *groups = rest + strcspn(rest, " \t");
	if (*groups)
		*groups++ = '\0';
	if (!parse_window(p, rest, &part->when))
		return false;
	int ngroups = 0;
	for (char *save = NULL, *g = strtok_r(groups, "|", &save); g; g = strtok_r(NULL, "|", &save))
		if (!partition_group(p, part, g, ngroups++))
			return false;
	if (ngroups < 2)
		return perr(p, "partition needs two groups or more: partition 3s-6s a,b | c");
	sc->nparts++;
	return true;
}

static struct sim_step *new_step(struct parser *p)
{
	struct scenario *sc = p->sc;
	struct sim_step *steps = realloc(sc->steps, sizeof(*steps) * (size_t)(sc->nsteps + 1));
	if (!steps) {
		perr(p, "out of memory");
		return NULL;
	}
	sc->steps = steps;
	struct sim_step *st = &steps[sc->nsteps++];
	memset(st, 0, sizeof(*st));
	st->line = p->line;
	st->host = -1;
	return st;
}

static bool run_option(struct parser *p, struct sim_step *st, const char *opt)
{
	if (strcmp(opt, "bg") == 0) {
		st->bg = true;
	} else if (strcmp(opt, "ready") == 0) {
		st->ready = true;
	} else if (strncmp(opt, "as=", 3) == 0) {
		if (!valid_name(opt + 3, SIM_LABEL_MAX))
			return perr(p, "bad label '%s'", opt + 3);
		snprintf(st->label, sizeof(st->label), "%s", opt + 3);
	} else if (strncmp(opt, "timeout=", 8) == 0) {
		if (!parse_duration(opt + 8, &st->timeout_ns) || st->timeout_ns == 0)
			return perr(p, "bad timeout '%s'", opt + 8);
	} else {
		return perr(p, "unknown run option '%s' (bg, ready, as=LABEL, timeout=DUR)", opt);
	}
	return true;
}

/* run HOST [bg] [ready] [as=LABEL] [timeout=DUR]: COMMAND */
static bool stmt_run(struct parser *p, char *line)
{
	char *colon = strchr(line, ':');
	if (!colon)
		return perr(p, "run needs ': COMMAND' (run HOST [bg] [ready]: COMMAND)");
	*colon = '\0';
	char *command = colon + 1;
	while (isspace((unsigned char)*command))
		command++;
	command[strcspn(command, "\r\n")] = '\0';
	if (!*command)
		return perr(p, "run: empty command");
	char *w[MAX_WORDS];
	int n = split_words(line, w, MAX_WORDS);
	if (n < 2)
		return perr(p, "run needs a HOST");
	struct sim_step *st = new_step(p);
	if (!st)
		return false;
	st->kind = STEP_RUN;
	st->host = scenario_host_index(p->sc, w[1]);
	if (st->host < 0)
		return perr(p, "run: no host %s", w[1]);
	snprintf(st->label, sizeof(st->label), "%s", w[1]);
	for (int i = 2; i < n; i++)
		if (!run_option(p, st, w[i]))
			return false;
	if (st->ready && !st->bg)
		return perr(p, "'ready' is for bg commands");
	if (!st->timeout_ns)
		st->timeout_ns = (st->bg ? DEFAULT_READY_TIMEOUT_S : DEFAULT_FG_TIMEOUT_S) * NS_PER_SEC;
	st->command = strdup(command);
	if (!st->command)
		return perr(p, "out of memory");
	char out[8192], err[160];
	if (!scenario_expand(p->sc, st->host, st->command, "/tmp/x", out, sizeof(out), err,
			     sizeof(err)))
		return perr(p, "run: %s", err);
	return true;
}

static bool stmt_sleep(struct parser *p, char **w, int n)
{
	struct sim_step *st;
	if (n != 2)
		return perr(p, "sleep needs one duration");
	if (!(st = new_step(p)))
		return false;
	st->kind = STEP_SLEEP;
	return want_duration(p, "sleep", w[1], &st->sleep_ns);
}

static int find_step(const struct scenario *sc, const char *name);

/* wait LABEL [timeout=DUR]: until a bg command ends */
static bool stmt_wait(struct parser *p, char **w, int n)
{
	if (n < 2 || n > 3)
		return perr(p, "wait LABEL [timeout=DUR]");
	int target = find_step(p->sc, w[1]);
	if (target < 0 || !p->sc->steps[target].bg)
		return perr(p, "wait: no bg command labelled %s before this line", w[1]);
	struct sim_step *st = new_step(p);
	if (!st)
		return false;
	st->kind = STEP_WAIT;
	st->wait_for = target;
	st->timeout_ns = DEFAULT_FG_TIMEOUT_S * NS_PER_SEC;
	if (n == 3 && (strncmp(w[2], "timeout=", 8) != 0 ||
		       !parse_duration(w[2] + 8, &st->timeout_ns) || st->timeout_ns == 0))
		return perr(p, "wait: bad option '%s' (timeout=DUR)", w[2]);
	return true;
}

static struct sim_expect *new_expect(struct parser *p)
{
	struct scenario *sc = p->sc;
	struct sim_expect *e = realloc(sc->expects, sizeof(*e) * (size_t)(sc->nexpects + 1));
	if (!e) {
		perr(p, "out of memory");
		return NULL;
	}
	sc->expects = e;
	e = &e[sc->nexpects++];
	memset(e, 0, sizeof(*e));
	e->line = p->line;
	return e;
}

static bool parse_op(const char *text, enum expect_op *op)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	for (int i = 0; i < 6; i++) {
		if (strcmp(text, ops[i]) == 0) {
			*op = (enum expect_op)i;
			return true;
		}
	}
	return false;
}

/* expect counter HOST in|out NAME OP VALUE */
static bool expect_counter(struct parser *p, struct sim_expect *e, char **w, int n)
{
	e->kind = EXPECT_COUNTER;
	if (n != 7)
		return perr(p, "expect counter HOST in|out NAME OP VALUE");
	e->host = scenario_host_index(p->sc, w[2]);
	if (e->host < 0)
		return perr(p, "expect counter: no host %s", w[2]);
	if (strcmp(w[3], "in") != 0 && strcmp(w[3], "out") != 0)
		return perr(p, "expect counter: direction is in or out, not '%s'", w[3]);
	e->dir = strcmp(w[3], "in") == 0 ? DIR_IN : DIR_OUT;
	e->counter = counter_lookup(w[4]);
	if (e->counter < 0)
		return perr(p, "expect counter: no counter '%s' (see docs/sim.md)", w[4]);
	if (!parse_op(w[5], &e->op))
		return perr(p, "expect counter: operator is ==, !=, <, <=, > or >=");
	if (!parse_u64(w[6], &e->value))
		return perr(p, "expect counter: bad value '%s'", w[6]);
	return true;
}

/* The last run step before this line whose label or host is name. */
static int find_step(const struct scenario *sc, const char *name)
{
	for (int i = sc->nsteps - 1; i >= 0; i--) {
		const struct sim_step *st = &sc->steps[i];
		if (st->kind == STEP_RUN &&
		    (strcmp(st->label, name) == 0 || strcmp(sc->hosts[st->host].name, name) == 0))
			return i;
	}
	return -1;
}

/* expect LABEL exit N | expect LABEL output TEXT | expect counter ... */
static bool stmt_expect(struct parser *p, char *rest)
{
	char copy[1024];
	snprintf(copy, sizeof(copy), "%s", rest);
	char *w[MAX_WORDS];
	int n = split_words(copy, w, MAX_WORDS);
	struct sim_expect *e = new_expect(p);
	if (!e)
		return false;
	if (n >= 1 && strcmp(w[0], "counter") == 0) {
		char *all[MAX_WORDS + 1] = { "expect" };
		memcpy(all + 1, w, sizeof(w[0]) * (size_t)n);
		return expect_counter(p, e, all, n + 1);
	}
	if (n < 3)
		return perr(p, "expect LABEL exit N, expect LABEL output TEXT, or expect counter ...");
	e->step = find_step(p->sc, w[0]);
	if (e->step < 0)
		return perr(p, "expect: no command labelled %s before this line", w[0]);
	if (strcmp(w[1], "exit") == 0) {
		uint64_t code;
		if (n != 3 || !parse_u64(w[2], &code) || code > 255)
			return perr(p, "expect %s exit needs a status 0..255", w[0]);
		e->kind = EXPECT_EXIT;
		e->code = (int)code;
		return true;
	}
	if (strcmp(w[1], "output") == 0) {
		/* The text is the rest of the line after "output", as written. */
		const char *text = rest + (w[1] - copy) + strlen("output");
		while (isspace((unsigned char)*text))
			text++;
		e->kind = EXPECT_OUTPUT;
		e->text = strdup(text);
		if (!e->text)
			return perr(p, "out of memory");
		e->text[strcspn(e->text, "\r\n")] = '\0';
		return true;
	}
	return perr(p, "expect: '%s' is not exit, output or counter", w[1]);
}

static bool statement(struct parser *p, char *line)
{
	char head[32] = "";
	sscanf(line, "%31s", head);
	char *rest = line + strspn(line, " \t");
	rest += strlen(head);
	if (strcmp(head, "run") == 0)
		return stmt_run(p, line);
	if (strcmp(head, "partition") == 0)
		return stmt_partition(p, rest);
	if (strcmp(head, "expect") == 0)
		return stmt_expect(p, rest);
	char *w[MAX_WORDS];
	int n = split_words(line, w, MAX_WORDS);
	if (n < 0)
		return perr(p, "too many words");
	if (strcmp(head, "lan") == 0)
		return stmt_lan(p, w, n);
	if (strcmp(head, "host") == 0)
		return stmt_host(p, w, n);
	if (strcmp(head, "link") == 0)
		return stmt_link(p, w, n);
	if (strcmp(head, "sleep") == 0)
		return stmt_sleep(p, w, n);
	if (strcmp(head, "wait") == 0)
		return stmt_wait(p, w, n);
	return perr(p, "unknown statement '%s' (lan, host, link, partition, run, sleep, wait, "
		       "expect)", head);
}

/* After the last line: links without an MTU get their host's. */
static bool finish(struct parser *p)
{
	struct scenario *sc = p->sc;
	if (!p->have_lan)
		return perr(p, "no 'lan NAME' line");
	if (sc->nhosts < 1)
		return perr(p, "no hosts");
	for (int h = 0; h < sc->nhosts; h++) {
		for (int d = 0; d < 2; d++) {
			struct fault_cfg *f = &sc->hosts[h].fault[d];
			if (!f->mtu)
				f->mtu = sc->hosts[h].mtu;
			/* A bucket smaller than one frame would never let a frame through. */
			uint64_t min_burst = (uint64_t)f->mtu + 18;
			if (f->burst_bytes < min_burst)
				f->burst_bytes = min_burst;
		}
	}
	return true;
}

struct scenario *scenario_parse(const char *text, const char *name)
{
	struct scenario *sc = calloc(1, sizeof(*sc));
	char *copy = strdup(text);
	if (!sc || !copy) {
		free(sc);
		free(copy);
		sim_err("out of memory");
		return NULL;
	}
	snprintf(sc->path, sizeof(sc->path), "%s", name);
	sc->mtu = SIM_DEFAULT_MTU;
	sc->seed = 1;
	struct parser p = { .sc = sc, .file = name };
	bool ok = true;
	char *save = NULL;
	/* strtok_r on "\n" would skip empty lines and lose the numbering. */
	for (char *line = copy; ok && line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		else if (*line == '\0')
			break;  /* after the final newline: no line, so "no hosts" names the last one */
		p.line++;
		char *s = line + strspn(line, " \t\r");
		if (*s == '\0' || *s == '#')
			continue;
		ok = statement(&p, s);
	}
	free(copy);
	if (ok)
		ok = finish(&p);
	if (!ok) {
		scenario_free(sc);
		return NULL;
	}
	return sc;
}

struct scenario *scenario_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		sim_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	char *text = malloc(MAX_FILE + 1);
	size_t len = text ? fread(text, 1, MAX_FILE + 1, f) : 0;
	fclose(f);
	if (!text || len > MAX_FILE) {
		sim_err("%s: %s", path, text ? "larger than 1 MiB" : "out of memory");
		free(text);
		return NULL;
	}
	text[len] = '\0';
	struct scenario *sc = scenario_parse(text, path);
	free(text);
	return sc;
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	for (int i = 0; i < sc->nsteps; i++)
		free(sc->steps[i].command);
	for (int i = 0; i < sc->nexpects; i++)
		free(sc->expects[i].text);
	free(sc->steps);
	free(sc->expects);
	free(sc);
}

bool scenario_rename(struct scenario *sc, const char *name)
{
	if (!valid_name(name, SIM_LAN_NAME_MAX))
		return false;
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	return true;
}
