/*
 * clock.h - the one clock the initiator measures with: monotonic nanoseconds.
 *
 * Round-trip times, retransmit deadlines and transfer rates all come from it,
 * so a wall-clock step (NTP, an operator) never fires a false timeout.
 */
#ifndef AOEKIT_INITIATOR_CLOCK_H
#define AOEKIT_INITIATOR_CLOCK_H

#include <stdint.h>
#include <time.h>

enum { NS_PER_MS = 1000000, NS_PER_S = 1000000000 };

static inline uint64_t clock_now_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * NS_PER_S + (uint64_t)now.tv_nsec;
}

static inline double clock_ns_to_s(uint64_t ns)
{
	return (double)ns / NS_PER_S;
}

#endif
