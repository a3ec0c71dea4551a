/*
 * query.c - Query Config: find targets and the paths to them.
 *
 * Discovery is connectionless and unreliable like everything in AoE, so the
 * query is repeated with a growing interval until the wait is over.  Every
 * answer names its shelf.slot and arrives from a MAC on one of our ports;
 * each distinct (port, MAC) is a path to that shelf.slot, as in the Linux
 * driver, where each becomes an "aoetgt" of the same eX.Y.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "engine.h"
#include "engine_internal.h"
#include "paths.h"

enum {
	/* After the first answer, other paths of the same target answer within a few round trips. */
	LINGER_MIN_NS = 20 * NS_PER_MS,
	LINGER_RTTS = 4,
};

struct query {
	uint16_t shelf;
	uint8_t slot;
	uint32_t tag;
	uint64_t last_send_ns;
	uint64_t first_answer_ns;       /* 0 until someone answers */
	uint64_t linger_ns;
	struct engine_target_list *list;
	bool out_of_memory;
};

void engine_target_list_free(struct engine_target_list *list)
{
	free(list->items);
	list->items = NULL;
	list->count = list->cap = 0;
}

static struct engine_target *find_or_add_target(struct engine_target_list *list, uint16_t shelf,
						uint8_t slot)
{
	for (size_t i = 0; i < list->count; i++) {
		if (list->items[i].shelf == shelf && list->items[i].slot == slot)
			return &list->items[i];
	}
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		struct engine_target *items = realloc(list->items, cap * sizeof(*items));
		if (items == NULL)
			return NULL;
		list->items = items;
		list->cap = cap;
	}
	struct engine_target *t = &list->items[list->count++];
	memset(t, 0, sizeof(*t));
	t->shelf = shelf;
	t->slot = slot;
	snprintf(t->name, sizeof(t->name), "e%u.%u", shelf, slot);
	return t;
}

static struct engine_path *find_or_add_path(struct engine_target *t, unsigned port,
					    const uint8_t mac[AOE_MAC_LEN])
{
	for (unsigned i = 0; i < t->path_count; i++) {
		if (t->paths[i].port == port && memcmp(t->paths[i].mac, mac, AOE_MAC_LEN) == 0)
			return &t->paths[i];
	}
	if (t->path_count == ENGINE_PATHS_MAX)
		return NULL;  /* more paths than we can use; the first ones will do */
	struct engine_path *path = &t->paths[t->path_count++];
	memset(path, 0, sizeof(*path));
	path->port = port;
	memcpy(path->mac, mac, AOE_MAC_LEN);
	rtt_init(&path->rtt);
	return path;
}

static bool wanted(const struct query *q, const struct aoe_frame *reply)
{
	const struct aoe_header *hdr = &reply->hdr;
	if (hdr->command != AOE_CMD_CONFIG || (hdr->flags & AOE_FLAG_ERROR))
		return false;
	/* Our own tag, or 0: an unsolicited announcement from a target that just started. */
	if (hdr->tag != q->tag && hdr->tag != 0)
		return false;
	/* Broadcast values are not names; the Linux driver drops such answers too. */
	if (hdr->shelf == AOE_SHELF_BROADCAST || hdr->slot == AOE_SLOT_BROADCAST)
		return false;
	if (q->shelf != AOE_SHELF_BROADCAST && hdr->shelf != q->shelf)
		return false;
	return q->slot == AOE_SLOT_BROADCAST || hdr->slot == q->slot;
}

