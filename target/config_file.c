/*
 * config_file.c - read the -c file.
 */
#include "config_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { LINE_MAX_LEN = 4096, WORDS_MAX = 64 };

/* Split a line on blanks in place; '#' starts a comment. Returns the word count or -1. */
static int split_words(char *line, char **words)
{
	int count = 0;
	char *save = NULL;
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (char *word = strtok_r(line, " \t\r\n", &save); word; word = strtok_r(NULL, " \t\r\n", &save)) {
		if (count == WORDS_MAX - 1)
			return -1;
		words[count++] = word;
	}
	words[count] = NULL;
	return count;
}

static bool same_address(const struct export_spec *a, const struct export_spec *b)
{
	return a->shelf == b->shelf && a->slot == b->slot;
}

static bool read_line(struct target_options *opts, char **words, int count, const char *where)
{
	if (strcmp(words[0], "state-dir") == 0 && count == 2) {
		if (opts->state_dir[0] == '\0')  /* the command line wins */
			snprintf(opts->state_dir, sizeof(opts->state_dir), "%s", words[1]);
		return true;
	}
	if (strcmp(words[0], "export") != 0) {
		fprintf(stderr, "aoe-target: %s: unknown line '%s' (expected 'export ...' or 'state-dir DIR')\n",
			where, words[0]);
		return false;
	}
	if (opts->export_count == OPTIONS_EXPORTS_MAX) {
		fprintf(stderr, "aoe-target: %s: more than %d exports\n", where, OPTIONS_EXPORTS_MAX);
		return false;
	}
	struct export_spec *spec = &opts->exports[opts->export_count];
	if (!options_parse_export(count, words, where, spec))
		return false;
	for (unsigned i = 0; i < opts->export_count; i++) {
		if (same_address(&opts->exports[i], spec)) {
			fprintf(stderr, "aoe-target: %s: e%u.%u is exported twice\n", where, spec->shelf,
				spec->slot);
			return false;
		}
	}
	opts->export_count++;
	return true;
}

bool config_file_read(const char *path, struct target_options *opts)
{
	FILE *file = fopen(path, "r");
	if (!file) {
		fprintf(stderr, "aoe-target: %s: %s\n", path, strerror(errno));
		return false;
	}
	char line[LINE_MAX_LEN];
	char *words[WORDS_MAX];
	char where[OPTIONS_PATH_MAX + 16];
	bool ok = true;
	for (unsigned number = 1; ok && fgets(line, sizeof(line), file); number++) {
		snprintf(where, sizeof(where), "%s:%u", path, number);
		int count = split_words(line, words);
		if (count < 0) {
			fprintf(stderr, "aoe-target: %s: too many words\n", where);
			ok = false;
		} else if (count > 0) {
			ok = read_line(opts, words, count, where);
		}
	}
	fclose(file);
	if (ok && opts->export_count == 0) {
		fprintf(stderr, "aoe-target: %s: no 'export' line\n", path);
		ok = false;
	}
	return ok;
}
