/*
 * util.c - clocks, messages, unit parsers and file helpers.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

void sim_err(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", SIM_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void sim_say(const char *fmt, ...)
{
	va_list ap;
	printf("%s: ", SIM_PROG);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A non-negative decimal number followed by a unit from the table. */
struct unit {
	const char *suffix;
	double scale;
};

static bool parse_scaled(const char *text, const struct unit *units, double *out)
{
	if (!text || !*text || !(isdigit((unsigned char)text[0]) || text[0] == '.'))
		return false;
	char *end;
	errno = 0;
	double value = strtod(text, &end);
	if (errno || !(value >= 0 && value < 1e300))
		return false;
	for (const struct unit *u = units; u->suffix; u++) {
		if (strcasecmp(end, u->suffix) == 0) {
			*out = value * u->scale;
			return true;
		}
	}
	return false;
}

bool parse_duration(const char *text, uint64_t *ns)
{
	static const struct unit units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 }, { NULL, 0 },
	};
	double v;
	if (!parse_scaled(text, units, &v) || v > 1e18)
		return false;
	*ns = (uint64_t)(v + 0.5);
	return true;
}

bool parse_percent(const char *text, double *prob)
{
	static const struct unit units[] = { { "%", 0.01 }, { NULL, 0 } };
	double v;
	if (!parse_scaled(text, units, &v) || v > 1.0)
		return false;
	*prob = v;
	return true;
}

bool parse_rate(const char *text, uint64_t *bps)
{
	static const struct unit units[] = {
		{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 },
		{ "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 }, { NULL, 0 },
	};
	double v;
	if (!parse_scaled(text, units, &v) || v < 1 || v > 1e13)
		return false;
	*bps = (uint64_t)(v + 0.5);
	return true;
}

bool parse_size(const char *text, uint64_t *bytes)
{
	static const struct unit units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1024.0 }, { "m", 1048576.0 }, { "g", 1073741824.0 },
		{ NULL, 0 },
	};
	double v;
	if (!parse_scaled(text, units, &v) || v > 1e15)
		return false;
	*bytes = (uint64_t)(v + 0.5);
	return true;
}

bool parse_u64(const char *text, uint64_t *value)
{
	if (!text || !isdigit((unsigned char)text[0]))
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 0);
	if (errno || *end)
		return false;
	*value = v;
	return true;
}

bool valid_name(const char *name, size_t max_len)
{
	size_t len = strlen(name);
	if (len == 0 || len > max_len || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

long read_small_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t used = 0;
	while (used + 1 < cap) {
		ssize_t n = read(fd, buf + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	return (long)used;
}

int ensure_dir(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		sim_err("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int remove_tree(const char *path)
{
	/* FTW_PHYS: a symlink a command left in {tmp} is removed, never followed. */
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
