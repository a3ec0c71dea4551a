/*
 * rttstats.h - minimum, average, maximum and mean deviation of round-trip
 * times, as ping prints them.  Pure arithmetic.
 */
#ifndef AOEKIT_INITIATOR_RTTSTATS_H
#define AOEKIT_INITIATOR_RTTSTATS_H

#include <stdint.h>

struct rttstats {
	uint64_t sent;
	uint64_t received;
	double min_ms, max_ms;
	double sum_ms, sum_sq_ms;
};

void rttstats_sent(struct rttstats *s);
void rttstats_add(struct rttstats *s, double ms);
double rttstats_avg(const struct rttstats *s);
/* sqrt(E[x^2] - E[x]^2), as iputils ping's "mdev". */
double rttstats_mdev(const struct rttstats *s);
/* Percent of probes unanswered, 0 when none was sent. */
double rttstats_loss(const struct rttstats *s);

#endif
