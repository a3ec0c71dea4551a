/*
 * test_l2port_send.c - l2port_send and l2port_send_each against the kernel:
 * a frame it refuses costs that frame only, not the rest of the batch.
 *
 * The test makes a network namespace of its own (root only; skipped
 * otherwise) whose loopback has MTU 1500, so that a frame longer than that is
 * refused (EMSGSIZE) while its neighbours are not.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "l2port.h"

enum { SHORT_LEN = 60, LONG_LEN = 2000, FRAMES = 5 };

static uint8_t buffers[FRAMES][LONG_LEN];

/* A namespace of our own with lo up at MTU 1500; false if that cannot be had. */
static bool own_loopback(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return false;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return false;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_mtu = 1500;
	bool ok = ioctl(fd, SIOCSIFMTU, &ifr) == 0;
	ifr.ifr_flags = IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	close(fd);
	return ok;
}

static int setup(void **state)
{
	static struct l2port port;
	char err[256];
	*state = NULL;
	if (!own_loopback() || l2port_open(&port, "lo", err, sizeof(err)) < 0)
		return 0;
	*state = &port;
	return 0;
}

static int teardown(void **state)
{
	if (*state)
		l2port_close(*state);
	return 0;
}

/* Frames to ourselves on lo, EtherType AoE, each a given length. */
static void make_frames(struct l2frame *frames, const size_t *lengths, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		memset(buffers[i], 0, sizeof(buffers[i]));
		buffers[i][12] = 0x88;
		buffers[i][13] = 0xa2;
		buffers[i][14] = (uint8_t)i;
		frames[i] = (struct l2frame){ .buf = buffers[i], .len = lengths[i], .cap = LONG_LEN };
	}
}

static void refused_frame_in_the_middle(void **state)
{
	if (!*state)
		skip();
	const size_t lengths[FRAMES] = { SHORT_LEN, LONG_LEN, SHORT_LEN, SHORT_LEN, SHORT_LEN };
	struct l2frame frames[FRAMES];
	bool ok[FRAMES];
	make_frames(frames, lengths, FRAMES);
	errno = 0;
	assert_int_equal(l2port_send_each(*state, frames, FRAMES, ok), FRAMES - 1);
	assert_int_equal(errno, EMSGSIZE);
	assert_true(ok[0]);
	assert_false(ok[1]);
	assert_true(ok[2] && ok[3] && ok[4]);
}

static void refused_first_and_last(void **state)
{
	if (!*state)
		skip();
	const size_t lengths[3] = { LONG_LEN, SHORT_LEN, LONG_LEN };
	struct l2frame frames[3];
	make_frames(frames, lengths, 3);
	assert_int_equal(l2port_send(*state, frames, 3), 1);
	assert_int_equal(errno, EMSGSIZE);
}

static void all_refused(void **state)
{
	if (!*state)
		skip();
	const size_t lengths[2] = { LONG_LEN, LONG_LEN };
	struct l2frame frames[2];
	bool ok[2] = { true, true };
	make_frames(frames, lengths, 2);
	assert_int_equal(l2port_send_each(*state, frames, 2, ok), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_false(ok[0] || ok[1]);
}

/* What was sent arrives: lo hands every frame back to the port that sent it. */
static void accepted_frames_arrive(void **state)
{
	if (!*state)
		skip();
	struct l2port *port = *state;
	uint8_t drain[LONG_LEN];
	struct l2frame in = { .buf = drain, .cap = sizeof(drain) };
	while (l2port_recv(port, &in, 1) > 0)
		in = (struct l2frame){ .buf = drain, .cap = sizeof(drain) };
	const size_t lengths[4] = { SHORT_LEN, LONG_LEN, SHORT_LEN, SHORT_LEN };
	struct l2frame frames[4];
	make_frames(frames, lengths, 4);
	assert_int_equal(l2port_send(port, frames, 4), 3);
	unsigned seen_mask = 0;
	for (int tries = 0; tries < 100 && seen_mask != 0xd; tries++) {
		in = (struct l2frame){ .buf = drain, .cap = sizeof(drain) };
		if (l2port_recv(port, &in, 1) == 1 && in.len >= SHORT_LEN && in.buf[14] < 4)
			seen_mask |= 1u << in.buf[14];
		else
			l2port_wait(port, 10);
	}
	assert_int_equal(seen_mask, 0xd);  /* frames 0, 2 and 3 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused_frame_in_the_middle),
		cmocka_unit_test(refused_first_and_last),
		cmocka_unit_test(all_refused),
		cmocka_unit_test(accepted_frames_arrive),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
