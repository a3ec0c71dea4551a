/*
 * mask.c - "aoe-initiator mask": show or edit a target's MAC mask list
 * (MAC Mask List, MCmd read and edit).
 *
 * A non-empty list admits only the MACs on it, and a target silently drops
 * everything else, including our next Query Config: an edit that leaves this
 * host off the list is allowed (it is the operator's call) but warned about.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "control.h"
#include "maclist.h"
#include "report.h"
#include "session.h"

struct mask_answer {
	bool error;
	uint8_t error_code;
	uint8_t merror;
	uint8_t failed_at;          /* with merror: the index of the failing directive */
	struct maclist list;
};

static bool take_answer(void *ctx, const struct aoe_frame *reply, unsigned path, uint64_t rtt_ns)
{
	struct mask_answer *a = ctx;
	(void)path;
	(void)rtt_ns;
	a->error = reply->hdr.flags & AOE_FLAG_ERROR;
	a->error_code = reply->hdr.error;
	if (!reply->has_arg)
		return true;
	const struct aoe_mask *mask = &reply->arg.mask;
	a->merror = mask->merror;
	a->failed_at = mask->dir_count;
	for (unsigned i = 0; mask->merror == 0 && i < mask->dir_count; i++) {
		uint8_t dcmd, mac[AOE_MAC_LEN];
		aoe_directive_get(mask->directives + i * AOE_DIRECTIVE_LEN, &dcmd, mac);
		maclist_add(&a->list, mac);
	}
	return true;
}

static const char *merror_meaning(uint8_t merror)
{
	switch (merror) {
	case AOE_MERROR_BAD_DCMD: return "bad directive";
	case AOE_MERROR_FULL: return "mask list full";
	default: return "unspecified error";
	}
}

static int report_refusal(const struct session *s, const struct cli_options *opts,
			  const struct mask_answer *a)
{
	if (a->error) {
		report_error("%s: MAC Mask List refused: AoE error %u (%s)", s->target->name,
			     a->error_code, aoe_error_str(a->error_code));
		return EXIT_TARGET_ERROR;
	}
	char mac[18] = "?";
	const char *verb = "?";
	if (a->failed_at < opts->mask_edit_count) {
		aoe_mac_format(opts->mask_edits[a->failed_at].mac, mac);
		verb = opts->mask_edits[a->failed_at].dcmd == AOE_DCMD_ADD ? "--add" : "--del";
	}
	report_error("%s: the target refused directive %u (%s %s): %s (MError %u); the directives "
		     "before it were applied",
		     s->target->name, a->failed_at + 1, verb, mac, merror_meaning(a->merror), a->merror);
	return EXIT_TARGET_ERROR;
}

int command_mask(const struct cli_options *opts)
{
	struct session s;
	int rc = session_open(&s, opts, false);
	if (rc != EXIT_OK)
		return rc;
	uint8_t directives[AOE_MASK_MAX_DIRECTIVES * AOE_DIRECTIVE_LEN];
	for (unsigned i = 0; i < opts->mask_edit_count; i++)
		aoe_directive_put(directives + i * AOE_DIRECTIVE_LEN, opts->mask_edits[i].dcmd,
				  opts->mask_edits[i].mac);
	struct mask_answer a;
	memset(&a, 0, sizeof(a));
	struct control_request req = {
		.request = { .hdr = { .command = AOE_CMD_MASK }, .has_arg = true,
			     .arg.mask = { .mcmd = opts->mask_edit_count ? AOE_MCMD_EDIT : AOE_MCMD_READ,
					   .dir_count = (uint8_t)opts->mask_edit_count,
					   .directives = directives } },
		.wait_ns = s.engine.deadline_ns, .path = ENGINE_NO_PATH,
		.accept = take_answer, .ctx = &a,
	};
	rc = session_fail(&s.engine, control_exchange(&s.engine, s.target, &req));
	if (rc == EXIT_OK && (a.error || a.merror != 0))
		rc = report_refusal(&s, opts, &a);
	if (rc == EXIT_OK && opts->json)
		maclist_print_json(&a.list, s.target->name, "mask");
	else if (rc == EXIT_OK)
		maclist_print(&a.list, s.target->name, "mask", "every host may use the target");
	if (rc == EXIT_OK && a.list.count > 0 && !maclist_has_us(&a.list, &s.engine, s.target))
		report_warn("%s: this host is not on the mask list: the target will ignore it from now "
			    "on (another listed host can change that)", s.target->name);
	session_close(&s);
	return rc;
}
