/*
 * aoe_bench.c - a load generator for AoE targets, for `make bench`.
 *
 * It keeps a fixed number of ATA requests in flight against one target
 * (closed loop), or offers a fixed rate (open loop, bounded by the same
 * window), and reports IOPS, throughput, latency percentiles, retransmits and
 * its own CPU time.  Frames are built and parsed by the project's codec and
 * moved in batches by the shared raw port, so the generator costs little per
 * request and the target, not the generator, is the limit.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "aoe.h"
#include "ata.h"
#include "l2port.h"

enum {
	SLOTS_MAX = 256,
	FRAME_CAP = 9216,
	HIST_FINE = 4096,       /* latency histogram: 1 us buckets up to 4 ms, */
	HIST_COARSE_US = 100,   /* then 100 us buckets up to 1 s, */
	HIST_BUCKETS = HIST_FINE + 10000,  /* then overflow */
	BATCH = 64,
	SCAN_MS = 5,            /* retransmission scan period while waiting for replies */
};

enum mode { MODE_SEQ_READ, MODE_RAND_READ, MODE_SEQ_WRITE };

struct slot {
	bool busy;
	uint32_t tag;
	uint64_t lba;
	double sent_at;         /* first transmission of this request */
	double deadline;
	unsigned tries;
};

struct bench {
	struct l2port port;
	uint16_t shelf;
	uint8_t slot_addr;
	uint8_t target_mac[AOE_MAC_LEN];
	uint64_t target_sectors;
	unsigned sectors_per_request;
	unsigned inflight;
	enum mode mode;
	double duration;
	double rate;            /* requests per second offered; 0 = closed loop */
	unsigned burst;         /* offers come this many at a time (rate / burst times a second) */
	unsigned burst_left;    /* offers still due in the current burst */
	double timeout;
	bool json;
	bool verify;            /* writes carry a pattern of their LBA; reads check it */
	bool no_ring;           /* receive with recvmmsg, not through a memory-mapped ring */
	double spin;            /* seconds to look at the ring before sleeping */
	double spun;            /* seconds spent looking (idle, though on the CPU) */
	uint64_t span;          /* sectors addressed from LBA 0 (0: the whole target) */

