/*
 * reserve.c - "aoe-initiator reserve": show, set, release or break a
 * target's reservation (Reserve/Release, RCmd read, set and force set).
 *
 * While the reserve list is non-empty, the target refuses ATA commands from
 * hosts not on it.  Setting the list is refused (AoE error 6) unless it is
 * empty or names the requester; --force sets it regardless.  Release is a
 * set with no MACs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "control.h"
#include "maclist.h"
#include "report.h"
#include "session.h"

struct reserve_answer {
	bool error;
	uint8_t error_code;
	struct maclist list;
};

static bool take_answer(void *ctx, const struct aoe_frame *reply, unsigned path, uint64_t rtt_ns)
{
	struct reserve_answer *a = ctx;
	(void)path;
	(void)rtt_ns;
	a->error = reply->hdr.flags & AOE_FLAG_ERROR;
	a->error_code = reply->hdr.error;
	if (!reply->has_arg)
		return true;
	for (unsigned i = 0; i < reply->arg.rsrv.mac_count; i++)
		maclist_add(&a->list, reply->arg.rsrv.macs + i * AOE_MAC_LEN);
	return true;
}

static enum engine_result exchange(struct session *s, uint8_t rcmd, const struct maclist *macs,
				   struct reserve_answer *a)
{
	memset(a, 0, sizeof(*a));
	struct control_request req = {
		.request = { .hdr = { .command = AOE_CMD_RESERVE }, .has_arg = true,
			     .arg.rsrv = { .rcmd = rcmd, .mac_count = (uint8_t)macs->count,
					   .macs = macs->macs[0] } },
		.wait_ns = s->engine.deadline_ns, .path = ENGINE_NO_PATH,
		.accept = take_answer, .ctx = a,
	};
	return control_exchange(&s->engine, s->target, &req);
}

/* The list to send: the MACs given, and with "self" every local port with a path to the target. */
static void wanted_list(const struct session *s, const struct cli_options *opts, struct maclist *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < opts->reserve_mac_count; i++)
		maclist_add(out, opts->reserve_macs[i]);
	if (opts->reserve_self) {
		for (unsigned i = 0; i < s->target->path_count; i++)
			maclist_add(out, s->engine.ports[s->target->paths[i].port].mac);
	}
}

static int report_refusal(struct session *s, const struct reserve_answer *a)
{
	if (a->error_code != AOE_ERR_RESERVED) {
		report_error("%s: Reserve/Release refused: AoE error %u (%s)", s->target->name,
			     a->error_code, aoe_error_str(a->error_code));
		return EXIT_TARGET_ERROR;
	}
	struct reserve_answer holder;
	char holders[256] = "unknown";
	if (exchange(s, AOE_RCMD_READ, &(struct maclist){ .count = 0 }, &holder) == ENGINE_OK)
		maclist_format(&holder.list, holders, sizeof(holders));
	report_error("%s: target reserved by another host (%s); use --force to break the reservation",
		     s->target->name, holders);
	return EXIT_REFUSED;
}

int command_reserve(const struct cli_options *opts)
{
	struct session s;
	int rc = session_open(&s, opts, false);
	if (rc != EXIT_OK)
		return rc;
	struct maclist wanted;
	wanted_list(&s, opts, &wanted);
	uint8_t rcmd = AOE_RCMD_READ;
	if (opts->reserve_set || opts->release)
		rcmd = opts->force ? AOE_RCMD_FORCE_SET : AOE_RCMD_SET;
	if (opts->release)
		wanted.count = 0;
	struct reserve_answer a;
	rc = session_fail(&s.engine, exchange(&s, rcmd, &wanted, &a));
	if (rc == EXIT_OK && a.error)
		rc = report_refusal(&s, &a);
	if (rc == EXIT_OK && opts->json)
		maclist_print_json(&a.list, s.target->name, "reserve");
	else if (rc == EXIT_OK)
		maclist_print(&a.list, s.target->name, "reserve", "not reserved");
	session_close(&s);
	return rc;
}
