/*
 * lan.c - namespaces, veth pairs and the switch process of one LAN.
 */
#include "lan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "netns.h"
#include "util.h"

enum {
	CARRIER_WAIT_MS = 5000,
	SWITCH_READY_MS = 10000,
	SWITCH_STOP_MS = 10000,  /* more than the switch takes to drain its queues */
};

void lan_ns_name(const char *lan, const char *host, char *out, size_t cap)
{
	snprintf(out, cap, "%s-%s", lan, host);
}

void lan_switch_ifname(int port, char *out, size_t cap)
{
	snprintf(out, cap, "p%d", port);
}

void lan_state_path(const char *lan, const char *file, char *out, size_t cap)
{
	if (file)
		snprintf(out, cap, "%s/%s/%s", LAN_STATE_ROOT, lan, file);
	else
		snprintf(out, cap, "%s/%s", LAN_STATE_ROOT, lan);
}

/* Record the namespaces first: if we die half way, `down` still finds them. */
static int write_state(const struct scenario *sc, const struct lan_opts *o)
{
	char path[512];
	lan_state_path(sc->name, NULL, path, sizeof(path));
	if (ensure_dir(LAN_STATE_ROOT) < 0 || mkdir(path, 0755) < 0) {
		sim_err("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	lan_state_path(sc->name, "namespaces", path, sizeof(path));
	FILE *f = fopen(path, "w");
	if (!f) {
		sim_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	for (int h = 0; h < sc->nhosts; h++)
		fprintf(f, "%s-%s\n", sc->name, sc->hosts[h].name);
	if (!o->direct)
		fprintf(f, "%s-%s\n", sc->name, LAN_SWITCH_NS);
	return fclose(f) == 0 ? 0 : -1;
}

/* A fresh namespace that says nothing on its own: no IPv6 (router and neighbour
 * solicitations would fill the captures), loopback up for the commands. */
static int make_ns(const char *ns)
{
	if (netns_add(ns) < 0)
		return -1;
	netns_sysctl(ns, "/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	netns_sysctl(ns, "/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	return run_ip("-n", ns, "link", "set", "dev", "lo", "up", NULL);
}

static void mac_text(const uint8_t *m, char *out, size_t cap)
{
	snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Host h's eth0 and the switch's p<h>, created directly in their namespaces. */
static int make_link(const struct scenario *sc, int h, unsigned switch_mtu)
{
	const struct sim_host *host = &sc->hosts[h];
	char sw_ns[64], host_ns[64], ifname[16], sw_mtu[16], host_mtu[16], mac[18];
	lan_ns_name(sc->name, LAN_SWITCH_NS, sw_ns, sizeof(sw_ns));
	lan_ns_name(sc->name, host->name, host_ns, sizeof(host_ns));
	lan_switch_ifname(h, ifname, sizeof(ifname));
	/* The switch end takes the largest frame any host may send; the link MTU is the model's. */
	snprintf(sw_mtu, sizeof(sw_mtu), "%u", switch_mtu);
	snprintf(host_mtu, sizeof(host_mtu), "%u", host->mtu);
	mac_text(host->mac, mac, sizeof(mac));
	if (run_ip("link", "add", ifname, "netns", sw_ns, "mtu", sw_mtu, "type", "veth", "peer",
		   "name", "eth0", "netns", host_ns, "mtu", host_mtu, "address", mac, NULL) < 0)
		return -1;
	if (run_ip("-n", sw_ns, "link", "set", "dev", ifname, "up", NULL) < 0)
		return -1;
	return run_ip("-n", host_ns, "link", "set", "dev", "eth0", "up", NULL);
}

/* The baseline: the two hosts' eth0 joined directly. */
static int make_direct(const struct scenario *sc)
{
	char ns[2][64], mtu[2][16], mac[2][18];
	for (int i = 0; i < 2; i++) {
		lan_ns_name(sc->name, sc->hosts[i].name, ns[i], sizeof(ns[i]));
		snprintf(mtu[i], sizeof(mtu[i]), "%u", sc->hosts[i].mtu);
		mac_text(sc->hosts[i].mac, mac[i], sizeof(mac[i]));
	}
	if (run_ip("link", "add", "eth0", "netns", ns[0], "mtu", mtu[0], "address", mac[0], "type",
		   "veth", "peer", "name", "eth0", "netns", ns[1], "mtu", mtu[1], "address", mac[1],
		   NULL) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (run_ip("-n", ns[i], "link", "set", "dev", "eth0", "up", NULL) < 0)
			return -1;
	return 0;
}

/*
 * Until the kernel's link watcher has seen the carrier (asynchronously, a
 * little later), a device still has the queue that drops everything: a
 * program started now would lose its first frames.  So wait for RUNNING.
 */
static int wait_running(const char *ns, const char *ifname)
{
	for (int waited = 0; waited < CARRIER_WAIT_MS; waited += 10) {
		if (netns_iface_running(ns, ifname))
			return 0;
		usleep(10000);
	}
	sim_err("%s in namespace %s did not come up", ifname, ns);
	return -1;
}

static int wait_all_running(const struct scenario *sc, bool direct)
{
	char ns[64], ifname[16];
	for (int h = 0; h < sc->nhosts; h++) {
		lan_ns_name(sc->name, sc->hosts[h].name, ns, sizeof(ns));
		if (wait_running(ns, "eth0") < 0)
			return -1;
		if (direct)
			continue;
		lan_ns_name(sc->name, LAN_SWITCH_NS, ns, sizeof(ns));
		lan_switch_ifname(h, ifname, sizeof(ifname));
		if (wait_running(ns, ifname) < 0)
			return -1;
	}
	return 0;
}

static int build(const struct scenario *sc, const struct lan_opts *o)
{
	char ns[64];
	unsigned switch_mtu = 0;
	for (int h = 0; h < sc->nhosts; h++) {
		lan_ns_name(sc->name, sc->hosts[h].name, ns, sizeof(ns));
		if (make_ns(ns) < 0)
			return -1;
		if (sc->hosts[h].mtu > switch_mtu)
			switch_mtu = sc->hosts[h].mtu;
	}
	if (o->direct) {
		if (make_direct(sc) < 0)
			return -1;
	} else {
		lan_ns_name(sc->name, LAN_SWITCH_NS, ns, sizeof(ns));
		if (make_ns(ns) < 0)
			return -1;
		for (int h = 0; h < sc->nhosts; h++)
			if (make_link(sc, h, switch_mtu) < 0)
				return -1;
	}
	return wait_all_running(sc, o->direct);
}

/* In the child: become the switch. Never returns. */
static void switch_child(const struct scenario *sc, const struct lan_opts *o, int ready_fd)
{
	char ns[64], state[512], log[512];
	lan_ns_name(sc->name, LAN_SWITCH_NS, ns, sizeof(ns));
	lan_state_path(sc->name, NULL, state, sizeof(state));
	if (o->daemon) {
		setsid();
		lan_state_path(sc->name, "switch.log", log, sizeof(log));
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY);
		if (fd >= 0 && null >= 0) {
			dup2(null, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
	} else {
		/* A session of our own: a Ctrl-C at the terminal reaches the runner, which
		 * stops us in order; and with the scheduler's autogroups the switch gets
		 * CPU as a separate machine would, not out of the hosts' share.  If the
		 * runner dies, so do we. */
		setsid();
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(1);
	}
	if (netns_enter(ns) < 0) {
		write_all(ready_fd, "E", 1);
		_exit(1);
	}
	struct engine_opts eo = { .pcap_dir = o->pcap_dir, .json_path = o->json_path,
				  .state_dir = state, .no_fastpath = o->no_fastpath };
	int rc = engine_main(sc, &eo, ready_fd);
	fflush(NULL);
	_exit(rc);
}

static int wait_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c = 0;
	if (poll(&pfd, 1, SWITCH_READY_MS) <= 0 || read(fd, &c, 1) != 1 || c != 'R')
		return -1;
	return 0;
}

static int start_switch(const struct scenario *sc, const struct lan_opts *o, pid_t *pid)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);  /* or the child would print our buffered output again */
	*pid = fork();
	if (*pid < 0) {
		sim_err("fork: %s", strerror(errno));
		return -1;
	}
	if (*pid == 0) {
		close(pipefd[0]);
		switch_child(sc, o, pipefd[1]);
	}
	close(pipefd[1]);
	int rc = wait_ready(pipefd[0]);
	close(pipefd[0]);
	if (rc < 0) {
		sim_err("the switch did not start");
		lan_stop_switch(sc->name, *pid);
		*pid = 0;
		return -1;
	}
	char path[512], text[32];
	lan_state_path(sc->name, "switch.pid", path, sizeof(path));
	FILE *f = fopen(path, "w");
	snprintf(text, sizeof(text), "%d\n", (int)*pid);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return 0;
}

static bool lan_exists(const struct scenario *sc)
{
	char path[512], ns[64];
	lan_state_path(sc->name, NULL, path, sizeof(path));
	if (access(path, F_OK) == 0)
		return true;
	lan_ns_name(sc->name, LAN_SWITCH_NS, ns, sizeof(ns));
	if (netns_exists(ns))
		return true;
	for (int h = 0; h < sc->nhosts; h++) {
		lan_ns_name(sc->name, sc->hosts[h].name, ns, sizeof(ns));
		if (netns_exists(ns))
			return true;
	}
	return false;
}

int lan_up(const struct scenario *sc, const struct lan_opts *o, pid_t *switch_pid)
{
	*switch_pid = 0;
	if (o->direct && sc->nhosts != 2) {
		sim_err("--direct joins exactly two hosts; %s has %d", sc->path, sc->nhosts);
		return -1;
	}
	/* Someone else's namespaces are theirs: refuse before touching anything. */
	if (lan_exists(sc)) {
		sim_err("LAN %s already exists (aoe-sim down %s)", sc->name, sc->name);
		return -1;
	}
	if (write_state(sc, o) < 0 || build(sc, o) < 0 ||
	    (!o->direct && start_switch(sc, o, switch_pid) < 0)) {
		lan_down(sc->name, false);
		return -1;
	}
	return 0;
}

static bool alive(pid_t pid)
{
	/* Reap it if it is our child; otherwise ask whether it still exists. */
	if (waitpid(pid, NULL, WNOHANG) == pid)
		return false;
	return kill(pid, 0) == 0;
}

int lan_stop_switch(const char *lan, pid_t pid)
{
	(void)lan;
	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	for (int waited = 0; waited < SWITCH_STOP_MS; waited += 10) {
		if (!alive(pid))
			return 0;
		usleep(10000);
	}
	sim_err("the switch (pid %d) did not stop; killing it", (int)pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

pid_t lan_switch_pid(const char *lan)
{
	char path[512], text[32], ns[64];
	lan_state_path(lan, "switch.pid", path, sizeof(path));
	if (read_small_file(path, text, sizeof(text)) <= 0)
		return 0;
	pid_t pid = (pid_t)atoi(text);
	lan_ns_name(lan, LAN_SWITCH_NS, ns, sizeof(ns));
	/* A recycled PID would live in another namespace: never signal a stranger. */
	return pid > 1 && netns_pid_in(pid, ns) ? pid : 0;
}

static int delete_listed(const char *lan)
{
	char path[512];
	lan_state_path(lan, "namespaces", path, sizeof(path));
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int rc = 0;
	char line[128];
	size_t prefix = strlen(lan);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		/* Only names of this LAN, whatever the file says. */
		if (strncmp(line, lan, prefix) != 0 || line[prefix] != '-')
			continue;
		if (netns_delete(line) < 0)
			rc = -1;
	}
	fclose(f);
	return rc;
}

int lan_down(const char *lan, bool print_counters)
{
	char path[512];
	lan_state_path(lan, NULL, path, sizeof(path));
	if (access(path, F_OK) != 0) {
		sim_err("no LAN %s (nothing in %s)", lan, path);
		return -1;
	}
	pid_t pid = lan_switch_pid(lan);
	if (pid)
		lan_stop_switch(lan, pid);
	if (print_counters) {
		char text[65536];
		lan_state_path(lan, "counters.txt", path, sizeof(path));
		if (read_small_file(path, text, sizeof(text)) > 0)
			fputs(text, stdout);
	}
	int rc = delete_listed(lan);
	lan_state_path(lan, NULL, path, sizeof(path));
	if (rc == 0)
		remove_tree(path);
	return rc;
}
