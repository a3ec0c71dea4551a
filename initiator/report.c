/*
 * report.c - operator messages on stderr.
 */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>

static bool verbose;

__attribute__((format(printf, 2, 0)))
static void print_line(const char *prefix, const char *fmt, va_list args)
{
	fprintf(stderr, "%s: %s", PROGRAM_NAME, prefix);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
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
