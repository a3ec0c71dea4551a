/*
 * units.c - parse what people type, format what people read.
 */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aoe.h"

/* strtoull accepts a sign and leading blanks; a size or count must not have them. */
static bool parse_unsigned(const char *text, uint64_t *value, char **end)
{
	if (!isdigit((unsigned char)text[0]))
		return false;
	int base = (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) ? 16 : 10;
	errno = 0;
	unsigned long long parsed = strtoull(text, end, base);
	if (errno != 0 || *end == text || (base == 16 && *end == text + 2))
		return false;
	*value = parsed;
	return true;
}

static unsigned suffix_shift(char letter)
{
	switch (toupper((unsigned char)letter)) {
	case 'K': return 10;
	case 'M': return 20;
	case 'G': return 30;
	case 'T': return 40;
	default: return 0;
	}
}

bool units_parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	uint64_t value;
	if (!parse_unsigned(text, &value, &end))
		return false;
	if (*end == '\0') {
		*bytes = value;
		return true;
	}
	unsigned shift = suffix_shift(*end);
	if (shift == 0)
		return false;
	end++;
	if (strcmp(end, "") != 0 && strcmp(end, "iB") != 0 && strcmp(end, "B") != 0)
		return false;
	if (value > (UINT64_MAX >> shift))
		return false;
	*bytes = value << shift;
	return true;
}

bool units_parse_count(const char *text, uint64_t *count)
{
	char *end;
	return parse_unsigned(text, count, &end) && *end == '\0';
}

bool units_parse_seconds(const char *text, double *seconds)
{
	char *end;
	errno = 0;
	double value = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !isfinite(value))
		return false;
	if (value <= 0 || value > 86400)
		return false;
	*seconds = value;
	return true;
}

bool units_parse_target(const char *text, uint16_t *shelf, uint8_t *slot)
{
	if (*text == 'e' || *text == 'E')
		text++;
	char *end;
	uint64_t major, minor;
	if (!parse_unsigned(text, &major, &end) || *end != '.')
		return false;
	if (!parse_unsigned(end + 1, &minor, &end) || *end != '\0')
		return false;
	if (major >= AOE_SHELF_BROADCAST || minor >= AOE_SLOT_BROADCAST)
		return false;
	*shelf = (uint16_t)major;
	*slot = (uint8_t)minor;
	return true;
}

void units_format_bytes(uint64_t bytes, char *out, size_t out_len)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	if (bytes < 1024) {
		snprintf(out, out_len, "%u B", (unsigned)bytes);
		return;
	}
	double value = (double)bytes;
	unsigned unit = 0;
	while (value >= 1024 && unit + 1 < sizeof(names) / sizeof(names[0])) {
		value /= 1024;
		unit++;
	}
	snprintf(out, out_len, "%.1f %s", value, names[unit]);
}
