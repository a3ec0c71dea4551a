/*
 * main.c - aoe-target: export a file or block device as an AoE target.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"
#include "handler.h"
#include "l2port.h"
#include "loop.h"
#include "options.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t report_requested;

static void on_stop(int signo)
{
	(void)signo;
	stop_requested = 1;
}

static void on_report(int signo)
{
	(void)signo;
	report_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return so the loop sees the flag. */
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_report;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static unsigned disk_flags(const struct target_options *opts)
{
	return (opts->direct ? DISK_DIRECT : 0) | (opts->sync ? DISK_SYNC : 0) |
	       (opts->read_only ? DISK_READ_ONLY : 0);
}

static void setup_target(struct target *t, const struct target_options *opts, uint64_t sectors)
{
	char hostname[64] = "";
	gethostname(hostname, sizeof(hostname) - 1);
	target_init(t, opts->shelf, opts->slot, sectors, opts->read_only, hostname);
	t->buffer_count = (uint16_t)opts->buffer_count;
	t->writeback = opts->writeback;
	memcpy(t->mask, opts->masks, sizeof(t->mask));
	t->mask_count = opts->mask_count;
}

static void print_startup(const struct target *t, const struct target_options *opts,
			  const struct l2port *port)
{
	char mac[18];
	aoe_mac_format(port->mac, mac);
	fprintf(stderr,
		"aoe-target: pid %ld: e%u.%u on %s (%s, MTU %u, %u sectors/frame), %llu sectors "
		"(%.1f MiB) %s, %s writes, %u buffers\n",
		(long)getpid(), t->shelf, t->slot, port->ifname, mac, port->mtu,
		aoe_sectors_for_mtu(port->mtu), (unsigned long long)t->sectors,
		(double)t->sectors * AOE_SECTOR_SIZE / (1024.0 * 1024.0),
		opts->read_only ? "read-only" : "read-write",
		opts->writeback ? "write-back" : "durable", t->buffer_count);
}

int main(int argc, char **argv)
{
	struct target_options opts;
	switch (options_parse(argc, argv, &opts)) {
	case OPTIONS_EXIT_OK: return 0;
	case OPTIONS_EXIT_USAGE: return 1;
	case OPTIONS_RUN: break;
	}

	char err[L2PORT_ERR_MAX];
	struct disk disk;
	if (disk_open_file(&disk, opts.path, disk_flags(&opts), opts.offset_sectors,
			   opts.length_sectors, err, sizeof(err)) < 0) {
		fprintf(stderr, "aoe-target: %s\n", err);
		return 1;
	}
	static struct target target;
	static struct target_loop loop;
	setup_target(&target, &opts, disk.sectors);
	loop.target = &target;
	loop.disk = &disk;
	if (l2port_open(&loop.ports[0], opts.ifname, err, sizeof(err)) < 0) {
		fprintf(stderr, "aoe-target: %s\n", err);
		disk_close(&disk);
		return 1;
	}
	loop.port_count = 1;
	if (loop_init(&loop) < 0) {
		fprintf(stderr, "aoe-target: out of memory for frame buffers\n");
		return 1;
	}
	install_signals();
	if (!opts.quiet)
		print_startup(&target, &opts, &loop.ports[0]);
	loop_announce(&loop);

	int status = loop_run(&loop, &stop_requested, &report_requested) < 0 ? 1 : 0;
	/* Whatever was acknowledged in write-back mode reaches the disk before we go. */
	if (disk_flush(&disk) < 0) {
		fprintf(stderr, "aoe-target: %s: final flush failed\n", opts.path);
		status = 1;
	}
	if (!opts.quiet)
		loop_print_counters(&target, stderr);
	loop_free(&loop);
	for (unsigned p = 0; p < loop.port_count; p++)
		l2port_close(&loop.ports[p]);
	disk_close(&disk);
	return status;
}
