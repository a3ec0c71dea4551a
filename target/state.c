/*
 * state.c - save and load a target's client-set state.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char STATE_MAGIC[] = "aoe-target-state 1";

static bool parse_config(struct target *t, const char *hex)
{
	size_t len = strcspn(hex, "\n");
	if (len % 2 != 0 || len / 2 > AOE_CONFIG_MAX)
		return false;
	for (size_t i = 0; i < len / 2; i++) {
		int high = aoe_hex_digit((unsigned char)hex[2 * i]);
		int low = aoe_hex_digit((unsigned char)hex[2 * i + 1]);
		if (high < 0 || low < 0)
			return false;
		t->config[i] = (uint8_t)(high << 4 | low);
	}
	t->config_len = (uint16_t)(len / 2);
	return true;
}

static bool parse_mac_line(const char *text, uint8_t (*list)[AOE_MAC_LEN], unsigned *count,
			   unsigned max)
{
	char mac_text[32];
	size_t len = strcspn(text, "\n");
	if (len >= sizeof(mac_text) || *count == max)
		return false;
	memcpy(mac_text, text, len);
	mac_text[len] = '\0';
	if (!aoe_mac_parse(mac_text, list[*count]))
		return false;
	(*count)++;
	return true;
}

static bool parse_line(struct target *t, const char *line)
{
	if (strncmp(line, "config ", 7) == 0)
		return parse_config(t, line + 7);
	if (strncmp(line, "mask ", 5) == 0)
		return parse_mac_line(line + 5, t->mask, &t->mask_count, TARGET_MASK_MAX);
	if (strncmp(line, "reserve ", 8) == 0)
		return parse_mac_line(line + 8, t->reserve, &t->reserve_count, TARGET_RESERVE_MAX);
	return line[0] == '\n' || line[0] == '\0';
}

int state_load(struct target *t, const char *path, char *err, size_t err_len)
{
	FILE *file = fopen(path, "r");
	if (!file) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[2 * AOE_CONFIG_MAX + 16];
	bool ok = fgets(line, sizeof(line), file) && strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC)) == 0;
	/* Start from an empty state: the file replaces it, whatever -m said. */
	t->config_len = 0;
	t->mask_count = 0;
	t->reserve_count = 0;
	unsigned number = 1;
	while (ok && fgets(line, sizeof(line), file)) {
		number++;
		ok = parse_line(t, line);
	}
	fclose(file);
	if (!ok) {
		snprintf(err, err_len, "%s:%u: damaged state file (move it away to start afresh)", path,
			 number);
		return -1;
	}
	return 0;
}

static void write_macs(FILE *file, const char *key, const uint8_t (*list)[AOE_MAC_LEN], unsigned count)
{
	char text[18];
	for (unsigned i = 0; i < count; i++) {
		aoe_mac_format(list[i], text);
		fprintf(file, "%s %s\n", key, text);
	}
}

int state_save(const struct target *t, const char *path)
{
	char temp[1100];
	if (snprintf(temp, sizeof(temp), "%s.new", path) >= (int)sizeof(temp))
		return -ENAMETOOLONG;
	int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	FILE *file = fdopen(fd, "w");
	if (!file) {
		close(fd);
		return -ENOMEM;
	}
	fprintf(file, "%s\nconfig ", STATE_MAGIC);
	for (unsigned i = 0; i < t->config_len; i++)
		fprintf(file, "%02x", t->config[i]);
	fputc('\n', file);
	write_macs(file, "mask", t->mask, t->mask_count);
	write_macs(file, "reserve", t->reserve, t->reserve_count);
	/* Durable before it replaces the old one, or a crash could leave neither. */
	bool ok = fflush(file) == 0 && fsync(fd) == 0;
	int saved_errno = errno;
	if (fclose(file) != 0)
		ok = false;
	if (!ok || rename(temp, path) < 0) {
		int result = ok ? -errno : -saved_errno;
		unlink(temp);
		return result;
	}
	return 0;
}
