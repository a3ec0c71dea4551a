/*
 * prng.h - a seeded pseudo-random generator (SplitMix64).
 *
 * Each link direction owns one generator seeded from the LAN seed, the port
 * and the direction, so the decisions on one direction depend only on the
 * frames that crossed it: a run with the same seed and the same traffic drops,
 * duplicates and corrupts exactly the same frames, whatever the other links
 * carried meanwhile.
 */
#ifndef AOESIM_PRNG_H
#define AOESIM_PRNG_H

#include <stdint.h>

struct prng {
	uint64_t state;
};

static inline uint64_t prng_next(struct prng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Mix the seed with the stream number so streams do not overlap or correlate. */
static inline void prng_seed(struct prng *r, uint64_t seed, uint64_t stream)
{
	r->state = seed ^ (stream * 0xd1b54a32d192ed03ull);
	(void)prng_next(r);
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double prng_unit(struct prng *r)
{
	return (double)(prng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* True with probability p (never draws when p is 0, so a zero fault costs nothing). */
static inline int prng_chance(struct prng *r, double p)
{
	return p > 0 && prng_unit(r) < p;
}

/* Uniform in [0, n) for n > 0. */
static inline uint64_t prng_below(struct prng *r, uint64_t n)
{
	return (uint64_t)(prng_unit(r) * (double)n) % n;
}

#endif
