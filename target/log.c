/*
 * log.c - one place decides where aoe-target's messages go.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static bool to_syslog;

void log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	to_syslog = true;
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	if (to_syslog) {
		vsyslog(priority, fmt, args);
	} else {
		fputs("aoe-target: ", stderr);
		vfprintf(stderr, fmt, args);
		fputc('\n', stderr);
	}
	va_end(args);
}
