/*
 * gen.c - the golden generator (make golden-update): writes a pcap file per
 * topic into pcaps/, and pcaps/INDEX.md, one row per pcap saying what it shows and
 * the target settings it was made with.
 *
 *   golden-gen DIR
 *
 * Deterministic: the same code gives the same bytes (fixed timestamps, tags
 * and disk contents), so a regeneration that changes a pcap is a change in
 * behaviour to review in the diff.
 */
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

const uint8_t HOST_A[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01 };
const uint8_t HOST_B[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0xbb, 0x02 };
const uint8_t HOST_C[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0xcc, 0x03 };
const uint8_t MAC_BROADCAST[AOE_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

enum {
	START_SEC = 1767225600, /* 2026-01-01 00:00:00 UTC */
	INDEX_MAX = 32,
	REQUEST_MAX = 65536,
};

static const char *gen_dir;
static struct { char file[64]; char settings[256]; char what[512]; } index_rows[INDEX_MAX];
static unsigned index_count;

void gen_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "golden-gen: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void session_open(struct session *ss, const char *name, const char *settings, const char *what)
{
	memset(ss, 0, sizeof(*ss));
	golden_settings_default(&ss->s);
	char err[200];
	if (settings && !golden_settings_parse(settings, &ss->s, err, sizeof(err)))
		gen_fail("%s: %s", name, err);
	snprintf(ss->s.file, sizeof(ss->s.file), "%s", name);
	if (golden_target_open(&ss->s, &ss->t, &ss->disk) != 0)
		gen_fail("%s: out of memory", name);
	ss->cap = golden_frame_cap(ss->s.mtu);
	ss->buf = malloc(ss->cap);
	ss->dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (ss->buf == NULL || ss->dead == NULL)
		gen_fail("%s: out of memory", name);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", gen_dir, name);
	ss->dump = pcap_dump_open(ss->dead, path);
	if (ss->dump == NULL)
		gen_fail("%s: %s", path, pcap_geterr(ss->dead));
	/* Each capture starts at the same instant; tags differ per capture so they can be told apart. */
	ss->usec = 0;
	ss->next_tag = (uint32_t)(index_count + 1) << 16;
	ss->topic = name;

	if (index_count == INDEX_MAX)
		gen_fail("too many captures");
	snprintf(index_rows[index_count].file, sizeof(index_rows[0].file), "%s", name);
	golden_settings_format(&ss->s, index_rows[index_count].settings,
			       sizeof(index_rows[0].settings));
	snprintf(index_rows[index_count].what, sizeof(index_rows[0].what), "%s", what);
	index_count++;
}

void session_close(struct session *ss)
{
	pcap_dump_close(ss->dump);
	pcap_close(ss->dead);
	disk_close(&ss->disk);
	free(ss->buf);
	printf("golden-gen: %s/%s: %u requests\n", gen_dir, ss->topic, ss->requests);
}

static void dump(struct session *ss, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len };
	h.ts.tv_sec = (time_t)(START_SEC + ss->usec / 1000000);
	h.ts.tv_usec = (suseconds_t)(ss->usec % 1000000);
	ss->usec += 1000;
	pcap_dump((u_char *)ss->dump, &h, frame);
}

struct aoe_frame request(struct session *ss, const uint8_t *src, uint8_t command)
{
	struct aoe_frame f;
	memset(&f, 0, sizeof(f));
	memcpy(f.hdr.dst, ss->s.mac, AOE_MAC_LEN);
	memcpy(f.hdr.src, src, AOE_MAC_LEN);
	f.hdr.version = AOE_VERSION;
	f.hdr.shelf = ss->s.shelf;
	f.hdr.slot = ss->s.slot;
	f.hdr.command = command;
	f.hdr.tag = ss->next_tag++;
	f.has_arg = true;
	return f;
}

static void check(struct session *ss, size_t len, struct expect e, const char *what)
{
	const uint8_t *r = ss->buf;
	const char *where = ss->topic;
	if (e.kind == EXPECT_NONE) {
		if (len != 0)
			gen_fail("%s: %s: expected no reply, got %zu bytes", where, what, len);
		return;
	}
	if (len == 0)
		gen_fail("%s: %s: expected a reply, got none", where, what);
	bool error = r[14] & AOE_FLAG_ERROR;
	switch (e.kind) {
	case EXPECT_OK:
		if (error)
			gen_fail("%s: %s: unexpected AoE error %u", where, what, r[15]);
		break;
	case EXPECT_AOE_ERROR:
		if (!error || r[15] != e.code)
			gen_fail("%s: %s: expected AoE error %u, got flags 0x%x error %u", where, what, e.code,
				 r[14] & 0x0f, r[15]);
		break;
	case EXPECT_ATA:
		if (error || r[19] != AOE_CMD_ATA || r[27] != e.code || r[25] != e.detail)
			gen_fail("%s: %s: expected ATA status 0x%02x error 0x%02x, got E=%d status 0x%02x error 0x%02x",
				 where, what, e.code, e.detail, error, r[27], r[25]);
		break;
	case EXPECT_MERROR:
		if (error || r[19] != AOE_CMD_MASK || r[26] != e.code || r[27] != e.detail)
			gen_fail("%s: %s: expected MError %u at %u, got %u at %u", where, what, e.code, e.detail,
				 r[26], r[27]);
		break;
	case EXPECT_NONE:
		break;
	}
}

