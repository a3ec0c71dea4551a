/*
 * fastpath.c - letting the kernel forward between fault-free ports, and
 * counting what it forwarded.
 */
#include "fastpath.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fastbpf.h"
#include "hostlink.h"
#include "lan.h"
#include "netns.h"
#include "util.h"

struct ifstat {
	uint64_t rx_bytes, rx_packets;
};

bool fastpath_port_eligible(const struct scenario *sc, int port)
{
	if (sc->nparts > 0)
		return false;
	const struct sim_host *h = &sc->hosts[port];
	for (int d = 0; d < 2; d++)
		if (fault_cfg_active(&h->fault[d]) || h->fault[d].mtu != h->mtu)
			return false;
	return true;
}

bool fastpath_pair_eligible(const struct scenario *sc, int from, int to)
{
	/* Equal MTUs: the kernel never meets a frame the switch would drop as too long. */
	return from != to && fastpath_port_eligible(sc, from) && fastpath_port_eligible(sc, to) &&
	       sc->hosts[from].mtu == sc->hosts[to].mtu;
}

void fastpath_describe(const struct scenario *sc, FILE *out)
{
	bool any = false;
	fputs("# fast path (the kernel forwards; not with --pcap or --no-fastpath):", out);
	for (int a = 0; a < sc->nhosts; a++)
		for (int b = a + 1; b < sc->nhosts; b++)
			if (fastpath_pair_eligible(sc, a, b)) {
				fprintf(out, " %s-%s", sc->hosts[a].name, sc->hosts[b].name);
				any = true;
			}
	fputs(any ? "\n" : " none (faults, partitions or different MTUs everywhere)\n", out);
}

void fastpath_reader_ifnames(int port, char *near, char *far, size_t cap)
{
	snprintf(near, cap, "p%d-slow", port);
	snprintf(far, cap, "p%d-user", port);
}

static bool has_partner(const struct scenario *sc, int port)
{
	for (int q = 0; q < sc->nhosts; q++)
		if (fastpath_pair_eligible(sc, port, q))
			return true;
	return false;
}

static uint32_t ifindex_of(const char *ifname)
{
	return if_nametoindex(ifname);
}

/* The reader pair, the program and its attachment; 0, or -1 with a reason in err. */
static int setup_port(struct fastpath *fp, const struct scenario *sc, int port, char *err,
		      size_t err_len)
{
	char host_if[16], near[24], far[24], mtu[16];
	lan_switch_ifname(port, host_if, sizeof(host_if));
	fastpath_reader_ifnames(port, near, far, sizeof(near));
	/* What any host may send, as on the switch's ports; no more: the switch's
	 * receive ring has fewer slots the larger they are. */
	unsigned largest = 0;
	for (int h = 0; h < sc->nhosts; h++)
		if (sc->hosts[h].mtu > largest)
			largest = sc->hosts[h].mtu;
	snprintf(mtu, sizeof(mtu), "%u", largest);
	if (run_ip("link", "add", near, "mtu", mtu, "type", "veth", "peer", "name", far, "mtu", mtu,
		   NULL) < 0 ||
	    run_ip("link", "set", "dev", near, "up", NULL) < 0 ||
	    run_ip("link", "set", "dev", far, "up", NULL) < 0) {
		snprintf(err, err_len, "cannot make the veth pair %s/%s", near, far);
		return -1;
	}
	uint32_t own = ifindex_of(host_if), slow = ifindex_of(near);
	if (!own || !slow) {
		snprintf(err, err_len, "%s or %s vanished", host_if, near);
		return -1;
	}
	char ns[64];
	lan_ns_name(sc->name, sc->hosts[port].name, ns, sizeof(ns));
	fp->watch_fd[port] = hostlink_watch(ns);
	if (fp->watch_fd[port] < 0 || !hostlink_read(ns, "eth0", &fp->now[port])) {
		snprintf(err, err_len, "cannot follow eth0 in %s: %s", ns, strerror(errno));
		return -1;
	}
	fp->prog_fd[port] = fastbpf_prog_load(fp->map_fd, fp->count_fd, own, sc->hosts[port].mtu,
					      slow, err, err_len);
	if (fp->prog_fd[port] < 0)
		return -1;
	fp->link_fd[port] = fastbpf_attach_ingress(fp->prog_fd[port], own);
	if (fp->link_fd[port] < 0) {
		snprintf(err, err_len, "attaching to %s's ingress (tcx, Linux 6.6 or later): %s",
			 host_if, strerror(errno));
		return -1;
	}
	return 0;
}

