/*
 * fuzz_target.h - the target the handler harness fuzzes, and the input format
 * it reads; shared with the seed extractor (seeds.c), which writes that format.
 *
 * Handler input:  one settings byte, then frames, each a 2-byte big-endian
 * length and that many bytes (a length past the end takes what is left).
 *
 *   settings bit 0     read-only export
 *   settings bit 1     writeback (writes acknowledged before they are stable)
 *   settings bits 2-3  the port: 0 MTU 1500 (2 sectors, 1514-byte buffer),
 *                      1 MTU 9000 (17 sectors, 9014-byte buffer),
 *                      2 a port that claims 17 sectors with a 1514-byte buffer,
 *                      3 a 60-byte buffer at 2 sectors
 *                      (2 and 3 exist to exercise the handler's capacity checks)
 *   settings bit 4     every disk operation fails (-EIO)
 *   settings bit 5     only flushes fail (so stable writes fail after writing)
 *   other bits         ignored
 *
 * shelf 9 slot 0 are those of the reference Linux captures, so their frames
 * reach the handler unchanged; the extractor only rewrites the destination MAC
 * of unicast requests to FUZZ_PORT_MAC.
 */
#ifndef AOEKIT_FUZZ_TARGET_H
#define AOEKIT_FUZZ_TARGET_H

#include <stdint.h>

#include "aoe.h"

enum {
	FUZZ_SHELF = 9,
	FUZZ_SLOT = 0,
	FUZZ_SECTORS = 64,
	FUZZ_MAX_FRAMES = 256,      /* per input: keeps one execution short */

	FUZZ_SET_READ_ONLY = 0x01,
	FUZZ_SET_WRITEBACK = 0x02,
	FUZZ_SET_PORT_SHIFT = 2,
	FUZZ_SET_PORT_MASK = 0x03,
	FUZZ_SET_DISK_FAILS = 0x10,
	FUZZ_SET_FLUSH_FAILS = 0x20,
	FUZZ_PORT_MTU1500 = 0,
	FUZZ_PORT_MTU9000 = 1,
	FUZZ_PORT_LYING = 2,
	FUZZ_PORT_TINY = 3,
};

static const uint8_t FUZZ_PORT_MAC[AOE_MAC_LEN] = { 0x02, 0xae, 0x00, 0x00, 0x00, 0x01 };

#endif
