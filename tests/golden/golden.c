/*
 * golden.c - settings rows of pcaps/INDEX.md and the target they describe.
 */
#include "golden.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void golden_settings_default(struct golden_settings *s)
{
	static const uint8_t mac[AOE_MAC_LEN] = { 0x02, 0xae, 0x00, 0x00, 0x00, 0x01 };
	memset(s, 0, sizeof(*s));
	s->mode = GOLDEN_EXACT;
	s->shelf = 9;
	s->slot = 0;
	s->sectors = 64;
	s->mtu = 1500;
	s->disk = GOLDEN_DISK_PATTERN;
	memcpy(s->mac, mac, AOE_MAC_LEN);
	snprintf(s->host, sizeof(s->host), "golden");
}

static bool parse_number(const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 0);
	if (errno || end == v || *end != '\0' || n > max || v[0] == '-')
		return false;
	*out = n;
	return true;
}

static bool set_one(struct golden_settings *s, const char *key, const char *v)
{
	unsigned long long n;
	if (strcmp(key, "mode") == 0) {
		if (strcmp(v, "exact") == 0)
			s->mode = GOLDEN_EXACT;
		else if (strcmp(v, "vblade") == 0)
			s->mode = GOLDEN_VBLADE;
		else
			return false;
	} else if (strcmp(key, "shelf") == 0 && parse_number(v, 0xfffe, &n)) {
		s->shelf = (uint16_t)n;
	} else if (strcmp(key, "slot") == 0 && parse_number(v, 0xfe, &n)) {
		s->slot = (uint8_t)n;
	} else if (strcmp(key, "sectors") == 0) {
		if (strcmp(v, "identify") == 0)
			s->sectors = 0;
		else if (parse_number(v, ATA_LBA48_MAX, &n) && n > 0)
			s->sectors = n;
		else
			return false;
	} else if (strcmp(key, "mtu") == 0 && parse_number(v, 65535, &n) && n >= 64) {
		s->mtu = (unsigned)n;
	} else if (strcmp(key, "ro") == 0 && parse_number(v, 1, &n)) {
		s->read_only = n == 1;
	} else if (strcmp(key, "disk") == 0) {
		if (strcmp(v, "pattern") == 0)
			s->disk = GOLDEN_DISK_PATTERN;
		else if (strcmp(v, "zero") == 0)
			s->disk = GOLDEN_DISK_ZERO;
		else
			return false;
	} else if (strcmp(key, "mac") == 0) {
		return aoe_mac_parse(v, s->mac);
	} else if (strcmp(key, "pair") == 0) {
		if (strcmp(v, "tag") == 0)
			s->pair_by_tag = true;
		else if (strcmp(v, "next") == 0)
			s->pair_by_tag = false;
		else
			return false;
	} else if (strcmp(key, "host") == 0 && strlen(v) < sizeof(s->host)) {
		snprintf(s->host, sizeof(s->host), "%s", v);
	} else {
		return false;
	}
	return true;
}

bool golden_settings_parse(const char *text, struct golden_settings *s, char *err, size_t err_len)
{
	char buf[512];
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, err_len, "settings too long");
		return false;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	char *save = NULL;
	for (char *word = strtok_r(buf, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(word, '=');
		if (eq == NULL) {
			snprintf(err, err_len, "'%s' is not key=value", word);
			return false;
		}
		*eq = '\0';
		if (!set_one(s, word, eq + 1)) {
			snprintf(err, err_len, "bad setting %s=%s", word, eq + 1);
			return false;
		}
	}
	return true;
}

void golden_sectors_text(const struct golden_settings *s, char *out, size_t out_len)
{
	if (s->sectors == 0)
		snprintf(out, out_len, "identify");
	else
		snprintf(out, out_len, "%llu", (unsigned long long)s->sectors);
}

void golden_settings_format(const struct golden_settings *s, char *out, size_t out_len)
{
	char mac[18], sectors[24];
	aoe_mac_format(s->mac, mac);
	golden_sectors_text(s, sectors, sizeof(sectors));
	snprintf(out, out_len, "mode=%s shelf=%u slot=%u sectors=%s mtu=%u ro=%d disk=%s mac=%s host=%s",
		 s->mode == GOLDEN_VBLADE ? "vblade" : "exact", s->shelf, s->slot, sectors, s->mtu,
		 s->read_only ? 1 : 0, s->disk == GOLDEN_DISK_ZERO ? "zero" : "pattern", mac, s->host);
	/* Only when set: the generated rows (pair=next, the default) stay as they were. */
	if (s->pair_by_tag) {
		size_t n = strlen(out);
		snprintf(out + n, out_len - n, " pair=tag");
	}
}

/* Trim spaces (and markdown backticks) around a table cell in place. */
static char *cell_trim(char *c)
{
	while (*c == ' ' || *c == '`')
		c++;
	size_t n = strlen(c);
	while (n > 0 && (c[n - 1] == ' ' || c[n - 1] == '`' || c[n - 1] == '\n'))
		c[--n] = '\0';
	return c;
}

int golden_index_read(const char *path, bool (*fn)(void *ctx, const struct golden_settings *s),
		      void *ctx, char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[2048];
	int rows = 0, lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] != '|')
			continue;
		/* | file | settings | description | */
		char *cells[3] = { NULL, NULL, NULL };
		char *p = line + 1;
		for (int i = 0; i < 3 && p; i++) {
			char *bar = strchr(p, '|');
			if (bar)
				*bar = '\0';
			cells[i] = cell_trim(p);
			p = bar ? bar + 1 : NULL;
		}
		size_t n = cells[0] ? strlen(cells[0]) : 0;
		if (n < 6 || strcmp(cells[0] + n - 5, ".pcap") != 0 || cells[1] == NULL)
			continue;
		struct golden_settings s;
		golden_settings_default(&s);
		snprintf(s.file, sizeof(s.file), "%s", cells[0]);
		char why[200];
		if (!golden_settings_parse(cells[1], &s, why, sizeof(why))) {
			snprintf(err, err_len, "%s:%d: %s", path, lineno, why);
			rc = -1;
		} else if (!fn(ctx, &s)) {
			snprintf(err, err_len, "%s:%d: %s failed", path, lineno, s.file);
			rc = -1;
		}
		rows++;
	}
	fclose(f);
	return rc < 0 ? -1 : rows;
}

int golden_target_open(const struct golden_settings *s, struct target *t, struct disk *disk)
{
	target_init(t, s->shelf, s->slot, s->sectors, s->read_only, s->host);
	if (disk_open_memory(disk, s->sectors, s->read_only) != 0)
		return -1;
	if (s->disk == GOLDEN_DISK_PATTERN)
		for (uint64_t off = 0; off < s->sectors * AOE_SECTOR_SIZE; off++)
			disk->memory[off] = golden_pattern(off);
	return 0;
}
