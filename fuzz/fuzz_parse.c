/*
 * fuzz_parse.c - the wire codec: any bytes through both parsers, and what
 * parses must build back to the same bytes.
 *
 * Properties checked on every input (a violation aborts):
 *   - every pointer a parser hands out lies inside the input;
 *   - a frame that parses OK builds back with aoe_build, into a fresh buffer
 *     and in place on top of itself (as the target builds replies), to the
 *     input's own bytes for the length the command defines, with reserved
 *     bytes as zero (the builder writes them as zero, the parser ignores them);
 *   - the header fields of a frame refused with BAD_VERSION or
 *     UNKNOWN_COMMAND are still the input's (a target answers from them).
 * Also run: the IDENTIFY page decoder on any ATA reply with a full page, and
 * the MAC text parser on the input as a string (parse, format, parse again).
 */
#include <string.h>

#include "aoe.h"
#include "ata.h"
#include "harness.h"

static bool inside(const uint8_t *buf, size_t len, const uint8_t *p, size_t n)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

/* The frame length the builder must give back for a parsed frame. */
static size_t expected_length(const struct aoe_frame *f, size_t len, bool response)
{
	if (!f->has_arg)
		return AOE_HDR_LEN;
	switch (f->hdr.command) {
	case AOE_CMD_ATA:
		return len; /* trailing bytes are data */
	case AOE_CMD_CONFIG:
		return AOE_CFG_HDR_LEN + (size_t)f->arg.cfg.config_len;
	case AOE_CMD_MASK:
		if (response && f->arg.mask.merror != 0)
			return AOE_MASK_HDR_LEN;
		return AOE_MASK_HDR_LEN + (size_t)f->arg.mask.dir_count * AOE_DIRECTIVE_LEN;
	case AOE_CMD_RESERVE:
		return AOE_RSRV_HDR_LEN + (size_t)f->arg.rsrv.mac_count * AOE_MAC_LEN;
	}
	FUZZ_CHECK(false, "command %u parsed OK but has no layout", f->hdr.command);
	return 0;
}

/* Reserved bytes: written as zero by the builder whatever the input had. */
static bool reserved_byte(const struct aoe_frame *f, size_t i)
{
	if (!f->has_arg)
		return false;
	if (f->hdr.command == AOE_CMD_ATA)
		return i == 34 || i == 35;
	if (f->hdr.command == AOE_CMD_MASK)
		return i == 24;
	return false;
}

static void check_pointers(const uint8_t *buf, size_t len, const struct aoe_frame *f)
{
	if (!f->has_arg)
		return;
	switch (f->hdr.command) {
	case AOE_CMD_ATA:
		FUZZ_CHECK(inside(buf, len, f->arg.ata.data, f->arg.ata.data_len), "ATA data outside");
		break;
	case AOE_CMD_CONFIG:
		FUZZ_CHECK(f->arg.cfg.config_len <= AOE_CONFIG_MAX, "config length %u",
			   f->arg.cfg.config_len);
		FUZZ_CHECK(inside(buf, len, f->arg.cfg.config, f->arg.cfg.config_len), "config outside");
		break;
	case AOE_CMD_MASK:
		if (f->arg.mask.directives)
			FUZZ_CHECK(inside(buf, len, f->arg.mask.directives,
					  (size_t)f->arg.mask.dir_count * AOE_DIRECTIVE_LEN),
				   "directives outside");
		break;
	case AOE_CMD_RESERVE:
		FUZZ_CHECK(inside(buf, len, f->arg.rsrv.macs, (size_t)f->arg.rsrv.mac_count * AOE_MAC_LEN),
			   "reserve MACs outside");
		break;
	}
}

static void check_rebuilt(const uint8_t *input, const uint8_t *rebuilt, size_t got, size_t want,
			  const struct aoe_frame *f, const char *how)
{
	FUZZ_CHECK(got == want, "%s build gave %zu bytes, expected %zu", how, got, want);
	for (size_t i = 0; i < want; i++) {
		uint8_t expect = reserved_byte(f, i) ? 0 : input[i];
		FUZZ_CHECK(rebuilt[i] == expect, "%s build: byte %zu is 0x%02x, input had 0x%02x", how, i,
			   rebuilt[i], expect);
	}
}

