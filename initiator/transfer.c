/*
 * transfer.c - "aoe-initiator read" and "aoe-initiator write".
 *
 * Data moves in chunks of CHUNK_BYTES: a chunk is cut into frames of the
 * target's sectors-per-frame and handed to the engine as one batch, which
 * keeps its window full across the whole chunk.  Byte ranges that do not
 * start or end on a sector boundary are handled here, at the chunk edges:
 * reads cut the covering sectors, writes read the edge sectors first and
 * merge (read-modify-write).
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
#include "progress.h"
#include "report.h"
#include "session.h"
#include "units.h"

enum {
	CHUNK_BYTES = 8 << 20,
	CHUNK_SECTORS = CHUNK_BYTES / AOE_SECTOR_SIZE,
};

struct transfer {
	struct session session;
	uint8_t *chunk;             /* CHUNK_BYTES */
	struct engine_io *ios;      /* one per frame of a chunk: at most CHUNK_SECTORS */
	uint8_t edge[AOE_SECTOR_SIZE];  /* an edge sector for read-modify-write */
	unsigned sectors_per_frame;
	uint64_t capacity;          /* bytes */
	struct progress progress;
	uint64_t start_ns;
};

/* The byte range the options name.  *length is UINT64_MAX when none was given. */
struct range {
	uint64_t start;
	uint64_t length;
	bool length_given;
};

static void count_progress(void *ctx, uint64_t bytes)
{
	progress_add(ctx, bytes);
}

static int transfer_open(struct transfer *x, const struct cli_options *opts)
{
	memset(x, 0, sizeof(*x));
	int rc = session_open(&x->session, opts);
	if (rc != EXIT_OK)
		return rc;
	x->chunk = malloc(CHUNK_BYTES);
	x->ios = calloc(CHUNK_SECTORS, sizeof(*x->ios));
	if (x->chunk == NULL || x->ios == NULL) {
		report_error("out of memory for an %d MiB transfer buffer", CHUNK_BYTES >> 20);
		return EXIT_LOCAL;
	}
	x->sectors_per_frame = engine_sectors_per_frame(&x->session.engine, x->session.target);
	x->capacity = x->session.target->sectors * AOE_SECTOR_SIZE;
	x->session.engine.progress_ctx = &x->progress;
	x->start_ns = clock_now_ns();
	return EXIT_OK;
}

static void transfer_close(struct transfer *x)
{
	session_close(&x->session);
	free(x->chunk);
	free(x->ios);
}

/* Move count sectors at lba between the target and buf (count <= CHUNK_SECTORS). */
static int move_sectors(struct transfer *x, bool write, uint64_t lba, uint64_t count, uint8_t *buf,
			bool counts_as_progress)
{
	struct engine *e = &x->session.engine;
	struct engine_target *t = x->session.target;
	size_t n = 0;
	while (count > 0) {
		unsigned sectors = count < x->sectors_per_frame ? (unsigned)count : x->sectors_per_frame;
		engine_io_rw(&x->ios[n++], t, write, lba, sectors, buf);
		lba += sectors;
		count -= sectors;
		buf += (size_t)sectors * AOE_SECTOR_SIZE;
	}
	e->on_progress = counts_as_progress ? count_progress : NULL;
	return session_fail(e, engine_run(e, t, x->ios, n));
}

static void report_summary(const struct transfer *x, const char *verb, uint64_t bytes)
{
	if (!report_is_verbose())
		return;
	const struct engine *e = &x->session.engine;
	const struct engine_target *t = x->session.target;
	double seconds = clock_ns_to_s(clock_now_ns() - x->start_ns);
	char size[32], rate[32];
	units_format_bytes(bytes, size, sizeof(size));
	units_format_bytes(seconds > 0 ? (uint64_t)((double)bytes / seconds) : 0, rate, sizeof(rate));
	report_verbose("%s: %s %s in %.2f s (%s/s): %llu requests, %llu retransmits, "
		       "%llu late replies, %llu strays",
		       t->name, verb, size, seconds, rate, (unsigned long long)e->stats.requests,
		       (unsigned long long)e->stats.retransmits,
		       (unsigned long long)e->stats.late_replies, (unsigned long long)e->stats.strays);
	for (unsigned i = 0; i < t->path_count; i++) {
		const struct engine_path *path = &t->paths[i];
		report_verbose("%s: via %s: %llu requests, srtt %.3f ms, rto %.1f ms", t->name,
			       e->ports[path->port].ifname, (unsigned long long)path->requests,
			       (double)path->rtt.srtt_ns / NS_PER_MS,
			       (double)rtt_rto_ns(&path->rtt) / NS_PER_MS);
	}
}