/* One interface's counters from /proc/net/dev (of our namespace).  0 or -1. */
static int read_ifstat(const char *ifname, struct ifstat *st)
{
	FILE *f = fopen("/proc/net/dev", "r");
	if (!f)
		return -1;
	char line[512];
	int rc = -1;
	size_t len = strlen(ifname);
	while (fgets(line, sizeof(line), f)) {
		char *name = line + strspn(line, " ");
		if (strncmp(name, ifname, len) != 0 || name[len] != ':')
			continue;
		unsigned long long v[10];
		if (sscanf(name + len + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 10) {
			*st = (struct ifstat){ .rx_bytes = v[0], .rx_packets = v[1] };
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

static int read_port_stats(int port, struct ifstat *host, struct ifstat *reader)
{
	char host_if[16], near[24], far[24];
	lan_switch_ifname(port, host_if, sizeof(host_if));
	fastpath_reader_ifnames(port, near, far, sizeof(near));
	return read_ifstat(host_if, host) < 0 || read_ifstat(far, reader) < 0 ? -1 : 0;
}

void fastpath_close(struct fastpath *fp)
{
	for (int p = 0; p < SIM_MAX_HOSTS; p++) {
		if (fp->link_fd[p] >= 0)
			close(fp->link_fd[p]);
		if (fp->prog_fd[p] >= 0)
			close(fp->prog_fd[p]);
		if (fp->watch_fd[p] >= 0)
			close(fp->watch_fd[p]);
		fp->link_fd[p] = fp->prog_fd[p] = fp->watch_fd[p] = -1;
		fp->port_on[p] = fp->installed[p] = false;
	}
	if (fp->map_fd >= 0)
		close(fp->map_fd);
	if (fp->count_fd >= 0)
		close(fp->count_fd);
	fp->map_fd = fp->count_fd = -1;
	fp->enabled = false;
}

void fastpath_init(struct fastpath *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->map_fd = fp->count_fd = -1;
	for (int p = 0; p < SIM_MAX_HOSTS; p++)
		fp->link_fd[p] = fp->prog_fd[p] = fp->watch_fd[p] = -1;
}

/* One line for the log: which hosts the kernel forwards between. */
static void say_who(const struct fastpath *fp, const struct scenario *sc)
{
	char names[SIM_MAX_HOSTS * (SIM_HOST_NAME_MAX + 1) + 1] = "";
	size_t used = 0;
	for (int p = 0; p < sc->nhosts && used < sizeof(names); p++)
		if (fp->port_on[p])
			used += (size_t)snprintf(names + used, sizeof(names) - used, " %s",
						 sc->hosts[p].name);
	if (fp->enabled)
		sim_say("fast path: the kernel forwards between fault-free hosts of the same "
			"MTU among%s", names);
}

void fastpath_setup(struct fastpath *fp, const struct scenario *sc)
{
	char err[256] = "";
	fastpath_init(fp);
	for (int p = 0; p < sc->nhosts; p++) {
		if (!has_partner(sc, p))
			continue;
		if (fp->map_fd < 0 && ((fp->map_fd = fastbpf_map_create(SIM_MAX_HOSTS)) < 0 ||
					(fp->count_fd = fastbpf_count_create(SIM_MAX_HOSTS)) < 0)) {
			snprintf(err, sizeof(err), "no BPF map: %s", strerror(errno));
			break;
		}
		if (setup_port(fp, sc, p, err, sizeof(err)) < 0)
			break;
		fp->port_on[p] = true;
		fp->enabled = true;
	}
	if (err[0]) {
		/* Programs detach with their links; the pairs only cost a name each. */
		fastpath_close(fp);
		fastpath_init(fp);
		sim_err("the kernel cannot forward for the switch (%s): the switch forwards every "
			"frame itself", err);
		return;
	}
	for (int p = 0; p < sc->nhosts; p++) {
		struct ifstat host = { 0 }, reader = { 0 };
		if (fp->port_on[p] && read_port_stats(p, &host, &reader) == 0) {
			fp->base_rx[p][0] = host.rx_packets;
			fp->base_rx[p][1] = host.rx_bytes;
			fp->base_slow[p][0] = reader.rx_packets;
			fp->base_slow[p][1] = reader.rx_bytes;
		}
	}
	say_who(fp, sc);
}

static struct fast_key key_of(const uint8_t mac[6])
{
	struct fast_key key;
	memset(&key, 0, sizeof(key));
	memcpy(key.mac, mac, 6);
	return key;
}

/* Host h's entry in (frames for it go straight to it, or its MTU changed) or out. */
static void set_entry(struct fastpath *fp, const struct scenario *sc, int h, bool add)
{
	char host_if[16];
	struct fast_key key = key_of(sc->hosts[h].mac);
	fp->installed[h] = add;
	if (!add) {
		fastbpf_map_delete(fp->map_fd, &key);
		return;
	}
	lan_switch_ifname(h, host_if, sizeof(host_if));
	struct fast_dest dest = { .ifindex = ifindex_of(host_if), .mtu = sc->hosts[h].mtu,
				  .mtu_now = fp->now[h].mtu, .slot = (uint32_t)h };
	if (!dest.ifindex || fastbpf_map_set(fp->map_fd, &key, &dest) < 0) {
		sim_err("cannot let the kernel forward to %s (%s): the switch forwards its frames",
			sc->hosts[h].name, strerror(errno));
		fp->installed[h] = false;
	}
}

/*
 * Whether frames for host h should go straight to it: its address learned on
 * its own port, and still its interface's (a host that takes another address
 * would be handed frames no longer for it).  changed: its MTU changed.
 */
static void refresh(struct fastpath *fp, const struct scenario *sc, int h, bool changed)
{
	bool want = fp->at_home[h] && fp->port_on[h] &&
		    memcmp(fp->now[h].mac, sc->hosts[h].mac, 6) == 0;
	if (want != fp->installed[h] || (want && changed))
		set_entry(fp, sc, h, want);
}

void fastpath_learned(struct fastpath *fp, const struct scenario *sc, const uint8_t mac[6],
		      int port)
{
	if (!fp->enabled)
		return;
	for (int h = 0; h < sc->nhosts; h++) {
		if (memcmp(sc->hosts[h].mac, mac, 6) != 0)
			continue;
		/* Moved away from its own port (someone else sends with it): the switch decides again. */
		fp->at_home[h] = h == port;
		refresh(fp, sc, h, false);
	}
}

int fastpath_watch_fds(const struct fastpath *fp, int *fds)
{
	int n = 0;
	for (int p = 0; p < SIM_MAX_HOSTS; p++)
		if (fp->watch_fd[p] >= 0)
			fds[n++] = fp->watch_fd[p];
	return n;
}

void fastpath_watch(struct fastpath *fp, const struct scenario *sc)
{
	for (int h = 0; h < sc->nhosts; h++) {
		if (fp->watch_fd[h] < 0)
			continue;
		struct hostlink link = fp->now[h];
		if (hostlink_changes(fp->watch_fd[h], "eth0", &link) < 0) {
			/* Reports lost (or worse): ask directly. */
			char ns[64];
			lan_ns_name(sc->name, sc->hosts[h].name, ns, sizeof(ns));
			hostlink_read(ns, "eth0", &link);
		}
		bool mtu_changed = link.mtu != fp->now[h].mtu;
		fp->now[h] = link;
		refresh(fp, sc, h, mtu_changed);
	}
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static void add_fast(struct dir_counters *d, uint64_t frames, uint64_t bytes)
{
	counter_add(d, C_FRAMES, frames);
	counter_add(d, C_BYTES, bytes);
	counter_add(d, C_FORWARDED, frames);
	counter_add(d, C_FORWARDED_BYTES, bytes);
	counter_add(d, C_FASTPATH, frames);
}

void fastpath_add_counters(const struct fastpath *fp, const struct scenario *sc,
			   struct sim_counters *cnt)
{
	if (!fp->enabled)
		return;
	for (int p = 0; p < sc->nhosts; p++) {
		struct ifstat host, reader;
		if (!fp->port_on[p] || read_port_stats(p, &host, &reader) < 0)
			continue;
		/* In: what the host sent, less what the program passed to the switch. */
		add_fast(&cnt->port[p][DIR_IN],
			 less(host.rx_packets - fp->base_rx[p][0], reader.rx_packets - fp->base_slow[p][0]),
			 less(host.rx_bytes - fp->base_rx[p][1], reader.rx_bytes - fp->base_slow[p][1]));
		/* Out: what the programs counted for the host. */
		struct fast_count count = { 0 };
		fastbpf_count_get(fp->count_fd, (uint32_t)p, &count);
		add_fast(&cnt->port[p][DIR_OUT], count.frames, count.bytes);
	}
}
