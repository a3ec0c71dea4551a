/*
 * fake_port.c - l2port and clock stand-ins for the initiator harness
 * (fake_port.h says how they are linked and what the input means).
 */
#include "fake_port.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ata.h"
#include "harness.h"
#include "l2port.h"

const uint8_t FAKE_TARGET_MAC[AOE_MAC_LEN] = { 0x02, 0xae, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t initiator_mac[AOE_MAC_LEN] = { 0x02, 0x00, 0x00, 0x00, 0xf0, 0x01 };

/* Declared here: only the link (--wrap) knows these names. */
int __wrap_clock_gettime(clockid_t clock, struct timespec *ts);
int __wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);

static const uint8_t *events;
static size_t events_len, events_pos;
static unsigned port_mtu = 1500;
static uint64_t now_ns;
static unsigned long sent_count;
static bool trace; /* FAKE_PORT_TRACE=1: print every frame sent and delivered, to debug the harness */

static void trace_frame(const char *what, const uint8_t *f, size_t len)
{
	if (!trace)
		return;
	fprintf(stderr, "fake_port %llu.%06llu %s %zu bytes:", (unsigned long long)(now_ns / 1000000000ULL),
		(unsigned long long)(now_ns % 1000000000ULL / 1000), what, len);
	for (size_t i = 12; i < len && i < 36; i++)
		fprintf(stderr, " %02x", f[i]);
	fputc('\n', stderr);
}

/* Requests the engine sent, oldest first; the oldest goes when full. */
static struct {
	uint8_t frame[FAKE_FRAME_MAX];
	size_t len;
	bool answered;
} pending[FAKE_PENDING_MAX];
static unsigned pending_count;

/* The k-th request counting back from the newest, among the unanswered ones or all of them. */
static int pick(unsigned k, bool unanswered_only)
{
	unsigned n = 0;
	for (unsigned i = 0; i < pending_count; i++)
		n += !unanswered_only || !pending[i].answered;
	if (n == 0)
		return -1;
	k %= n;
	for (unsigned i = pending_count; i-- > 0;) {
		if (unanswered_only && pending[i].answered)
			continue;
		if (k-- == 0)
			return (int)i;
	}
	return -1;
}

void fake_port_reset(const uint8_t *data, size_t len, unsigned mtu)
{
	events = data;
	events_len = len;
	events_pos = 0;
	port_mtu = mtu;
	now_ns = 1000ULL * 1000000000ULL;
	sent_count = 0;
	pending_count = 0;
	trace = getenv("FAKE_PORT_TRACE") != NULL;
}

unsigned long fake_port_sent(void) { return sent_count; }

size_t fake_port_answer(const uint8_t *request, size_t len, uint8_t *out, size_t cap)
{
	static uint8_t data[255 * AOE_SECTOR_SIZE];
	struct aoe_frame q;
	enum aoe_parse_status status = aoe_parse_request(request, len, &q);
	if (status != AOE_PARSE_OK && status != AOE_PARSE_UNKNOWN_COMMAND)
		return 0;
	struct aoe_frame r = { .hdr = q.hdr, .has_arg = true };
	memcpy(r.hdr.dst, q.hdr.src, AOE_MAC_LEN);
	memcpy(r.hdr.src, FAKE_TARGET_MAC, AOE_MAC_LEN);
	r.hdr.flags = AOE_FLAG_RESPONSE;
	r.hdr.shelf = FAKE_SHELF;
	r.hdr.slot = FAKE_SLOT;
	switch (status == AOE_PARSE_OK ? q.hdr.command : 0xff) {
	case AOE_CMD_CONFIG:
		r.arg.cfg = (struct aoe_config){ .buffer_count = 16, .firmware_version = 1,
						 .sector_count = (uint8_t)aoe_sectors_for_mtu(port_mtu),
						 .aoe_version = AOE_VERSION, .ccmd = q.arg.cfg.ccmd };
		break;
	case AOE_CMD_ATA: {
		r.arg.ata = q.arg.ata;
		r.arg.ata.command_status = ATA_STATUS_DRDY;
		r.arg.ata.feature_error = 0;
		r.arg.ata.sector_count = 0;
		r.arg.ata.data = data;
		r.arg.ata.data_len = 0;
		uint8_t op = q.arg.ata.command_status;
		if (op == ATA_CMD_IDENTIFY) {
			struct ata_identity id = { .sectors = FAKE_SECTORS, .lba48 = true, .flush = true };
			snprintf(id.model, sizeof(id.model), "fuzz target");
			ata_identify_build(data, &id);
			r.arg.ata.data_len = ATA_IDENTIFY_LEN;
		} else if (op == ATA_CMD_READ_SECTORS || op == ATA_CMD_READ_SECTORS_EXT) {
			r.arg.ata.data_len = (size_t)q.arg.ata.sector_count * AOE_SECTOR_SIZE;
			memset(data, 0x5a, r.arg.ata.data_len);
		}
		break;
	}
	case AOE_CMD_MASK:
		r.arg.mask = (struct aoe_mask){ .mcmd = q.arg.mask.mcmd, .directives = data };
		break;
	case AOE_CMD_RESERVE:
		r.arg.rsrv = q.arg.rsrv;
		break;
	default:
		r.has_arg = false;
		r.hdr.flags |= AOE_FLAG_ERROR;
		r.hdr.error = AOE_ERR_BAD_COMMAND;
		break;
	}
	size_t n = aoe_build(out, cap, &r);
	return n ? aoe_pad(out, n, cap) : 0;
}

/*
 * Is there a frame to deliver now?  An answer waits until there is a request
 * to answer (the engine sends one, or gives up); a silence is consumed by the
 * wait it causes (__wrap_ppoll).
 */