	struct slot slots[SLOTS_MAX];
	uint32_t generation;
	uint64_t next_lba;
	uint64_t rng;
	uint64_t completed, retransmits, errors, strays, mismatches;
	uint64_t histogram[HIST_BUCKETS + 1];
	uint8_t *tx_memory;
	uint8_t *rx_memory;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(struct bench *b)
{
	/* xorshift64*: reproducible and cheap */
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t choose_lba(struct bench *b)
{
	uint64_t sectors = b->span && b->span < b->target_sectors ? b->span : b->target_sectors;
	uint64_t span = sectors / b->sectors_per_request;
	uint64_t index;
	if (b->mode == MODE_RAND_READ) {
		index = next_random(b) % span;
	} else {
		index = b->next_lba++ % span;
	}
	return index * b->sectors_per_request;
}

/* A request header to our target (or broadcast until we know its MAC). */
static struct aoe_frame request_frame(const struct bench *b, const uint8_t *dst, uint8_t command,
				      uint32_t tag)
{
	struct aoe_frame f = { .has_arg = true };
	memcpy(f.hdr.dst, dst, AOE_MAC_LEN);
	memcpy(f.hdr.src, b->port.mac, AOE_MAC_LEN);
	f.hdr.version = AOE_VERSION;
	f.hdr.shelf = b->shelf;
	f.hdr.slot = b->slot_addr;
	f.hdr.command = command;
	f.hdr.tag = tag;
	return f;
}

/* What --verify expects in sector lba: its number in every word, so any mix-up shows. */
static uint64_t pattern_word(uint64_t lba, unsigned word)
{
	return (lba * 0x9e3779b97f4a7c15ULL) ^ word;
}

static void fill_pattern(uint8_t *data, uint64_t lba, unsigned sectors)
{
	for (unsigned s = 0; s < sectors; s++)
		for (unsigned w = 0; w < AOE_SECTOR_SIZE / 8; w++) {
			uint64_t v = pattern_word(lba + s, w);
			memcpy(data + (size_t)s * AOE_SECTOR_SIZE + w * 8, &v, 8);
		}
}

static bool pattern_matches(const uint8_t *data, uint64_t lba, unsigned sectors)
{
	for (unsigned s = 0; s < sectors; s++)
		for (unsigned w = 0; w < AOE_SECTOR_SIZE / 8; w++) {
			uint64_t v;
			memcpy(&v, data + (size_t)s * AOE_SECTOR_SIZE + w * 8, 8);
			if (v != pattern_word(lba + s, w))
				return false;
		}
	return true;
}

static size_t build_request(struct bench *b, uint8_t *buf, unsigned slot_index)
{
	struct slot *s = &b->slots[slot_index];
	bool write = b->mode == MODE_SEQ_WRITE;
	struct aoe_frame f = request_frame(b, b->target_mac, AOE_CMD_ATA, s->tag);
	f.arg.ata.aflags = AOE_AFLAG_EXT | (write ? AOE_AFLAG_WRITE : 0);
	f.arg.ata.sector_count = (uint8_t)b->sectors_per_request;
	f.arg.ata.command_status = write ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_READ_SECTORS_EXT;
	f.arg.ata.lba = s->lba;
	/* Write data: whatever the buffer holds, unless it is to be checked later. */
	f.arg.ata.data = buf + AOE_ATA_HDR_LEN;
	if (write && b->verify)
		fill_pattern(buf + AOE_ATA_HDR_LEN, s->lba, b->sectors_per_request);
	f.arg.ata.data_len = write ? (size_t)b->sectors_per_request * AOE_SECTOR_SIZE : 0;
	size_t len = aoe_build(buf, FRAME_CAP, &f);
	return aoe_pad(buf, len, FRAME_CAP);
}

/* Tag: slot index in the low byte, a generation above it, bit 31 clear. */
static uint32_t new_tag(struct bench *b, unsigned slot_index)
{
	b->generation = (b->generation + 1) & 0x7fffff;
	return b->generation << 8 | slot_index;
}

static void record_latency(struct bench *b, double seconds)
{
	double micros = seconds * 1e6;
	size_t bucket = micros < HIST_FINE ? (size_t)micros
					   : HIST_FINE + (size_t)((micros - HIST_FINE) / HIST_COARSE_US);
	b->histogram[bucket > HIST_BUCKETS ? HIST_BUCKETS : bucket]++;
}

static double percentile(const struct bench *b, double fraction)
{
	uint64_t total = 0;
	for (size_t i = 0; i <= HIST_BUCKETS; i++)
		total += b->histogram[i];
	uint64_t wanted = (uint64_t)ceil(fraction * (double)total);
	uint64_t seen = 0;
	for (size_t i = 0; i <= HIST_BUCKETS; i++) {
		seen += b->histogram[i];
		if (seen >= wanted && total > 0)
			return i < HIST_FINE ? (double)i + 0.5
					     : HIST_FINE + ((double)(i - HIST_FINE) + 0.5) * HIST_COARSE_US;
	}
	return 0;
}

static void handle_reply(struct bench *b, const uint8_t *buf, size_t len, double now)
{
	struct aoe_frame f;
	if (aoe_parse_response(buf, len, &f) != AOE_PARSE_OK || f.hdr.command != AOE_CMD_ATA) {
		b->strays++;
		return;
	}
	unsigned index = f.hdr.tag & 0xff;
	struct slot *s = &b->slots[index];
	/* Another generator on the same wire sees our replies and we theirs: check the destination. */
	if (index >= b->inflight || !s->busy || s->tag != f.hdr.tag ||
	    memcmp(f.hdr.src, b->target_mac, AOE_MAC_LEN) != 0 ||
	    memcmp(f.hdr.dst, b->port.mac, AOE_MAC_LEN) != 0) {
		b->strays++;
		return;
	}
	if ((f.hdr.flags & AOE_FLAG_ERROR) || !f.has_arg ||
	    (f.arg.ata.command_status & ATA_STATUS_FAILED_MASK))
		b->errors++;
	else if (b->verify && b->mode != MODE_SEQ_WRITE &&
		 (f.arg.ata.data_len < (size_t)b->sectors_per_request * AOE_SECTOR_SIZE ||
		  !pattern_matches(f.arg.ata.data, s->lba, b->sectors_per_request)))
		b->mismatches++;
	record_latency(b, now - s->sent_at);
	s->busy = false;
	b->completed++;
}

/*
 * The replies waiting now, without sleeping.  With a receive ring they are
 * read where the kernel put them (give them back with done_with); without,
 * they are copied into rx_memory.
 */
static int take(struct bench *b, struct l2frame *frames)
{
	if (b->port.ring)
		return l2port_peek(&b->port, frames, BATCH);
	for (unsigned i = 0; i < BATCH; i++)
		frames[i] = (struct l2frame){ .buf = b->rx_memory + (size_t)i * FRAME_CAP, .cap = FRAME_CAP };
	return l2port_recv(&b->port, frames, BATCH);
}

static void done_with(struct bench *b)
{
	l2port_release(&b->port);
}

/*
 * Sleep until a reply arrives or wake_at passes (0: until a reply or the
 * retransmission scan is due).  ppoll's timer is precise, which an open loop
 * needs for its next offer.  Returns whether a reply may be waiting.
 */
static bool sleep_for_replies(struct bench *b, double wake_at)
{
	double now = now_seconds();
	if (wake_at != 0 && wake_at <= now)
		return true;
	double wait = wake_at == 0 ? SCAN_MS / 1000.0 : wake_at - now;
	struct timespec ts = { .tv_sec = (time_t)wait,
			       .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9) };
	struct pollfd pfd = { .fd = b->port.fd, .events = POLLIN };
	return ppoll(&pfd, 1, &ts, NULL) > 0;
}

/*
 * --spin: keep looking at the ring for a while before sleeping, since sleeping
 * and being woken cost more than a short wait.  The time spent looking counts
 * as idle in the generator's busy share.
 */
static int spin_take(struct bench *b, struct l2frame *frames, double wake_at)
{
	double start = now_seconds(), now = start, until = start + b->spin;
	if (wake_at != 0 && wake_at < until)
		until = wake_at;
	int got = 0;
	while (got == 0 && now < until) {
		got = take(b, frames);
		now = now_seconds();
	}
	b->spun += now - start;
	return got;
}

/* Handle every reply waiting, sleeping first if none is (see sleep_for_replies). */
static void receive_replies(struct bench *b, double wake_at)
{
	struct l2frame frames[BATCH];
	int got = take(b, frames);
	if (got == 0 && b->spin > 0 && b->port.ring)
		got = spin_take(b, frames, wake_at);
	if (got == 0) {
		done_with(b);
		if (!sleep_for_replies(b, wake_at))
			return;
		got = take(b, frames);
	}
	while (got > 0) {
		double now = now_seconds();
		for (int i = 0; i < got; i++)
			handle_reply(b, frames[i].buf, frames[i].len, now);
		done_with(b);
		got = got == BATCH ? take(b, frames) : 0;
	}
	done_with(b);
}

/*
 * Whether an offer is due now.  Offers come in bursts of b->burst (1: evenly
 * spaced), as an initiator sends the frames of one block request back to back.
 */
static bool take_offer(struct bench *b, double now, double *next_offer)
{
	if (b->burst_left == 0) {
		if (now < *next_offer)
			return false;
		/* A full window defers offers; do not let them pile up into a bigger burst. */
		if (*next_offer < now - 0.001)
			*next_offer = now - 0.001;
		*next_offer += (double)b->burst / b->rate;
		b->burst_left = b->burst;
	}
	b->burst_left--;
	return true;
}

/* Queue new requests and retransmissions; send them with one call. */
static void send_requests(struct bench *b, double now, double *next_offer, bool offering)
{
	struct l2frame frames[SLOTS_MAX];
	unsigned count = 0;
	for (unsigned i = 0; i < b->inflight; i++) {
		struct slot *s = &b->slots[i];
		if (s->busy && now < s->deadline)
			continue;
		if (s->busy) {
			b->retransmits++;
			s->tries++;
		} else {
			if (!offering || (b->rate > 0 && !take_offer(b, now, next_offer)))
				continue;
			s->busy = true;
			s->tries = 0;
			s->lba = choose_lba(b);
			s->sent_at = now;
		}
		s->tag = new_tag(b, i);
		double backoff = b->timeout * (double)(1u << (s->tries > 6 ? 6 : s->tries));
		s->deadline = now + backoff;
		uint8_t *buf = b->tx_memory + (size_t)i * FRAME_CAP;
		frames[count++] = (struct l2frame){ .buf = buf, .len = build_request(b, buf, i) };
	}
	if (count > 0)
		l2port_send(&b->port, frames, count);
}

static unsigned busy_count(const struct bench *b)
{
	unsigned busy = 0;
	for (unsigned i = 0; i < b->inflight; i++)
		busy += b->slots[i].busy;
	return busy;
}

static void run(struct bench *b)
{
	double start = now_seconds();
	double next_offer = start;
	double end = start + b->duration;
	double now = start;
	/* After the offered period, let what is in flight finish (bounded). */
	while (now < end || (busy_count(b) > 0 && now < end + 2.0)) {
		send_requests(b, now, &next_offer, now < end);
		/* An open loop with room in its window wakes for its next offer. */
		bool pacing = b->rate > 0 && now < end && busy_count(b) < b->inflight;
		receive_replies(b, pacing ? next_offer : 0);
		now = now_seconds();
	}
	b->duration = now - start;
}

/* Send q until a reply with its tag arrives (20 tries, 250 ms apart); 0 or -1. */
static int transact(struct bench *b, const struct aoe_frame *q, struct aoe_frame *reply)
{
	uint8_t *buf = b->tx_memory;
	size_t len = aoe_pad(buf, aoe_build(buf, FRAME_CAP, q), FRAME_CAP);
	struct l2frame frame = { .buf = buf, .len = len };
	for (int attempt = 0; attempt < 20; attempt++) {
		l2port_send(&b->port, &frame, 1);
		double until = now_seconds() + 0.25;
		while (now_seconds() < until) {
			if (l2port_wait(&b->port, 50) <= 0)
				continue;
			struct l2frame in = { .buf = b->rx_memory, .cap = FRAME_CAP };
			if (l2port_recv(&b->port, &in, 1) == 1 &&
			    aoe_parse_response(in.buf, in.len, reply) == AOE_PARSE_OK &&
			    reply->hdr.tag == q->hdr.tag && reply->hdr.shelf == b->shelf &&
			    reply->hdr.slot == b->slot_addr && reply->has_arg)
				return 0;
		}
	}
	fprintf(stderr, "aoe-bench: e%u.%u: no reply to %s on %s\n", b->shelf, b->slot_addr,
		aoe_command_str(q->hdr.command), b->port.ifname);
	return -1;
}

/* Learn the target's MAC, sector count per frame and capacity. */
static int locate_target(struct bench *b)
{
	static const uint8_t broadcast[AOE_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct aoe_frame reply;
	struct aoe_frame q = request_frame(b, broadcast, AOE_CMD_CONFIG, 0x12345);
	if (transact(b, &q, &reply) < 0)
		return -1;
	memcpy(b->target_mac, reply.hdr.src, AOE_MAC_LEN);
	unsigned limit = reply.arg.cfg.sector_count ? reply.arg.cfg.sector_count : 2;
	unsigned mtu_limit = aoe_sectors_for_mtu(b->port.mtu);
	if (b->sectors_per_request == 0)
		b->sectors_per_request = limit < mtu_limit ? limit : mtu_limit;

	q = request_frame(b, b->target_mac, AOE_CMD_ATA, 0x23456);
	q.arg.ata.sector_count = 1;
	q.arg.ata.command_status = ATA_CMD_IDENTIFY;
	q.arg.ata.lba = 0xa0000000ULL;
	if (transact(b, &q, &reply) < 0 || reply.arg.ata.data_len < ATA_IDENTIFY_LEN)
		return -1;
	struct ata_identity id;
	ata_identify_decode(reply.arg.ata.data, &id);
	b->target_sectors = id.sectors;
	return b->target_sectors >= b->sectors_per_request ? 0 : -1;
}

/* Room for every reply in flight, twice over; a small ring stays in the cache. */
static unsigned ring_frames(const struct bench *b)
{
	return b->inflight * 4 < 64 ? 64 : b->inflight * 4;
}

static double cpu_seconds(void)
{
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
	       (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

/*
 * cpu: the generator's CPU seconds.  Its busy share leaves out the time it
 * spent spinning idle (--spin): that is what says whether it was the limit.
 */
static void report(const struct bench *b, double cpu)
{
	double busy = cpu > b->spun ? cpu - b->spun : 0;
	double iops = (double)b->completed / b->duration;
	double mbps = iops * b->sectors_per_request * AOE_SECTOR_SIZE / 1e6;
	if (b->json) {
		printf("{\"completed\": %llu, \"seconds\": %.3f, \"iops\": %.0f, \"mb_per_s\": %.1f, "
		       "\"p50_us\": %.1f, \"p99_us\": %.1f, \"retransmits\": %llu, \"errors\": %llu, "
		       "\"strays\": %llu, \"mismatches\": %llu, \"sectors_per_request\": %u, "
		       "\"inflight\": %u, \"bench_cpu_s\": %.3f, \"bench_cpu_share\": %.3f, "
		       "\"bench_busy_share\": %.3f}\n",
		       (unsigned long long)b->completed, b->duration, iops, mbps, percentile(b, 0.5),
		       percentile(b, 0.99), (unsigned long long)b->retransmits,
		       (unsigned long long)b->errors, (unsigned long long)b->strays,
		       (unsigned long long)b->mismatches,
		       b->sectors_per_request, b->inflight, cpu, cpu / b->duration, busy / b->duration);
		return;
	}
	printf("%llu requests in %.2f s: %.0f IOPS, %.1f MB/s, p50 %.0f us, p99 %.0f us, "
	       "%llu retransmits, %llu errors, %llu mismatches, generator CPU %.0f%% (busy %.0f%%)\n",
	       (unsigned long long)b->completed, b->duration, iops, mbps, percentile(b, 0.5),
	       percentile(b, 0.99), (unsigned long long)b->retransmits, (unsigned long long)b->errors,
	       (unsigned long long)b->mismatches, 100.0 * cpu / b->duration, 100.0 * busy / b->duration);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: aoe-bench -i IFACE [-m seqread|randread|seqwrite] [-q INFLIGHT] [-n SECTORS]\n"
		"                 [-d SECONDS] [-r RATE] [-T TIMEOUT_MS] [-S SPAN_SECTORS] [--verify]\n"
		"                 [--no-ring] [--spin USEC] [--burst N] [--json] eS.L\n"
		"--verify: writes carry a pattern made of their LBA, reads check it (mismatches\n"
		"count as errors); write the span first, then read it.  -S: address only\n"
		"the first SPAN_SECTORS sectors.  --burst: with -r, offer N requests at a\n"
		"time (RATE/N times a second) instead of evenly spaced ones.\n");
}

static bool parse_target(const char *name, struct bench *b)
{
	unsigned shelf, slot;
	char extra;
	if (sscanf(name, "e%u.%u%c", &shelf, &slot, &extra) != 2 || shelf > 0xfffe || slot > 0xfe)
		return false;
	b->shelf = (uint16_t)shelf;
	b->slot_addr = (uint8_t)slot;
	return true;
}

static bool parse_args(int argc, char **argv, struct bench *b, const char **ifname)
{
	static const struct option longs[] = { { "json", no_argument, NULL, 'j' },
					       { "verify", no_argument, NULL, 'V' },
					       { "no-ring", no_argument, NULL, 'R' },
					       { "spin", required_argument, NULL, 'P' },
					       { "burst", required_argument, NULL, 'B' },
					       { NULL, 0, NULL, 0 } };
	int opt;
	while ((opt = getopt_long(argc, argv, "i:m:q:n:d:r:T:S:j", longs, NULL)) != -1) {
		switch (opt) {
		case 'i': *ifname = optarg; break;
		case 'm':
			b->mode = strcmp(optarg, "randread") == 0 ? MODE_RAND_READ
				: strcmp(optarg, "seqwrite") == 0 ? MODE_SEQ_WRITE : MODE_SEQ_READ;
			break;
		case 'q': b->inflight = (unsigned)atoi(optarg); break;
		case 'n': b->sectors_per_request = (unsigned)atoi(optarg); break;
		case 'd': b->duration = atof(optarg); break;
		case 'r': b->rate = atof(optarg); break;
		case 'T': b->timeout = atof(optarg) / 1000.0; break;
		case 'S': b->span = strtoull(optarg, NULL, 0); break;
		case 'j': b->json = true; break;
		case 'V': b->verify = true; break;
		case 'R': b->no_ring = true; break;
		case 'P': b->spin = atof(optarg) / 1e6; break;
		case 'B': b->burst = (unsigned)atoi(optarg); break;
		default: return false;
		}
	}
	return *ifname && optind == argc - 1 && parse_target(argv[optind], b) && b->inflight >= 1 &&
	       b->inflight <= SLOTS_MAX && b->duration > 0 && b->burst >= 1 &&
	       b->burst <= b->inflight;
}

int main(int argc, char **argv)
{
	static struct bench b = { .inflight = 16, .duration = 5, .timeout = 0.2, .burst = 1,
				  .rng = 0x9e3779b97f4a7c15ULL };
	const char *ifname = NULL;
	if (!parse_args(argc, argv, &b, &ifname)) {
		usage();
		return 1;
	}
	char err[L2PORT_ERR_MAX];
	/* The ring saves a copy and a system call per reply: the generator must stay cheap. */
	if (l2port_open_ring(&b.port, ifname, b.no_ring ? 0 : ring_frames(&b), err, sizeof(err)) < 0) {
		fprintf(stderr, "aoe-bench: %s\n", err);
		return 1;
	}
	b.tx_memory = calloc(SLOTS_MAX, FRAME_CAP);
	b.rx_memory = calloc(BATCH, FRAME_CAP);
	if (!b.tx_memory || !b.rx_memory || locate_target(&b) < 0)
		return 2;
	/* Offers at 100k/s are 10 us apart: the default 50 us timer slack would bunch them. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	/* Tags of two generators on one wire should differ: start the generations apart. */
	b.generation = ((uint32_t)getpid() * 2654435761u) & 0x7fffff;
	double cpu_before = cpu_seconds();
	run(&b);
	report(&b, cpu_seconds() - cpu_before);
	free(b.tx_memory);
	free(b.rx_memory);
	l2port_close(&b.port);
	return b.errors || b.mismatches ? 3 : 0;
}
