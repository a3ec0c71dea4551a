/*
 * util.h - small helpers shared by the simulator: clocks, messages, and the
 * parsers for the units a scenario is written in (durations, percentages,
 * rates, sizes).
 */
#ifndef AOESIM_UTIL_H
#define AOESIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_PROG "aoe-sim"
#define NS_PER_SEC 1000000000ull
#define NS_PER_MS 1000000ull
#define NS_PER_US 1000ull

/* Monotonic nanoseconds: every delay and schedule is measured on this clock. */
uint64_t now_ns(void);
/* Wall-clock nanoseconds since the epoch: what pcap timestamps need. */
uint64_t wall_ns(void);

/* "aoe-sim: ..." on stderr. */
void sim_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "aoe-sim: ..." on stdout, flushed (the runner interleaves it with children). */
void sim_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Unit parsers.  Each accepts the whole string or fails (returns false), so a
 * typo in a scenario is an error rather than a silently different number.
 *   duration: "0", "250ns", "100us", "2ms", "1.5s" (bare numbers are seconds)
 *   percent:  "10%", "0.5%" -> probability 0..1
 *   rate:     "9600bit", "500kbit", "100mbit", "1gbit" -> bits per second
 *   size:     "1500", "64k", "1m" (powers of 1024) -> bytes
 */
bool parse_duration(const char *text, uint64_t *ns);
bool parse_percent(const char *text, double *prob);
bool parse_rate(const char *text, uint64_t *bps);
bool parse_size(const char *text, uint64_t *bytes);
bool parse_u64(const char *text, uint64_t *value);

/* Names of LANs and hosts become namespace and file names: keep them plain. */
bool valid_name(const char *name, size_t max_len);

/* Write a whole buffer (retrying short writes). 0 or -1. */
int write_all(int fd, const void *buf, size_t len);
/* Read a small file into buf (NUL-terminated). Bytes read, or -1. */
long read_small_file(const char *path, char *buf, size_t cap);
/* mkdir -p for one level below an existing parent, tolerating EEXIST. */
int ensure_dir(const char *path);
/* Remove a directory tree we created (nothing outside it, no symlink following). */
int remove_tree(const char *path);

#endif
