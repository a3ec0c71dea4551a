/*
 * seeds.c - fuzz seed corpora from pcap files.
 *
 *   fuzz-seeds [-p PARSE_DIR] [-h HANDLER_DIR] [-i INITIATOR_DIR] FILE.pcap...
 *
 * -p: every distinct frame shape of every capture, raw (fuzz_parse input).
 * -h: per capture, its requests in order as one handler input (fuzz_target.h
 *     format, first FRAMES_PER_SEQUENCE requests, at most SEQUENCE_BYTES), and
 *     each distinct request shape alone as a one-frame input.
 * -i: initiator sessions (fake_port.h events): a few scripted ones (every
 *     request answered right, at MTU 1500 and 9000; silences that force
 *     retransmissions; duplicate answers; an AoE error; a failed ATA status; a
 *     short read), and for every distinct reply shape of the captures, that
 *     reply delivered as a raw frame in the middle of a correct session.
 * Shape: length, header bytes 12-19 and the argument's fixed part without
 * tag, LBA or data, so a thousand reads of one size give one seed, not a
 * thousand.  Files are named CAPTURE-HASH: rerunning gives the same names, and
 * the same frame from two captures is kept twice only under different names.
 *
 * Requests go to the handler as the fuzzed target would receive them: the
 * destination MAC of a unicast request is rewritten to FUZZ_PORT_MAC (its
 * shelf.slot, 9.0, is the captures' own).
 */
#include <errno.h>
#include <libgen.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aoe.h"
#include "fake_port.h"
#include "fuzz_target.h"

enum {
	FRAMES_PER_SEQUENCE = 32,
	SEQUENCE_BYTES = 32 * 1024,
	SHAPES_MAX = 4096,
};

static const char *parse_dir, *handler_dir, *initiator_dir;

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t shape_of(const uint8_t *frame, size_t len)
{
	uint64_t h = fnv1a(0xcbf29ce484222325ULL, (const uint8_t *)&len, sizeof(len));
	if (len > 12)
		h = fnv1a(h, frame + 12, (len < 20 ? len : 20) - 12);
	if (len > AOE_HDR_LEN) {
		/* ATA: aflags, feature, count, opcode; the rest: the argument's first bytes. */
		size_t end = frame[19] == AOE_CMD_ATA ? 28 : 64;
		if (end > len)
			end = len;
		h = fnv1a(h, frame + AOE_HDR_LEN, end - AOE_HDR_LEN);
	}
	return h;
}

/* Has this (directory, shape) been written already? A small linear set is plenty. */
static bool seen(const char *dir, uint64_t shape)
{
	static struct { const char *dir; uint64_t shape; } set[SHAPES_MAX];
	static unsigned count;
	for (unsigned i = 0; i < count; i++)
		if (set[i].dir == dir && set[i].shape == shape)
			return true;
	if (count < SHAPES_MAX) {
		set[count].dir = dir;
		set[count].shape = shape;
		count++;
	}
	return false;
}

static int write_seed(const char *dir, const char *capture, const uint8_t *data, size_t len)
{
	char path[4096];
	uint64_t h = fnv1a(0xcbf29ce484222325ULL, data, len);
	snprintf(path, sizeof(path), "%s/%s-%016llx", dir, capture, (unsigned long long)h);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return 0;
}

static bool is_request(const uint8_t *frame, size_t len)
{
	return len >= AOE_HDR_LEN && aoe_get16(frame + 12) == AOE_ETHERTYPE &&
	       !(frame[14] & AOE_FLAG_RESPONSE);
}

