/*
 * mount.c - "aoe-initiator mount eS.L FILE": the target as a regular file,
 * through FUSE (libfuse3, high-level API), so that losetup, mkfs and mount
 * work on it without the kernel's aoe driver.
 *
 * The filesystem is a single file mounted on FILE itself (FUSE allows a
 * regular file as mount point when the root is one).  Reads and writes go
 * through the same stream machinery as the read and write commands, with
 * unaligned edges read-modify-written; flush and fsync send FLUSH CACHE
 * (EXT).  fuse_loop runs every callback in this one thread, so the engine,
 * which is not thread-safe, needs no lock: the kernel queues what it sends
 * meanwhile, and each request still keeps the target's windows full.
 *
 * Building needs <fuse3/fuse.h> and linking -lfuse3; without the header this
 * file compiles to nothing and cli.c reports that mount is not built in.
 */
#define FUSE_USE_VERSION 31

#if defined(__has_include)
#if __has_include(<fuse3/fuse.h>)
#define AOEKIT_HAVE_FUSE3 1
#endif
#endif

#ifdef AOEKIT_HAVE_FUSE3

#include <errno.h>
#include <fcntl.h>
#include <fuse3/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "report.h"
#include "session.h"
#include "stream.h"

struct mount_state {
	struct session session;
	struct stream stream;
	uint64_t capacity;
	struct timespec mounted_at;
};

static struct mount_state *state(void)
{
	return fuse_get_context()->private_data;
}

static int errno_for(struct engine *e, enum engine_result result)
{
	if (result == ENGINE_OK)
		return 0;
	report_error("%s", e->error);
	return result == ENGINE_REFUSED ? -EACCES : -EIO;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	if (strcmp(path, "/") != 0)
		return -ENOENT;
	struct mount_state *m = state();
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0600;
	st->st_nlink = 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_size = (off_t)m->capacity;
	st->st_blocks = (blkcnt_t)(m->capacity / 512);
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = m->mounted_at;
	return 0;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	(void)fi;
	return strcmp(path, "/") == 0 ? 0 : -ENOENT;
}

/* A FUSE buffer as the stream's sink or source. */
struct memory {
	uint8_t *at;
	size_t left;
};

static bool memory_write(void *ctx, struct engine *e, const uint8_t *data, size_t len)
{
	struct memory *m = ctx;
	(void)e;
	memcpy(m->at, data, len);   /* the stream never delivers more than asked */
	m->at += len;
	m->left -= len;
	return true;
}

static ssize_t memory_read(void *ctx, struct engine *e, uint8_t *buf, size_t len)
{
	struct memory *m = ctx;
	(void)e;
	size_t take = len < m->left ? len : m->left;
	memcpy(buf, m->at, take);
	m->at += take;
	m->left -= take;
	return (ssize_t)take;
}

static int op_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	struct mount_state *m = state();
	if (offset < 0 || (uint64_t)offset >= m->capacity)
		return 0;
	if (size > m->capacity - (uint64_t)offset)
		size = (size_t)(m->capacity - (uint64_t)offset);
	struct memory mem = { .at = (uint8_t *)buf, .left = size };
	struct stream_sink sink = { .write = memory_write, .ctx = &mem };
	uint64_t done = 0;
	enum engine_result result = stream_read(&m->stream, (uint64_t)offset, size, &sink, &done);
	int err = errno_for(&m->session.engine, result);
	return err ? err : (int)done;
}

static int op_write(const char *path, const char *buf, size_t size, off_t offset,
		    struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	struct mount_state *m = state();
	if (offset < 0 || (uint64_t)offset >= m->capacity)
		return size ? -ENOSPC : 0;
	if (size > m->capacity - (uint64_t)offset)
		size = (size_t)(m->capacity - (uint64_t)offset);  /* a short write, then ENOSPC */
	struct memory mem = { .at = (uint8_t *)(uintptr_t)buf, .left = size };
	struct stream_source source = { .read = memory_read, .ctx = &mem };
	uint64_t done = 0;
	enum engine_result result = stream_write(&m->stream, (uint64_t)offset, size, &source, &done);
	int err = errno_for(&m->session.engine, result);
	return err ? err : (int)done;
}

static int flush_target(void)
{
	struct mount_state *m = state();
	struct session *s = &m->session;
	return errno_for(&s->engine, session_flush(&s->engine, s->target, &s->identity));
}

static int op_flush(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	return flush_target();
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	(void)fi;
	return flush_target();
}

