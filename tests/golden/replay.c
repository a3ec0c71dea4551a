/*
 * replay.c - the golden replay runner (make golden).
 *
 *   golden-replay INDEX.md [NAME.pcap...]
 *
 * For every row of INDEX.md (or only the named ones): read the capture, make
 * a fresh in-process target and disk from the row's settings, feed it the
 * capture's requests in order, and check each reply against the capture's.
 * Frames from the row's target MAC are replies; all others are requests.
 *
 * mode=exact: a request followed in the capture by a reply must produce
 * exactly those bytes (length and content, padding included); a request not
 * followed by a reply must produce none.  With pair=tag (an initiator that
 * keeps several requests in flight, as the Linux driver) a request's reply is
 * the first later reply with its tag, wherever it is.  Nothing is normalised: the runner
 * uses the capture's own target MAC, shelf, slot, disk and MTU.
 * mode=vblade: see vblade.c and tests/golden/README.md.
 */
#include "replay.h"

#include <libgen.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static const char *index_dir;
static char **only;
static int only_count;
static unsigned rows_run, rows_failed;

void replay_fail(struct replay_result *r, const struct golden_settings *s, size_t i, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "golden-replay: %s: frame %zu: ", s->file, i + 1);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	r->failures++;
}

static int load(const struct golden_settings *s, struct capture *c)
{
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/%s", index_dir, s->file);
	pcap_t *pc = pcap_open_offline(path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "golden-replay: %s\n", errbuf);
		return -1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "golden-replay: %s: not an Ethernet capture\n", path);
		pcap_close(pc);
		return -1;
	}
	size_t cap = 0;
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	int rc;
	memset(c, 0, sizeof(*c));
	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		if (h->caplen != h->len) {
			fprintf(stderr, "golden-replay: %s: frame %zu truncated in the capture\n", path,
				c->count + 1);
			rc = -1;
			break;
		}
		if (c->count == cap) {
			cap = cap ? cap * 2 : 64;
			struct cap_frame *more = realloc(c->frames, cap * sizeof(*more));
			if (more == NULL) {
				rc = -1;
				break;
			}
			c->frames = more;
		}
		struct cap_frame *f = &c->frames[c->count];
		f->data = malloc(h->caplen ? h->caplen : 1);
		if (f->data == NULL) {
			rc = -1;
			break;
		}
		memcpy(f->data, bytes, h->caplen);
		f->len = h->caplen;
		f->from_target = f->len >= 12 && memcmp(f->data + 6, s->mac, AOE_MAC_LEN) == 0;
		f->matched = false;
		c->count++;
	}
	pcap_close(pc);
	return rc == PCAP_ERROR_BREAK ? 0 : -1;
}

static void unload(struct capture *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->frames[i].data);
	free(c->frames);
}

size_t replay_serve(const struct golden_settings *s, struct target *t, struct disk *disk,
		    const struct cap_frame *request, uint8_t *buf, size_t cap)
{
	if (request->len > cap)
		return 0; /* the port could not have received it: nothing to answer */
	memcpy(buf, request->data, request->len);
	/* Stale bytes behind the request, as in a reused receive buffer: they must not leak. */
	memset(buf + request->len, 0xa5, cap - request->len);
	struct target_request req = {
		.frame = buf,
		.len = request->len,
		.cap = cap,
		.port_mac = s->mac,
		.port_max_sectors = aoe_sectors_for_mtu(s->mtu),
	};
	return target_serve(t, disk, &req);
}

/* First differing byte, and a few bytes of both around it, for the report. */
static void describe_difference(char *out, size_t out_len, const uint8_t *ours, size_t ours_len,
				const uint8_t *golden, size_t golden_len)
{
	size_t n = ours_len < golden_len ? ours_len : golden_len, at = 0;
	while (at < n && ours[at] == golden[at])
		at++;
	int w = snprintf(out, out_len, "%zu bytes, capture %zu; first difference at byte %zu:", ours_len,
			 golden_len, at);
	for (int side = 0; side < 2 && w > 0 && (size_t)w < out_len; side++) {
		const uint8_t *p = side ? golden : ours;
		size_t len = side ? golden_len : ours_len;
		w += snprintf(out + w, out_len - (size_t)w, side ? " / capture" : " ours");
		for (size_t i = at; i < at + 8 && i < len && (size_t)w < out_len; i++)
			w += snprintf(out + w, out_len - (size_t)w, " %02x", p[i]);
	}
}

