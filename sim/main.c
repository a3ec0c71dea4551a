/*
 * main.c - aoe-sim's command line: run, up, exec, down, counters, list, check, impair.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastpath.h"
#include "impair.h"
#include "lan.h"
#include "netns.h"
#include "runner.h"
#include "scenario.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: aoe-sim run SCENARIO [options]   up, run the commands, check the expects, down\n"
		"       aoe-sim up SCENARIO [options]    build the LAN and leave it (and the switch) running\n"
		"       aoe-sim exec LAN HOST -- CMD...  run CMD in HOST's namespace\n"
		"       aoe-sim counters LAN             print the counters of a running switch\n"
		"       aoe-sim down LAN                 stop the switch, print its counters, remove the LAN\n"
		"       aoe-sim list                     LANs that are up\n"
		"       aoe-sim check SCENARIO           parse and print the scenario\n"
		"       aoe-sim impair IFACE [--loss-in P%%] [--loss-out P%%]\n"
		"                                        lose AoE frames on an interface of this\n"
		"                                        namespace until stopped (--help: more)\n"
		"options of run and up:\n"
		"  --name NAME            LAN name instead of the scenario's (namespaces NAME-HOST, NAME-sw)\n"
		"  --seed N               seed instead of the scenario's\n"
		"  --pcap DIR             capture every port to DIR/HOST.pcap\n"
		"  --json-counters FILE   write the counters as JSON (at the end and on SIGUSR1)\n"
		"  --direct               two hosts on one veth pair, no switch (a baseline)\n"
		"  --no-fastpath          the switch forwards every frame itself, also between\n"
		"                         fault-free ports (which the kernel forwards otherwise)\n"
		"  --keep                 (run) keep the temporary directory {tmp} and the logs\n"
		"Scenario format and examples: docs/sim.md.  Must run as root.\n");
}

struct cli {
	const char *name, *pcap, *json;
	bool keep, direct, has_seed, no_fastpath;
	uint64_t seed;
};

static int parse_options(int argc, char **argv, struct cli *c, const char **scenario)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },  { "seed", required_argument, NULL, 's' },
		{ "pcap", required_argument, NULL, 'p' },  { "json-counters", required_argument, NULL, 'j' },
		{ "keep", no_argument, NULL, 'k' },        { "direct", no_argument, NULL, 'd' },
		{ "no-fastpath", no_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(c, 0, sizeof(*c));
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': c->name = optarg; break;
		case 'p': c->pcap = optarg; break;
		case 'j': c->json = optarg; break;
		case 'k': c->keep = true; break;
		case 'd': c->direct = true; break;
		case 'F': c->no_fastpath = true; break;
		case 's':
			if (!parse_u64(optarg, &c->seed)) {
				sim_err("--seed needs a number");
				return -1;
			}
			c->has_seed = true;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc - 1) {
		sim_err("expected one SCENARIO file (see aoe-sim --help)");
		return -1;
	}
	*scenario = argv[optind];
	return 0;
}

static struct scenario *load(const char *path, const struct cli *c)
{
	struct scenario *sc = scenario_load(path);
	if (!sc)
		return NULL;
	if (c->name && !scenario_rename(sc, c->name)) {
		sim_err("bad --name '%s' (at most %d of letters, digits, '_', '.', '-')", c->name,
			SIM_LAN_NAME_MAX);
		scenario_free(sc);
		return NULL;
	}
	if (c->has_seed)
		sc->seed = c->seed;
	return sc;
}

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	sim_err("must run as root (namespaces and raw sockets)");
	return false;
}

static int cmd_run_or_up(int argc, char **argv, bool run)
{
	struct cli c;
	const char *path;
	if (parse_options(argc, argv, &c, &path) < 0)
		return 2;
	if (!need_root())
		return 1;
	struct scenario *sc = load(path, &c);
	if (!sc)
		return 2;
	int rc;
	if (run) {
		struct run_opts o = { .pcap_dir = c.pcap, .json_path = c.json, .keep = c.keep,
				      .direct = c.direct, .no_fastpath = c.no_fastpath };
		rc = runner_run(sc, &o);
	} else {
		struct lan_opts o = { .pcap_dir = c.pcap, .json_path = c.json, .direct = c.direct,
				      .no_fastpath = c.no_fastpath, .daemon = true };
		pid_t pid;
		if (c.pcap && ensure_dir(c.pcap) < 0) {
			sim_err("cannot create %s: %s", c.pcap, strerror(errno));
			rc = 1;
		} else {
			rc = lan_up(sc, &o, &pid) < 0 ? 1 : 0;
		}
		if (rc == 0) {
			sim_say("LAN %s up: %d hosts, %s", sc->name, sc->nhosts,
				pid ? "switch running" : "direct veth pair");
			for (int h = 0; h < sc->nhosts; h++)
				printf("  aoe-sim exec %s %s -- CMD   (namespace %s-%s, eth0)\n", sc->name,
				       sc->hosts[h].name, sc->name, sc->hosts[h].name);
			printf("  aoe-sim down %s\n", sc->name);
			if (sc->nsteps)
				printf("  (the %d run/sleep lines are for aoe-sim run; up ignores them)\n",
				       sc->nsteps);
		}
	}
	scenario_free(sc);
	return rc;
}

static int cmd_exec(int argc, char **argv)
{
	if (argc < 4) {
		sim_err("usage: aoe-sim exec LAN HOST -- CMD...");
		return 2;
	}
	const char *lan = argv[1], *host = argv[2];
	int first = 3;
	if (strcmp(argv[first], "--") == 0)
		first++;
	if (first >= argc) {
		sim_err("exec needs a command");
		return 2;
	}
	if (!valid_name(lan, SIM_LAN_NAME_MAX) || !valid_name(host, SIM_HOST_NAME_MAX)) {
		sim_err("bad LAN or host name");
		return 2;
	}
	if (!need_root())
		return 1;
	char ns[64];
	lan_ns_name(lan, host, ns, sizeof(ns));
	if (!netns_exists(ns)) {
		sim_err("no host %s in LAN %s (namespace %s does not exist)", host, lan, ns);
		return 1;
	}
	char **args = calloc((size_t)(argc - first + 5), sizeof(char *));
	if (!args)
		return 1;
	args[0] = "ip";
	args[1] = "netns";
	args[2] = "exec";
	args[3] = ns;
	memcpy(args + 4, argv + first, sizeof(char *) * (size_t)(argc - first));
	execvp(args[0], args);
	sim_err("cannot run ip: %s", strerror(errno));
	free(args);
	return 127;
}

static int check_lan_arg(int argc, char **argv)
{
	if (argc != 2 || !valid_name(argv[1], SIM_LAN_NAME_MAX)) {
		sim_err("usage: aoe-sim %s LAN", argv[0]);
		return -1;
	}
	return need_root() ? 0 : -1;
}

static int cmd_down(int argc, char **argv)
{
	if (check_lan_arg(argc, argv) < 0)
		return 2;
	if (lan_down(argv[1], true) < 0)
		return 1;
	sim_say("LAN %s removed", argv[1]);
	return 0;
}

static long long mtime_ns(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

static int cmd_counters(int argc, char **argv)
{
	if (check_lan_arg(argc, argv) < 0)
		return 2;
	pid_t pid = lan_switch_pid(argv[1]);
	if (!pid) {
		sim_err("no switch running for LAN %s", argv[1]);
		return 1;
	}
	char path[512], text[65536];
	lan_state_path(argv[1], "counters.txt", path, sizeof(path));
	long long before = mtime_ns(path);
	kill(pid, SIGUSR1);
	for (int i = 0; i < 200 && mtime_ns(path) == before; i++)
		usleep(10000);
	if (read_small_file(path, text, sizeof(text)) <= 0) {
		sim_err("the switch wrote no counters");
		return 1;
	}
	fputs(text, stdout);
	return 0;
}

static int cmd_list(void)
{
	DIR *dir = opendir(LAN_STATE_ROOT);
	if (!dir)
		return 0;
	struct dirent *d;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || !valid_name(d->d_name, SIM_LAN_NAME_MAX))
			continue;
		pid_t pid = lan_switch_pid(d->d_name);
		if (pid)
			printf("%s\tswitch pid %d\n", d->d_name, (int)pid);
		else
			printf("%s\tno switch\n", d->d_name);
	}
	closedir(dir);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct cli c;
	const char *path;
	if (parse_options(argc, argv, &c, &path) < 0)
		return 2;
	struct scenario *sc = load(path, &c);
	if (!sc)
		return 2;
	scenario_print(sc);
	fastpath_describe(sc, stdout);
	scenario_free(sc);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	argc--;
	argv++;
	if (strcmp(cmd, "run") == 0 || strcmp(cmd, "up") == 0)
		return cmd_run_or_up(argc, argv, cmd[0] == 'r');
	if (strcmp(cmd, "exec") == 0)
		return cmd_exec(argc, argv);
	if (strcmp(cmd, "down") == 0)
		return cmd_down(argc, argv);
	if (strcmp(cmd, "counters") == 0)
		return cmd_counters(argc, argv);
	if (strcmp(cmd, "list") == 0)
		return cmd_list();
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(cmd, "impair") == 0)
		return impair_main(argc, argv);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	sim_err("unknown command '%s' (see aoe-sim --help)", cmd);
	return 2;
}