/* The size is the target's: only a "truncate" to that very size succeeds. */
static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	return (uint64_t)size == state()->capacity ? 0 : -EINVAL;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	(void)path;
	(void)tv;
	(void)fi;
	return 0;  /* times are not kept; touch(1) should not fail */
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 0;
	cfg->direct_io = 0;     /* the page cache batches small writes into large ones */
	cfg->attr_timeout = 3600;
	cfg->entry_timeout = 3600;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations operations = {
	.init = op_init,
	.getattr = op_getattr,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.fsync = op_fsync,
	.truncate = op_truncate,
	.utimens = op_utimens,
};

/* The mount point must be a regular file; create it if missing.  *created says whether we did. */
static int prepare_mount_point(const char *path, bool *created)
{
	struct stat st;
	*created = false;
	if (stat(path, &st) == 0) {
		if (S_ISREG(st.st_mode))
			return EXIT_OK;
		report_error("%s: must be a regular file (the target appears as one file there), "
			     "not a %s", path, S_ISDIR(st.st_mode) ? "directory" : "special file");
		return EXIT_USAGE;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		report_error("%s: cannot create the mount point: %s", path, strerror(errno));
		return EXIT_LOCAL;
	}
	close(fd);
	*created = true;
	return EXIT_OK;
}

static struct fuse *start_fuse(struct mount_state *m, const struct cli_options *opts)
{
	/* "-o" options the library parses; the mount point is passed to fuse_mount. */
	char *argv[] = { "aoe-initiator", "-o", "fsname=aoe", "-o", "subtype=aoe-initiator", NULL };
	char fsname[64];
	snprintf(fsname, sizeof(fsname), "fsname=aoe:%s", m->session.target->name);
	argv[2] = fsname;
	struct fuse_args args = FUSE_ARGS_INIT(5, argv);
	struct fuse *fuse = fuse_new(&args, &operations, sizeof(operations), m);
	fuse_opt_free_args(&args);  /* fuse_new may have copied them */
	if (fuse == NULL) {
		report_error("%s: cannot set up FUSE", opts->mount_path);
		return NULL;
	}
	if (fuse_mount(fuse, opts->mount_path) != 0) {
		report_error("%s: cannot mount (is /dev/fuse there, and fusermount3 installed?)",
			     opts->mount_path);
		fuse_destroy(fuse);
		return NULL;
	}
	return fuse;
}

static int serve(struct mount_state *m, const struct cli_options *opts)
{
	struct fuse *fuse = start_fuse(m, opts);
	if (fuse == NULL)
		return EXIT_LOCAL;
	struct fuse_session *se = fuse_get_session(fuse);
	int rc = EXIT_OK;
	/*
	 * libfuse leaves alone a signal that is ignored, and a shell starts a
	 * background command with SIGINT ignored: take it back, so SIGINT
	 * unmounts as documented however we were started.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (fuse_set_signal_handlers(se) != 0) {
		report_error("cannot install signal handlers");
		rc = EXIT_LOCAL;
	}
	if (rc == EXIT_OK) {
		char size[32];
		snprintf(size, sizeof(size), "%llu", (unsigned long long)m->capacity);
		report_verbose("%s: serving %s bytes at %s", m->session.target->name, size,
			       opts->mount_path);
		if (opts->json) {
			/* Once mounted, before detaching: a script learns the mount is in place. */
			printf("{\"name\": \"%s\", \"file\": ", m->session.target->name);
			output_json_cstring(stdout, opts->mount_path);
			printf(", \"bytes\": %s, \"mounted\": true}\n", size);
			fflush(stdout);
		}
		if (opts->background) {
			fuse_daemonize(0);      /* forks; the parent exits 0 once we are mounted */
			report_use_syslog();
		}
		/* 0 after fusermount3 -u, the signal's number after SIGINT/SIGTERM: both are a clean stop. */
		int ended = fuse_loop(fuse);
		if (ended < 0) {
			report_error("%s: FUSE: %s", opts->mount_path, strerror(-ended));
			rc = EXIT_LOCAL;
		}
		fuse_remove_signal_handlers(se);
	}
	fuse_unmount(fuse);
	fuse_destroy(fuse);
	return rc;
}

int command_mount(const struct cli_options *opts)
{
	static struct mount_state m;
	int rc = session_open(&m.session, opts, true);
	if (rc != EXIT_OK)
		return rc;
	if (!stream_init(&m.stream, &m.session.engine, m.session.target)) {
		report_error("%s", m.session.engine.error);
		session_close(&m.session);
		return EXIT_LOCAL;
	}
	m.capacity = m.session.target->sectors * AOE_SECTOR_SIZE;
	clock_gettime(CLOCK_REALTIME, &m.mounted_at);
	bool created = false;
	rc = prepare_mount_point(opts->mount_path, &created);
	if (rc == EXIT_OK)
		rc = serve(&m, opts);
	if (created)
		unlink(opts->mount_path);
	stream_free(&m.stream);
	session_close(&m.session);
	return rc;
}

#endif
