/*
 * loop.c - the switch process: open the ports, then wait for frames, due
 * frames and scheduled events with ppoll, until told to stop.
 *
 * Signals stay blocked except inside ppoll, so a SIGTERM or SIGUSR1 can only
 * interrupt the wait, never a frame half-handled.
 */
#include "engine.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lan.h"
#include "util.h"

enum { BATCHES_PER_WAKE = 4 };

#define DRAIN_NS (3 * NS_PER_SEC)

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t report_wanted;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_wanted = 1;
	else
		stop_signal = sig;
}

/* Block our signals; wait_mask is the mask ppoll waits with (them unblocked). */
static void setup_signals(sigset_t *wait_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	sigset_t block;
	sigemptyset(&block);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(wait_mask, sigs[i]);
}

/* The switch's own counts and, read afresh each time, what the kernel forwarded for it. */
static void write_counters(struct engine *e, const struct engine_opts *o)
{
	static struct sim_counters shown;  /* large: keep it off the stack */
	e->cnt.elapsed_s = (double)(now_ns() - e->start_ns) / 1e9;
	for (int p = 0; p < e->nports; p++)
		e->cnt.port[p][DIR_IN].c[C_OVERRUN] += l2port_overruns(&e->port[p].l2);
	shown = e->cnt;
	fastpath_add_counters(&e->fast, e->sc, &shown);
	counters_print(stdout, e->sc, &shown);
	if (o->json_path)
		counters_write_json(o->json_path, e->sc, &shown);
	if (o->state_dir) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/counters.tsv", o->state_dir);
		counters_write_tsv(path, e->sc, &shown);
		snprintf(path, sizeof(path), "%s/counters.txt", o->state_dir);
		FILE *f = fopen(path, "w");
		if (f) {
			counters_print(f, e->sc, &shown);
			fclose(f);
		}
	}
}

/* What the switch cost: the number to look at when asking whether it is the bottleneck. */
static void print_cpu(const struct engine *e)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	uint64_t frames = 0, fast = 0;
	static struct sim_counters kernel;  /* large: keep it off the stack */
	memset(&kernel, 0, sizeof(kernel));
	fastpath_add_counters(&e->fast, e->sc, &kernel);
	for (int p = 0; p < e->nports; p++) {
		frames += e->cnt.port[p][DIR_IN].c[C_FRAMES];
		fast += kernel.port[p][DIR_IN].c[C_FASTPATH];
	}
	printf("%s: switch CPU %.3f s (user %.3f, system %.3f) for %llu frames received: %.2f us a frame\n",
	       SIM_PROG, cpu, (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	       (unsigned long long)frames, frames ? cpu * 1e6 / (double)frames : 0.0);
	if (e->fast.enabled)
		printf("%s: the kernel forwarded %llu frames between fault-free ports (fast path)\n",
		       SIM_PROG, (unsigned long long)fast);
	fflush(stdout);
}

static int engine_setup(struct engine *e, const struct scenario *sc, const struct engine_opts *o)
{
	memset(e, 0, sizeof(*e));
	e->sc = sc;
	e->nports = sc->nhosts;
	frameq_init(&e->q);
	mac_table_init(&e->macs);
	if (rx_batch_init(&e->rx) < 0 || schedule_build(&e->sched, sc) < 0) {
		sim_err("out of memory");
		return -1;
	}
	/* Captures and faults need every frame in the switch; so does the user who says so. */
	fastpath_init(&e->fast);
	if (!o->pcap_dir && !o->no_fastpath)
		fastpath_setup(&e->fast, sc);
	for (int p = 0; p < e->nports; p++) {
		char ifname[16], near[24], far[24];
		lan_switch_ifname(p, ifname, sizeof(ifname));
		fastpath_reader_ifnames(p, near, far, sizeof(near));
		int rc = e->fast.port_on[p] ? port_open(&e->port[p], far, ifname)
					    : port_open(&e->port[p], ifname, NULL);
		if (rc < 0)
			return -1;
	}
	if (o->pcap_dir && !(e->cap = capture_open(o->pcap_dir, sc)))
		return -1;
	e->start_ns = e->now = now_ns();
	for (int p = 0; p < e->nports; p++)
		for (int d = 0; d < 2; d++)
			fault_state_init(&e->fs[p][d], sc->seed, (uint64_t)p * 2 + (uint64_t)d + 1,
					 e->start_ns);
	return 0;
}

static void engine_teardown(struct engine *e)
{
	fastpath_close(&e->fast);
	for (int p = 0; p < SIM_MAX_HOSTS; p++)
		port_close(&e->port[p]);
	capture_close(e->cap);
	e->cap = NULL;
	frameq_free(&e->q);
	while (e->deferred) {
		struct qframe *f = e->deferred;
		e->deferred = f->next;
		free(f);
	}
	schedule_free(&e->sched);
	rx_batch_free(&e->rx);
}

