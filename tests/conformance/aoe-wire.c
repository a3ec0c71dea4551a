/*
 * aoe-wire.c - the conformance suite's frame injector and collector.
 *
 *   aoe-wire IFACE
 *
 * Frames go out through libnet's link layer and come back through libpcap, so
 * nothing of aoekit's own raw port (lib/l2port.c) sits between the suite and
 * the target it tests.  The tool knows nothing about AoE beyond its EtherType:
 * the suite builds every byte of every frame (tests/conformance/aoe.py).
 *
 * It reads commands on stdin, one per line, and answers on stdout:
 *
 *   mac                          -> "mac xx:xx:xx:xx:xx:xx" (IFACE's address)
 *   send HEX                     inject HEX exactly as given (no padding, no
 *                                FCS); silent on success, counted for "sync"
 *   sync                         -> "ok SENT FAILED [last error]" since the
 *                                previous sync
 *   recv WAIT_MS QUIET_MS MAX    print the AoE frames that arrive on IFACE
 *                                (inbound only), one "frame HEX" line each,
 *                                until MAX frames (0: no limit), WAIT_MS since
 *                                the command, or QUIET_MS without a frame once
 *                                one has arrived (0: no quiet rule); then
 *                                "end COUNT KERNEL_DROPS"
 *   drain                        discard what has arrived -> "end COUNT DROPS"
 *   quit                         exit 0 (so does end of input)
 *
 * Frames that arrive between commands wait in libpcap's ring (128 MiB, about
 * 12000 frames), so a burst can be sent first and its replies collected
 * afterwards.  Frames are captured up to 10000 bytes (MTU 9000 frames whole).
 */
#include <errno.h>
#include <libnet.h>
#include <pcap.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	MAX_FRAME = 65536,      /* what "send" accepts */
	SNAPLEN = 10000,        /* captured per frame: a 9000-byte MTU frame whole; sizes ring slots */
	RING_BYTES = 128 << 20, /* about 12000 frames waiting between two "recv" */
};

static pcap_t *cap;
static libnet_t *net;
static char *hexbuf;      /* one output line */
static unsigned long sent, send_failed;
static char last_error[256];

/* One recv or drain in progress. */
static struct {
	bool print;
	unsigned long count;
	unsigned long max;
} rx;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "aoe-wire: %s: %s\n", what, detail);
	exit(1);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	static const char digits[] = "0123456789abcdef";
	(void)user;
	rx.count++;
	if (!rx.print)
		return;
	char *p = hexbuf;
	for (bpf_u_int32 i = 0; i < h->caplen; i++) {
		*p++ = digits[bytes[i] >> 4];
		*p++ = digits[bytes[i] & 15];
	}
	*p = '\0';
	printf("frame %s\n", hexbuf);
}

static unsigned kernel_drops(void)
{
	struct pcap_stat st;
	if (pcap_stats(cap, &st) != 0)
		return 0;
	return st.ps_drop;
}

/* Dispatch what is there now; returns the number of frames handled or -1. */
static int dispatch(int limit)
{
	int n = pcap_dispatch(cap, limit, on_frame, NULL);
	if (n < 0)
		die("pcap_dispatch", pcap_geterr(cap));
	return n;
}

static void cmd_recv(long wait_ms, long quiet_ms, unsigned long max)
{
	rx.print = true;
	rx.count = 0;
	rx.max = max;
	long long start = now_ms(), last = 0;
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(cap), .events = POLLIN };
	for (;;) {
		unsigned long before = rx.count;
		int limit = max ? (int)(max - rx.count) : -1;
		dispatch(limit);
		long long t = now_ms();
		if (rx.count > before)
			last = t;
		if (max && rx.count >= max)
			break;
		long long deadline = start + wait_ms;
		if (quiet_ms > 0 && rx.count > 0 && last + quiet_ms < deadline)
			deadline = last + quiet_ms;
		if (t >= deadline)
			break;
		long long left = deadline - t;
		if (poll(&pfd, 1, (int)(left > 50 ? 50 : left)) < 0 && errno != EINTR)
			die("poll", strerror(errno));
	}
	printf("end %lu %u\n", rx.count, kernel_drops());
}

