/*
 * runner.c - aoe-sim run.
 */
#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "counters.h"
#include "lan.h"
#include "netns.h"
#include "proc.h"
#include "util.h"

enum { STOP_GRACE_MS = 5000, PUMP_MS = 100, COMMAND_MAX = 16384 };

static volatile sig_atomic_t interrupted;

static void on_stop(int sig)
{
	interrupted = sig;
}

static void on_child(int sig)
{
	(void)sig;  /* only there to wake ppoll */
}

struct runner {
	struct scenario *sc;
	const struct run_opts *opts;
	char tmp[256];
	pid_t switch_pid;
	struct proc *procs;       /* one per step */
	bool *allowed_to_fail;    /* steps with an `expect exit` */
	sigset_t wait_mask;
	bool failed;
};

static void setup_signals(sigset_t *wait_mask)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t block;
	sigemptyset(&block);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		sigaction(stops[i], &sa, NULL);
		sigaddset(&block, stops[i]);
	}
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sigaddset(&block, SIGCHLD);
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigdelset(wait_mask, stops[i]);
}

static bool switch_alive(struct runner *r)
{
	if (!r->switch_pid)
		return true;
	int status;
	if (waitpid(r->switch_pid, &status, WNOHANG) == r->switch_pid) {
		sim_err("the switch exited unexpectedly");
		r->switch_pid = 0;
		r->failed = true;
		return false;
	}
	return true;
}

/* Relay output for ms milliseconds (or until interrupted). */
static void pump_for(struct runner *r, uint64_t ns)
{
	uint64_t deadline = now_ns() + ns;
	while (!interrupted && switch_alive(r)) {
		uint64_t now = now_ns();
		if (now >= deadline)
			return;
		uint64_t left_ms = (deadline - now + NS_PER_MS - 1) / NS_PER_MS;
		proc_pump(r->procs, r->sc->nsteps, left_ms < PUMP_MS ? (int)left_ms : PUMP_MS,
			  &r->wait_mask);
	}
}

/* Packet sockets open in a host's namespace. */
static int ns_packet_sockets(const struct runner *r, int host)
{
	char ns[64];
	lan_ns_name(r->sc->name, r->sc->hosts[host].name, ns, sizeof(ns));
	return netns_packet_sockets(ns);
}

/*
 * A program serving raw Ethernet is ready once it holds a packet socket, and
 * nothing else in a fresh host opens one: so wait for one more than before.
 */
static bool wait_ready(struct runner *r, int i, int before)
{
	const struct sim_step *st = &r->sc->steps[i];
	struct proc *p = &r->procs[i];
	uint64_t deadline = now_ns() + st->timeout_ns;
	while (!interrupted && p->running && now_ns() < deadline) {
		int n = ns_packet_sockets(r, st->host);
		if (n > before)
			return true;
		proc_pump(r->procs, r->sc->nsteps, 20, &r->wait_mask);
	}
	if (!interrupted)
		sim_err("[%s] (line %d) %s before opening a packet socket", p->label, st->line,
			p->running ? "timed out" : "exited");
	return false;
}

static int spawn_step(struct runner *r, int i)
{
	const struct sim_step *st = &r->sc->steps[i];
	const char *host = r->sc->hosts[st->host].name;
	char ns[64], command[COMMAND_MAX], err[160], log[512];
	char env_tmp[300], env_lan[64], env_host[64];
	lan_ns_name(r->sc->name, host, ns, sizeof(ns));
	if (!scenario_expand(r->sc, st->host, st->command, r->tmp, command, sizeof(command), err,
			     sizeof(err))) {
		sim_err("line %d: %s", st->line, err);
		return -1;
	}
	snprintf(env_tmp, sizeof(env_tmp), "AOE_SIM_TMP=%s", r->tmp);
	snprintf(env_lan, sizeof(env_lan), "AOE_SIM_LAN=%s", r->sc->name);
	snprintf(env_host, sizeof(env_host), "AOE_SIM_HOST=%s", host);
	const char *env[] = { env_tmp, env_lan, env_host, NULL };
	snprintf(log, sizeof(log), "%s/log/%02d-%s.log", r->tmp, i, st->label);
	sim_say("[%s] %s%s", st->label, st->bg ? "(bg) " : "", command);
	return proc_spawn(&r->procs[i], st->label, ns, command, env, log);
}

