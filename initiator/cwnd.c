/*
 * cwnd.c - additive increase, multiplicative decrease, capped by the buffer count.
 */
#include "cwnd.h"

void cwnd_init(struct cwnd *c, unsigned buffer_count, unsigned cap)
{
	unsigned limit = buffer_count < cap ? buffer_count : cap;
	if (limit == 0)
		limit = 1;
	*c = (struct cwnd){ .limit = limit, .window = limit / 2 ? limit / 2 : 1 };
	/* Start in congestion avoidance: half the buffer count, growing additively. */
	c->ssthresh = c->window;
}

void cwnd_on_reply(struct cwnd *c)
{
	if (c->window >= c->limit) {
		c->acked = 0;
		return;
	}
	if (c->window < c->ssthresh) {
		c->window++;
		return;
	}
	if (++c->acked >= c->window) {
		c->acked = 0;
		c->window++;
	}
}

bool cwnd_on_timeout(struct cwnd *c, uint64_t sent_ns, uint64_t now_ns, bool again)
{
	/*
	 * Requests sent before the last reduction were in flight when it was
	 * decided; their timeouts are the same congestion event, not a new one.
	 * A second timeout of one request is different: the path is silent.
	 */
	if (!again && c->reduced && sent_ns < c->reduced_ns)
		return false;
	if (again && c->window == 1)
		return false;
	c->prior = c->window;
	c->ssthresh = c->window / 2 ? c->window / 2 : 1;
	c->window = again ? 1 : c->ssthresh;
	c->acked = 0;
	c->reduced = true;
	c->reduced_ns = now_ns;
	c->reductions++;
	return true;
}

void cwnd_undo(struct cwnd *c)
{
	if (c->prior > c->window) {
		c->window = c->prior;
		if (c->ssthresh < c->prior)
			c->ssthresh = c->prior;
	}
	c->prior = 0;
}