static void cmd_drain(void)
{
	rx.print = false;
	rx.count = 0;
	while (dispatch(-1) > 0)
		;
	printf("end %lu %u\n", rx.count, kernel_drops());
}

static void cmd_send(const char *hex)
{
	static uint8_t frame[MAX_FRAME];
	size_t n = 0;
	while (hex[0] && hex[1] && n < sizeof(frame)) {
		int hi = hex_value(hex[0]), lo = hex_value(hex[1]);
		if (hi < 0 || lo < 0)
			break;
		frame[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	if (*hex != '\0' && *hex != '\n') {
		send_failed++;
		snprintf(last_error, sizeof(last_error), "bad hex at byte %zu", n);
		return;
	}
	if (libnet_adv_write_link(net, frame, (uint32_t)n) != (int)n) {
		send_failed++;
		snprintf(last_error, sizeof(last_error), "%zu-byte frame: %s", n,
			 libnet_geterror(net));
		return;
	}
	sent++;
}

static void cmd_mac(void)
{
	struct libnet_ether_addr *mac = libnet_get_hwaddr(net);
	if (mac == NULL)
		die("libnet_get_hwaddr", libnet_geterror(net));
	printf("mac %02x:%02x:%02x:%02x:%02x:%02x\n", mac->ether_addr_octet[0],
	       mac->ether_addr_octet[1], mac->ether_addr_octet[2], mac->ether_addr_octet[3],
	       mac->ether_addr_octet[4], mac->ether_addr_octet[5]);
}

static void open_capture(const char *iface)
{
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	cap = pcap_create(iface, err);
	if (cap == NULL)
		die(iface, err);
	if (pcap_set_snaplen(cap, SNAPLEN) != 0 || pcap_set_immediate_mode(cap, 1) != 0 ||
	    pcap_set_buffer_size(cap, RING_BYTES) != 0 || pcap_set_promisc(cap, 0) != 0)
		die("pcap options", pcap_geterr(cap));
	int rc = pcap_activate(cap);
	if (rc < 0)
		die("pcap_activate", pcap_geterr(cap));
	/* Our own transmissions are not replies. */
	if (pcap_setdirection(cap, PCAP_D_IN) != 0)
		die("pcap_setdirection", pcap_geterr(cap));
	if (pcap_compile(cap, &prog, "ether proto 0x88a2", 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(cap, &prog) != 0)
		die("pcap filter", pcap_geterr(cap));
	pcap_freecode(&prog);
	if (pcap_setnonblock(cap, 1, err) != 0)
		die("pcap_setnonblock", err);
}

int main(int argc, char **argv)
{
	char err[LIBNET_ERRBUF_SIZE];
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: aoe-wire IFACE   (commands on stdin; see the source)\n");
		return 2;
	}
	net = libnet_init(LIBNET_LINK_ADV, argv[1], err);
	if (net == NULL)
		die("libnet_init", err);
	open_capture(argv[1]);
	hexbuf = malloc(2 * MAX_FRAME + 1);
	char *line = malloc(2 * MAX_FRAME + 64);
	if (hexbuf == NULL || line == NULL)
		die("malloc", strerror(errno));
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	printf("ready\n");
	fflush(stdout);

	while (fgets(line, 2 * MAX_FRAME + 64, stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		long a = 0, b = 0;
		unsigned long c = 0;
		if (strncmp(line, "send ", 5) == 0) {
			cmd_send(line + 5);
			continue; /* no answer: a burst is not slowed by round trips */
		} else if (strcmp(line, "sync") == 0) {
			printf("ok %lu %lu%s%s\n", sent, send_failed, send_failed ? " " : "",
			       send_failed ? last_error : "");
			sent = send_failed = 0;
			last_error[0] = '\0';
		} else if (sscanf(line, "recv %ld %ld %lu", &a, &b, &c) == 3) {
			cmd_recv(a, b, c);
		} else if (strcmp(line, "drain") == 0) {
			cmd_drain();
		} else if (strcmp(line, "mac") == 0) {
			cmd_mac();
		} else if (strcmp(line, "quit") == 0) {
			break;
		} else {
			printf("error unknown command\n");
		}
		fflush(stdout);
	}
	pcap_close(cap);
	libnet_destroy(net);
	free(line);
	free(hexbuf);
	return 0;
}
