/*
 * transfer.c - what read and write share (ranges, the session, the summary),
 * and "aoe-initiator read".
 *
 * The data streams through stream.c between the target and a file or a pipe;
 * this file deals with ranges, files, messages and the summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "counters.h"
#include "fdio.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "session.h"
#include "signals.h"
#include "stream.h"
#include "transfer.h"
#include "units.h"

int transfer_open(struct transfer *x, const struct cli_options *opts)
{
	memset(x, 0, sizeof(*x));
	x->data.fd = -1;
	signals_catch();
	int rc = session_open(&x->session, opts, true);
	if (rc != EXIT_OK)
		return rc;
	x->opened = true;
	if (!stream_init(&x->stream, &x->session.engine, x->session.target)) {
		report_error("%s", x->session.engine.error);
		return EXIT_LOCAL;
	}
	x->stream.progress = &x->progress;
	x->capacity = x->session.target->sectors * AOE_SECTOR_SIZE;
	x->start_ns = clock_now_ns();
	return EXIT_OK;
}

void transfer_close(struct transfer *x)
{
	if (x->opened)
		session_close(&x->session);
	stream_free(&x->stream);
	fdio_free(&x->data);
	if (x->data.fd > STDERR_FILENO)
		close(x->data.fd);
}

bool requested_range(const struct cli_options *opts, struct range *r)
{
	r->start = opts->has_offset ? opts->offset : 0;
	if (opts->has_lba) {
		if (opts->lba > UINT64_MAX / AOE_SECTOR_SIZE)
			return false;
		r->start = opts->lba * AOE_SECTOR_SIZE;
	}
	r->length_given = opts->has_count || opts->has_length;
	r->length = opts->has_length ? opts->length : UINT64_MAX;
	if (opts->has_count) {
		if (opts->count > UINT64_MAX / AOE_SECTOR_SIZE)
			return false;
		r->length = opts->count * AOE_SECTOR_SIZE;
	}
	return true;
}

/* Is [start, start + length) inside the target?  Prints why not. */
bool range_fits(const struct transfer *x, uint64_t start, uint64_t length)
{
	if (start <= x->capacity && length <= x->capacity - start)
		return true;
	char size[32];
	units_format_bytes(x->capacity, size, sizeof(size));
	report_error("%s: %llu bytes at offset %llu pass the end of the target (%llu bytes, %s, "
		     "%llu sectors); check --offset/--lba and the length",
		     x->session.target->name, (unsigned long long)length, (unsigned long long)start,
		     (unsigned long long)x->capacity, size, (unsigned long long)x->session.target->sectors);
	return false;
}

/* The last word: a summary line when interrupted, counters with -v, an object with --json. */
void report_outcome(const struct transfer *x, const struct cli_options *opts, const char *verb,
			   uint64_t start, uint64_t bytes, int rc)
{
	const struct engine *e = &x->session.engine;
	const struct engine_target *t = x->session.target;
	double seconds = clock_ns_to_s(clock_now_ns() - x->start_ns);
	double rate = seconds > 0 ? (double)bytes / seconds : 0;
	char size[32], speed[32];
	units_format_bytes(bytes, size, sizeof(size));
	units_format_bytes((uint64_t)rate, speed, sizeof(speed));
	bool interrupted = rc >= 128;
	if (interrupted)
		report_error("%s: interrupted: %s %llu bytes (%s) from offset %llu in %.2f s", t->name,
			     verb, (unsigned long long)bytes, size, (unsigned long long)start, seconds);
	else
		report_verbose("%s: %s %s in %.2f s (%s/s)", t->name, verb, size, seconds, speed);
	counters_verbose(e, t);
	if (!opts->json)
		return;
	printf("{\"name\": \"%s\", \"operation\": \"%s\", \"offset\": %llu, \"bytes\": %llu, "
	       "\"seconds\": %.6f, \"bytes_per_second\": %.0f, \"ok\": %s, \"interrupted\": %s, "
	       "\"flushed\": %s, ",
	       t->name, opts->command, (unsigned long long)start, (unsigned long long)bytes, seconds,
	       rate, rc == EXIT_OK ? "true" : "false", interrupted ? "true" : "false",
	       opts->sync && rc == EXIT_OK ? "true" : "false");
	counters_json(stdout, e, t);
	printf("}\n");
}

int transfer_fail(const struct transfer *x, enum engine_result result)
{
	/* An interrupted transfer says what it got done in its summary line instead. */
	if (result == ENGINE_INTERRUPTED)
		return signals_exit_code();
	return session_fail(&x->session.engine, result);
}

/* ------------------------------------------------------------------ read */

static bool sink_write(void *ctx, struct engine *e, const uint8_t *data, size_t len)
{
	struct fdio *out = ctx;
	if (fdio_write(out, data, len))
		return true;
	if (errno == EINTR) {
		snprintf(e->error, sizeof(e->error), "interrupted while writing %s", out->name);
		engine_abort(e, ENGINE_INTERRUPTED);
	} else {
		snprintf(e->error, sizeof(e->error), "%s: cannot write: %s", out->name, strerror(errno));
	}
	return false;
}

static int open_output(struct transfer *x, const struct cli_options *opts)
{
	const char *name = opts->output_path ? opts->output_path : "standard output";
	int fd = STDOUT_FILENO;
	if (opts->output_path != NULL)
		fd = open(opts->output_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		report_error("%s: cannot open for writing: %s", name, strerror(errno));
		return EXIT_LOCAL;
	}
	if (!fdio_init(&x->data, fd, name)) {
		report_error("out of memory");
		return EXIT_LOCAL;
	}
	return EXIT_OK;
}

static int read_range(struct transfer *x, const struct range *r, uint64_t *delivered)
{
	struct stream_sink sink = { .write = sink_write, .ctx = &x->data };
	progress_start(&x->progress, r->length);
	enum engine_result result = stream_read(&x->stream, r->start, r->length, &sink, delivered);
	progress_finish(&x->progress);
	int rc = transfer_fail(x, result);
	if (!fdio_flush(&x->data) && rc == EXIT_OK) {
		report_error("%s: cannot write: %s", x->data.name, strerror(errno));
		rc = EXIT_LOCAL;
	}
	if (x->data.fd != STDOUT_FILENO && close(x->data.fd) < 0 && rc == EXIT_OK) {
		report_error("%s: %s", x->data.name, strerror(errno));
		rc = EXIT_LOCAL;
	}
	x->data.fd = -1;
	return rc;
}

int command_read(const struct cli_options *opts)
{
	struct range r;
	if (!requested_range(opts, &r)) {
		report_error("the requested range is out of range; see aoe-initiator --help");
		return EXIT_USAGE;
	}
	if (opts->output_path == NULL && isatty(STDOUT_FILENO)) {
		report_error("refusing to write binary data to a terminal; use -o FILE or redirect");
		return EXIT_USAGE;
	}
	struct transfer x;
	int rc = transfer_open(&x, opts);
	if (rc == EXIT_OK) {
		if (!r.length_given && r.start <= x.capacity)
			r.length = x.capacity - r.start;
		if (!range_fits(&x, r.start, r.length))
			rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK)
		rc = open_output(&x, opts);
	if (rc == EXIT_OK) {
		uint64_t delivered = 0;
		rc = read_range(&x, &r, &delivered);
		report_outcome(&x, opts, "read", r.start, delivered, rc);
	}
	transfer_close(&x);
	return rc;
}
