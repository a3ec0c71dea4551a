/*
 * proc.h - the commands a scenario runs inside its hosts.
 *
 * Each command runs as `ip netns exec NS bash -c COMMAND` in a process
 * group of its own (so it and whatever it starts can be stopped together,
 * and a Ctrl-C reaches only the runner, which stops things in order).  Its
 * stdout and stderr come back through one pipe: relayed line by line with a
 * "[label] " prefix, written to a log file, and kept for `expect ... output`.
 */
#ifndef AOESIM_PROC_H
#define AOESIM_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { PROC_LINE_MAX = 4096 };

struct proc {
	pid_t pid;                /* 0: never started */
	bool running;
	bool timed_out;
	int status;               /* exit status, 128+N after signal N */
	int out_fd;               /* -1 once closed */
	int log_fd;
	char label[40];
	uint64_t started_ns, ended_ns;
	char *output;             /* everything it printed, up to PROC_OUTPUT_MAX */
	size_t outlen;
	char line[PROC_LINE_MAX]; /* a line not yet ended */
	size_t linelen;
};

/* Start command in namespace ns; env is extra "NAME=value" strings (NULL-terminated). */
int proc_spawn(struct proc *p, const char *label, const char *ns, const char *command,
	       const char *const env[], const char *log_path);

/*
 * Wait up to timeout_ms for output or exits of procs[0..n), relaying output
 * and reaping what ended.  Signals in wait_mask's complement may interrupt.
 */
void proc_pump(struct proc *procs, int n, int timeout_ms, const sigset_t *wait_mask);

/* Stop a running command's process group: SIGTERM, then SIGKILL after grace_ms. */
void proc_stop(struct proc *procs, int n, int index, int grace_ms, const sigset_t *wait_mask);

void proc_free(struct proc *p);

#endif