/* Until command i ends (stopping it after timeout_ns); true if it ended as it should. */
static bool wait_end(struct runner *r, int i, uint64_t timeout_ns)
{
	struct proc *p = &r->procs[i];
	uint64_t deadline = now_ns() + timeout_ns;
	while (p->running && !interrupted && switch_alive(r) && now_ns() < deadline)
		proc_pump(r->procs, r->sc->nsteps, PUMP_MS, &r->wait_mask);
	if (p->running) {
		if (!interrupted && now_ns() >= deadline) {
			sim_err("[%s] (line %d) timed out after %.0f s", p->label, r->sc->steps[i].line,
				(double)timeout_ns / 1e9);
			p->timed_out = true;
		}
		proc_stop(r->procs, r->sc->nsteps, i, STOP_GRACE_MS, &r->wait_mask);
		return false;
	}
	sim_say("[%s] exit %d after %.3f s", p->label, p->status,
		(double)(p->ended_ns - p->started_ns) / 1e9);
	return p->status == 0 || r->allowed_to_fail[i];
}

static bool run_step(struct runner *r, int i)
{
	const struct sim_step *st = &r->sc->steps[i];
	if (st->kind == STEP_SLEEP) {
		pump_for(r, st->sleep_ns);
		return true;
	}
	if (st->kind == STEP_WAIT)
		return wait_end(r, st->wait_for, st->timeout_ns);
	int before = st->ready ? ns_packet_sockets(r, st->host) : 0;
	if (spawn_step(r, i) < 0)
		return false;
	if (st->bg)
		return !st->ready || wait_ready(r, i, before);
	return wait_end(r, i, st->timeout_ns);
}

static void stop_all(struct runner *r)
{
	/* Last started first: initiators before the targets they talk to. */
	for (int i = r->sc->nsteps - 1; i >= 0; i--) {
		if (!r->procs[i].running)
			continue;
		proc_stop(r->procs, r->sc->nsteps, i, STOP_GRACE_MS, &r->wait_mask);
		sim_say("[%s] stopped: exit %d", r->procs[i].label, r->procs[i].status);
	}
}

static bool check_expect(struct runner *r, const struct sim_expect *e, const struct sim_counters *cnt,
			 bool have_counters, char *why, size_t cap)
{
	if (e->kind == EXPECT_COUNTER) {
		if (!have_counters) {
			snprintf(why, cap, "no counters (no switch ran)");
			return false;
		}
		uint64_t have = cnt->port[e->host][e->dir].c[e->counter];
		snprintf(why, cap, "is %llu", (unsigned long long)have);
		return expect_compare(e->op, have, e->value);
	}
	const struct proc *p = &r->procs[e->step];
	if (!p->pid || p->running) {
		snprintf(why, cap, "never ran to the end");
		return false;
	}
	if (e->kind == EXPECT_EXIT) {
		snprintf(why, cap, "exit %d%s", p->status, p->timed_out ? " (timed out)" : "");
		return p->status == e->code && !p->timed_out;
	}
	bool found = p->output && strstr(p->output, e->text);
	snprintf(why, cap, "%s in its %zu bytes of output", found ? "found" : "not found", p->outlen);
	return found;
}

static void describe(const struct scenario *sc, const struct sim_expect *e, char *out, size_t cap)
{
	if (e->kind == EXPECT_COUNTER)
		snprintf(out, cap, "counter %s %s %s %s %llu", sc->hosts[e->host].name,
			 e->dir == DIR_IN ? "in" : "out", counter_name(e->counter), expect_op_str(e->op),
			 (unsigned long long)e->value);
	else if (e->kind == EXPECT_EXIT)
		snprintf(out, cap, "%s exit %d", sc->steps[e->step].label, e->code);
	else
		snprintf(out, cap, "%s output %s", sc->steps[e->step].label, e->text);
}

