/*
 * schedule.h - the timed events of a scenario: links going down and up,
 * partitions starting and ending, in seconds from the switch's start.
 *
 * The switch asks when the next event is due (to bound its sleep) and
 * advances the schedule to the present before judging frames; frames then
 * only read the resulting state.  Overlapping windows nest: a link is down
 * while any of its windows is open.
 */
#ifndef AOESIM_SCHEDULE_H
#define AOESIM_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

enum sched_kind { SCHED_LINK, SCHED_PARTITION };

struct sched_event {
	uint64_t at_ns;           /* since the start */
	enum sched_kind kind;
	bool begin;               /* down / partition starts; else up / ends */
	int index;                /* host (LINK) or partition */
	int dir;                  /* LINK */
};

struct schedule {
	struct sched_event *ev;
	int nev;
	int next;                 /* first event not yet applied */
	int down[SIM_MAX_HOSTS][2];    /* open down windows per direction */
	int part_active[SIM_MAX_PARTITIONS];
	bool any_partition;
};

int schedule_build(struct schedule *s, const struct scenario *sc);
void schedule_free(struct schedule *s);

/* Apply every event due at elapsed_ns, logging each on stdout. */
void schedule_advance(struct schedule *s, const struct scenario *sc, uint64_t elapsed_ns);
/* When the next event is due (since the start), SIM_FOREVER if none is left. */
uint64_t schedule_next(const struct schedule *s);

static inline bool schedule_link_down(const struct schedule *s, int host, int dir)
{
	return s->down[host][dir] > 0;
}

/* Whether an active partition puts hosts a and b in different groups. */
bool schedule_partitioned(const struct schedule *s, const struct scenario *sc, int a, int b);

#endif
