/*
 * netns.h - network namespaces and the `ip` commands that build the LAN.
 *
 * Every command is run with fork and exec and an argument vector (never a
 * shell), and its own error message is passed on when it fails.  Queries
 * that need to look inside a namespace enter it for a moment and come back;
 * the simulator is single-threaded, so that is safe.
 */
#ifndef AOESIM_NETNS_H
#define AOESIM_NETNS_H

#include <stdbool.h>
#include <sys/types.h>

/* Run a program (searched in PATH) quietly; on failure print its output. 0 or -1. */
int run_argv(const char *const argv[]);
/* run_argv("ip", args..., NULL). */
int run_ip(const char *first, ...) __attribute__((sentinel));

bool netns_exists(const char *ns);
int netns_add(const char *ns);
/* End every process left in ns (SIGTERM, then SIGKILL), then delete it. 0 if gone. */
int netns_delete(const char *ns);
/* Enter ns for good (the switch process). */
int netns_enter(const char *ns);

/* A socket of ns (it stays in ns wherever it is used), or -1 with errno. */
int netns_socket(const char *ns, int domain, int type, int protocol);
/* A socket for interface ioctls in ns, with ifr naming ifname; -1 with errno. */
struct ifreq;
int netns_iface_socket(const char *ns, const char *ifname, struct ifreq *ifr);
/* Whether ifname in ns is up with carrier (IFF_RUNNING: its queue is live). */
bool netns_iface_running(const char *ns, const char *ifname);
/* Write a sysctl under /proc/sys as seen from inside ns. */
int netns_sysctl(const char *ns, const char *path, const char *value);

/* Whether pid lives in ns. */
bool netns_pid_in(pid_t pid, const char *ns);
/* Packet sockets open in ns (lines of its /proc/net/packet), -1 on error. */
int netns_packet_sockets(const char *ns);
/* SIGTERM the processes in ns, wait up to grace_ms, SIGKILL the rest. Returns how many. */
int netns_kill_pids(const char *ns, int grace_ms);

#endif
