/*
 * fuzz_initiator.c - the initiator engine's reply handling: discovery,
 * ATA streams and control exchanges, with every frame the engine receives
 * made from the fuzz input.
 *
 * The engine runs unchanged over fake_port.c (no socket; virtual clock, so
 * timeouts and retransmissions cost nothing).  Each input plays one session:
 *   1. engine_query to the broadcast address: Query Config answers become
 *      targets and paths;
 *   2. on the first target found: IDENTIFY (its page decoded and applied),
 *      READ and WRITE of up to 2 frames' worth, FLUSH CACHE (EXT);
 *   3. control exchanges: Query Config read, MAC Mask read, Reserve read.
 * Input: one settings byte (bit 0: MTU 9000, else 1500), then fake_port
 * events (fake_port.h).  An all-zero input is a target answering everything
 * correctly; mutations turn answers into wrong lengths, flags, tags, errors,
 * statuses and data, duplicates, strays and silence.
 *
 * Checked: memory safety (the sanitizer builds), that the engine comes back
 * with a defined result and a terminated error string, and that every
 * frame it sends is a well-formed request that fits the port.
 */
#include <string.h>

#include "control.h"
#include "engine.h"
#include "fake_port.h"
#include "harness.h"

enum { QUERY_WAIT_NS = 2000000000u };

static struct engine engine;
static uint8_t data_in[2 * 255 * AOE_SECTOR_SIZE];
static uint8_t data_out[2 * 255 * AOE_SECTOR_SIZE];

static void check_result(const struct engine *e, enum engine_result result)
{
	FUZZ_CHECK(result == ENGINE_OK || result == ENGINE_TIMEOUT || result == ENGINE_TARGET_ERROR ||
			   result == ENGINE_REFUSED || result == ENGINE_LOCAL_ERROR ||
			   result == ENGINE_INTERRUPTED,
		   "engine result %d", (int)result);
	FUZZ_CHECK(memchr(e->error, '\0', sizeof(e->error)) != NULL, "error string not terminated");
}

static bool accept_any(void *ctx, const struct aoe_frame *reply, unsigned path, uint64_t rtt_ns)
{
	(void)ctx;
	(void)reply;
	(void)path;
	(void)rtt_ns;
	return true;
}

static void exchange(struct engine *e, struct engine_target *t, uint8_t command, uint8_t subcommand)
{
	struct control_request req = { .max_tries = 3, .wait_ns = QUERY_WAIT_NS, .path = ENGINE_NO_PATH,
				       .accept = accept_any };
	req.request.hdr.command = command;
	req.request.has_arg = true;
	if (command == AOE_CMD_CONFIG)
		req.request.arg.cfg.ccmd = subcommand;
	else if (command == AOE_CMD_MASK)
		req.request.arg.mask.mcmd = subcommand;
	else
		req.request.arg.rsrv.rcmd = subcommand;
	check_result(e, control_exchange(e, t, &req));
}

static void ata_session(struct engine *e, struct engine_target *t)
{
	struct engine_io io[3];
	uint8_t page[ATA_IDENTIFY_LEN];
	engine_io_identify(&io[0], page);
	enum engine_result result = engine_run(e, t, io, 1);
	check_result(e, result);
	if (result == ENGINE_OK) {
		struct ata_identity id;
		ata_identify_decode(page, &id);
		engine_apply_identity(t, &id);
	}
	unsigned sectors = engine_min_sectors(e, t);
	if (sectors == 0)
		return;
	engine_io_rw(&io[0], t, false, 0, sectors, data_in);
	engine_io_rw(&io[1], t, true, sectors, sectors, data_out);
	engine_io_flush(&io[2], t->lba48);
	check_result(e, engine_run(e, t, io, 3));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fake_port_reset(data + 1, size - 1, data[0] & 1 ? 9000 : 1500);
	struct engine *e = &engine;
	engine_init(e);
	e->tag_sequence = 1; /* engine_init mixes in the pid: fixed here so runs repeat exactly */
	char err[128];
	FUZZ_CHECK(engine_add_port(e, "fuzz0", err, sizeof(err)) == 0, "add port: %s", err);
	FUZZ_CHECK(engine_start(e) == 0, "engine_start");

	struct engine_target_list list = { 0 };
	enum engine_result result = engine_query(e, AOE_SHELF_BROADCAST, AOE_SLOT_BROADCAST, QUERY_WAIT_NS,
						 true, &list);
	check_result(e, result);
	if (list.count > 0) {
		struct engine_target *t = &list.items[0];
		FUZZ_CHECK(t->path_count > 0 && t->path_count <= ENGINE_PATHS_MAX, "%u paths", t->path_count);
		FUZZ_CHECK(t->config_len <= AOE_CONFIG_MAX, "config_len %u", t->config_len);
		ata_session(e, t);
		exchange(e, t, AOE_CMD_CONFIG, AOE_CCMD_READ);
		exchange(e, t, AOE_CMD_MASK, AOE_MCMD_READ);
		exchange(e, t, AOE_CMD_RESERVE, AOE_RCMD_READ);
	}
	engine_target_list_free(&list);
	engine_close(e);
	return 0;
}
