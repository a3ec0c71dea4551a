/*
 * fault.c - loss, duplication, reordering, delay, jitter, corruption, rate
 * limit and MTU for one link direction.
 */
#include "fault.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

enum {
	ETH_HDR = 14,
	VLAN_TAG = 4,
	DEFAULT_QUEUE = 256 * 1024,
};

void fault_cfg_defaults(struct fault_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->reorder_gap = 1;
	cfg->reorder_hold_ns = 10 * NS_PER_MS;
	cfg->corrupt_bytes = 1;
	cfg->queue_bytes = DEFAULT_QUEUE;
}

bool fault_cfg_active(const struct fault_cfg *cfg)
{
	return cfg->loss > 0 || cfg->dup > 0 || cfg->reorder > 0 || cfg->corrupt > 0 ||
	       cfg->delay_ns || cfg->jitter_ns || cfg->rate_bps || cfg->ndown;
}

static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
	if (*used >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

void fault_cfg_format(const struct fault_cfg *c, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	if (c->loss > 0)
		append(buf, cap, &used, " loss %g%%", c->loss * 100);
	if (c->dup > 0)
		append(buf, cap, &used, " dup %g%%", c->dup * 100);
	if (c->reorder > 0)
		append(buf, cap, &used, " reorder %g%% reorder-gap %u", c->reorder * 100, c->reorder_gap);
	if (c->delay_ns)
		append(buf, cap, &used, " delay %gms", (double)c->delay_ns / 1e6);
	if (c->jitter_ns)
		append(buf, cap, &used, " jitter %gms", (double)c->jitter_ns / 1e6);
	if (c->corrupt > 0)
		append(buf, cap, &used, " corrupt %g%% corrupt-bytes %u%s", c->corrupt * 100, c->corrupt_bytes,
		       c->corrupt_header ? " corrupt-header" : "");
	if (c->rate_bps)
		append(buf, cap, &used, " rate %gmbit burst %llu queue %llu", (double)c->rate_bps / 1e6,
		       (unsigned long long)c->burst_bytes, (unsigned long long)c->queue_bytes);
	if (c->mtu)
		append(buf, cap, &used, " mtu %u", c->mtu);
	for (unsigned i = 0; i < c->ndown; i++) {
		if (c->down[i].end_ns == SIM_FOREVER)
			append(buf, cap, &used, " down %gs-", (double)c->down[i].start_ns / 1e9);
		else
			append(buf, cap, &used, " down %gs-%gs", (double)c->down[i].start_ns / 1e9,
			       (double)c->down[i].end_ns / 1e9);
	}
	if (used == 0)
		snprintf(buf, cap, "none");
	else
		memmove(buf, buf + 1, strlen(buf)); /* drop the leading space */
}

void fault_state_init(struct fault_state *st, uint64_t seed, uint64_t stream, uint64_t now)
{
	memset(st, 0, sizeof(*st));
	prng_seed(&st->rng, seed, stream);
	st->tb_time = now;
	st->last_due = now;
}

size_t fault_payload_len(const uint8_t *frame, size_t len)
{
	if (len < ETH_HDR)
		return 0;
	size_t hdr = ETH_HDR;
	/* An 802.1Q tag rides in front of the real EtherType and is not payload. */
	if (len >= ETH_HDR + VLAN_TAG && frame[12] == 0x81 && frame[13] == 0x00)
		hdr += VLAN_TAG;
	return len - hdr;
}

/*
 * Token bucket with a FIFO queue behind it: the departure is the first moment
 * the bucket holds the frame's bytes, never before the previous departure.
 * Returns false when the backlog that departure implies exceeds the queue.
 */
static bool rate_departure(const struct fault_cfg *cfg, struct fault_state *st, size_t bytes,
			   uint64_t now, uint64_t *departure)
{
	double bytes_per_ns = (double)cfg->rate_bps / 8e9;
	uint64_t t0 = now > st->tb_time ? now : st->tb_time;
	double tokens = st->tb_tokens + (double)(t0 - st->tb_time) * bytes_per_ns;
	double burst = (double)cfg->burst_bytes;
	if (tokens > burst)
		tokens = burst;
	uint64_t dep = t0;
	if (tokens >= (double)bytes) {
		tokens -= (double)bytes;
	} else {
		dep = t0 + (uint64_t)(((double)bytes - tokens) / bytes_per_ns);
		tokens = 0;
	}
	double backlog = (double)(dep - now) * bytes_per_ns;
	if (backlog > (double)cfg->queue_bytes)
		return false;
	st->tb_time = dep;
	st->tb_tokens = tokens;
	*departure = dep;
	return true;
}

static uint64_t delayed(const struct fault_cfg *cfg, struct fault_state *st, uint64_t t)
{
	uint64_t due = t + cfg->delay_ns;
	if (cfg->jitter_ns) {
		/* delay + U[-jitter, +jitter], but never before the frame arrived */
		due += prng_below(&st->rng, 2 * cfg->jitter_ns + 1);
		due = due >= t + cfg->jitter_ns ? due - cfg->jitter_ns : t;
	}
	if (due < st->last_due)
		due = st->last_due;
	st->last_due = due;
	return due;
}

void fault_plan(const struct fault_cfg *cfg, struct fault_state *st, const uint8_t *frame,
		size_t len, uint64_t now, struct fault_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->due_ns = now;
	if (cfg->mtu && fault_payload_len(frame, len) > cfg->mtu) {
		plan->verdict = FAULT_DROP_MTU;
		return;
	}
	/* The draws happen in a fixed order so a seed replays exactly. */
	if (prng_chance(&st->rng, cfg->loss)) {
		plan->verdict = FAULT_DROP_LOSS;
		return;
	}
	plan->corrupt = prng_chance(&st->rng, cfg->corrupt);
	plan->dup = prng_chance(&st->rng, cfg->dup);
	plan->hold = prng_chance(&st->rng, cfg->reorder);
	uint64_t departure = now;
	if (cfg->rate_bps && !rate_departure(cfg, st, plan->dup ? 2 * len : len, now, &departure)) {
		plan->verdict = FAULT_DROP_QUEUE;
		return;
	}
	plan->due_ns = delayed(cfg, st, departure);
}

void fault_corrupt(const struct fault_cfg *cfg, struct fault_state *st, uint8_t *frame, size_t len)
{
	size_t first = cfg->corrupt_header ? 0 : ETH_HDR;
	if (len <= first)
		return;
	for (unsigned i = 0; i < cfg->corrupt_bytes; i++) {
		size_t at = first + (size_t)prng_below(&st->rng, len - first);
		/* XOR with a non-zero value: the byte always changes. */
		frame[at] ^= (uint8_t)(1 + prng_below(&st->rng, 255));
	}
}