static void record_answer(struct query *q, unsigned port, const struct aoe_frame *reply,
			  uint64_t now)
{
	struct engine_target *t = find_or_add_target(q->list, reply->hdr.shelf, reply->hdr.slot);
	if (t == NULL) {
		q->out_of_memory = true;
		return;
	}
	const struct aoe_config *cfg = &reply->arg.cfg;
	t->config_len = cfg->config_len;
	memcpy(t->config, cfg->config, cfg->config_len);
	struct engine_path *path = find_or_add_path(t, port, reply->hdr.src);
	if (path == NULL)
		return;
	/*
	 * An answer to our own query (not an announcement) is the path's first
	 * round trip: the first ATA request then starts with a measured timeout
	 * rather than the 250 ms guess.
	 */
	if (!path->rtt.sampled && reply->hdr.tag == q->tag)
		rtt_sample(&path->rtt, now - q->last_send_ns);
	bool window_unset = path->cwnd.limit == 0 || path->buffer_count != cfg->buffer_count;
	path->buffer_count = cfg->buffer_count;
	if (window_unset)
		paths_init_window(path);
	path->firmware_version = cfg->firmware_version;
	path->max_sectors = cfg->sector_count == 0 ? 2 : cfg->sector_count;  /* AoEr11: 0 means 2 */
}

static void query_receive(struct engine *e, void *ctx, unsigned port, const uint8_t *buf, size_t len,
			  uint64_t now)
{
	struct query *q = ctx;
	struct aoe_frame reply;
	if (aoe_parse_response(buf, len, &reply) != AOE_PARSE_OK || !wanted(q, &reply)) {
		e->stats.strays++;
		return;
	}
	record_answer(q, port, &reply, now);
	if (q->first_answer_ns == 0) {
		q->first_answer_ns = now;
		uint64_t rtt = now - q->last_send_ns;
		q->linger_ns = rtt * LINGER_RTTS > LINGER_MIN_NS ? rtt * LINGER_RTTS : LINGER_MIN_NS;
	}
}

static void send_queries(struct engine *e, struct query *q, uint64_t now)
{
	for (unsigned p = 0; p < e->port_count; p++) {
		struct aoe_frame frame = {
			.hdr = { .version = AOE_VERSION, .shelf = q->shelf, .slot = q->slot,
				 .command = AOE_CMD_CONFIG, .tag = q->tag },
			.has_arg = true,
			.arg.cfg = { .ccmd = AOE_CCMD_READ },  /* AoE nibble 0, as the Linux driver sends */
		};
		memset(frame.hdr.dst, 0xff, AOE_MAC_LEN);
		memcpy(frame.hdr.src, e->ports[p].mac, AOE_MAC_LEN);
		/* One buffer per port: frames queued on different ports must not share it. */
		uint8_t *buf = e->slots[p].frame;
		size_t len = aoe_pad(buf, aoe_build(buf, e->frame_cap, &frame), e->frame_cap);
		engine_queue(e, p, buf, len);
	}
	q->last_send_ns = now;
}

enum engine_result engine_query(struct engine *e, uint16_t shelf, uint8_t slot, uint64_t wait_ns,
				bool until_found, struct engine_target_list *list)
{
	struct query q = { .shelf = shelf, .slot = slot, .tag = engine_new_tag(e, 0), .list = list };
	uint64_t start = clock_now_ns();
	uint64_t end = start + wait_ns;
	uint64_t next_send = start;
	uint64_t interval = RTT_INITIAL_RTO_NS;
	for (;;) {
		uint64_t now = clock_now_ns();
		if (until_found && q.first_answer_ns != 0 && now >= q.first_answer_ns + q.linger_ns)
			break;
		if (now >= end)
			break;
		if (now >= next_send) {
			send_queries(e, &q, now);
			next_send = now + interval;
			interval = interval * 2 > RTT_MAX_RTO_NS ? RTT_MAX_RTO_NS : interval * 2;
		}
		enum engine_result result = engine_flush(e);
		if (result != ENGINE_OK)
			return result;
		uint64_t wake = next_send < end ? next_send : end;
		if (until_found && q.first_answer_ns != 0 && q.first_answer_ns + q.linger_ns < wake)
			wake = q.first_answer_ns + q.linger_ns;
		result = engine_poll(e, wake > now ? wake - now : 0, query_receive, &q);
		if (result != ENGINE_OK)
			return result;
		if (q.out_of_memory) {
			snprintf(e->error, sizeof(e->error), "out of memory for the target list");
			return ENGINE_LOCAL_ERROR;
		}
	}
	return ENGINE_OK;
}
