/*
 * test_sim_switch.c - aoe-sim's learning switch (sim/switch.h): what it
 * learns, where a frame goes (one port, every other port, or nowhere), and
 * the frames it must not learn from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "switch.h"

static const uint8_t MAC_A[6] = { 0x02, 0xae, 0, 0, 0, 1 };
static const uint8_t MAC_B[6] = { 0x02, 0xae, 0, 0, 0, 2 };
static const uint8_t MAC_C[6] = { 0x02, 0xae, 0, 0, 0, 3 };
static const uint8_t BROADCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MULTICAST[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

static struct mac_table table;  /* 48 KiB: not on the stack */

static size_t frame(uint8_t *f, const uint8_t dst[6], const uint8_t src[6])
{
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xa2;
	return 60;
}

struct decision {
	enum switch_result r;
	int out[8];
	int count;
	bool learned;
};

static struct decision decide(int in_port, const uint8_t dst[6], const uint8_t src[6], int nports)
{
	struct decision d;
	uint8_t f[60];
	size_t len = frame(f, dst, src);
	d.r = switch_decide(&table, in_port, f, len, nports, d.out, &d.count, &d.learned);
	return d;
}

static int setup(void **state)
{
	(void)state;
	mac_table_init(&table);
	return 0;
}

static void test_unknown_unicast_floods_to_every_other_port(void **state)
{
	(void)state;
	struct decision d = decide(1, MAC_B, MAC_A, 4);
	assert_int_equal(d.r, SWITCH_FLOOD);
	assert_int_equal(d.count, 3);
	assert_int_equal(d.out[0], 0);
	assert_int_equal(d.out[1], 2);
	assert_int_equal(d.out[2], 3);
	assert_true(d.learned);
	assert_int_equal(mac_lookup(&table, MAC_A), 1);
	assert_int_equal(table.used, 1);
}

static void test_learned_destination_gets_the_frame_alone(void **state)
{
	(void)state;
	decide(2, BROADCAST, MAC_B, 4);  /* B announces itself on port 2 */
	struct decision d = decide(0, MAC_B, MAC_A, 4);
	assert_int_equal(d.r, SWITCH_UNICAST);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.out[0], 2);
	/* And the reply goes back to where A was learned. */
	d = decide(2, MAC_A, MAC_B, 4);
	assert_int_equal(d.r, SWITCH_UNICAST);
	assert_int_equal(d.out[0], 0);
	assert_false(d.learned);  /* B was already known on port 2 */
}

static void test_broadcast_and_multicast_always_flood(void **state)
{
	(void)state;
	decide(3, BROADCAST, MAC_C, 4);
	struct decision d = decide(0, BROADCAST, MAC_A, 4);
	assert_int_equal(d.r, SWITCH_FLOOD);
	assert_int_equal(d.count, 3);
	d = decide(0, MULTICAST, MAC_A, 4);
	assert_int_equal(d.r, SWITCH_FLOOD);
	assert_int_equal(d.count, 3);
	assert_false(d.learned);
}

static void test_destination_on_the_ingress_port_is_filtered(void **state)
{
	(void)state;
	decide(1, BROADCAST, MAC_A, 3);
	decide(1, BROADCAST, MAC_B, 3);  /* both behind port 1 */
	struct decision d = decide(1, MAC_B, MAC_A, 3);
	assert_int_equal(d.r, SWITCH_FILTER);
	assert_int_equal(d.count, 0);
}

static void test_a_moved_address_is_relearned(void **state)
{
	(void)state;
	assert_true(decide(0, BROADCAST, MAC_A, 3).learned);
	assert_true(decide(2, BROADCAST, MAC_A, 3).learned);  /* news: it moved */
	assert_int_equal(mac_lookup(&table, MAC_A), 2);
	assert_int_equal(table.used, 1);
	struct decision d = decide(1, MAC_A, MAC_B, 3);
	assert_int_equal(d.r, SWITCH_UNICAST);
	assert_int_equal(d.out[0], 2);
}

static void test_multicast_source_is_never_learned(void **state)
{
	(void)state;
	struct decision d = decide(0, MAC_B, MULTICAST, 3);
	assert_false(d.learned);
	assert_int_equal(mac_lookup(&table, MULTICAST), -1);
	/* So a frame to it floods rather than going back to port 0. */
	d = decide(1, MULTICAST, MAC_B, 3);
	assert_int_equal(d.r, SWITCH_FLOOD);
	assert_int_equal(d.count, 2);
}

static void test_runt_frame_floods_and_teaches_nothing(void **state)
{
	(void)state;
	uint8_t f[13];
	memcpy(f, MAC_B, 6);
	memcpy(f + 6, MAC_A, 6);
	int out[4], count;
	bool learned;
	decide(1, BROADCAST, MAC_B, 4);
	enum switch_result r = switch_decide(&table, 0, f, sizeof(f), 4, out, &count, &learned);
	assert_int_equal(r, SWITCH_FLOOD);
	assert_int_equal(count, 3);
	assert_false(learned);
	assert_int_equal(mac_lookup(&table, MAC_A), -1);
}

static void test_table_stops_learning_when_half_full(void **state)
{
	(void)state;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	for (unsigned i = 0; i < MAC_SLOTS / 2; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		assert_true(mac_learn(&table, mac, (int)(i % 7)));
	}
	assert_int_equal(table.used, MAC_SLOTS / 2);
	assert_false(mac_learn(&table, MAC_A, 1));  /* full: flooding stays correct */
	assert_int_equal(mac_lookup(&table, MAC_A), -1);
	mac[4] = 0x03;
	mac[5] = 0x21;  /* entry 801: still there, still on its port */
	assert_int_equal(mac_lookup(&table, mac), 801 % 7);
	assert_false(mac_learn(&table, mac, 801 % 7));  /* no news */
	assert_true(mac_learn(&table, mac, 801 % 7 + 1));  /* known ones may still move */
	assert_int_equal(mac_lookup(&table, mac), 801 % 7 + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unknown_unicast_floods_to_every_other_port, setup),
		cmocka_unit_test_setup(test_learned_destination_gets_the_frame_alone, setup),
		cmocka_unit_test_setup(test_broadcast_and_multicast_always_flood, setup),
		cmocka_unit_test_setup(test_destination_on_the_ingress_port_is_filtered, setup),
		cmocka_unit_test_setup(test_a_moved_address_is_relearned, setup),
		cmocka_unit_test_setup(test_multicast_source_is_never_learned, setup),
		cmocka_unit_test_setup(test_runt_frame_floods_and_teaches_nothing, setup),
		cmocka_unit_test_setup(test_table_stops_learning_when_half_full, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