static bool deliverable(void)
{
	if (events_pos >= events_len)
		return false;
	uint8_t e = events[events_pos];
	if (e >= 0xc0)
		return false;
	return e >= 0x80 || pick(e, e < 0x40) >= 0;
}

static uint8_t next_byte(void) { return events_pos < events_len ? events[events_pos++] : 0; }

/* One event into frame; returns its length (0: nothing came of it). */
static size_t next_frame(struct l2frame *f)
{
	uint8_t e = next_byte();
	if (e >= 0x80) {
		size_t len = (size_t)next_byte() << 8;
		len |= next_byte();
		if (len > events_len - events_pos)
			len = events_len - events_pos;
		size_t keep = len < f->cap ? len : f->cap; /* a real port cuts long frames too */
		memcpy(f->buf, events + events_pos, keep);
		events_pos += len;
		return keep;
	}
	int which = pick(e, e < 0x40);
	int delta = (int8_t)next_byte();
	size_t n = next_byte();
	if (which < 0)
		return 0;
	pending[which].answered = true;
	size_t len = fake_port_answer(pending[which].frame, pending[which].len, f->buf, f->cap);
	if (len == 0)
		return 0;
	for (size_t i = 0; i < n && events_pos < events_len; i++) {
		uint8_t x = events[events_pos++];
		if (AOE_ETH_HDR_LEN + i < len)
			f->buf[AOE_ETH_HDR_LEN + i] ^= x;
	}
	if (delta < 0 && (size_t)-delta >= len)
		return 0;
	len = (size_t)((long)len + delta);
	if (len > f->cap)
		len = f->cap;
	return len;
}

int l2port_open(struct l2port *port, const char *ifname, char *err, size_t err_len)
{
	(void)err;
	(void)err_len;
	memset(port, 0, sizeof(*port));
	port->fd = -1;
	port->ifindex = 1;
	snprintf(port->ifname, sizeof(port->ifname), "%s", ifname);
	memcpy(port->mac, initiator_mac, AOE_MAC_LEN);
	port->mtu = port_mtu;
	return 0;
}

/* No ring here: the fake port hands out frames with l2port_recv, as without one. */
int l2port_open_ring(struct l2port *port, const char *ifname, unsigned ring_frames, char *err,
		     size_t err_len)
{
	(void)ring_frames;
	return l2port_open(port, ifname, err, err_len);
}

void l2port_close(struct l2port *port) { port->fd = -1; }

unsigned l2port_refresh_mtu(struct l2port *port) { return port->mtu = port_mtu; }

int l2port_recv(struct l2port *port, struct l2frame *frames, unsigned count)
{
	(void)port;
	unsigned got = 0;
	while (got < count && deliverable()) {
		size_t len = next_frame(&frames[got]);
		now_ns += 20000; /* each frame takes a little time: RTTs are never zero */
		if (len > 0) {
			trace_frame("in ", frames[got].buf, len);
			frames[got++].len = len;
		}
	}
	return (int)got;
}

int l2port_wait(struct l2port *port, int timeout_ms)
{
	(void)port;
	if (deliverable())
		return 1;
	if (events_pos < events_len && events[events_pos] >= 0xc0)
		events_pos++;
	now_ns += timeout_ms < 0 ? 1000000000ULL : (uint64_t)timeout_ms * 1000000ULL;
	return 0;
}

int l2port_send(struct l2port *port, const struct l2frame *frames, unsigned count)
{
	(void)port;
	for (unsigned i = 0; i < count; i++) {
		/* What the initiator sends must be a request our own target would parse, and fit the port. */
		struct aoe_frame f;
		enum aoe_parse_status status = aoe_parse_request(frames[i].buf, frames[i].len, &f);
		FUZZ_CHECK(status == AOE_PARSE_OK, "the initiator sent a bad request: %s",
			   aoe_parse_status_str(status));
		FUZZ_CHECK(frames[i].len <= AOE_ETH_HDR_LEN + (size_t)port_mtu, "a %zu-byte frame at MTU %u",
			   frames[i].len, port_mtu);
		trace_frame("out", frames[i].buf, frames[i].len);
		if (frames[i].len > FAKE_FRAME_MAX)
			continue;
		if (pending_count == FAKE_PENDING_MAX) {
			memmove(&pending[0], &pending[1], sizeof(pending[0]) * (FAKE_PENDING_MAX - 1));
			pending_count--;
		}
		memcpy(pending[pending_count].frame, frames[i].buf, frames[i].len);
		pending[pending_count].len = frames[i].len;
		pending[pending_count].answered = false;
		pending_count++;
		sent_count++;
	}
	return (int)count;
}

int __wrap_clock_gettime(clockid_t clock, struct timespec *ts)
{
	(void)clock;
	ts->tv_sec = (time_t)(now_ns / 1000000000ULL);
	ts->tv_nsec = (long)(now_ns % 1000000000ULL);
	return 0;
}

int __wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask)
{
	(void)sigmask;
	for (nfds_t i = 0; i < nfds; i++)
		fds[i].revents = 0;
	if (nfds > 0 && deliverable()) {
		fds[0].revents = POLLIN;
		return 1;
	}
	if (events_pos < events_len && events[events_pos] >= 0xc0)
		events_pos++; /* this silence is the wait below */
	/* Nothing will come: the wait ends at its timeout, at once. */
	uint64_t wait = timeout ? (uint64_t)timeout->tv_sec * 1000000000ULL + (uint64_t)timeout->tv_nsec
				: 1000000000ULL;
	now_ns += wait ? wait : 1000;
	return 0;
}