size_t send_raw(struct session *ss, const uint8_t *frame, size_t len, struct expect e, const char *what)
{
	if (len > ss->cap)
		gen_fail("%s: %s: a %zu-byte request does not fit the %zu-byte port", ss->topic, what, len,
			 ss->cap);
	dump(ss, frame, len);
	memmove(ss->buf, frame, len);
	struct target_request req = {
		.frame = ss->buf,
		.len = len,
		.cap = ss->cap,
		.port_mac = ss->s.mac,
		.port_max_sectors = aoe_sectors_for_mtu(ss->s.mtu),
	};
	size_t reply = target_serve(&ss->t, &ss->disk, &req);
	check(ss, reply, e, what);
	if (reply)
		dump(ss, ss->buf, reply);
	ss->requests++;
	return reply;
}

size_t send_built(struct session *ss, const struct aoe_frame *f, patch_fn *patch, struct expect e,
		  const char *what)
{
	static uint8_t frame[REQUEST_MAX];
	size_t len = aoe_build(frame, sizeof(frame), f);
	if (len == 0)
		gen_fail("%s: %s: the codec cannot build this request", ss->topic, what);
	if (patch)
		len = patch(frame, len, sizeof(frame));
	return send_raw(ss, frame, len, e, what);
}

size_t config(struct session *ss, const uint8_t *src, uint8_t ccmd, const char *str, struct expect e,
	      const char *what)
{
	struct aoe_frame f = request(ss, src, AOE_CMD_CONFIG);
	f.arg.cfg.ccmd = ccmd;
	f.arg.cfg.config = (const uint8_t *)str;
	f.arg.cfg.config_len = (uint16_t)(str ? strlen(str) : 0);
	return send_built(ss, &f, NULL, e, what);
}

size_t mask(struct session *ss, const uint8_t *src, uint8_t mcmd, const uint8_t *dcmds,
	    const uint8_t (*macs)[AOE_MAC_LEN], unsigned count, struct expect e, const char *what)
{
	uint8_t wire[AOE_MASK_MAX_DIRECTIVES * AOE_DIRECTIVE_LEN];
	for (unsigned i = 0; i < count; i++)
		aoe_directive_put(wire + i * AOE_DIRECTIVE_LEN, dcmds[i], macs[i]);
	struct aoe_frame f = request(ss, src, AOE_CMD_MASK);
	f.arg.mask.mcmd = mcmd;
	f.arg.mask.dir_count = (uint8_t)count;
	f.arg.mask.directives = wire;
	return send_built(ss, &f, NULL, e, what);
}

size_t reserve(struct session *ss, const uint8_t *src, uint8_t rcmd, const uint8_t (*macs)[AOE_MAC_LEN],
	       unsigned count, struct expect e, const char *what)
{
	struct aoe_frame f = request(ss, src, AOE_CMD_RESERVE);
	f.arg.rsrv.rcmd = rcmd;
	f.arg.rsrv.mac_count = (uint8_t)count;
	f.arg.rsrv.macs = count ? &macs[0][0] : NULL;
	return send_built(ss, &f, NULL, e, what);
}

size_t ata(struct session *ss, const uint8_t *src, uint8_t aflags, uint8_t opcode, uint8_t count,
	   uint64_t lba, const uint8_t *data, size_t data_len, struct expect e, const char *what)
{
	struct aoe_frame f = request(ss, src, AOE_CMD_ATA);
	f.arg.ata.aflags = aflags;
	f.arg.ata.command_status = opcode;
	f.arg.ata.sector_count = count;
	f.arg.ata.lba = lba;
	f.arg.ata.data = data;
	f.arg.ata.data_len = data_len;
	return send_built(ss, &f, NULL, e, what);
}

void write_data(uint8_t *out, uint64_t lba, unsigned count)
{
	for (size_t i = 0; i < (size_t)count * AOE_SECTOR_SIZE; i++)
		out[i] = (uint8_t)(0x5a ^ (i * 13u + lba * 101u));
}

