/*
 * engine.c - ports and the frame layer: tags, batched sends, polling.
 *
 * A request sits in a slot whose index is the low eight bits of its tag, so
 * a reply finds its request without a search; the rest of the tag is a
 * sequence number, so a retransmission (always with a new tag, as the Linux
 * driver does) can never be confused with the late answer to an earlier try.
 */
#include "engine.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "engine_internal.h"
#include "report.h"

enum {
	TAG_USER_BIT = 0x80000000u,     /* aoetools' convention; the Linux driver drops such replies */
	SLOT_MASK = ENGINE_SLOTS - 1,
	POLL_MAX_BATCHES = 16,          /* per port and wakeup, so one busy port cannot starve the rest */
	DEFAULT_DEADLINE_S = 10,
	MTU_CHECK_NS = NS_PER_S / 10,   /* an MTU may change while we run; one ioctl per port this often */
	JUMBO_MTU = 9216,               /* the largest jumbo MTU switches commonly allow */
	RING_FRAMES = 512,              /* receive ring slots per port: many windows of replies */
};

/* ---------------------------------------------------------------- setup */

void engine_init(struct engine *e)
{
	memset(e, 0, sizeof(*e));
	/* Start the tag sequence somewhere new, so replies meant for an earlier run do not match. */
	e->tag_sequence = (uint32_t)getpid() * 2654435761u ^ (uint32_t)clock_now_ns();
	e->deadline_ns = (uint64_t)DEFAULT_DEADLINE_S * NS_PER_S;
}

int engine_add_port(struct engine *e, const char *ifname, char *err, size_t err_len)
{
	if (e->port_count == ENGINE_PORTS_MAX) {
		snprintf(err, err_len, "%s: at most %d interfaces", ifname, ENGINE_PORTS_MAX);
		return -1;
	}
	for (unsigned i = 0; i < e->port_count; i++) {
		if (strcmp(e->ports[i].ifname, ifname) == 0)
			return 0;  /* named twice: one port */
	}
	/* A receive ring: replies are taken from shared memory, not with a system call each batch. */
	if (l2port_open_ring(&e->ports[e->port_count], ifname, RING_FRAMES, err, err_len) < 0)
		return -1;
	e->port_count++;
	return 0;
}

int engine_start(struct engine *e)
{
	/*
	 * Room for jumbo frames even when every MTU is small now: an MTU raised
	 * during a transfer is then used from the next request on.
	 */
	size_t cap = JUMBO_MTU + AOE_ETH_HDR_LEN;
	for (unsigned i = 0; i < e->port_count; i++) {
		size_t port_cap = (size_t)e->ports[i].mtu + AOE_ETH_HDR_LEN;
		if (port_cap > cap)
			cap = port_cap;
	}
	if (cap < AOE_CFG_HDR_LEN + AOE_CONFIG_MAX)
		cap = AOE_CFG_HDR_LEN + AOE_CONFIG_MAX;  /* a full config string must fit a receive buffer */
	size_t frames = ENGINE_SLOTS + ENGINE_RX_BATCH + 1;
	e->frame_memory = calloc(frames, cap);
	if (e->frame_memory == NULL) {
		snprintf(e->error, sizeof(e->error), "out of memory for %zu frame buffers", frames);
		return -1;
	}
	e->frame_cap = cap;
	uint8_t *next = e->frame_memory;
	for (unsigned i = 0; i < ENGINE_SLOTS; i++, next += cap)
		e->slots[i].frame = next;
	for (unsigned i = 0; i < ENGINE_RX_BATCH; i++, next += cap)
		e->rx[i] = (struct l2frame){ .buf = next, .cap = cap };
	e->query_frame = next;
	return 0;
}

void engine_close(struct engine *e)
{
	for (unsigned i = 0; i < e->port_count; i++)
		l2port_close(&e->ports[i]);
	e->port_count = 0;
	free(e->frame_memory);
	e->frame_memory = NULL;
}

