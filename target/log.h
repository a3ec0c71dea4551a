/*
 * log.h - aoe-target's messages: stderr in the foreground, syslog as a daemon.
 */
#ifndef AOEKIT_LOG_H
#define AOEKIT_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* After this, messages go to syslog (facility daemon) instead of stderr. */
void log_use_syslog(const char *ident);

/* One line; priority is a syslog level (LOG_ERR, LOG_WARNING, LOG_INFO). */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