/* The golden reply to request i: the next frame, or with pair=tag the first later reply with its tag. */
static struct cap_frame *golden_reply(const struct golden_settings *s, struct capture *c, size_t i)
{
	if (!s->pair_by_tag)
		return i + 1 < c->count && c->frames[i + 1].from_target ? &c->frames[i + 1] : NULL;
	if (c->frames[i].len < AOE_ETH_HDR_LEN + 10)
		return NULL;
	const uint8_t *tag = c->frames[i].data + 20;
	for (size_t j = i + 1; j < c->count; j++) {
		struct cap_frame *f = &c->frames[j];
		if (f->from_target && !f->matched && f->len >= 24 && memcmp(f->data + 20, tag, 4) == 0)
			return f;
	}
	return NULL;
}

static void replay_exact(const struct golden_settings *s, struct capture *c, struct replay_result *r)
{
	struct target *t = malloc(sizeof(*t));
	struct disk disk;
	size_t cap = golden_frame_cap(s->mtu);
	uint8_t *buf = malloc(cap);
	if (t == NULL || buf == NULL || golden_target_open(s, t, &disk) != 0) {
		replay_fail(r, s, 0, "out of memory");
		free(t);
		free(buf);
		return;
	}
	for (size_t i = 0; i < c->count; i++) {
		if (c->frames[i].from_target) {
			if (!c->frames[i].matched)
				replay_fail(r, s, i, "a reply with no request before it");
			continue;
		}
		r->requests++;
		size_t got = replay_serve(s, t, &disk, &c->frames[i], buf, cap);
		struct cap_frame *golden = golden_reply(s, c, i);
		if (golden == NULL) {
			if (got != 0)
				replay_fail(r, s, i, "the capture has no reply; the target sent %zu bytes", got);
			else
				r->silent++;
			continue;
		}
		golden->matched = true;
		r->replies_compared++;
		if (got == 0) {
			replay_fail(r, s, (size_t)(golden - c->frames), "the target sent no reply");
		} else if (got != golden->len || memcmp(buf, golden->data, got) != 0) {
			char why[256];
			describe_difference(why, sizeof(why), buf, got, golden->data, golden->len);
			replay_fail(r, s, (size_t)(golden - c->frames), "reply differs: %s", why);
		}
	}
	disk_close(&disk);
	free(t);
	free(buf);
}

static bool wanted(const char *file)
{
	if (only_count == 0)
		return true;
	for (int i = 0; i < only_count; i++)
		if (strcmp(only[i], file) == 0)
			return true;
	return false;
}

static bool run_row(void *ctx, const struct golden_settings *s)
{
	(void)ctx;
	if (!wanted(s->file))
		return true;
	struct capture c;
	struct replay_result r = { 0 };
	rows_run++;
	if (load(s, &c) != 0) {
		rows_failed++;
		return true;
	}
	if (s->mode == GOLDEN_VBLADE)
		replay_vblade(s, &c, &r);
	else
		replay_exact(s, &c, &r);
	printf("golden-replay: %-40s %s: %u requests, %u replies compared, %u rightly unanswered",
	       s->file, s->mode == GOLDEN_VBLADE ? "vblade" : "exact ", r.requests, r.replies_compared,
	       r.silent);
	if (r.unanswered)
		printf(", %u unanswered in the capture (not compared)", r.unanswered);
	printf(": %s\n", r.failures ? "FAILED" : "ok");
	if (r.failures)
		rows_failed++;
	unload(&c);
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: golden-replay INDEX.md [NAME.pcap...]\n");
		return 2;
	}
	char dir_buf[4096];
	snprintf(dir_buf, sizeof(dir_buf), "%s", argv[1]);
	index_dir = dirname(dir_buf);
	only = argv + 2;
	only_count = argc - 2;
	char err[512];
	int rows = golden_index_read(argv[1], run_row, NULL, err, sizeof(err));
	if (rows < 0) {
		fprintf(stderr, "golden-replay: %s\n", err);
		return 1;
	}
	if (rows_run == 0 || (only_count && rows_run != (unsigned)only_count)) {
		fprintf(stderr, "golden-replay: %u of the named captures found in %s\n", rows_run, argv[1]);
		return 1;
	}
	printf("golden-replay: %u captures, %u failed\n", rows_run, rows_failed);
	return rows_failed ? 1 : 0;
}
