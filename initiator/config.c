/*
 * config.c - "aoe-initiator config": show, set, force or test a target's
 * config string (Query Config CCmd 0-4, like aoecfg).
 *
 * A target answers test and prefix-test only when the string matches, so a
 * mismatch is silence: the command first reads the string (which also proves
 * the target is there), then tests, and reports a mismatch with the string
 * the target has.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "control.h"
#include "output.h"
#include "report.h"
#include "session.h"

enum { TEST_WAIT_S = 1, TEST_TRIES = 3 };

struct config_answer {
	bool error;
	uint8_t error_code;
	struct aoe_config cfg;
	uint8_t string[AOE_CONFIG_MAX];
};

static bool take_answer(void *ctx, const struct aoe_frame *reply, unsigned path, uint64_t rtt_ns)
{
	struct config_answer *a = ctx;
	(void)path;
	(void)rtt_ns;
	a->error = reply->hdr.flags & AOE_FLAG_ERROR;
	a->error_code = reply->hdr.error;
	if (reply->has_arg) {
		a->cfg = reply->arg.cfg;
		memcpy(a->string, reply->arg.cfg.config, reply->arg.cfg.config_len);
		a->cfg.config = a->string;
	}
	return true;
}

static enum engine_result exchange(struct session *s, uint8_t ccmd, const char *text,
				   uint64_t wait_ns, unsigned tries, struct config_answer *a)
{
	struct control_request req = {
		.request = { .hdr = { .command = AOE_CMD_CONFIG }, .has_arg = true,
			     .arg.cfg = { .ccmd = ccmd } },
		.max_tries = tries, .wait_ns = wait_ns, .path = ENGINE_NO_PATH,
		.accept = take_answer, .ctx = a,
	};
	if (text != NULL) {
		req.request.arg.cfg.config = (const uint8_t *)text;
		req.request.arg.cfg.config_len = (uint16_t)strlen(text);
	}
	memset(a, 0, sizeof(*a));
	return control_exchange(&s->engine, s->target, &req);
}

static void print_answer(const struct session *s, const struct config_answer *a, bool json,
			 const char *matches)
{
	const struct engine_target *t = s->target;
	if (!json) {
		printf("%s  ", t->name);
		output_quoted(stdout, a->cfg.config, a->cfg.config_len);
		printf(matches ? "  %s\n" : "\n", matches);
		return;
	}
	printf("{\"name\": \"%s\", \"config\": ", t->name);
	output_json_string(stdout, a->cfg.config, a->cfg.config_len);
	printf(", \"buffer_count\": %u, \"firmware_version\": %u, \"sector_count\": %u, "
	       "\"aoe_version\": %u",
	       a->cfg.buffer_count, a->cfg.firmware_version, a->cfg.sector_count, a->cfg.aoe_version);
	if (matches != NULL)
		printf(", \"matches\": %s", strcmp(matches, "matches") == 0 ? "true" : "false");
	printf("}\n");
}

static int report_set_error(const struct session *s, const struct config_answer *a)
{
	if (a->error_code == AOE_ERR_CONFIG_PRESENT) {
		fprintf(stderr, PROGRAM_NAME ": %s: config string mismatch: the target already has ",
			s->target->name);
		output_quoted(stderr, a->cfg.config, a->cfg.config_len);
		fprintf(stderr, "; use --force to replace it\n");
		return EXIT_REFUSED;
	}
	report_error("%s: Query Config set refused: AoE error %u (%s)", s->target->name, a->error_code,
		     aoe_error_str(a->error_code));
	return EXIT_TARGET_ERROR;
}

/* Test or prefix-test: silence is the target's "no". */
static int test_string(struct session *s, const struct cli_options *opts)
{
	struct config_answer current, answer;
	enum engine_result result = exchange(s, AOE_CCMD_READ, NULL, s->engine.deadline_ns, 0, &current);
	if (result != ENGINE_OK)
		return session_fail(&s->engine, result);
	double wait = opts->timeout_given ? opts->timeout_s : TEST_WAIT_S;
	result = exchange(s, opts->config_ccmd, opts->config_string, (uint64_t)(wait * NS_PER_S),
			  TEST_TRIES, &answer);
	if (result == ENGINE_OK && !answer.error) {
		print_answer(s, &answer, opts->json, "matches");
		return EXIT_OK;
	}
	if (result != ENGINE_OK && result != ENGINE_TIMEOUT)
		return session_fail(&s->engine, result);
	if (opts->json)
		print_answer(s, &current, true, "differs");
	fprintf(stderr, PROGRAM_NAME ": %s: config string mismatch: the target has ", s->target->name);
	output_quoted(stderr, current.cfg.config, current.cfg.config_len);
	fprintf(stderr, ", which %s ", opts->config_ccmd == AOE_CCMD_TEST ? "is not" : "does not start with");
	output_quoted(stderr, (const uint8_t *)opts->config_string, strlen(opts->config_string));
	fputc('\n', stderr);
	return EXIT_REFUSED;
}

int command_config(const struct cli_options *opts)
{
	struct session s;
	int rc = session_open(&s, opts, false);
	if (rc != EXIT_OK)
		return rc;
	if (opts->config_ccmd == AOE_CCMD_TEST || opts->config_ccmd == AOE_CCMD_TEST_PREFIX) {
		rc = test_string(&s, opts);
	} else {
		struct config_answer a;
		enum engine_result result = exchange(&s, opts->config_ccmd, opts->config_string,
						     s.engine.deadline_ns, 0, &a);
		rc = session_fail(&s.engine, result);
		if (rc == EXIT_OK && a.error)
			rc = report_set_error(&s, &a);
		else if (rc == EXIT_OK)
			print_answer(&s, &a, opts->json, NULL);
	}
	session_close(&s);
	return rc;
}
