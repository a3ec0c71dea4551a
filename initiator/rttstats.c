/*
 * rttstats.c - running sums; no samples kept.
 */
#include "rttstats.h"

#include <math.h>

void rttstats_sent(struct rttstats *s)
{
	s->sent++;
}

void rttstats_add(struct rttstats *s, double ms)
{
	if (s->received == 0 || ms < s->min_ms)
		s->min_ms = ms;
	if (s->received == 0 || ms > s->max_ms)
		s->max_ms = ms;
	s->received++;
	s->sum_ms += ms;
	s->sum_sq_ms += ms * ms;
}

double rttstats_avg(const struct rttstats *s)
{
	return s->received ? s->sum_ms / (double)s->received : 0;
}

double rttstats_mdev(const struct rttstats *s)
{
	if (s->received == 0)
		return 0;
	double avg = rttstats_avg(s);
	double var = s->sum_sq_ms / (double)s->received - avg * avg;
	return var > 0 ? sqrt(var) : 0;
}

double rttstats_loss(const struct rttstats *s)
{
	if (s->sent == 0)
		return 0;
	return 100.0 * (double)(s->sent - s->received) / (double)s->sent;
}
