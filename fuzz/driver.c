/*
 * driver.c - main() for the AFL++ and standalone builds of every harness.
 * (libFuzzer has its own main and calls LLVMFuzzerTestOneInput directly.)
 *
 *   built with afl-clang-fast, no arguments: AFL++ persistent mode with the
 *     test case in shared memory (no fork, no file I/O per execution); run
 *     outside afl-fuzz it reads one input from stdin, which afl-showmap uses;
 *   any build, with arguments: each argument is a file, or a directory whose
 *     files are each one input (regressions and corpora are replayed this way);
 *   any other build, no arguments: one input from stdin.
 *
 * Each input is copied into a heap buffer of exactly its size (in persistent
 * mode too), so a sanitizer build reports a read one byte past the input.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h> /* read(), used by __AFL_FUZZ_TESTCASE_LEN outside afl-fuzz */

#include "harness.h"

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

static unsigned inputs_run;

static void run_buffer(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (copy == NULL) {
		fprintf(stderr, "fuzz driver: out of memory for %zu bytes\n", size);
		exit(2);
	}
	if (size)
		memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	inputs_run++;
}

/* Read all of f into a growing heap buffer; *size gets its length. */
static uint8_t *slurp(FILE *f, size_t *size)
{
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	while (buf != NULL) {
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		uint8_t *bigger = realloc(buf, cap * 2);
		if (bigger == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	if (buf == NULL || ferror(f)) {
		free(buf);
		return NULL;
	}
	*size = len;
	return buf;
}

static int run_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "fuzz driver: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t size = 0;
	uint8_t *data = slurp(f, &size);
	if (f != stdin)
		fclose(f);
	if (data == NULL) {
		fprintf(stderr, "fuzz driver: %s: cannot read\n", path);
		return 1;
	}
	/* Say which input is running first, so a crash report names its file. */
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz driver: %s (%zu bytes)\n", path, size);
	run_buffer(data, size);
	free(data);
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return run_file(path);
	DIR *dir = opendir(path);
	if (dir == NULL) {
		fprintf(stderr, "fuzz driver: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int failed = 0;
	struct dirent *ent;
	while ((ent = readdir(dir)) != NULL) {
		/* Dot files and READMEs are notes, not inputs. */
		if (ent->d_name[0] == '.' || strncmp(ent->d_name, "README", 6) == 0)
			continue;
		char child[4096];
		snprintf(child, sizeof(child), "%s/%s", path, ent->d_name);
		if (stat(child, &st) == 0 && S_ISREG(st.st_mode))
			failed |= run_file(child);
	}
	closedir(dir);
	return failed;
}

int main(int argc, char **argv)
{
#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc < 2) {
		__AFL_INIT();
		/* Must be read after __AFL_INIT and before the loop (AFL++ persistent mode). */
		const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(100000))
			run_buffer(buf, __AFL_FUZZ_TESTCASE_LEN);
		return 0;
	}
#endif
	if (argc < 2)
		return run_file("-");
	int failed = 0;
	for (int i = 1; i < argc; i++)
		failed |= run_path(argv[i]);
	fprintf(stderr, "fuzz driver: %u inputs, no crash\n", inputs_run);
	return failed;
}
