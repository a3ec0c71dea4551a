/*
 * scenario_text.c - turning a parsed scenario back into text: placeholder
 * expansion for commands, the canonical listing of `aoe-sim check`, and the
 * comparison operators of expect lines.
 */
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "scenario.h"
#include "util.h"

static bool put(char *out, size_t cap, size_t *used, const char *s, size_t len)
{
	if (*used + len >= cap)
		return false;
	memcpy(out + *used, s, len);
	*used += len;
	out[*used] = '\0';
	return true;
}

/* The value of one placeholder name (without braces) into val. */
static bool placeholder(const struct scenario *sc, int host, const char *name, const char *tmp,
			char *val, size_t cap)
{
	if (strcmp(name, "tmp") == 0) {
		snprintf(val, cap, "%s", tmp);
	} else if (strcmp(name, "lan") == 0) {
		snprintf(val, cap, "%s", sc->name);
	} else if (strcmp(name, "host") == 0) {
		snprintf(val, cap, "%s", sc->hosts[host].name);
	} else if (strncmp(name, "mac:", 4) == 0 || strncmp(name, "ns:", 3) == 0) {
		int h = scenario_host_index(sc, strchr(name, ':') + 1);
		if (h < 0)
			return false;
		const uint8_t *m = sc->hosts[h].mac;
		if (name[0] == 'm')
			snprintf(val, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
				 m[5]);
		else
			snprintf(val, cap, "%s-%s", sc->name, sc->hosts[h].name);
	} else {
		return false;
	}
	return true;
}

bool scenario_expand(const struct scenario *sc, int host, const char *command, const char *tmp,
		     char *out, size_t cap, char *err, size_t err_len)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *s = command; *s;) {
		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			if (!put(out, cap, &used, s, 1))
				goto overflow;
			s += 2;
			continue;
		}
		if (*s != '{') {
			if (!put(out, cap, &used, s++, 1))
				goto overflow;
			continue;
		}
		const char *close = strchr(s, '}');
		char name[64], val[512];
		if (!close || (size_t)(close - s - 1) >= sizeof(name)) {
			snprintf(err, err_len, "unclosed '{' in the command (write {{ for a brace)");
			return false;
		}
		memcpy(name, s + 1, (size_t)(close - s - 1));
		name[close - s - 1] = '\0';
		if (!placeholder(sc, host, name, tmp, val, sizeof(val))) {
			snprintf(err, err_len, "unknown placeholder {%s} ({tmp} {lan} {host} "
				 "{mac:HOST} {ns:HOST})", name);
			return false;
		}
		if (!put(out, cap, &used, val, strlen(val)))
			goto overflow;
		s = close + 1;
	}
	return true;
overflow:
	snprintf(err, err_len, "command longer than %zu bytes after expansion", cap - 1);
	return false;
}

const char *expect_op_str(enum expect_op op)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	return (unsigned)op < 6 ? ops[op] : "?";
}

bool expect_compare(enum expect_op op, uint64_t have, uint64_t want)
{
	switch (op) {
	case OP_EQ: return have == want;
	case OP_NE: return have != want;
	case OP_LT: return have < want;
	case OP_LE: return have <= want;
	case OP_GT: return have > want;
	case OP_GE: return have >= want;
	}
	return false;
}

static void print_window(const struct sim_window *w)
{
	if (w->end_ns == SIM_FOREVER)
		printf("%gs-", (double)w->start_ns / 1e9);
	else
		printf("%gs-%gs", (double)w->start_ns / 1e9, (double)w->end_ns / 1e9);
}

static void print_steps(const struct scenario *sc)
{
	for (int i = 0; i < sc->nsteps; i++) {
		const struct sim_step *st = &sc->steps[i];
		if (st->kind == STEP_SLEEP) {
			printf("sleep %gs\n", (double)st->sleep_ns / 1e9);
			continue;
		}
		if (st->kind == STEP_WAIT) {
			/* '#' starts only whole comment lines: the note goes above. */
			printf("# waits for line %d\n", sc->steps[st->wait_for].line);
			printf("wait %s timeout=%gs\n", sc->steps[st->wait_for].label,
			       (double)st->timeout_ns / 1e9);
			continue;
		}
		printf("run %s%s%s as=%s timeout=%gs: %s\n", sc->hosts[st->host].name,
		       st->bg ? " bg" : "", st->ready ? " ready" : "", st->label,
		       (double)st->timeout_ns / 1e9, st->command);
	}
}

static void print_expects(const struct scenario *sc)
{
	for (int i = 0; i < sc->nexpects; i++) {
		const struct sim_expect *e = &sc->expects[i];
		if (e->kind == EXPECT_COUNTER)
			printf("expect counter %s %s %s %s %llu\n", sc->hosts[e->host].name,
			       e->dir == DIR_IN ? "in" : "out", counter_name(e->counter),
			       expect_op_str(e->op), (unsigned long long)e->value);
		else if (e->kind == EXPECT_EXIT)
			printf("# the step of line %d\nexpect %s exit %d\n", sc->steps[e->step].line,
			       sc->steps[e->step].label, e->code);
		else
			printf("# the step of line %d\nexpect %s output %s\n", sc->steps[e->step].line,
			       sc->steps[e->step].label, e->text);
	}
}

void scenario_print(const struct scenario *sc)
{
	printf("lan %s mtu %u seed %llu\n", sc->name, sc->mtu, (unsigned long long)sc->seed);
	for (int h = 0; h < sc->nhosts; h++) {
		const struct sim_host *host = &sc->hosts[h];
		const uint8_t *m = host->mac;
		printf("host %s mtu %u mac %02x:%02x:%02x:%02x:%02x:%02x\n", host->name, host->mtu,
		       m[0], m[1], m[2], m[3], m[4], m[5]);
		for (int d = 0; d < 2; d++) {
			char text[512];
			fault_cfg_format(&host->fault[d], text, sizeof(text));
			printf("link %s %s %s\n", host->name, d == DIR_IN ? "in" : "out", text);
		}
	}
	for (int i = 0; i < sc->nparts; i++) {
		const struct sim_partition *part = &sc->parts[i];
		printf("partition ");
		print_window(&part->when);
		for (int g = 0, any = 1; any; g++) {
			any = 0;
			for (int h = 0; h < sc->nhosts; h++) {
				if (part->group[h] != g)
					continue;
				printf("%s%s", any ? "," : (g ? " | " : " "), sc->hosts[h].name);
				any = 1;
			}
		}
		putchar('\n');
	}
	print_steps(sc);
	print_expects(sc);
}
