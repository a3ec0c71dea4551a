/*
 * write.c - "aoe-initiator write": a file or standard input onto the target.
 *
 * A regular file's length is known before anything is sent, so a range past
 * the end of the target is refused up front.  A pipe's is not: it may write
 * up to the end of the target and is refused only if it has more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "transfer.h"

static ssize_t source_read(void *ctx, struct engine *e, uint8_t *buf, size_t len)
{
	struct fdio *in = ctx;
	ssize_t n = fdio_read(in, buf, len);
	if (n >= 0)
		return n;
	if (errno == EINTR) {
		snprintf(e->error, sizeof(e->error), "interrupted while reading %s", in->name);
		engine_abort(e, ENGINE_INTERRUPTED);
	} else {
		snprintf(e->error, sizeof(e->error), "%s: cannot read: %s", in->name, strerror(errno));
	}
	return -1;
}

/* Bytes left in a regular file from its current position, or UINT64_MAX for a stream. */
static uint64_t input_size(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return UINT64_MAX;
	off_t pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0 || pos > st.st_size)
		return UINT64_MAX;
	return (uint64_t)(st.st_size - pos);
}

static int open_input(struct transfer *x, const struct cli_options *opts)
{
	const char *name = opts->input_path ? opts->input_path : "standard input";
	int fd = STDIN_FILENO;
	if (opts->input_path != NULL)
		fd = open(opts->input_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		report_error("%s: cannot open: %s", name, strerror(errno));
		return EXIT_LOCAL;
	}
	if (!fdio_init(&x->data, fd, name)) {
		report_error("out of memory");
		return EXIT_LOCAL;
	}
	return EXIT_OK;
}

/* After writing up to the end of the target from a stream: was there more? */
static int check_leftover(struct transfer *x, uint64_t written)
{
	uint8_t byte;
	ssize_t n = fdio_read(&x->data, &byte, 1);
	if (n <= 0)
		return EXIT_OK;
	report_error("%s: the input is longer than the %llu bytes from the offset to the end of the "
		     "target; those were written, the rest was not",
		     x->data.name, (unsigned long long)written);
	return EXIT_USAGE;
}

static int write_range(struct transfer *x, const struct cli_options *opts, const struct range *r,
		       uint64_t limit, uint64_t *written)
{
	struct stream_source source = { .read = source_read, .ctx = &x->data };
	/* A pipe without --length: the meter shows bytes and rate, no total. */
	bool known = r->length_given || input_size(x->data.fd) != UINT64_MAX;
	progress_start(&x->progress, known ? limit : 0);
	enum engine_result result = stream_write(&x->stream, r->start, limit, &source, written);
	progress_finish(&x->progress);
	int rc = transfer_fail(x, result);
	if (rc == EXIT_OK && r->length_given && *written < limit) {
		report_error("%s: input ended after %llu of %llu bytes; those were written",
			     x->data.name, (unsigned long long)*written, (unsigned long long)limit);
		rc = EXIT_LOCAL;
	}
	if (rc == EXIT_OK && !r->length_given && *written == limit)
		rc = check_leftover(x, *written);
	if (rc == EXIT_OK && opts->sync)
		rc = session_fail(&x->session.engine,
				  session_flush(&x->session.engine, x->session.target,
						&x->session.identity));
	return rc;
}

int command_write(const struct cli_options *opts)
{
	struct range r;
	if (!requested_range(opts, &r)) {
		report_error("the requested range is out of range; see aoe-initiator --help");
		return EXIT_USAGE;
	}
	struct transfer x;
	int rc = transfer_open(&x, opts);
	if (rc == EXIT_OK)
		rc = open_input(&x, opts);
	uint64_t limit = r.length;
	if (rc == EXIT_OK && !r.length_given) {
		limit = input_size(x.data.fd);
		if (limit == UINT64_MAX && r.start <= x.capacity)
			limit = x.capacity - r.start;   /* a stream: up to the end of the target */
	}
	if (rc == EXIT_OK && !range_fits(&x, r.start, limit))
		rc = EXIT_USAGE;
	if (rc == EXIT_OK) {
		uint64_t written = 0;
		rc = write_range(&x, opts, &r, limit, &written);
		report_outcome(&x, opts, "wrote", r.start, written, rc);
	}
	transfer_close(&x);
	return rc;
}
