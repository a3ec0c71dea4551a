/*
 * rtt.h - round-trip estimator and retransmit timeout for one path.
 *
 * Jacobson and Karels ("Congestion Avoidance and Control", 1988), as TCP uses
 * it (RFC 6298): a smoothed RTT and its mean deviation, timeout = srtt +
 * 4 * rttvar, doubled on every retry of the same request.  AoE has no
 * acknowledgements other than the reply, so this is the only clock we have.
 */
#ifndef AOEKIT_INITIATOR_RTT_H
#define AOEKIT_INITIATOR_RTT_H

#include <stdbool.h>
#include <stdint.h>

enum {
	RTT_INITIAL_RTO_NS = 250 * 1000 * 1000,  /* before any sample; the Linux driver starts there too */
	RTT_MIN_RTO_NS = 10 * 1000 * 1000,       /* a LAN RTT is tens of microseconds; scheduling noise is not */
};
#define RTT_MAX_RTO_NS (2ULL * 1000 * 1000 * 1000)

struct rtt_estimator {
	int64_t srtt_ns;
	int64_t rttvar_ns;
	bool sampled;
};

void rtt_init(struct rtt_estimator *rtt);
void rtt_sample(struct rtt_estimator *rtt, uint64_t sample_ns);
/* The timeout for a first transmission. */
uint64_t rtt_rto_ns(const struct rtt_estimator *rtt);
/* The timeout after `retries` retransmissions: doubled each time, never above the maximum. */
uint64_t rtt_backoff_ns(const struct rtt_estimator *rtt, unsigned retries);

#endif
