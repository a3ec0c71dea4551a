/*
 * fake_port.h - an l2port and a clock for the initiator harness, linked in
 * place of lib/l2port.c and the system clock, so the initiator's own code runs
 * unchanged against replies made from the fuzz input, with no socket and no
 * waiting.
 *
 * The harness links fake_port.o before libaoe.a (so the archive's l2port.o is
 * never pulled in) and with -Wl,--wrap=clock_gettime,--wrap=ppoll: time only
 * moves when the engine would sleep (ppoll with nothing to deliver jumps the
 * clock by the timeout), so retransmission and give-up paths run in
 * microseconds.
 *
 * Input: a sequence of events, consumed one per frame the engine could receive:
 *   0x00-0x3f  answer: the (event % n)-th newest of the n unanswered requests
 *              gets its correct reply, built with the codec (fake_port_answer),
 *              then edited by the next bytes: [delta][n][n bytes XORed onto
 *              the reply from byte 14]; delta (signed) changes its length
 *   0x40-0x7f  the same among all requests sent, answered or not (duplicates)
 *   0x80-0xbf  a raw frame: [len16][len bytes], delivered as it is
 *   0xc0-0xff  silence: nothing arrives until the engine's next timeout
 * When the input is used up, silence: the engine times out and gives up.
 */
#ifndef AOEKIT_FUZZ_FAKE_PORT_H
#define AOEKIT_FUZZ_FAKE_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "aoe.h"

enum { FAKE_PENDING_MAX = 64, FAKE_FRAME_MAX = 9014 };

/* Target the fake answers as: shelf 9 slot 0 at this MAC, 64 sectors. */
extern const uint8_t FAKE_TARGET_MAC[AOE_MAC_LEN];
enum { FAKE_SHELF = 9, FAKE_SLOT = 0, FAKE_SECTORS = 64 };

/* Start a run: the events to play and the port's MTU. */
void fake_port_reset(const uint8_t *events, size_t len, unsigned mtu);

/* Frames the engine sent since the reset (retransmissions included). */
unsigned long fake_port_sent(void);

/*
 * The reply a well-behaved target gives to request (len bytes): written to
 * out (cap bytes), returns its length, 0 if the request deserves none.
 */
size_t fake_port_answer(const uint8_t *request, size_t len, uint8_t *out, size_t cap);

#endif