void engine_port_names(const struct engine *e, char *out, size_t out_len)
{
	size_t used = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < e->port_count && used < out_len; i++) {
		int n = snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", e->ports[i].ifname);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ---------------------------------------------------------- frame layer */

uint32_t engine_new_tag(struct engine *e, unsigned slot_index)
{
	uint32_t sequence = e->tag_sequence++;
	return (sequence << ENGINE_SLOT_BITS | (slot_index & SLOT_MASK)) & ~TAG_USER_BIT;
}

void engine_queue(struct engine *e, unsigned port, uint8_t *frame, size_t len)
{
	/* Each slot queues at most one frame between flushes. */
	if (e->tx_count[port] == ENGINE_SLOTS)
		return;  /* cannot happen; a dropped frame is retransmitted anyway */
	e->tx[port][e->tx_count[port]++] = (struct l2frame){ .buf = frame, .len = len, .cap = len };
}

/*
 * A full queue or an interface that went down only loses frames, and lost
 * frames are what retransmission (on the next path) is for.  A frame too big
 * means the MTU shrank under us: look again, and later frames will fit.
 * Only errors that mean our own frames or socket are wrong stop the run.
 */
static bool send_error_is_fatal(int err)
{
	return err == EBADF || err == ENOTSOCK || err == EINVAL || err == EFAULT || err == EPERM ||
	       err == EACCES;
}

enum engine_result engine_flush(struct engine *e)
{
	for (unsigned p = 0; p < e->port_count; p++) {
		unsigned count = e->tx_count[p];
		e->tx_count[p] = 0;
		if (count == 0)
			continue;
		int sent = l2port_send(&e->ports[p], e->tx[p], count);
		if (sent < 0 && send_error_is_fatal(errno)) {
			snprintf(e->error, sizeof(e->error), "%s: cannot send: %s", e->ports[p].ifname,
				 strerror(errno));
			return ENGINE_LOCAL_ERROR;
		}
		if (sent < 0 && errno == EMSGSIZE)
			engine_refresh_mtu(e, true);
		if (sent < (int)count)
			report_verbose("%s: %u frames not sent (%s); they will be retransmitted",
				       e->ports[p].ifname, count - (unsigned)(sent < 0 ? 0 : sent),
				       sent < 0 ? strerror(errno) : "queue full");
	}
	return ENGINE_OK;
}

/* Errors that mean the link went down: frames are lost, other ports may still work. */
static bool port_went_away(int err)
{
	return err == ENETDOWN || err == ENXIO || err == ENODEV || err == ENETRESET;
}

/* Hand every frame waiting on port p to fn (a bounded number of batches); *taken counts them. */
static enum engine_result drain_port(struct engine *e, unsigned p, engine_rx_fn *fn, void *ctx,
				     unsigned *taken)
{
	for (unsigned batch = 0; batch < POLL_MAX_BATCHES; batch++) {
		int got = l2port_recv(&e->ports[p], e->rx, ENGINE_RX_BATCH);
		if (got < 0 && port_went_away(errno)) {
			report_verbose("%s: %s; relying on the other paths", e->ports[p].ifname,
				       strerror(errno));
			return ENGINE_OK;
		}
		if (got < 0) {
			snprintf(e->error, sizeof(e->error), "%s: cannot receive: %s", e->ports[p].ifname,
				 strerror(errno));
			return ENGINE_LOCAL_ERROR;
		}
		uint64_t now = clock_now_ns();
		*taken += (unsigned)got;
		for (int i = 0; i < got; i++)
			fn(e, ctx, p, e->rx[i].buf, e->rx[i].len, now);
		if (got < ENGINE_RX_BATCH)
			break;
	}
	return ENGINE_OK;
}

/*
 * Frames already in a port's receive ring are taken without sleeping, and
 * without a system call: while replies keep coming the engine never polls.
 */
static enum engine_result drain_rings(struct engine *e, engine_rx_fn *fn, void *ctx,
				      unsigned *taken)
{
	for (unsigned p = 0; p < e->port_count; p++) {
		if (e->ports[p].ring == NULL)
			continue;
		enum engine_result result = drain_port(e, p, fn, ctx, taken);
		if (result != ENGINE_OK)
			return result;
	}
	return ENGINE_OK;
}

enum engine_result engine_poll(struct engine *e, uint64_t timeout_ns, engine_rx_fn *fn, void *ctx)
{
	unsigned taken = 0;
	enum engine_result early = drain_rings(e, fn, ctx, &taken);
	if (early != ENGINE_OK || taken > 0)
		return early;
	struct pollfd fds[ENGINE_PORTS_MAX];
	for (unsigned p = 0; p < e->port_count; p++)
		fds[p] = (struct pollfd){ .fd = e->ports[p].fd, .events = POLLIN };
	struct timespec timeout = { .tv_sec = (time_t)(timeout_ns / NS_PER_S),
				    .tv_nsec = (long)(timeout_ns % NS_PER_S) };
	int ready = ppoll(fds, e->port_count, &timeout, NULL);
	if (ready < 0) {
		if (errno == EINTR)
			return ENGINE_OK;
		snprintf(e->error, sizeof(e->error), "poll: %s", strerror(errno));
		return ENGINE_LOCAL_ERROR;
	}
	for (unsigned p = 0; p < e->port_count && ready > 0; p++) {
		if (fds[p].revents == 0)
			continue;
		enum engine_result result = drain_port(e, p, fn, ctx, &taken);
		if (result != ENGINE_OK)
			return result;
	}
	return ENGINE_OK;
}

bool engine_refresh_mtu(struct engine *e, bool force)
{
	uint64_t now = clock_now_ns();
	if (!force && now - e->mtu_checked_ns < MTU_CHECK_NS)
		return false;
	e->mtu_checked_ns = now;
	bool changed = false;
	for (unsigned p = 0; p < e->port_count; p++) {
		unsigned before = e->ports[p].mtu;
		if (l2port_refresh_mtu(&e->ports[p]) == 0)
			e->ports[p].mtu = before;  /* keep the last good value */
		if (e->ports[p].mtu != before) {
			report_verbose("%s: MTU changed from %u to %u", e->ports[p].ifname, before,
				       e->ports[p].mtu);
			changed = true;
		}
	}
	return changed;
}