static void check_expects(struct runner *r)
{
	struct sim_counters cnt;
	char path[512];
	lan_state_path(r->sc->name, "counters.tsv", path, sizeof(path));
	bool have = !r->opts->direct && counters_read_tsv(path, r->sc, &cnt) == 0;
	for (int i = 0; i < r->sc->nexpects; i++) {
		const struct sim_expect *e = &r->sc->expects[i];
		char what[600], why[128];
		describe(r->sc, e, what, sizeof(what));
		bool ok = check_expect(r, e, &cnt, have, why, sizeof(why));
		sim_say("%s expect %s (line %d): %s", ok ? "ok  " : "FAIL", what, e->line, why);
		if (!ok)
			r->failed = true;
	}
}

static int make_tmp(struct runner *r)
{
	char log[300];
	snprintf(r->tmp, sizeof(r->tmp), "/tmp/aoe-sim.%s.XXXXXX", r->sc->name);
	if (!mkdtemp(r->tmp)) {
		sim_err("mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(log, sizeof(log), "%s/log", r->tmp);
	return ensure_dir(log);
}

static int init(struct runner *r, struct scenario *sc, const struct run_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->opts = o;
	r->procs = calloc((size_t)sc->nsteps + 1, sizeof(*r->procs));
	r->allowed_to_fail = calloc((size_t)sc->nsteps + 1, sizeof(bool));
	if (!r->procs || !r->allowed_to_fail)
		return -1;
	for (int i = 0; i < sc->nsteps; i++)
		r->procs[i].out_fd = r->procs[i].log_fd = -1;
	for (int i = 0; i < sc->nexpects; i++)
		if (sc->expects[i].kind == EXPECT_EXIT)
			r->allowed_to_fail[sc->expects[i].step] = true;
	setup_signals(&r->wait_mask);
	/* Whatever a command leaves behind is re-parented to us, not to init, so we
	 * can reap it: init here may not, and zombies would look alive. */
	prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0, 0, 0);
	if (o->pcap_dir && ensure_dir(o->pcap_dir) < 0) {
		sim_err("cannot create %s: %s", o->pcap_dir, strerror(errno));
		return -1;
	}
	return make_tmp(r);
}

static void run_steps(struct runner *r)
{
	for (int i = 0; i < r->sc->nsteps && !interrupted && !r->failed; i++) {
		if (!switch_alive(r))
			break;
		if (!run_step(r, i)) {
			if (!interrupted)
				sim_err("line %d failed; stopping the run", r->sc->steps[i].line);
			r->failed = true;
		}
	}
}

static void finish(struct runner *r, int rc)
{
	for (int i = 0; i < r->sc->nsteps; i++)
		proc_free(&r->procs[i]);
	free(r->procs);
	free(r->allowed_to_fail);
	if (!r->tmp[0])
		return;
	/* A failed run keeps its logs for a look; an interrupted one was not wanted. */
	if (r->opts->keep || rc == 1)
		sim_say("temporary directory and command logs kept in %s", r->tmp);
	else
		remove_tree(r->tmp);
}

int runner_run(struct scenario *sc, const struct run_opts *o)
{
	struct runner r;
	if (init(&r, sc, o) < 0) {
		finish(&r, 1);
		return 1;
	}
	struct lan_opts lo = { .pcap_dir = o->pcap_dir, .json_path = o->json_path,
			       .direct = o->direct, .no_fastpath = o->no_fastpath };
	if (lan_up(sc, &lo, &r.switch_pid) < 0) {
		finish(&r, 1);
		return 1;
	}
	sim_say("LAN %s up: %d hosts%s; temporary directory %s", sc->name, sc->nhosts,
		o->direct ? " on one veth pair (no switch)" : "", r.tmp);
	run_steps(&r);
	stop_all(&r);
	if (r.switch_pid)
		lan_stop_switch(sc->name, r.switch_pid);
	if (!interrupted)
		check_expects(&r);
	if (lan_down(sc->name, false) < 0)
		r.failed = true;
	/* Every tracked child is reaped by now; the rest are orphans of commands. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	int rc = interrupted ? 128 + interrupted : r.failed ? 1 : 0;
	if (interrupted)
		sim_say("interrupted by signal %d; LAN %s removed", (int)interrupted, sc->name);
	else
		sim_say("run of %s %s", sc->path, rc == 0 ? "passed" : "FAILED");
	finish(&r, rc);
	return rc;
}
