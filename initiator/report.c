/*
 * report.c - operator messages on stderr.
 */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static bool verbose;
static bool to_syslog;

__attribute__((format(printf, 2, 0)))
static void print_line(const char *prefix, const char *fmt, va_list args)
{
	if (to_syslog) {
		char line[512];
		vsnprintf(line, sizeof(line), fmt, args);
		syslog(*prefix ? LOG_WARNING : LOG_ERR, "%s%s", prefix, line);
		return;
	}
	fprintf(stderr, "%s: %s", PROGRAM_NAME, prefix);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

void report_use_syslog(void)
{
	openlog(PROGRAM_NAME, LOG_PID, LOG_DAEMON);
	to_syslog = true;
}

void report_error(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	print_line("", fmt, args);
	va_end(args);
}

void report_warn(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	print_line("warning: ", fmt, args);
	va_end(args);
}

void report_set_verbose(bool on)
{
	verbose = on;
}

bool report_is_verbose(void)
{
	return verbose;
}

void report_verbose(const char *fmt, ...)
{
	if (!verbose)
		return;
	va_list args;
	va_start(args, fmt);
	print_line("", fmt, args);
	va_end(args);
}
