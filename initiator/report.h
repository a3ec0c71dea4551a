/*
 * report.h - how the initiator talks to its operator: exit codes and one-line
 * messages on stderr, each starting with the program name.
 */
#ifndef AOEKIT_INITIATOR_REPORT_H
#define AOEKIT_INITIATOR_REPORT_H

#include <stdbool.h>

#define PROGRAM_NAME "aoe-initiator"

/* Exit codes, documented in --help; scripts tell the failure classes apart by them. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 1,         /* bad command line, or a request outside the target */
	EXIT_NO_TARGET = 2,     /* nobody answered, or the target stopped answering */
	EXIT_TARGET_ERROR = 3,  /* the target answered with an AoE error or a failed ATA status */
	EXIT_LOCAL = 4,         /* local trouble: interface, socket, file, memory */
	EXIT_REFUSED = 5,       /* reserved by another host, config string mismatch or present */
	/* 128 + signal number after SIGINT (130) or SIGTERM (143): stopped cleanly. */
};

void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From now on to syslog (LOG_DAEMON), for a command that detached from its terminal. */
void report_use_syslog(void);

/* Only printed with --verbose. */
void report_set_verbose(bool on);
bool report_is_verbose(void);
void report_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