/*
 * Rows for captures this program does not make: real peers.  Replies from
 * vblade are replayed in vblade mode; replies from aoe-target byte for byte.
 */
static const struct { const char *file, *settings, *what; } foreign_rows[] = {
	{ "aoetools-real-vs-aoe-target.pcap",
	  "mode=exact shelf=9 slot=0 sectors=64 mtu=1500 ro=0 disk=pattern mac=02:ae:00:00:00:01 host=golden",
	  "real capture (tests/golden/capture-aoetools.sh): Debian's aoeping and aoecfg (aoetools 36-5) "
	  "against bin/aoe-target: aoeping's Query Config, then IDENTIFY (-i, -I; -S sends nothing, as "
	  "IDENTIFY advertises no SMART); aoecfg read, set, test, prefix, a mismatched test (no reply), set "
	  "over a string (error 4), fset and a broadcast read; replies are aoe-target's" },
	{ "linux-aoe85-vs-aoe-target-mtu1500.pcap",
	  "mode=exact shelf=9 slot=0 sectors=32768 mtu=1500 ro=0 disk=zero mac=02:00:00:ae:09:01 host=golden "
	  "pair=tag",
	  "real capture (tests/golden/capture-linux.sh): the Linux aoe driver (v85, Debian kernel 6.1 under "
	  "QEMU) and bin/aoe-target, tests/vm/linux-aoe.sh --scenario short: discovery, IDENTIFY, the partition "
	  "scan's reads, raw patterns of 1, 129 and 8 sectors written and read back (direct I/O), several "
	  "requests in flight; replies are aoe-target's" },
	{ "linux-aoe85-vs-aoe-target-mtu9000.pcap",
	  "mode=exact shelf=9 slot=0 sectors=32768 mtu=9000 ro=0 disk=zero mac=02:00:00:ae:09:01 host=golden "
	  "pair=tag",
	  "real capture: the same at MTU 9000 (17-sector frames)" },
	{ "linux-aoe85-vs-vblade25-mtu1500.pcap",
	  "mode=vblade shelf=9 slot=0 sectors=identify mtu=1500 disk=zero mac=e2:5f:72:ae:5e:20",
	  "real capture: the Linux aoe driver (v85, kernel 6.1) and vblade 25: discovery, IDENTIFY, "
	  "2-sector READ/WRITE SECTORS EXT of raw patterns and an ext4 mkfs; replies are vblade's" },
	{ "linux-aoe85-vs-vblade25-mtu9000.pcap",
	  "mode=vblade shelf=9 slot=0 sectors=identify mtu=9000 disk=zero mac=de:36:51:a1:1f:34",
	  "real capture: the same session start with jumbo frames (17-sector writes, 8-sector reads); "
	  "replies are vblade's" },
};

static void write_index(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/INDEX.md", gen_dir);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		gen_fail("%s: %s", path, strerror(errno));
	fprintf(f, "# Golden captures\n\n"
		   "Generated by `make golden-update` (tests/golden/gen.c) except the rows marked real capture.\n"
		   "`make golden` replays every row: each request goes to a fresh in-process target made with\n"
		   "the row's settings, and each reply must equal the capture's (tests/golden/README.md says\n"
		   "exactly what is compared); the mode=exact rows are also replayed against the real\n"
		   "bin/aoe-target over a virtual LAN (tests/golden/live.sh). Hosts: 02:00:00:00:aa:01 (A),\n"
		   "02:00:00:00:bb:02 (B), 02:00:00:00:cc:03 (C); the target's port is the row's `mac`.\n"
		   "`pair=tag`: a request's reply is the next reply with its tag (several requests in flight).\n"
		   "vblade 25's answers to the mode=exact rows' requests are in vblade/ (vblade/README.md says\n"
		   "where and why they differ from ours).\n\n"
		   "| pcap | settings | what it shows |\n|---|---|---|\n");
	for (unsigned i = 0; i < index_count; i++)
		fprintf(f, "| %s | `%s` | %s |\n", index_rows[i].file, index_rows[i].settings,
			index_rows[i].what);
	for (size_t i = 0; i < sizeof(foreign_rows) / sizeof(foreign_rows[0]); i++)
		fprintf(f, "| %s | `%s` | %s |\n", foreign_rows[i].file, foreign_rows[i].settings,
			foreign_rows[i].what);
	if (fclose(f) != 0)
		gen_fail("%s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: golden-gen DIR\n");
		return 2;
	}
	gen_dir = argv[1];
	cases_config();
	cases_mask();
	cases_reserve();
	cases_identify();
	cases_rw28();
	cases_rw48();
	cases_ata_misc();
	cases_read_only();
	cases_jumbo();
	cases_protocol();
	cases_aoetools();
	write_index();
	return 0;
}