static void to_fuzz_port(uint8_t *frame)
{
	static const uint8_t broadcast[AOE_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (memcmp(frame, broadcast, AOE_MAC_LEN) != 0)
		memcpy(frame, FUZZ_PORT_MAC, AOE_MAC_LEN);
}

/* Append one length-prefixed frame to a handler input; false when it is full. */
static bool append(uint8_t *seq, size_t *seq_len, const uint8_t *frame, size_t len)
{
	if (*seq_len + 2 + len > SEQUENCE_BYTES)
		return false;
	aoe_put16(seq + *seq_len, (uint16_t)len);
	memcpy(seq + *seq_len + 2, frame, len);
	to_fuzz_port(seq + *seq_len + 2);
	*seq_len += 2 + len;
	return true;
}

/* Events: n correct answers (event 0, no edit). */
static size_t answers(uint8_t *out, unsigned n)
{
	memset(out, 0, (size_t)n * 3);
	return (size_t)n * 3;
}

/* A correct session with one captured reply delivered raw after the first answers. */
static int initiator_with_reply(const char *capture, const uint8_t *frame, size_t len)
{
	static uint8_t seed[1 + 64 + 3 + 65536 + 64];
	size_t n = 0;
	seed[n++] = len > AOE_ETH_HDR_LEN + 1500 ? 1 : 0;
	n += answers(seed + n, 2); /* Query Config, IDENTIFY */
	seed[n++] = 0x80;
	seed[n++] = (uint8_t)(len >> 8);
	seed[n++] = (uint8_t)len;
	memcpy(seed + n, frame, len);
	n += len;
	n += answers(seed + n, 12);
	return write_seed(initiator_dir, capture, seed, n);
}

/* Scripted sessions that reach the engine's error and retry paths. */
static int initiator_scripted(void)
{
	static const struct {
		const char *name;
		uint8_t settings;
		uint8_t events[48];
		size_t len;
	} scripts[] = {
		/* Everything answered right. */
		{ "all-answered-1500", 0, { 0 }, 45 },
		{ "all-answered-9000", 1, { 0 }, 45 },
		/* The query and the IDENTIFY go unanswered for a while: retransmissions. */
		{ "silences", 0, { 0xc0, 0xc0, 0, 0, 0, 0xc0, 0xc0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 21 },
		/* Every answer twice (events 0x40: any request, answered or not). */
		{ "duplicates", 0, { 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0 }, 24 },
		/* IDENTIFY answered with the E flag and error 2 (XOR at byte 14: 0x04, byte 15: 0x02). */
		{ "aoe-error", 0, { 0, 0, 0, 0, 0, 2, 0x04, 0x02, 0, 0, 0, 0, 0, 0, 0 }, 15 },
		/* IDENTIFY answered with ATA status ERR (byte 27 = 14 + 13) and ABRT. */
		{ "ata-error", 0, { 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0, 0x01, 0, 0, 0 }, 23 },
		/* IDENTIFY answered 100 bytes short. */
		{ "short-reply", 0, { 0, 0, 0, 0, (uint8_t)-100, 0, 0, 0, 0, 0, 0, 0, 0 }, 13 },
	};
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		uint8_t seed[1 + 48];
		seed[0] = scripts[i].settings;
		memcpy(seed + 1, scripts[i].events, scripts[i].len);
		if (write_seed(initiator_dir, scripts[i].name, seed, 1 + scripts[i].len) != 0)
			return -1;
	}
	return 0;
}

static int one_capture(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "fuzz-seeds: %s\n", errbuf);
		return -1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "fuzz-seeds: %s: not an Ethernet capture\n", path);
		pcap_close(pc);
		return -1;
	}
	char name_buf[4096];
	snprintf(name_buf, sizeof(name_buf), "%s", path);
	char *capture = basename(name_buf);
	char *dot = strstr(capture, ".pcap");
	if (dot)
		*dot = '\0';

	static uint8_t seq[SEQUENCE_BYTES];
	static uint8_t one[3 + 65536];
	size_t seq_len = 0;
	unsigned seq_frames = 0;
	bool seq_open = true, jumbo = false;
	int rc = 0;
	struct pcap_pkthdr *ph;
	const uint8_t *bytes;
	while (rc == 0 && pcap_next_ex(pc, &ph, &bytes) == 1) {
		size_t len = ph->caplen;
		uint64_t shape = shape_of(bytes, len);
		if (len > AOE_ETH_HDR_LEN + 1500)
			jumbo = true;
		if (parse_dir && !seen(parse_dir, shape))
			rc = write_seed(parse_dir, capture, bytes, len);
		if (!is_request(bytes, len)) {
			if (initiator_dir && len >= AOE_HDR_LEN && !seen(initiator_dir, shape))
				rc = initiator_with_reply(capture, bytes, len);
			continue;
		}
		if (!handler_dir || len > 65535)
			continue;
		if (seq_open && seq_frames < FRAMES_PER_SEQUENCE && append(seq + 1, &seq_len, bytes, len))
			seq_frames++;
		else
			seq_open = false;
		if (!seen(handler_dir, shape)) {
			size_t one_len = 0;
			append(one + 1, &one_len, bytes, len);
			one[0] = (uint8_t)((len > AOE_ETH_HDR_LEN + 1500 ? FUZZ_PORT_MTU9000 : FUZZ_PORT_MTU1500)
					   << FUZZ_SET_PORT_SHIFT);
			rc = write_seed(handler_dir, capture, one, 1 + one_len);
		}
	}
	if (rc == 0 && handler_dir && seq_frames > 1) {
		seq[0] = (uint8_t)((jumbo ? FUZZ_PORT_MTU9000 : FUZZ_PORT_MTU1500) << FUZZ_SET_PORT_SHIFT);
		rc = write_seed(handler_dir, capture, seq, 1 + seq_len);
	}
	pcap_close(pc);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz-seeds [-p PARSE_DIR] [-h HANDLER_DIR] [-i INITIATOR_DIR] FILE.pcap...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt;
	while ((opt = getopt(argc, argv, "p:h:i:")) != -1) {
		switch (opt) {
		case 'p': parse_dir = optarg; break;
		case 'h': handler_dir = optarg; break;
		case 'i': initiator_dir = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc || (!parse_dir && !handler_dir && !initiator_dir))
		usage();
	int failed = initiator_dir ? initiator_scripted() != 0 : 0;
	for (int i = optind; i < argc; i++)
		failed |= one_capture(argv[i]) != 0;
	return failed;
}
