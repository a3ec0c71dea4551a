/*
 * netns.c - namespace creation, deletion, entry and queries.
 */
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

enum { MAX_ARGS = 64, OUTPUT_MAX = 2048 };

static void join_argv(const char *const argv[], char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; argv[i] && used + 1 < cap; i++) {
		int n = snprintf(out + used, cap - used, "%s%s", i ? " " : "", argv[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Read what the child wrote until it closes the pipe; keep the first cap-1 bytes. */
static void slurp(int fd, char *out, size_t cap)
{
	size_t used = 0;
	char sink[512];
	for (;;) {
		char *dst = used + 1 < cap ? out + used : sink;
		size_t room = used + 1 < cap ? cap - 1 - used : sizeof(sink);
		ssize_t n = read(fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst != sink)
			used += (size_t)n;
	}
	out[used] = '\0';
	while (used > 0 && (out[used - 1] == '\n' || out[used - 1] == ' '))
		out[--used] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

int run_argv(const char *const argv[])
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		sim_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	char output[OUTPUT_MAX];
	slurp(pipefd[0], output, sizeof(output));
	close(pipefd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	char cmd[512];
	join_argv(argv, cmd, sizeof(cmd));
	sim_err("'%s' failed: %s", cmd, output[0] ? output : "(no message)");
	return -1;
}

int run_ip(const char *first, ...)
{
	const char *argv[MAX_ARGS] = { "ip", first };
	int n = 2;
	va_list ap;
	va_start(ap, first);
	const char *arg;
	while ((arg = va_arg(ap, const char *)) && n < MAX_ARGS - 1)
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	return run_argv(argv);
}

static void ns_path(const char *ns, char *out, size_t cap)
{
	snprintf(out, cap, "/run/netns/%s", ns);
}

bool netns_exists(const char *ns)
{
	char path[512];
	ns_path(ns, path, sizeof(path));
	return access(path, F_OK) == 0;
}

int netns_add(const char *ns)
{
	return run_ip("netns", "add", ns, NULL);
}

int netns_delete(const char *ns)
{
	if (!netns_exists(ns))
		return 0;
	netns_kill_pids(ns, 2000);
	if (run_ip("netns", "delete", ns, NULL) < 0 && netns_exists(ns))
		return -1;
	return 0;
}

static int open_ns(const char *ns)
{
	char path[512];
	ns_path(ns, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		sim_err("namespace %s: %s", ns, strerror(errno));
	return fd;
}

int netns_enter(const char *ns)
{
	int fd = open_ns(ns);
	if (fd < 0)
		return -1;
	int rc = setns(fd, CLONE_NEWNET);
	if (rc < 0)
		sim_err("cannot enter namespace %s: %s", ns, strerror(errno));
	close(fd);
	return rc;
}

/* Enter ns for a moment: returns the fd to come back with, or -1. */
static int visit(const char *ns)
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd = open_ns(ns);
	if (home < 0 || fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		if (home >= 0)
			close(home);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return home;
}

static void come_back(int home)
{
	if (setns(home, CLONE_NEWNET) < 0) {
		/* Staying in a foreign namespace would misdirect everything after: stop. */
		sim_err("cannot return to our namespace: %s", strerror(errno));
		abort();
	}
	close(home);
}

int netns_socket(const char *ns, int domain, int type, int protocol)
{
	int home = visit(ns);
	if (home < 0)
		return -1;
	int fd = socket(domain, type, protocol);
	int saved = errno;
	come_back(home);
	errno = saved;
	return fd;
}

int netns_iface_socket(const char *ns, const char *ifname, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	/* An AF_PACKET socket answers interface ioctls without needing IPv4. */
	return netns_socket(ns, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

bool netns_iface_running(const char *ns, const char *ifname)
{
	struct ifreq ifr;
	int fd = netns_iface_socket(ns, ifname, &ifr);
	if (fd < 0)
		return false;
	bool running = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	return running;
}

int netns_sysctl(const char *ns, const char *path, const char *value)
{
	int home = visit(ns);
	if (home < 0)
		return -1;
	/* /proc/sys/net is resolved in the namespace of whoever opens it. */
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	come_back(home);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, value, strlen(value));
	close(fd);
	return rc;
}

static bool same_ns(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

bool netns_pid_in(pid_t pid, const char *ns)
{
	char proc[64], path[512];
	snprintf(proc, sizeof(proc), "/proc/%d/ns/net", (int)pid);
	ns_path(ns, path, sizeof(path));
	return same_ns(proc, path);
}

int netns_packet_sockets(const char *ns)
{
	char buf[16384];
	int home = visit(ns);
	if (home < 0)
		return -1;
	/* /proc/thread-self/net is the namespace of whoever reads it: now ns. */
	long n = read_small_file("/proc/thread-self/net/packet", buf, sizeof(buf));
	come_back(home);
	if (n < 0)
		return -1;
	int lines = 0;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	return lines > 0 ? lines - 1 : 0;  /* minus the heading */
}

/* The PIDs (not ours) whose network namespace is ns. */
static int pids_in(const char *ns, pid_t *pids, int max)
{
	DIR *dir = opendir("/proc");
	if (!dir)
		return 0;
	int n = 0;
	struct dirent *d;
	while ((d = readdir(dir)) && n < max) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 1 || pid == (long)getpid())
			continue;
		if (netns_pid_in((pid_t)pid, ns))
			pids[n++] = (pid_t)pid;
	}
	closedir(dir);
	return n;
}

int netns_kill_pids(const char *ns, int grace_ms)
{
	pid_t pids[1024];
	int n = pids_in(ns, pids, 1024);
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (int waited = 0; waited < grace_ms; waited += 20) {
		/* A zombie has no namespace left, so it no longer counts here. */
		if (pids_in(ns, pids, 1024) == 0)
			return n;
		usleep(20000);
	}
	int left = pids_in(ns, pids, 1024);
	for (int i = 0; i < left; i++)
		kill(pids[i], SIGKILL);
	return n;
}
