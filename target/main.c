/*
 * main.c - aoe-target: export files or block devices as AoE targets.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "export.h"
#include "l2port.h"
#include "log.h"
#include "loop.h"
#include "options.h"
#include "workers.h"

/* Atomics, not volatile sig_atomic_t: with --threads other threads read them (loop.h). */
static atomic_int stop_requested;
static atomic_int report_requested;

static struct target_options opts;
static struct export exports[OPTIONS_EXPORTS_MAX];
static struct target_loop loop;
static struct workers workers;

static void on_stop(int signo)
{
	(void)signo;
	atomic_store(&stop_requested, 1);
}

static void on_report(int signo)
{
	(void)signo;
	int saved_errno = errno; /* the interrupted code may be about to read it */
	atomic_store(&report_requested, 1);
	workers_request_report(&workers);
	errno = saved_errno;
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

/* The loop's index of the port on ifname, opening it on first use; -1 on error. */
static int port_index(const char *ifname)
{
	for (unsigned p = 0; p < loop.port_count; p++)
		if (strcmp(loop.ports[p].ifname, ifname) == 0)
			return (int)p;
	if (loop.port_count == LOOP_PORTS_MAX) {
		log_msg(LOG_ERR, "%s: more than %d interfaces", ifname, LOOP_PORTS_MAX);
		return -1;
	}
	char err[L2PORT_ERR_MAX];
	/* A receive ring: frames are taken without a system call while they keep coming. */
	if (l2port_open_ring(&loop.ports[loop.port_count], ifname, LOOP_RING_FRAMES, err,
			     sizeof(err)) < 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	return (int)loop.port_count++;
}

static bool open_exports(void)
{
	char hostname[64] = "";
	char err[OPTIONS_PATH_MAX + 160];
	gethostname(hostname, sizeof(hostname) - 1);
	for (unsigned e = 0; e < opts.export_count; e++) {
		const struct export_spec *spec = &opts.exports[e];
		if (export_open(&exports[e], spec, opts.state_dir, hostname, err, sizeof(err)) < 0) {
			log_msg(LOG_ERR, "%s", err);
			return false;
		}
		loop.export_count = e + 1;
		for (unsigned i = 0; i < spec->ifname_count; i++) {
			int p = port_index(spec->ifnames[i]);
			if (p < 0)
				return false;
			exports[e].port_mask |= 1u << p;
		}
	}
	return true;
}

static void log_startup(const struct export *e, const struct export_spec *spec)
{
	const struct target *t = &e->target;
	for (unsigned p = 0; p < loop.port_count; p++) {
		if (!(e->port_mask & (1u << p)))
			continue;
		const struct l2port *port = &loop.ports[p];
		char mac[18];
		aoe_mac_format(port->mac, mac);
		log_msg(LOG_INFO,
			"pid %ld: e%u.%u on %s (%s, MTU %u, %u sectors/frame): %s, %llu sectors "
			"(%.1f MiB), %s, %s writes, %u buffers",
			(long)getpid(), t->shelf, t->slot, port->ifname, mac, port->mtu,
			aoe_sectors_for_mtu(port->mtu), spec->path, (unsigned long long)t->sectors,
			(double)t->sectors * AOE_SECTOR_SIZE / (1024.0 * 1024.0),
			spec->read_only ? "read-only" : "read-write",
			spec->writeback ? "write-back" : "durable", t->buffer_count);
	}
}

/* --threads: the exports become shared, and the other loops start. */
static bool start_workers(void)
{
	for (unsigned e = 0; e < loop.export_count; e++)
		exports[e].shared = true;
	return workers_start(&workers, &loop, opts.threads - 1, &stop_requested) == 0;
}

/* log_counters: false when setup failed, so that the error stays the only line. */
static void shut_down(bool log_counters)
{
	for (unsigned e = 0; e < loop.export_count; e++) {
		/* Whatever was acknowledged in write-back mode reaches the disk before we go. */
		if (disk_flush(&exports[e].disk) < 0)
			log_msg(LOG_ERR, "%s: final flush failed", opts.exports[e].path);
		if (log_counters && !opts.quiet)
			loop_log_counters(&exports[e].target);
		export_close(&exports[e]);
	}
	for (unsigned p = 0; p < loop.port_count; p++)
		l2port_close(&loop.ports[p]);
	loop_free(&loop);
}

int main(int argc, char **argv)
{
	switch (options_parse(argc, argv, &opts)) {
	case OPTIONS_EXIT_OK: return 0;
	case OPTIONS_EXIT_USAGE: return 1;
	case OPTIONS_RUN: break;
	}
	loop.exports = exports;
	if (!open_exports()) {
		shut_down(false);
		return 1;
	}
	/*
	 * Announce as soon as the ports are up: whoever watches for our socket and
	 * then asks should find the announcement already behind it, not in the
	 * middle of its own exchange.  Frames that arrive meanwhile wait in the ring.
	 */
	loop_announce(&loop);
	if (loop_init(&loop) < 0) {
		shut_down(false);
		return 1;
	}
	/* Detach only now, so that every setup error above reached the terminal. */
	if (opts.daemon) {
		if (daemon(0, 0) < 0) {
			log_msg(LOG_ERR, "cannot detach: %m");
			shut_down(false);
			return 1;
		}
		log_use_syslog("aoe-target");
	}
	install_signals();
	if (opts.coalesce_us > 0) {
		loop.hold_ns = (uint64_t)opts.coalesce_us * 1000;
		/* The default slack (50 us) would stretch every hold by that much. */
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	}
	for (unsigned e = 0; e < loop.export_count && !opts.quiet; e++)
		log_startup(&exports[e], &opts.exports[e]);

	if (opts.threads > 1 && !start_workers()) {
		shut_down(false);
		return 1;
	}
	int status = loop_run(&loop, &stop_requested, &report_requested) < 0 ? 1 : 0;
	/* A worker that failed stops everyone; its reason is in the log. */
	atomic_store(&stop_requested, 1);
	workers_join(&workers);
	shut_down(true);
	return status;
}
