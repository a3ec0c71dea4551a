/*
 * proc.c - spawning, relaying and stopping the commands of a scenario.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

enum { PROC_OUTPUT_MAX = 1 << 20, SIM_MAX_PROCS = 1024 };

static void child_exec(const char *ns, const char *command, const char *const env[], int out)
{
	/* The runner blocks signals and catches some; a command must start clean. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0)
		dup2(null, 0);
	dup2(out, 1);
	dup2(out, 2);
	for (int i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	/* bash runs a simple command (or the last of a && list) by exec, so the
	 * program itself gets our SIGTERM and its exit status is the command's;
	 * dash would stay in between and die of the signal.  sh if there is no bash. */
	const char *shell = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
	const char *argv[] = { "ip", "netns", "exec", ns, shell, "-c", command, NULL };
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run ip: %s\n", strerror(errno));
	_exit(127);
}

int proc_spawn(struct proc *p, const char *label, const char *ns, const char *command,
	       const char *const env[], const char *log_path)
{
	memset(p, 0, sizeof(*p));
	p->out_fd = p->log_fd = -1;
	snprintf(p->label, sizeof(p->label), "%s", label);
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		sim_err("pipe: %s", strerror(errno));
		return -1;
	}
	p->log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		sim_err("fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (p->pid == 0)
		child_exec(ns, command, env, pipefd[1]);
	/* Also from here, so a stop right after the fork cannot miss the group. */
	setpgid(p->pid, p->pid);
	close(pipefd[1]);
	p->out_fd = pipefd[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	p->running = true;
	p->started_ns = now_ns();
	return 0;
}

static void keep_output(struct proc *p, const char *buf, size_t len)
{
	if (p->outlen + len > PROC_OUTPUT_MAX)
		return;
	char *grown = realloc(p->output, p->outlen + len + 1);
	if (!grown)
		return;
	p->output = grown;
	memcpy(p->output + p->outlen, buf, len);
	p->outlen += len;
	p->output[p->outlen] = '\0';
}

static void relay_line(struct proc *p)
{
	printf("[%s] %.*s\n", p->label, (int)p->linelen, p->line);
	p->linelen = 0;
}

static void relay(struct proc *p, const char *buf, size_t len)
{
	keep_output(p, buf, len);
	if (p->log_fd >= 0)
		write_all(p->log_fd, buf, len);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || p->linelen == sizeof(p->line))
			relay_line(p);
		if (buf[i] != '\n')
			p->line[p->linelen++] = buf[i];
	}
	fflush(stdout);
}

/* Read what is there now; close at end of file. */
static void drain(struct proc *p)
{
	char buf[8192];
	while (p->out_fd >= 0) {
		ssize_t n = read(p->out_fd, buf, sizeof(buf));
		if (n > 0) {
			relay(p, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			close(p->out_fd);
			p->out_fd = -1;
		}
		return;
	}
}

static void finish(struct proc *p, int status)
{
	p->running = false;
	p->ended_ns = now_ns();
	p->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	/* Something it started in the background may keep the pipe open: take what
	 * is there and stop listening, or we would wait for that forever. */
	drain(p);
	if (p->linelen)
		relay_line(p);
	if (p->out_fd >= 0) {
		close(p->out_fd);
		p->out_fd = -1;
	}
	fflush(stdout);
}

static void reap(struct proc *procs, int n)
{
	for (int i = 0; i < n; i++) {
		int status;
		if (procs[i].running && waitpid(procs[i].pid, &status, WNOHANG) == procs[i].pid)
			finish(&procs[i], status);
	}
}

void proc_pump(struct proc *procs, int n, int timeout_ms, const sigset_t *wait_mask)
{
	struct pollfd pfd[SIM_MAX_PROCS];
	int idx[SIM_MAX_PROCS], nfds = 0;
	reap(procs, n);
	for (int i = 0; i < n && nfds < SIM_MAX_PROCS; i++) {
		if (procs[i].out_fd < 0)
			continue;
		pfd[nfds] = (struct pollfd){ .fd = procs[i].out_fd, .events = POLLIN };
		idx[nfds++] = i;
	}
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	int ready = ppoll(pfd, (nfds_t)nfds, &ts, wait_mask);
	for (int k = 0; ready > 0 && k < nfds; k++)
		if (pfd[k].revents)
			drain(&procs[idx[k]]);
	reap(procs, n);
}

void proc_stop(struct proc *procs, int n, int index, int grace_ms, const sigset_t *wait_mask)
{
	struct proc *p = &procs[index];
	if (!p->running)
		return;
	/* The whole group: the shell, the program, and anything they started. */
	kill(-p->pid, SIGTERM);
	uint64_t deadline = now_ns() + (uint64_t)grace_ms * NS_PER_MS;
	while (p->running && now_ns() < deadline)
		proc_pump(procs, n, 20, wait_mask);
	if (p->running) {
		sim_say("[%s] did not stop on SIGTERM; sending SIGKILL", p->label);
		kill(-p->pid, SIGKILL);
		int status;
		if (waitpid(p->pid, &status, 0) == p->pid)
			finish(p, status);
	}
	/* Stragglers of the group (started by the shell) go too. */
	kill(-p->pid, SIGKILL);
}

void proc_free(struct proc *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->log_fd >= 0)
		close(p->log_fd);
	free(p->output);
	p->output = NULL;
	p->out_fd = p->log_fd = -1;
}
