/*
 * schedule.c - link down/up and partition events, sorted by time.
 */
#include "schedule.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int add(struct schedule *s, struct sched_event ev)
{
	struct sched_event *grown = realloc(s->ev, sizeof(*grown) * (size_t)(s->nev + 1));
	if (!grown)
		return -1;
	s->ev = grown;
	s->ev[s->nev++] = ev;
	return 0;
}

/* Both ends of a window; an open window has no end event. */
static int add_window(struct schedule *s, const struct sim_window *w, enum sched_kind kind,
		      int index, int dir)
{
	struct sched_event ev = { .at_ns = w->start_ns, .kind = kind, .begin = true,
				  .index = index, .dir = dir };
	if (add(s, ev) < 0)
		return -1;
	if (w->end_ns == SIM_FOREVER)
		return 0;
	ev.at_ns = w->end_ns;
	ev.begin = false;
	return add(s, ev);
}

/* By time; at equal times ends before begins, so back-to-back windows stay closed. */
static int by_time(const void *a, const void *b)
{
	const struct sched_event *x = a, *y = b;
	if (x->at_ns != y->at_ns)
		return x->at_ns < y->at_ns ? -1 : 1;
	return (int)x->begin - (int)y->begin;
}

int schedule_build(struct schedule *s, const struct scenario *sc)
{
	memset(s, 0, sizeof(*s));
	for (int h = 0; h < sc->nhosts; h++)
		for (int d = 0; d < 2; d++) {
			const struct fault_cfg *f = &sc->hosts[h].fault[d];
			for (unsigned i = 0; i < f->ndown; i++)
				if (add_window(s, &f->down[i], SCHED_LINK, h, d) < 0)
					return -1;
		}
	for (int i = 0; i < sc->nparts; i++)
		if (add_window(s, &sc->parts[i].when, SCHED_PARTITION, i, 0) < 0)
			return -1;
	if (s->nev > 1)
		qsort(s->ev, (size_t)s->nev, sizeof(s->ev[0]), by_time);
	return 0;
}

void schedule_free(struct schedule *s)
{
	free(s->ev);
	s->ev = NULL;
}

static void apply(struct schedule *s, const struct scenario *sc, const struct sched_event *ev)
{
	int step = ev->begin ? 1 : -1;
	double t = (double)ev->at_ns / 1e9;
	if (ev->kind == SCHED_LINK) {
		s->down[ev->index][ev->dir] += step;
		sim_say("t=%.3fs link %s %s %s", t, sc->hosts[ev->index].name,
			ev->dir == DIR_IN ? "in" : "out", ev->begin ? "down" : "up");
		return;
	}
	s->part_active[ev->index] += step;
	s->any_partition = false;
	for (int i = 0; i < sc->nparts; i++)
		if (s->part_active[i] > 0)
			s->any_partition = true;
	sim_say("t=%.3fs partition %s %s", t, sc->parts[ev->index].text,
		ev->begin ? "begins" : "ends");
}

void schedule_advance(struct schedule *s, const struct scenario *sc, uint64_t elapsed_ns)
{
	while (s->next < s->nev && s->ev[s->next].at_ns <= elapsed_ns)
		apply(s, sc, &s->ev[s->next++]);
}

uint64_t schedule_next(const struct schedule *s)
{
	return s->next < s->nev ? s->ev[s->next].at_ns : SIM_FOREVER;
}

bool schedule_partitioned(const struct schedule *s, const struct scenario *sc, int a, int b)
{
	if (!s->any_partition)
		return false;
	for (int i = 0; i < sc->nparts; i++) {
		if (s->part_active[i] <= 0)
			continue;
		int ga = sc->parts[i].group[a], gb = sc->parts[i].group[b];
		/* A host named in no group is outside the partition and reaches everyone. */
		if (ga >= 0 && gb >= 0 && ga != gb)
			return true;
	}
	return false;
}