static bool requested_range(const struct cli_options *opts, struct range *r)
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
static bool range_fits(const struct transfer *x, uint64_t start, uint64_t length)
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

/* ------------------------------------------------------------------ read */

static int write_all(int fd, const uint8_t *buf, size_t len, const char *name)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			report_error("%s: cannot write: %s", name, strerror(errno));
			return EXIT_LOCAL;
		}
		buf += n;
		len -= (size_t)n;
	}
	return EXIT_OK;
}

static int open_output(const struct cli_options *opts, const char **name)
{
	*name = opts->output_path ? opts->output_path : "standard output";
	if (opts->output_path == NULL)
		return STDOUT_FILENO;
	int fd = open(opts->output_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		report_error("%s: cannot open for writing: %s", opts->output_path, strerror(errno));
	return fd;
}

/* Copy [start, start + length) of the target to fd; *delivered counts the bytes written. */
static int read_range(struct transfer *x, uint64_t start, uint64_t length, int fd, const char *name,
		      uint64_t *delivered)
{
	uint64_t pos = start, end = start + length;
	while (pos < end) {
		size_t skip = pos % AOE_SECTOR_SIZE;
		uint64_t want = end - pos;
		if (want > CHUNK_BYTES - skip)
			want = CHUNK_BYTES - skip;
		uint64_t sectors = (skip + want + AOE_SECTOR_SIZE - 1) / AOE_SECTOR_SIZE;
		int rc = move_sectors(x, false, pos / AOE_SECTOR_SIZE, sectors, x->chunk, true);
		if (rc == EXIT_OK)
			rc = write_all(fd, x->chunk + skip, want, name);
		if (rc != EXIT_OK)
			return rc;
		pos += want;
		*delivered += want;
	}
	return EXIT_OK;
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
	if (rc != EXIT_OK) {
		transfer_close(&x);
		return rc;
	}
	if (!r.length_given && r.start <= x.capacity)
		r.length = x.capacity - r.start;
	const char *name;
	int fd = -1;
	if (!range_fits(&x, r.start, r.length))
		rc = EXIT_USAGE;
	else if ((fd = open_output(opts, &name)) < 0)
		rc = EXIT_LOCAL;
	if (rc == EXIT_OK) {
		uint64_t delivered = 0;
		progress_start(&x.progress, r.length);
		rc = read_range(&x, r.start, r.length, fd, name, &delivered);
		progress_finish(&x.progress);
		report_summary(&x, "read", delivered);
	}
	if (fd >= 0 && fd != STDOUT_FILENO && close(fd) < 0 && rc == EXIT_OK) {
		report_error("%s: %s", name, strerror(errno));
		rc = EXIT_LOCAL;
	}
	transfer_close(&x);
	return rc;
}

/* ----------------------------------------------------------------- write */

/* Read until len bytes or end of input.  Returns the bytes read, or -1. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
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

/*
 * The chunk holds new data at [head, end).  Fill [0, head) and [end, next
 * sector boundary) with what the target has there now, so whole sectors can
 * be written without changing bytes outside the requested range.
 */
static int merge_edges(struct transfer *x, uint64_t lba, size_t head, size_t end, uint64_t sectors)
{
	size_t tail = end % AOE_SECTOR_SIZE;
	int rc = EXIT_OK;
	if (head > 0) {
		rc = move_sectors(x, false, lba, 1, x->edge, false);
		if (rc != EXIT_OK)
			return rc;
		memcpy(x->chunk, x->edge, head);
	}
	if (tail > 0) {
		/* With head and tail in one sector, the edge buffer already holds it. */
		if (!(head > 0 && sectors == 1))
			rc = move_sectors(x, false, lba + sectors - 1, 1, x->edge, false);
		if (rc == EXIT_OK)
			memcpy(x->chunk + end, x->edge + tail, AOE_SECTOR_SIZE - tail);
	}
	return rc;
}

struct write_job {
	int fd;
	const char *name;
	uint64_t start;
	uint64_t limit;             /* bytes to take from the input at most */
	uint64_t written;
};

static int write_stream(struct transfer *x, struct write_job *job)
{
	uint64_t pos = job->start;
	while (job->written < job->limit) {
		size_t head = pos % AOE_SECTOR_SIZE;
		uint64_t room = CHUNK_BYTES - head;
		if (room > job->limit - job->written)
			room = job->limit - job->written;
		ssize_t got = read_full(job->fd, x->chunk + head, room);
		if (got < 0) {
			report_error("%s: cannot read: %s", job->name, strerror(errno));
			return EXIT_LOCAL;
		}
		if (got == 0)
			break;
		size_t end = head + (size_t)got;
		uint64_t lba = pos / AOE_SECTOR_SIZE;
		uint64_t sectors = (end + AOE_SECTOR_SIZE - 1) / AOE_SECTOR_SIZE;
		if (!range_fits(x, pos, (uint64_t)got))
			return EXIT_USAGE;
		int rc = merge_edges(x, lba, head, end, sectors);
		if (rc == EXIT_OK)
			rc = move_sectors(x, true, lba, sectors, x->chunk, true);
		if (rc != EXIT_OK)
			return rc;
		pos += (uint64_t)got;
		job->written += (uint64_t)got;
		if ((uint64_t)got < room)
			break;  /* end of input */
	}
	return EXIT_OK;
}

static int flush_cache(struct transfer *x)
{
	const struct ata_identity *id = &x->session.identity;
	/* FLUSH CACHE EXT where advertised; plain FLUSH CACHE where only that is (vblade aborts EXT). */
	bool ext = id->flush_ext || (!id->flush && id->lba48);
	struct engine_io io;
	engine_io_flush(&io, ext);
	report_verbose("%s: sending %s", x->session.target->name, ata_command_str(io.command));
	struct engine *e = &x->session.engine;
	e->on_progress = NULL;
	return session_fail(e, engine_run(e, x->session.target, &io, 1));
}

static int open_input(const struct cli_options *opts, const char **name)
{
	*name = opts->input_path ? opts->input_path : "standard input";
	if (opts->input_path == NULL)
		return STDIN_FILENO;
	int fd = open(opts->input_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		report_error("%s: cannot open: %s", opts->input_path, strerror(errno));
	return fd;
}

static int write_and_sync(struct transfer *x, const struct cli_options *opts, struct write_job *job,
			  bool length_given)
{
	progress_start(&x->progress, job->limit == UINT64_MAX ? 0 : job->limit);
	int rc = write_stream(x, job);
	progress_finish(&x->progress);
	if (rc == EXIT_OK && length_given && job->written < job->limit) {
		report_error("%s: input ended after %llu of %llu bytes; the first %llu bytes were written",
			     job->name, (unsigned long long)job->written, (unsigned long long)job->limit,
			     (unsigned long long)job->written);
		rc = EXIT_LOCAL;
	}
	if (rc == EXIT_OK && opts->sync)
		rc = flush_cache(x);
	report_summary(x, "wrote", job->written);
	return rc;
}

int command_write(const struct cli_options *opts)
{
	struct range r;
	if (!requested_range(opts, &r)) {
		report_error("the requested range is out of range; see aoe-initiator --help");
		return EXIT_USAGE;
	}
	struct write_job job = { .start = r.start, .limit = r.length };
	job.fd = open_input(opts, &job.name);
	if (job.fd < 0)
		return EXIT_LOCAL;
	uint64_t available = input_size(job.fd);
	if (!r.length_given)
		job.limit = available;
	struct transfer x;
	int rc = transfer_open(&x, opts);
	/* A known length is checked before anything is written; a stream chunk by chunk. */
	if (rc == EXIT_OK && job.limit != UINT64_MAX && !range_fits(&x, r.start, job.limit))
		rc = EXIT_USAGE;
	if (rc == EXIT_OK && !range_fits(&x, r.start, 0))
		rc = EXIT_USAGE;
	if (rc == EXIT_OK)
		rc = write_and_sync(&x, opts, &job, r.length_given);
	transfer_close(&x);
	if (job.fd != STDIN_FILENO)
		close(job.fd);
	return rc;
}
