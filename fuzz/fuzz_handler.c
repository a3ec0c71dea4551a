/*
 * fuzz_handler.c - the target's request handler over a sequence of frames.
 *
 * State carries from frame to frame within one input (config string, mask
 * list, reservations, disk contents), so a later frame can meet what an
 * earlier one set up; every input starts from a fresh target and a zeroed
 * disk.  Source MACs are taken from the frames as they are, so the fuzzer
 * can be a listed host, an unlisted one, or the reserving one.  Input format:
 * fuzz_target.h.
 *
 * After every frame (a violation aborts):
 *   - the reply is either nothing or 60 bytes up to the buffer's capacity
 *     (less than 60 only when the buffer itself is smaller);
 *   - a reply parses as a response, version 1, from our port and address,
 *     to the requester, with the request's tag and command;
 *   - config_len <= 1024, mask_count <= 32, reserve_count <= 255.
 * Each frame sits in a heap buffer of exactly the port's capacity, and the
 * disk is a heap buffer of exactly 64 sectors: a sanitizer build catches any
 * access past either.
 */
#include <errno.h>
#include <string.h>

#include "aoe.h"
#include "disk.h"
#include "fuzz_target.h"
#include "handler.h"
#include "harness.h"
#include "serve.h"

static struct disk disk;
static bool disk_ready;
static struct target target;

/* A disk that fails: the handler's I/O error path (target_complete) gets input too. */
static const struct disk_ops *memory_ops;

static int fail_read(struct disk *d, void *buf, uint64_t offset, size_t len)
{
	(void)d, (void)buf, (void)offset, (void)len;
	return -EIO;
}

static int fail_write(struct disk *d, const void *buf, uint64_t offset, size_t len)
{
	(void)d, (void)buf, (void)offset, (void)len;
	return -EIO;
}

static int fail_flush(struct disk *d)
{
	(void)d;
	return -EIO;
}

static int memory_write(struct disk *d, const void *buf, uint64_t offset, size_t len)
{
	return memory_ops->write(d, buf, offset, len);
}

static void no_close(struct disk *d) { (void)d; }

static const struct disk_ops failing_ops = { fail_read, fail_write, fail_flush, no_close };
static struct disk_ops flush_failing_ops = { NULL, memory_write, fail_flush, no_close };

struct port {
	unsigned max_sectors;
	size_t cap;
};

static struct port port_for(uint8_t settings)
{
	switch ((settings >> FUZZ_SET_PORT_SHIFT) & FUZZ_SET_PORT_MASK) {
	case FUZZ_PORT_MTU9000:
		return (struct port){ 17, AOE_ETH_HDR_LEN + 9000 };
	case FUZZ_PORT_LYING:
		return (struct port){ 17, AOE_ETH_HDR_LEN + 1500 };
	case FUZZ_PORT_TINY:
		return (struct port){ 2, AOE_ETH_MIN_FRAME };
	default:
		return (struct port){ 2, AOE_ETH_HDR_LEN + 1500 };
	}
}

static void check_reply(const uint8_t *request_hdr, const uint8_t *frame, size_t reply_len,
			size_t cap)
{
	size_t min = cap < AOE_ETH_MIN_FRAME ? cap : AOE_ETH_MIN_FRAME;
	FUZZ_CHECK(reply_len >= min && reply_len <= cap, "reply of %zu bytes, buffer %zu", reply_len,
		   cap);
	struct aoe_frame reply;
	enum aoe_parse_status status = aoe_parse_response(frame, reply_len, &reply);
	FUZZ_CHECK(status == AOE_PARSE_OK, "reply does not parse: %s", aoe_parse_status_str(status));
	FUZZ_CHECK(reply.hdr.version == AOE_VERSION, "reply version %u", reply.hdr.version);
	FUZZ_CHECK(reply.hdr.shelf == FUZZ_SHELF && reply.hdr.slot == FUZZ_SLOT, "reply from %u.%u",
		   reply.hdr.shelf, reply.hdr.slot);
	FUZZ_CHECK(memcmp(reply.hdr.src, FUZZ_PORT_MAC, AOE_MAC_LEN) == 0, "reply not from our port");
	/* request_hdr is a copy of the request's first 24 bytes: src at 6, command 19, tag 20. */
	FUZZ_CHECK(memcmp(reply.hdr.dst, request_hdr + 6, AOE_MAC_LEN) == 0, "reply not to the requester");
	FUZZ_CHECK(reply.hdr.command == request_hdr[19], "reply command %u, request %u",
		   reply.hdr.command, request_hdr[19]);
	FUZZ_CHECK(reply.hdr.tag == aoe_get32(request_hdr + 20), "reply tag differs");
}

static void check_state(const struct target *t)
{
	FUZZ_CHECK(t->config_len <= AOE_CONFIG_MAX, "config_len %u", t->config_len);
	FUZZ_CHECK(t->mask_count <= TARGET_MASK_MAX, "mask_count %u", t->mask_count);
	FUZZ_CHECK(t->reserve_count <= TARGET_RESERVE_MAX, "reserve_count %u", t->reserve_count);
}

static void serve_one(const uint8_t *bytes, size_t len, struct port port)
{
	size_t cap = len > port.cap ? len : port.cap;
	uint8_t *frame = malloc(cap);
	FUZZ_CHECK(frame != NULL, "malloc");
	memcpy(frame, bytes, len);
	/* Stale bytes behind the request, as in a reused receive buffer. */
	memset(frame + len, 0xa5, cap - len);

	uint8_t request_hdr[AOE_HDR_LEN] = { 0 };
	memcpy(request_hdr, bytes, len < AOE_HDR_LEN ? len : AOE_HDR_LEN);

	struct target_request req = {
		.frame = frame,
		.len = len,
		.cap = cap,
		.port_mac = FUZZ_PORT_MAC,
		.port_max_sectors = port.max_sectors,
	};
	size_t reply_len = target_serve(&target, &disk, &req);
	if (reply_len != 0)
		check_reply(request_hdr, frame, reply_len, cap);
	check_state(&target);
	free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!disk_ready) {
		FUZZ_CHECK(disk_open_memory(&disk, FUZZ_SECTORS, false) == 0, "disk_open_memory");
		memory_ops = disk.ops;
		flush_failing_ops.read = memory_ops->read;
		disk_ready = true;
	}
	if (size < 1)
		return 0;
	uint8_t settings = data[0];
	bool read_only = settings & FUZZ_SET_READ_ONLY;
	memset(disk.memory, 0, (size_t)FUZZ_SECTORS * AOE_SECTOR_SIZE);
	disk.read_only = read_only;
	disk.ops = settings & FUZZ_SET_DISK_FAILS ? &failing_ops
		   : settings & FUZZ_SET_FLUSH_FAILS ? &flush_failing_ops
						     : memory_ops;
	target_init(&target, FUZZ_SHELF, FUZZ_SLOT, FUZZ_SECTORS, read_only, "fuzzhost");
	target.writeback = settings & FUZZ_SET_WRITEBACK;
	struct port port = port_for(settings);

	size_t pos = 1;
	for (unsigned n = 0; n < FUZZ_MAX_FRAMES && size - pos >= 2; n++) {
		size_t len = aoe_get16(data + pos);
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		serve_one(data + pos, len, port);
		pos += len;
	}
	return 0;
}
