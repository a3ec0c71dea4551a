/*
 * rtt.c - Jacobson/Karels estimator with the RFC 6298 gains (1/8, 1/4).
 */
#include "rtt.h"

void rtt_init(struct rtt_estimator *rtt)
{
	rtt->srtt_ns = 0;
	rtt->rttvar_ns = 0;
	rtt->sampled = false;
}

void rtt_sample(struct rtt_estimator *rtt, uint64_t sample_ns)
{
	/* No real round trip takes a minute; the cap keeps srtt + 4 * rttvar far from overflow. */
	const uint64_t cap = 60ULL * 1000 * 1000 * 1000;
	int64_t sample = (int64_t)(sample_ns > cap ? cap : sample_ns);
	if (!rtt->sampled) {
		rtt->srtt_ns = sample;
		rtt->rttvar_ns = sample / 2;
		rtt->sampled = true;
		return;
	}
	int64_t deviation = rtt->srtt_ns - sample;
	if (deviation < 0)
		deviation = -deviation;
	rtt->rttvar_ns += (deviation - rtt->rttvar_ns) / 4;
	rtt->srtt_ns += (sample - rtt->srtt_ns) / 8;
}

uint64_t rtt_rto_ns(const struct rtt_estimator *rtt)
{
	if (!rtt->sampled)
		return RTT_INITIAL_RTO_NS;
	uint64_t rto = (uint64_t)(rtt->srtt_ns + 4 * rtt->rttvar_ns);
	if (rto < RTT_MIN_RTO_NS)
		return RTT_MIN_RTO_NS;
	return rto > RTT_MAX_RTO_NS ? RTT_MAX_RTO_NS : rto;
}

uint64_t rtt_backoff_ns(const struct rtt_estimator *rtt, unsigned retries)
{
	uint64_t rto = rtt_rto_ns(rtt);
	for (unsigned i = 0; i < retries && rto < RTT_MAX_RTO_NS; i++)
		rto *= 2;
	return rto > RTT_MAX_RTO_NS ? RTT_MAX_RTO_NS : rto;
}
