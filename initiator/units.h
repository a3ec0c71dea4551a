/*
 * units.h - command-line numbers and names: sizes with K/M/G/T suffixes,
 * plain counts, seconds, target names like e9.0; and sizes for humans.
 */
#ifndef AOEKIT_INITIATOR_UNITS_H
#define AOEKIT_INITIATOR_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "4096", "0x1000", "4K", "4KiB", "1.5M" is refused (whole numbers only). Powers of 1024. */
bool units_parse_size(const char *text, uint64_t *bytes);
/* A whole number without suffix: decimal, or hexadecimal with 0x. */
bool units_parse_count(const char *text, uint64_t *count);
/* Positive seconds, fractions allowed: "1", "0.25". */
bool units_parse_seconds(const char *text, double *seconds);
/* "e9.0" (or "9.0"): shelf 0..65534, slot 0..254 (the broadcast values are not names). */
bool units_parse_target(const char *text, uint16_t *shelf, uint8_t *slot);

/* "512 B", "64.0 MiB", "1.5 GiB". */
void units_format_bytes(uint64_t bytes, char *out, size_t out_len);

#endif