static void round_trip(const uint8_t *data, size_t size, bool response)
{
	struct aoe_frame f;
	enum aoe_parse_status status = response ? aoe_parse_response(data, size, &f)
						: aoe_parse_request(data, size, &f);
	FUZZ_CHECK(strcmp(aoe_parse_status_str(status), "unknown parse status") != 0, "status %d",
		   (int)status);
	if (status == AOE_PARSE_BAD_VERSION || status == AOE_PARSE_UNKNOWN_COMMAND) {
		/* The target answers these from the header: it must be the input's. */
		uint8_t hdr[AOE_HDR_LEN];
		FUZZ_CHECK(aoe_build_header(hdr, sizeof(hdr), &f.hdr) == AOE_HDR_LEN, "header build");
		FUZZ_CHECK(memcmp(hdr, data, AOE_HDR_LEN) == 0, "header of a refused frame differs");
		return;
	}
	if (status != AOE_PARSE_OK)
		return;
	check_pointers(data, size, &f);
	FUZZ_CHECK(((f.hdr.flags & AOE_FLAG_RESPONSE) != 0) == response, "R flag");
	(void)aoe_command_str(f.hdr.command);
	(void)aoe_error_str(f.hdr.error);

	size_t want = expected_length(&f, size, response);
	FUZZ_CHECK(want <= size, "parsed length %zu beyond the %zu-byte input", want, size);

	/* Into a fresh buffer exactly as long as the input. */
	uint8_t *fresh = malloc(size);
	FUZZ_CHECK(fresh != NULL, "malloc");
	memset(fresh, 0xa5, size);
	check_rebuilt(data, fresh, aoe_build(fresh, size, &f), want, &f, "fresh");
	free(fresh);

	/* On top of a copy of itself: the variable parts' sources overlap their destinations. */
	uint8_t *inplace = malloc(size);
	FUZZ_CHECK(inplace != NULL, "malloc");
	memcpy(inplace, data, size);
	struct aoe_frame g;
	enum aoe_parse_status again = response ? aoe_parse_response(inplace, size, &g)
					       : aoe_parse_request(inplace, size, &g);
	FUZZ_CHECK(again == status, "second parse gave %d", (int)again);
	check_rebuilt(data, inplace, aoe_build(inplace, size, &g), want, &g, "in-place");
	free(inplace);

	/* Too small a buffer must be refused, never overrun. */
	if (want > AOE_HDR_LEN) {
		uint8_t *small = malloc(want - 1);
		FUZZ_CHECK(small != NULL, "malloc");
		FUZZ_CHECK(aoe_build(small, want - 1, &f) == 0, "build into %zu bytes succeeded", want - 1);
		free(small);
	}

	if (response && f.has_arg && f.hdr.command == AOE_CMD_ATA &&
	    f.arg.ata.data_len >= ATA_IDENTIFY_LEN) {
		struct ata_identity id;
		ata_identify_decode(f.arg.ata.data, &id);
		FUZZ_CHECK(strlen(id.model) <= ATA_MODEL_LEN && strlen(id.serial) <= ATA_SERIAL_LEN &&
				   strlen(id.firmware) <= ATA_FIRMWARE_LEN,
			   "identify strings too long");
	}
}

static void mac_text(const uint8_t *data, size_t size)
{
	char text[64];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	uint8_t mac[AOE_MAC_LEN], again[AOE_MAC_LEN];
	if (!aoe_mac_parse(text, mac))
		return;
	char formatted[18];
	aoe_mac_format(mac, formatted);
	FUZZ_CHECK(aoe_mac_parse(formatted, again), "formatted MAC %s does not parse", formatted);
	FUZZ_CHECK(memcmp(mac, again, AOE_MAC_LEN) == 0, "MAC %s changed in a round trip", formatted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size, false);
	round_trip(data, size, true);
	mac_text(data, size);
	return 0;
}