/* How long ppoll may sleep: until the next due frame or scheduled event. */
static struct timespec *sleep_for(struct engine *e, struct timespec *ts, bool busy)
{
	uint64_t next = SIM_FOREVER;
	struct qframe *f = frameq_peek(&e->q);
	if (f)
		next = f->due;
	uint64_t ev = schedule_next(&e->sched);
	if (ev != SIM_FOREVER && e->start_ns + ev < next)
		next = e->start_ns + ev;
	/* Wake at least once a second to push captures to disk. */
	if (e->cap && next > e->now + NS_PER_SEC)
		next = e->now + NS_PER_SEC;
	if (busy)
		next = e->now;
	if (next == SIM_FOREVER)
		return NULL;
	uint64_t wait = next > e->now ? next - e->now : 0;
	ts->tv_sec = (time_t)(wait / NS_PER_SEC);
	ts->tv_nsec = (long)(wait % NS_PER_SEC);
	return ts;
}

/* Read a few batches from one port; true if it may have more waiting. */
static bool drain_port(struct engine *e, int p)
{
	for (int b = 0; b < BATCHES_PER_WAKE; b++) {
		int n = port_recv(&e->port[p], &e->rx);
		if (n <= 0)
			return false;
		engine_tick(e);
		for (int i = 0; i < n; i++) {
			struct l2frame *f = &e->rx.frames[i];
			engine_ingress(e, p, f->buf, f->len, f->truncated);
		}
		/* The frames are in the ring or in shared buffers: send what points into them first. */
		engine_flush(e);
		port_done(&e->port[p]);
		if (n < PORT_BATCH)
			return false;
	}
	return true;
}

/*
 * Told to stop: on SIGTERM, frames still delayed or queued are delivered
 * first (for at most DRAIN_NS), so a run that ends right after its last frame
 * was sent still sees it arrive.  SIGINT and SIGHUP stop at once.
 */
static bool stopping(struct engine *e, uint64_t *drain_until)
{
	if (!*drain_until)
		*drain_until = now_ns() + (stop_signal == SIGTERM ? DRAIN_NS : 0);
	return frameq_peek(&e->q) && now_ns() < *drain_until;
}

static void run_loop(struct engine *e, const struct engine_opts *o, const sigset_t *wait_mask)
{
	/* The ports, then the fast path's MTU watches. */
	struct pollfd pfd[2 * SIM_MAX_HOSTS];
	int watch[SIM_MAX_HOSTS];
	int nwatch = fastpath_watch_fds(&e->fast, watch);
	for (int p = 0; p < e->nports; p++)
		pfd[p] = (struct pollfd){ .fd = e->port[p].l2.fd, .events = POLLIN };
	for (int w = 0; w < nwatch; w++)
		pfd[e->nports + w] = (struct pollfd){ .fd = watch[w], .events = POLLIN };
	uint64_t last_capture_flush = e->now, drain_until = 0;
	bool busy = false;
	for (;;) {
		if (stop_signal && !stopping(e, &drain_until))
			break;
		if (report_wanted) {
			report_wanted = 0;
			write_counters(e, o);
		}
		engine_tick(e);
		engine_flush(e);
		if (e->cap && e->now - last_capture_flush >= NS_PER_SEC) {
			capture_flush(e->cap);
			last_capture_flush = e->now;
		}
		struct timespec ts;
		int ready = ppoll(pfd, (nfds_t)(e->nports + nwatch), sleep_for(e, &ts, busy), wait_mask);
		busy = false;
		if (ready < 0) {
			if (errno != EINTR) {
				sim_err("ppoll: %s", strerror(errno));
				break;
			}
			continue;
		}
		for (int w = 0; w < nwatch; w++)
			if (pfd[e->nports + w].revents)
				fastpath_watch(&e->fast, e->sc);
		for (int p = 0; p < e->nports && ready > 0; p++)
			if (pfd[p].revents & POLLIN)
				busy |= drain_port(e, p);
	}
}

int engine_main(const struct scenario *sc, const struct engine_opts *opts, int ready_fd)
{
	static struct engine engine;  /* large: keep it off the stack */
	struct engine *e = &engine;
	sigset_t wait_mask;
	setup_signals(&wait_mask);
	/* Delays of microseconds need wakeups that are not rounded up by 50 us. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (engine_setup(e, sc, opts) < 0) {
		engine_teardown(e);
		if (ready_fd >= 0)
			write_all(ready_fd, "E", 1);
		return 1;
	}
	if (ready_fd >= 0) {
		write_all(ready_fd, "R", 1);
		close(ready_fd);
	}
	run_loop(e, opts, &wait_mask);
	engine_flush(e);
	write_counters(e, opts);
	print_cpu(e);
	engine_teardown(e);
	return 0;
}
